"""`make run` loads the demo with `seed_demo`: one login per role, and every part of the portal has data to show."""

import pytest
from django.core.management import call_command
from django.test import Client

from core.models import User
from core.roles import Role
from instructors.models import AssessmentScheme, Assignment, DemonstrationSite
from organizations.models import Enterprise
from reports.models import CoverageSnapshot

pytestmark = pytest.mark.django_db


def test_seed_demo_gives_every_role_a_login_and_every_page_data():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert set(User.objects.values_list("role", flat=True)) >= {role.value for role in Role}
    assert Enterprise.objects.count() >= 300
    assert Assignment.objects.exists() and DemonstrationSite.objects.exists()
    assert AssessmentScheme.objects.exists(), "the assess page needs a scheme to score with"
    assert CoverageSnapshot.objects.values("as_of").distinct().count() >= 8
    client = Client()
    assert client.login(username="city_editor", password="Demo-pass-2026")
    for url in ("/reports/", "/organizations/enterprises/", "/instructors/", "/instructors/sites/"):
        assert client.get(url).status_code == 200, url


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (Enterprise.objects.count(), Assignment.objects.count(), User.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Enterprise.objects.count(), Assignment.objects.count(), User.objects.count()) == counts
    assert Client().login(username="county_viewer", password="Demo-pass-2026")


def test_seed_demo_looks_like_a_live_region():
    """Terms mostly current (a few due or overdue), pipeline reminders mostly ahead, sites designated by the
    body of their level, instructors' visits mostly recent, users named (issue 15 item 7)."""
    import datetime

    from django.utils import timezone

    from instructors.models import Visit
    from members.pipeline import reminders
    from organizations.models import PartyOrganization
    from organizations.terms import annotate_terms, term_due_condition, term_overdue_condition

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    today = timezone.localdate()
    organizations = annotate_terms(PartyOrganization.objects.all())
    total = organizations.count()
    overdue = organizations.filter(term_overdue_condition(today)).count()
    due = organizations.filter(term_due_condition(today)).count()
    assert 1 <= overdue <= total // 10 and due >= 1
    city_editor = User.objects.get(username="city_editor")
    found = reminders(city_editor, within=365)
    assert found and sum(r.overdue for r in found) <= len(found) // 3
    for site in DemonstrationSite.objects.select_related("region"):
        expected = {"provincial": "湖南省", "city": "怀化市", "county": ""}[site.level]
        assert expected in site.designating_body and site.get_level_display() and "组织部" in site.designating_body
        if site.level == "county":
            assert "市委" not in site.designating_body or site.designating_body.startswith("中共洪江市")
    recent = Visit.objects.filter(visited_on__gte=today - datetime.timedelta(days=30)).count()
    assert recent > Visit.objects.count() // 2
    assert User.objects.get(username="secretary").display_name == "陈红梅"


def test_seed_demo_members_are_in_the_register_through_time():
    """The demo's register is written in bulk: every member in it has their days in the register (spans), so
    the dashboard's members count is the register's (today and for the dates of the trend)."""
    from django.utils import timezone

    from members.models import Member, MemberSpan
    from organizations.models import Region

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    today = timezone.localdate()
    in_register = Member.objects.filter(left_on__isnull=True)
    assert in_register.count() > 100
    assert MemberSpan.objects.active_on(today).count() == in_register.count()
    assert set(MemberSpan.objects.active_on(today).values_list("member_id", "organization_id")) == set(
        in_register.values_list("pk", "organization_id"))
    root = Region.objects.get_root_nodes().first()
    snapshot = CoverageSnapshot.objects.get(region=root, as_of=today)
    assert snapshot.members == in_register.filter(organization__dissolved_on__isnull=True).count()
