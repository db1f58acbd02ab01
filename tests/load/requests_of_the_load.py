"""One request of each kind the load test sends, through Django's test client (in-process, no server), for
the query-count pins (test_request_costs.py) and the profile (profile_requests.py)."""

import datetime
import itertools
import json

from django.test import Client
from rest_framework.authtoken.models import Token

from reports.services import compute_snapshots
from tests.factories import EnterpriseFactory, make_organization, make_user
from tests.instructors.helpers import assign, make_instructor
from tests.members.helpers import new_member


def load_requests(world):
    """{name: callable answering one request}, for an instructor, a branch secretary, a county editor filing for
    another organization and a county viewer, as in the load test. Each filing is new (its own text)."""
    person = make_instructor(world.county_a, name="压测指导员")
    enterprise = EnterpriseFactory(region=world.town_a, name="压测企业")
    assign(person, enterprise, datetime.date(2026, 1, 1))
    organization = make_organization("LD00", world.town_a, name="压测党支部")
    present, absent = (new_member(organization, name=f"压测党员{j}").pk for j in range(2))
    instructor = Token.objects.create(user=make_user("instructor", instructor=person, username="load1")).key
    secretary = Token.objects.create(user=make_user("branch_secretary", organization=organization,
                                                    username="load0")).key
    editor = Token.objects.create(user=make_user("region_editor", region=world.county_a, username="load5")).key
    reader = Token.objects.create(user=world.viewer_a).key
    compute_snapshots(world.county_a, datetime.date(2026, 6, 30))
    client, numbers = Client(), itertools.count()

    def post(path, token, payload):
        return client.post(path, json.dumps(payload), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {token}")

    def get(path, token, **params):
        return client.get(path, params, HTTP_AUTHORIZATION=f"Token {token}")

    def activity(token):
        return post("/api/v1/activities/", token, {
            "organization": organization.code, "kind": "committee_meeting", "held_on": "2026-03-02",
            "topic": f"act-{next(numbers)}", "attendance": [
                {"member": present, "present": True},
                {"member": absent, "present": False, "absence_reason": "出差"}]})

    return {
        "POST instructor-visits/": lambda: post("/api/v1/instructor-visits/", instructor, {
            "instructor": person.pk, "enterprise": enterprise.uscc, "visited_on": "2026-03-01",
            "work_done": f"load-{next(numbers)}"}),
        "GET instructor-visits/": lambda: get("/api/v1/instructor-visits/", instructor, page_size=20),
        "POST activities/ (secretary)": lambda: activity(secretary),
        "POST activities/ (county editor)": lambda: activity(editor),
        "GET activities/": lambda: get("/api/v1/activities/", secretary, page_size=20),
        "GET statistics/coverage/": lambda: get("/api/v1/statistics/coverage/", reader,
                                                region=world.county_a.code, as_of="2026-06-30"),
    }
