"""Instructors' work in the portal: targets with outcomes and evidence, demonstration-site reviews, the
monthly meetings API with attendance, temporary posts (挂职) — pages and API, rules, scope."""

import datetime

import pytest
from django.urls import reverse

from instructors.models import DemonstrationSite, DemonstrationSiteReview, Meeting, ResponsibilityTarget, TemporaryPost
from tests.conftest import api_as
from tests.factories import make_user
from tests.instructors.helpers import assign, make_instructor

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(world):
    world.person = make_instructor(world.county_a, "李指导")
    world.other = make_instructor(world.county_b, "王指导")
    world.assignment = assign(world.person, world.ent_a)
    world.their_assignment = assign(world.other, world.ent_b)
    world.target = ResponsibilityTarget.objects.create(assignment=world.assignment, description="年内组建党组织",
                                                       due_on=datetime.date(2026, 12, 31))
    world.instructor_user = make_user("instructor", instructor=world.person)
    return world


def test_editor_sets_and_instructor_records_a_target_on_the_assignment_page(work, client):
    client.force_login(work.editor_a)
    page = client.get(work.assignment.get_absolute_url())
    assert "年内组建党组织" in page.content.decode()
    client.force_login(work.instructor_user)
    url = reverse("instructors:target_edit", args=[work.target.pk])
    form = client.get(url).context["form"]
    assert "description" not in form.fields and "evidence" in form.fields
    missing = client.post(url, {"outcome": "met"})
    assert set(missing.context["form"].errors) >= {"achieved_on", "evidence"}
    done = client.post(url, {"outcome": "met", "achieved_on": "2026-05-20", "evidence": "党支部批复文件"})
    assert done.status_code == 302
    work.target.refresh_from_db()
    assert (work.target.outcome, work.target.achieved_on) == ("met", datetime.date(2026, 5, 20))
    assert work.target.history.first().history_user == work.instructor_user
    # another instructor's target is out of scope
    theirs = ResponsibilityTarget.objects.create(assignment=work.their_assignment, description="发展党员",
                                                 due_on=datetime.date(2026, 12, 31))
    assert client.get(reverse("instructors:target_edit", args=[theirs.pk])).status_code == 404
    client.force_login(work.viewer_a)
    assert client.get(reverse("instructors:target_history", args=[theirs.pk])).status_code == 404


def test_targets_through_the_api(work):
    editor = api_as(work.editor_a)
    created = editor.post("/api/v1/instructor-targets/", {"assignment": work.assignment.pk,
                                                          "description": "发展党员2名", "due_on": "2026-06-30"},
                          format="json")
    assert created.status_code == 201, created.json()
    early = editor.post("/api/v1/instructor-targets/", {"assignment": work.assignment.pk, "description": "x",
                                                        "due_on": "2025-06-30"}, format="json")
    assert early.status_code == 400 and "due_on" in early.json()
    assert editor.post("/api/v1/instructor-targets/", {"assignment": work.their_assignment.pk, "description": "x",
                                                       "due_on": "2026-06-30"}, format="json").status_code == 400
    own = api_as(work.instructor_user)
    target_url = f"/api/v1/instructor-targets/{created.json()['id']}/"
    assert own.patch(target_url, {"description": "改"}, format="json").status_code == 400
    assert own.post("/api/v1/instructor-targets/", {"assignment": work.assignment.pk, "description": "x",
                                                    "due_on": "2026-06-30"}, format="json").status_code == 400
    missed = own.patch(target_url, {"outcome": "missed"}, format="json")
    assert missed.status_code == 400 and "outcome_note" in missed.json()
    ok = own.patch(target_url, {"outcome": "missed", "outcome_note": "企业停产"}, format="json")
    assert ok.status_code == 200 and ok.json()["outcome"] == "missed"
    assert own.get("/api/v1/instructor-targets/").json()["count"] == 2


