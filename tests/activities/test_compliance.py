import datetime

import pytest

from activities.compliance import parse_period
from activities.models import ActivityRecord
from tests.conftest import api_as
from tests.factories import make_organization

from .helpers import accepted, make_record

pytestmark = pytest.mark.django_db
D = datetime.date
URL = "/api/v1/statistics/activities/compliance/"
MONTHLY = ("committee_meeting", "group_meeting", "theme_day")


def rows_by_org(response):
    assert response.status_code == 200, response.json()
    return {row["organization"]: row for row in response.json()["results"]}


@pytest.mark.parametrize("text,start,end", [
    ("2026Q3", D(2026, 7, 1), D(2026, 10, 1)), ("2026q4", D(2026, 10, 1), D(2027, 1, 1)),
    ("2026-07", D(2026, 7, 1), D(2026, 8, 1)), ("2026-12", D(2026, 12, 1), D(2027, 1, 1)),
    ("2026", D(2026, 1, 1), D(2027, 1, 1)),
])
def test_period_forms(text, start, end):
    period = parse_period(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("bad", ["", "2026Q5", "2026-13", "2026-7", "26Q1", "Q3", "2026Q3x", "0000"])
def test_bad_period_is_400(world, bad):
    response = api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": bad})
    assert response.status_code == 400 and "period" in response.json()


def test_full_quarter_requirements_and_only_accepted_records_count(world):
    org = world.org_a
    for month in (7, 8, 9):
        accepted(org, "committee_meeting", D(2026, month, 5))
    accepted(org, "general_meeting", D(2026, 9, 30))
    make_record(org, kind="group_meeting", held_on=D(2026, 7, 3), status=ActivityRecord.Status.SUBMITTED)
    make_record(org, kind="theme_day", held_on=D(2026, 7, 3))  # draft
    accepted(org, "committee_meeting", D(2026, 10, 1))  # next quarter: does not count
    row = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2026Q3"}))[org.code]
    assert row["required"] == {"general_meeting": 1, "committee_meeting": 3, "group_meeting": 3,
                               "party_lecture": 1, "theme_day": 3, "life_meeting": 1, "democratic_appraisal": 1}
    assert row["held"]["committee_meeting"] == 3 and row["held"]["general_meeting"] == 1
    assert row["held"]["group_meeting"] == 0 and row["pending"]["group_meeting"] == 1
    assert row["held"]["theme_day"] == 0
    assert "committee_meeting" not in row["missing"] and "general_meeting" not in row["missing"]
    assert set(row["missing"]) == {"group_meeting", "party_lecture", "theme_day", "life_meeting",
                                   "democratic_appraisal"}


def test_monthly_rule_needs_each_month_not_just_the_total(world):
    for day in (3, 10, 20):
        accepted(world.org_a, "committee_meeting", D(2026, 7, day))
    row = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2026Q3"}))[
        world.org_a.code]
    assert row["held"]["committee_meeting"] == 3
    assert "committee_meeting" in row["missing"]


def test_organization_established_mid_quarter_is_expected_only_for_the_months_it_existed(world):
    young = make_organization("DA2", world.town_a, established_on=D(2026, 8, 15))
    accepted(young, "committee_meeting", D(2026, 8, 20))
    accepted(young, "committee_meeting", D(2026, 9, 20))
    rows = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2026Q3"}))
    row = rows[young.code]
    # August (existed from the 15th) and September; not July
    assert all(row["required"][kind] == 2 for kind in MONTHLY)
    assert row["required"]["general_meeting"] == 1 and row["required"]["life_meeting"] == 1
    assert "committee_meeting" not in row["missing"]
    # in July it did not exist at all: not listed
    july = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2026-07"}))
    assert young.code not in july and world.org_a.code in july


def test_organization_dissolved_mid_year_is_expected_until_it_was_dissolved(world):
    old = make_organization("DA3", world.town_a, established_on=D(2010, 1, 1), dissolved_on=D(2026, 3, 1))
    row = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2026"}))[old.code]
    assert row["required"]["committee_meeting"] == 2  # January and February
    assert row["required"]["general_meeting"] == 1  # Q1 only
    assert row["required"]["life_meeting"] == 1
    # dissolved on the first day of a month: that month is not expected
    edge = make_organization("DA4", world.town_a, established_on=D(2010, 1, 1), dissolved_on=D(2026, 4, 1))
    row = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2026Q2"}))
    assert edge.code not in row


def test_yearly_rule_in_a_quarter_is_judged_over_the_year_and_overdue_only_after_it(world):
    accepted(world.org_a, "life_meeting", D(2026, 2, 1))
    row = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2026Q3"}))[
        world.org_a.code]
    assert row["held"]["life_meeting"] == 1 and "life_meeting" not in row["missing"]
    # a past period with nothing held: everything missing and overdue
    row = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2025Q1"}))[
        world.org_a.code]
    assert row["overdue"] is True and set(row["overdue_kinds"]) == set(row["missing"])
    # a future period: missing but not yet overdue
    row = rows_by_org(api_as(world.viewer_a).get(URL, {"region": world.county_a.code, "period": "2099Q1"}))[
        world.org_a.code]
    assert row["missing"] and row["overdue"] is False


def test_compliance_is_scoped(world):
    api = api_as(world.viewer_a)
    assert api.get(URL, {"region": world.county_b.code, "period": "2026Q3"}).status_code == 404
    assert api.get(URL, {"region": world.city.code, "period": "2026Q3"}).status_code == 404
    assert set(rows_by_org(api.get(URL, {"period": "2026Q3"}))) == {world.org_a.code}  # default: own region
    # a secretary asks for their organization
    response = api_as(world.secretary_a).get(URL, {"period": "2026Q3"})
    assert set(rows_by_org(response)) == {world.org_a.code}
    assert api_as(world.secretary_a).get(URL, {"organization": world.org_b.code, "period": "2026Q3"}
                                         ).status_code == 404


def test_compliance_query_count_does_not_grow_with_organizations(world, django_assert_max_num_queries):
    api = api_as(world.admin)
    with django_assert_max_num_queries(6):
        small = api.get(URL, {"region": world.city.code, "period": "2026"})
    for n in range(20):
        org = make_organization(f"DX{n}", world.town_a if n % 2 else world.town_b)
        accepted(org, "committee_meeting", D(2026, 5, 1))
        accepted(org, "general_meeting", D(2026, 5, 2))
    with django_assert_max_num_queries(6):
        big = api.get(URL, {"region": world.city.code, "period": "2026"})
    assert small.json()["count"] == 2 and big.json()["count"] == 22
    assert big.json()["results"][5]["held"]["committee_meeting"] == 1
