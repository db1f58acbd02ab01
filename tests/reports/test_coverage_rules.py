"""Coverage rules beyond the worked example: priorities, dates, members, roll-up, idempotence, query counts."""

import datetime

import pytest

from organizations.models import FormationMode, Region
from reports.coverage import CATEGORIES, enterprises_behind
from reports.models import ENTERPRISE_COUNTS, OTHER_COUNTS, CoverageSnapshot
from reports.services import compute_snapshots
from tests.factories import EnterpriseFactory, cover, make_organization, make_region

from .conftest import D, D0, assign, make_instructor, make_member


def figures(region, day):
    return CoverageSnapshot.objects.get(region=region, as_of=day)


@pytest.fixture
def county(db):
    county = make_region("430101", "County", Region.Kind.COUNTY)
    town = make_region("430101001", "Town", Region.Kind.TOWNSHIP, parent=county)
    county.refresh_from_db()
    return county, town


def test_individual_and_joint_on_one_enterprise_counts_once_as_individual(county):
    county, town = county
    firm = EnterpriseFactory(region=town)
    cover(make_organization("OJ", town, mode=FormationMode.JOINT), firm)
    cover(make_organization("OI", town, mode=FormationMode.INDIVIDUAL), firm)
    compute_snapshots(county, D)
    snap = figures(county, D)
    assert (snap.enterprises, snap.org_individual, snap.org_joint, snap.org_covered) == (1, 1, 0, 1)


def test_industry_and_attached_links_rank_below_regional(county):
    county, town = county
    a, b = EnterpriseFactory(region=town), EnterpriseFactory(region=town)
    industry = make_organization("OIND", town, mode=FormationMode.INDUSTRY)
    cover(industry, a)
    cover(make_organization("OATT", town, mode=FormationMode.ATTACHED), a)
    cover(make_organization("OATT2", town, mode=FormationMode.ATTACHED), b)
    compute_snapshots(county, D)
    snap = figures(county, D)
    assert (snap.org_industry, snap.org_attached, snap.org_covered) == (1, 1, 2)


def test_link_of_a_dissolved_or_not_yet_established_organization_does_not_cover(county):
    county, town = county
    a, b = EnterpriseFactory(region=town), EnterpriseFactory(region=town)
    dissolved = make_organization("ODIS", town, dissolved_on=datetime.date(2026, 1, 1))
    cover(dissolved, a)
    future = make_organization("OFUT", town, established_on=datetime.date(2026, 7, 1))
    cover(future, b, valid_from=datetime.date(2026, 1, 1))
    compute_snapshots(county, D)
    assert figures(county, D).org_covered == 0
    compute_snapshots(county, datetime.date(2025, 6, 1))
    assert figures(county, datetime.date(2025, 6, 1)).org_covered == 1


def test_closed_enterprise_leaves_the_denominator_from_its_closing_day(county):
    county, town = county
    EnterpriseFactory(region=town, closed_on=D, status="closed")
    compute_snapshots(county, D)
    compute_snapshots(county, D - datetime.timedelta(days=1))
    assert figures(county, D).enterprises == 0
    assert figures(county, D - datetime.timedelta(days=1)).enterprises == 1


def test_enterprise_with_unknown_founding_date_is_counted(county):
    county, town = county
    EnterpriseFactory(region=town, founded_on=None)
    compute_snapshots(county, D)
    assert figures(county, D).enterprises == 1


def test_probationary_members_do_not_count_towards_should_form(county):
    county, town = county
    org = make_organization("OM", town)
    two_full_two_probationary = EnterpriseFactory(region=town)
    for full in (True, True, False, False):
        make_member(org, two_full_two_probationary, full=full)
    three_full = EnterpriseFactory(region=town)
    for _ in range(3):
        make_member(org, three_full)
    gone = EnterpriseFactory(region=town)  # three full members who all left before D
    for _ in range(3):
        make_member(org, gone, left_on=datetime.date(2026, 1, 1))
    compute_snapshots(county, D)
    snap = figures(county, D)
    assert (snap.should_form, snap.few_members, snap.no_members) == (1, 1, 1)
    assert snap.members == 7


def test_member_converted_to_full_after_the_date_is_still_probationary_on_it(county):
    county, town = county
    org = make_organization("OM", town)
    firm = EnterpriseFactory(region=town)
    for _ in range(2):
        make_member(org, firm)
    make_member(org, firm, joined_on=datetime.date(2025, 9, 1))  # full from 2026-09-02
    compute_snapshots(county, D)
    assert figures(county, D).should_form == 0
    later = datetime.date(2026, 10, 1)
    compute_snapshots(county, later)
    assert figures(county, later).should_form == 1


def test_enterprise_registered_at_a_non_leaf_region_counts_there_and_above(county):
    county, town = county
    EnterpriseFactory(region=county)
    EnterpriseFactory(region=town)
    compute_snapshots(county, D)
    assert figures(county, D).enterprises == 2
    assert figures(town, D).enterprises == 1


def test_instructor_working_in_two_towns_is_one_instructor_of_the_county(county):
    county, town = county
    other = make_region("430101002", "Other town", Region.Kind.TOWNSHIP, parent=county)
    county.refresh_from_db()
    instructor = make_instructor(county)
    assign(instructor, EnterpriseFactory(region=town), datetime.date(2026, 1, 1))
    assign(instructor, EnterpriseFactory(region=other), datetime.date(2026, 1, 1))
    compute_snapshots(county, D)
    assert (figures(town, D).instructors, figures(other, D).instructors, figures(county, D).instructors) == (1, 1, 1)
    assert figures(county, D).instructor_covered == 2