def test_site_reviews_on_the_site_page_and_api(work, client):
    site = DemonstrationSite.objects.create(organization=work.org_a, level="county", designated_on="2024-07-01",
                                            revoked_on="2026-03-01")
    client.force_login(work.editor_a)
    url = reverse("instructors:site_review_create", args=[site.pk])
    before = client.post(url, {"year": 2023, "passed": "on"})
    assert "year" in before.context["form"].errors
    after = client.post(url, {"year": 2027, "passed": "on"})
    assert "year" in after.context["form"].errors
    assert client.post(url, {"year": 2025, "passed": "on", "note": "复核合格"}).status_code == 302
    assert "复核合格" in client.get(site.get_absolute_url()).content.decode()
    api = api_as(work.editor_a)
    twice = api.post("/api/v1/demonstration-site-reviews/", {"site": site.pk, "year": 2025, "passed": False},
                     format="json")
    assert twice.status_code == 400 and "year" in twice.json()
    assert api.post("/api/v1/demonstration-site-reviews/", {"site": site.pk, "year": 2024, "passed": False},
                    format="json").status_code == 201
    assert DemonstrationSiteReview.objects.filter(site=site).count() == 2
    theirs = DemonstrationSite.objects.create(organization=work.org_b, level="county", designated_on="2024-07-01")
    assert client.get(reverse("instructors:site_review_create", args=[theirs.pk])).status_code == 404


def test_meetings_api_with_attendance(work):
    api = api_as(work.editor_a)
    late = make_instructor(work.county_a, "赵指导", active_from=datetime.date(2026, 6, 1))
    data = {"region": "431281", "held_on": "2026-05-08", "topic": "五月例会", "attendees": [work.person.pk]}
    created = api.post("/api/v1/instructor-meetings/", data, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["attendee_count"] == 1
    inactive = api.post("/api/v1/instructor-meetings/", dict(data, attendees=[work.person.pk, late.pk]),
                        format="json")
    assert inactive.status_code == 400 and "赵指导" in inactive.json()["attendees"][0]
    assert api.post("/api/v1/instructor-meetings/", dict(data, attendees=[work.other.pk]),
                    format="json").status_code == 400  # another county's instructor is not even visible
    assert api.post("/api/v1/instructor-meetings/", dict(data, region="431202"), format="json").status_code == 400
    listed = api.get("/api/v1/instructor-meetings/", {"attendee": work.person.pk}).json()
    assert [m["topic"] for m in listed["results"]] == ["五月例会"]
    changed = api.patch(f"/api/v1/instructor-meetings/{created.json()['id']}/", {"attendees": []}, format="json")
    assert changed.status_code == 200 and Meeting.objects.get().attendees.count() == 0


def test_temporary_posts_on_the_instructor_page_and_api(work, client):
    client.force_login(work.editor_a)
    url = reverse("instructors:post_create", args=[work.person.pk])
    early = client.post(url, {"unit": "黔城镇人民政府", "position": "副镇长", "start_on": "2024-03-01"})
    assert "start_on" in early.context["form"].errors
    assert client.post(url, {"unit": "黔城镇人民政府", "position": "副镇长", "start_on": "2025-03-01",
                             "end_on": "2026-03-01"}).status_code == 302
    assert "副镇长" in client.get(work.person.get_absolute_url()).content.decode()
    api = api_as(work.editor_a)
    overlap = api.post("/api/v1/instructor-temporary-posts/", {"instructor": work.person.pk, "unit": "某局",
                                                               "position": "科长", "start_on": "2025-12-01"},
                       format="json")
    assert overlap.status_code == 400 and "黔城镇人民政府" in overlap.json()["start_on"][0]
    ok = api.post("/api/v1/instructor-temporary-posts/", {"instructor": work.person.pk, "unit": "某局",
                                                          "position": "科长", "start_on": "2026-03-01"},
                  format="json")
    assert ok.status_code == 201, ok.json()
    assert api.post("/api/v1/instructor-temporary-posts/", {"instructor": work.other.pk, "unit": "某局",
                                                            "position": "科长", "start_on": "2026-03-01"},
                    format="json").status_code == 400
    assert TemporaryPost.objects.count() == 2
    assert client.get(reverse("instructors:post_create", args=[work.other.pk])).status_code == 404
    theirs = TemporaryPost.objects.create(instructor=work.other, unit="某局", position="科员", start_on="2025-06-01")
    assert client.get(reverse("instructors:post_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("instructors:post_history", args=[theirs.pk])).status_code == 404
    assert api_as(work.instructor_user).get("/api/v1/instructor-temporary-posts/").json()["count"] == 2
