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