def test_instructor_of_a_type_not_counting_for_work_coverage_does_not_reach(county):
    county, town = county
    instructor = make_instructor(county)
    instructor.type.counts_for_work_coverage = False
    instructor.type.save()
    assign(instructor, EnterpriseFactory(region=town), datetime.date(2026, 1, 1))
    compute_snapshots(county, D)
    snap = figures(county, D)
    assert (snap.instructor_covered, snap.uncovered, snap.instructors) == (0, 1, 1)


def test_children_add_up_to_their_parent_for_additive_counts(worked_example):
    w = worked_example
    compute_snapshots(w.county, D)
    parent = figures(w.county, D)
    children = [figures(r, D) for r in (w.t1, w.t2, w.z)]
    for name in ENTERPRISE_COUNTS + [n for n in OTHER_COUNTS if n != "instructors"]:
        assert sum(getattr(c, name) for c in children) == getattr(parent, name), name


def test_an_earlier_date_gives_that_dates_figures_and_keeps_the_later_snapshot(worked_example):
    w = worked_example
    compute_snapshots(w.county, D)
    compute_snapshots(w.county, D0)
    assert figures(w.county, D).enterprises == 9
    assert figures(w.county, D0).enterprises == 10


def test_recompute_is_idempotent_and_reflects_changes(worked_example):
    w = worked_example
    compute_snapshots(w.county, D)
    first = {s.region_id: s.counts() for s in CoverageSnapshot.objects.all()}
    compute_snapshots(w.county, D)
    assert CoverageSnapshot.objects.count() == 4
    assert {s.region_id: s.counts() for s in CoverageSnapshot.objects.all()} == first
    cover(w.o2, w.e.E7, valid_from=datetime.date(2026, 1, 1))
    compute_snapshots(w.county, D)
    assert figures(w.county, D).org_joint == 3
    assert CoverageSnapshot.objects.count() == 4


def test_recomputing_a_town_leaves_the_county_snapshot_alone(worked_example):
    w = worked_example
    compute_snapshots(w.county, D)
    result = compute_snapshots(w.t1, D)
    assert result["regions"] == 1 and result["enterprises"] == 4
    assert CoverageSnapshot.objects.filter(as_of=D).count() == 4


def test_snapshot_records_where_its_figures_come_from(worked_example):
    compute_snapshots(worked_example.county, D)
    snap = figures(worked_example.county, D)
    from organizations.models import CoverageLink, Enterprise

    assert snap.source["enterprises"]["last"] == Enterprise.objects.order_by("-pk").first().pk
    assert snap.source["coverage_links"]["last"] == CoverageLink.objects.order_by("-pk").first().pk
    assert snap.source["coverage_links"]["latest"] == CoverageLink.history.order_by("-pk").first().pk
    assert snap.computed_at is not None


def test_ending_a_link_changes_the_source_stamp_of_the_next_snapshot(worked_example):
    from organizations.models import CoverageLink

    compute_snapshots(worked_example.county, D)
    before = figures(worked_example.county, D).source
    link = CoverageLink.objects.filter(valid_to__isnull=True, valid_from__lt=D).first()
    link.valid_to = D
    link.save()
    compute_snapshots(worked_example.county, D)
    after = figures(worked_example.county, D).source
    assert after["coverage_links"]["last"] == before["coverage_links"]["last"]
    assert after["coverage_links"]["latest"] != before["coverage_links"]["latest"]


def _grow(county, town, n, offset):
    org = make_organization(f"OG{offset}", town, mode=FormationMode.JOINT)
    instructor = make_instructor(county)
    for i in range(n):
        region = make_region(f"4301019{offset:02d}{i:02d}", parent=town, kind=Region.Kind.VILLAGE)
        firm = EnterpriseFactory(region=region)
        cover(org, firm)
        make_member(org, firm)
        assign(instructor, EnterpriseFactory(region=region), datetime.date(2026, 1, 1))


def test_compute_uses_a_constant_number_of_queries_as_data_grows(county, django_assert_max_num_queries):
    county, town = county
    _grow(county, town, 2, 1)
    # the figures take a constant dozen queries; the source stamp two per source table (rows, latest change)
    with django_assert_max_num_queries(25) as small:
        compute_snapshots(county, D)
    _grow(county, town, 12, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        compute_snapshots(county, D)
    assert figures(county, D).enterprises == 28


def test_every_category_is_a_snapshot_count():
    assert list(CATEGORIES) == ENTERPRISE_COUNTS


def test_drill_down_is_limited_to_the_given_queryset(worked_example):
    from organizations.models import Enterprise  # noqa: PLC0415

    only_t1 = Enterprise.objects.filter(region=worked_example.t1)
    assert enterprises_behind(worked_example.county, D, "enterprises", only_t1).count() == 4


@pytest.mark.parametrize("day", [D, D0], ids=["D", "D0"])
def test_recomputing_a_sub_region_gives_the_same_figures_as_computing_the_whole_tree(worked_example, day):
    w = worked_example
    compute_snapshots(w.county, day)
    whole = {r: figures(r, day).counts() for r in (w.t1, w.t2, w.z)}
    for region in (w.t1, w.t2, w.z):
        compute_snapshots(region, day)
        assert figures(region, day).counts() == whole[region]
