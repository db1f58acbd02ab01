"""Issue 18 item 1: a masked ID number stays masked (birth date too), duplicate-ID answers confirm nothing to
users who may not see ID numbers and nothing across scope, and repeated probes are rate-limited."""

import datetime

import pytest
from django.test import Client

from core.masking import ID_PROBE_LIMIT, mask_value
from members.models import Applicant, Member
from tests.factories import make_user

from .helpers import api_as, id_number, new_member

pytestmark = pytest.mark.django_db

NEUTRAL = "cannot be registered here"


def page_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def test_phone_mask_keeps_the_length_and_dates_are_hidden_whole():
    assert mask_value("13912340203") == "139****0203"
    assert mask_value("430124199001011234") == "4301********1234"
    assert mask_value(datetime.date(1990, 1, 1)) == mask_value("1990-01-01") == "****-**-**"


def test_member_page_history_and_api_hide_the_birth_date_from_users_without_the_permission(world):
    member = new_member(world.org_a, birth="19771123", phone="13912340203")
    member.name = "改名"
    member.save()
    for url in (member.get_absolute_url(), member.get_history_url()):
        html = page_client(world.viewer_a).get(url).content.decode()
        assert "1977-11-23" not in html and "19771123" not in html and member.id_number not in html
    body = api_as(world.viewer_a).get(f"/api/v1/members/{member.pk}/").json()
    assert body["birth_date"] is None and body["phone"] == "139****0203"
    assert "1977-11-23" not in str(api_as(world.viewer_a).get("/api/v1/members/").json())
    trusted = make_user("region_viewer", region=world.county_a, can_view_sensitive=True)
    assert api_as(trusted).get(f"/api/v1/members/{member.pk}/").json()["birth_date"] == "1977-11-23"
    assert "1977-11-23" in page_client(trusted).get(member.get_absolute_url()).content.decode()


def test_a_masked_record_sent_back_keeps_its_birth_date(world):
    member = new_member(world.org_a, birth="19771123")
    client = api_as(world.editor_a)
    body = client.get(f"/api/v1/members/{member.pk}/").json()
    body.update(name="新名字")
    response = client.put(f"/api/v1/members/{member.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    member.refresh_from_db()
    assert member.name == "新名字" and member.birth_date == datetime.date(1977, 11, 23)


def _member_payload(world, number, org=None):
    return {"name": "张三", "id_number": number, "gender": "male", "organization": (org or world.org_a).code,
            "standing": "full", "joined_on": "2012-07-01", "full_on": "2013-07-01"}


def test_duplicate_answers_confirm_nothing_across_scope_or_without_the_permission(world):
    theirs = new_member(world.org_b)
    ours = new_member(world.org_a)
    sensitive_a = make_user("region_editor", region=world.county_a, can_view_sensitive=True)
    # the other county's member: the same neutral answer for a sensitive and a plain editor
    for user in (sensitive_a, world.editor_a):
        response = api_as(user).post("/api/v1/members/", _member_payload(world, theirs.id_number), format="json")
        assert response.status_code == 400 and NEUTRAL in response.json()["id_number"][0]
        assert theirs.name not in str(response.json())
    # in scope: the plain editor gets the neutral answer, the sensitive one is told who holds the number
    response = api_as(world.editor_a).post("/api/v1/members/", _member_payload(world, ours.id_number), format="json")
    assert NEUTRAL in response.json()["id_number"][0]
    response = api_as(sensitive_a).post("/api/v1/members/", _member_payload(world, ours.id_number), format="json")
    assert "already registered" in response.json()["id_number"][0] and ours.name in response.json()["id_number"][0]
    # the page answers the same way
    form = {"name": "张三", "id_number": theirs.id_number, "organization": world.org_a.code, "standing": "full",
            "category": "employee", "joined_on": "2012-07-01", "full_on": "2013-07-01"}
    html = page_client(sensitive_a).post("/members/add/", form).content.decode()
    assert NEUTRAL in html and "already exists" not in html
    # applicants too
    other_applicant = Applicant.objects.create(name="王五", id_number=id_number("19990101"), organization=world.org_b,
                                               applied_on=datetime.date(2023, 1, 1))
    applicant = {"name": "周敏", "id_number": other_applicant.id_number, "organization": world.org_a.code,
                 "applied_on": "2023-03-01"}
    response = api_as(sensitive_a).post("/api/v1/applicants/", applicant, format="json")
    assert response.status_code == 400 and NEUTRAL in response.json()["id_number"][0]
    html = page_client(sensitive_a).post("/members/applicants/add/", dict(applicant, training_hours=0)).content.decode()
    assert NEUTRAL in html
    assert Member.objects.count() == 2 and Applicant.objects.count() == 1


def test_repeated_probes_are_rate_limited_per_user(world):
    taken = [new_member(world.org_b).id_number for _ in range(ID_PROBE_LIMIT)]
    client = api_as(world.editor_a)
    for number in taken:
        response = client.post("/api/v1/members/", _member_payload(world, number), format="json")
        assert NEUTRAL in response.json()["id_number"][0]
    # the budget is spent: even a free number is refused now (so a probe learns nothing), for this user only
    free = id_number("19850101")
    response = client.post("/api/v1/members/", _member_payload(world, free), format="json")
    assert response.status_code == 400 and "Too many" in response.json()["id_number"][0]
    other = make_user("region_editor", region=world.county_a)
    assert api_as(other).post("/api/v1/members/", _member_payload(world, free), format="json").status_code == 201
