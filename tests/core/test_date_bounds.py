"""Issue 18 item 2: implausible dates and terms are refused at validation (pages, API, imports), derived dates
never overflow, and an API error after a save changes nothing (or says it may have)."""

import datetime

import pytest
from django.test import Client

from core.dates import LATEST, add_months, shift_years
from members.models import IncomeBase, Transfer
from organizations.models import Election, Enterprise, PartyOrganization
from instructors.models import DemonstrationSite
from tests.conftest import api_as
from tests.factories import make_uscc
from tests.members.helpers import new_member

pytestmark = pytest.mark.django_db
D = datetime.date


def page_client(user):
    client = Client()
    client.force_login(user)
    return client


def test_derived_dates_are_total():
    assert add_months(D(9999, 12, 1), 1) == datetime.date.max
    assert add_months(D(1, 1, 1), -1) == datetime.date.min
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert shift_years(D(9999, 1, 1), 7990) == datetime.date.max
    assert shift_years(D(2024, 2, 29), 1) == D(2025, 2, 28)


def test_an_election_held_in_9999_is_refused_on_the_page_and_the_organization_keeps_working(world):
    client = page_client(world.admin)
    url = f"/organizations/{world.org_a.pk}/elections/add/"
    response = client.post(url, {"held_on": "9999-12-31", "term_years": 3}, follow=True)
    assert response.status_code == 200
    assert not Election.objects.exists()
    assert "2100" in response.content.decode()
    response = client.post(url, {"held_on": "2024-05-01", "term_years": 99}, follow=True)
    assert not Election.objects.exists()
    for path in ("/organizations/", f"/organizations/{world.org_a.pk}/"):
        assert client.get(path).status_code == 200


def test_term_years_7990_through_the_api_is_400_and_nothing_changes(world):
    response = api_as(world.admin).patch(f"/api/v1/organizations/{world.org_a.pk}/", {"term_years": 7990},
                                         format="json")
    assert response.status_code == 400 and "term_years" in response.json()
    world.org_a.refresh_from_db()
    assert world.org_a.term_years is None
    assert api_as(world.admin).get("/api/v1/organizations/").status_code == 200


def test_rows_stored_before_the_bounds_do_not_break_lists(world):
    Election.objects.create(organization=world.org_a, held_on=D(9999, 12, 31), term_years=3)
    PartyOrganization.objects.filter(pk=world.org_a.pk).update(term_years=7990)
    client = page_client(world.admin)
    for path in ("/organizations/", f"/organizations/{world.org_a.pk}/"):
        assert client.get(path).status_code == 200
    for path in ("/api/v1/organizations/", f"/api/v1/organizations/{world.org_a.pk}/"):
        assert api_as(world.admin).get(path).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"])
def test_implausible_dates_are_refused_everywhere_through_the_api(world, day):
    admin = api_as(world.admin)
    member = new_member(world.org_a, joined_on=D(2018, 3, 1))
    calls = [
        ("/api/v1/transfers/", {"member": member.pk, "to_external": "外省某党委", "issued_on": day}, "issued_on"),
        ("/api/v1/income-bases/", {"member": member.pk, "effective_month": day[:7], "monthly_income": "5000"},
         "effective_month"),
        ("/api/v1/demonstration-sites/", {"organization": world.org_a.code, "level": "county",
                                          "designated_on": day}, "designated_on"),
        ("/api/v1/enterprises/", {"uscc": make_uscc(4242), "name": "古老公司", "region": world.town_a.code,
                                  "founded_on": day}, "founded_on"),
    ]
    for path, body, field in calls:
        response = admin.post(path, body, format="json")
        assert response.status_code == 400, (path, response.content)
        assert field in response.json(), (path, response.json())
    assert not Transfer.objects.exists() and not IncomeBase.objects.exists()
    assert not DemonstrationSite.objects.exists() and not Enterprise.objects.filter(name="古老公司").exists()


def test_a_transfer_is_not_issued_before_the_member_joined(world):
    member = new_member(world.org_a, joined_on=D(2018, 3, 1))
    response = api_as(world.admin).post("/api/v1/transfers/", {
        "member": member.pk, "to_external": "外省某党委", "issued_on": "2017-12-31"}, format="json")
    assert response.status_code == 400 and "issued_on" in response.json()
    assert not Transfer.objects.exists()


def test_a_date_filter_out_of_range_is_a_message_not_a_500(world):
    response = api_as(world.admin).get("/api/v1/members/?joined_after=9999-12-31")
    assert response.status_code in (200, 400)


def test_an_error_while_answering_a_write_rolls_the_write_back(world, monkeypatch):
    from organizations.api.serializers import EnterpriseSerializer

    def broken(self, instance):
        raise OverflowError("year 10004 is out of range")

    monkeypatch.setattr(EnterpriseSerializer, "to_representation", broken)
    response = api_as(world.admin).post("/api/v1/enterprises/", {
        "uscc": make_uscc(4343), "name": "回滚公司", "region": world.town_a.code}, format="json")
    assert response.status_code == 500
    assert "未做任何修改" in response.json()["detail"]  # "changed nothing", and it is true
    assert not Enterprise.objects.filter(name="回滚公司").exists()
    assert LATEST.year == 2100


def test_the_fuzzers_500s_on_assignments_and_coverage_links_are_400s(world):
    """PUT instructor-assignments/{id}/ and POST coverage-links/ with dates at the calendar's end (issue 18)."""
    from tests.instructors.helpers import assign, make_instructor

    person = make_instructor(world.county_a)
    assignment = assign(person, world.ent_a, D(2026, 1, 1))
    admin = api_as(world.admin)
    for start, end in (("9999-12-31", None), ("2026-01-01", "9999-12-31"), ("0001-01-01", None)):
        response = admin.put(f"/api/v1/instructor-assignments/{assignment.pk}/", {
            "instructor": person.pk, "enterprise": world.ent_a.uscc, "start_on": start, "end_on": end}, format="json")
        assert response.status_code == 400, response.content
        response = admin.post("/api/v1/coverage-links/", {
            "organization": world.org_a.code, "enterprise": world.ent_a.uscc, "valid_from": start, "valid_to": end},
            format="json")
        assert response.status_code == 400, response.content
