"""Everything a detail page lists goes through visible_to (issue 18.6): the pages name only what the viewer may
see, and count the rest without naming it."""

import datetime

import pytest
from django.test import Client

from instructors.models import Meeting, Training
from tests.factories import cover, make_user
from tests.instructors.helpers import assign, make_instructor

D = datetime.date(2021, 1, 1)


def _page(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def crossing(world):
    """Links and people crossing the two counties: org B covers enterprise A; instructor B serves enterprise A
    and attends a meeting of county A; instructor A attends a meeting and a training of county B."""
    cover(world.org_a, world.ent_a, D)
    cover(world.org_b, world.ent_a, D)
    cover(world.org_b, world.ent_b, D)
    world.viewer_b = make_user("region_viewer", region=world.county_b)
    world.instructor_a = make_instructor(world.county_a, name="甲县指导员")
    world.instructor_b = make_instructor(world.county_b, name="乙县指导员")
    world.assignment_a = assign(world.instructor_a, world.ent_a, start_on=datetime.date(2026, 1, 1))
    assign(world.instructor_b, world.ent_a, start_on=datetime.date(2025, 1, 1), end_on=datetime.date(2025, 12, 31))
    world.meeting_a = Meeting.objects.create(region=world.county_a, held_on=datetime.date(2026, 2, 1), topic="甲县例会")
    world.meeting_a.attendees.set([world.instructor_a, world.instructor_b])
    meeting_b = Meeting.objects.create(region=world.county_b, held_on=datetime.date(2026, 2, 2), topic="乙县机密例会")
    meeting_b.attendees.set([world.instructor_a])
    training_b = Training.objects.create(region=world.county_b, title="乙县内部培训", held_on=datetime.date(2026, 3, 1))
    training_b.attendees.set([world.instructor_a])
    return world


def test_the_organization_page_names_only_enterprises_in_the_viewers_scope(crossing):
    w = crossing
    body = _page(w.viewer_b, w.org_b.get_absolute_url())
    assert w.ent_b.name in body
    assert w.ent_a.name not in body and w.ent_a.uscc not in body
    assert 'data-testid="hidden-rows"' in body  # counted, not named


def test_the_enterprise_page_names_only_organizations_in_the_viewers_scope(crossing):
    w = crossing
    body = _page(w.viewer_a, w.ent_a.get_absolute_url())
    assert w.org_a.name in body
    assert w.org_b.name not in body
    assert w.instructor_b.name not in body  # the assignment list names only instructors in scope too
    assert w.instructor_a.name in body
    assert 'data-testid="hidden-rows"' in body


def test_the_instructor_page_lists_only_meetings_and_trainings_in_scope(crossing):
    w = crossing
    body = _page(w.viewer_a, w.instructor_a.get_absolute_url())
    assert "甲县例会" in body
    assert "乙县机密例会" not in body and "乙县内部培训" not in body


def test_the_assignment_page_and_the_meeting_page_name_only_instructors_in_scope(crossing):
    w = crossing
    body = _page(w.viewer_a, w.assignment_a.get_absolute_url())
    assert w.instructor_a.name in body and w.instructor_b.name not in body
    body = _page(w.viewer_a, w.meeting_a.get_absolute_url())
    assert w.instructor_a.name in body and w.instructor_b.name not in body


def test_administrators_see_every_row(crossing):
    w = crossing
    body = _page(w.admin, w.ent_a.get_absolute_url())
    assert w.org_a.name in body and w.org_b.name in body and 'data-testid="hidden-rows"' not in body
