"""DESIGN.md's worked example: every figure, at D and D0, for the county and T1, T2, Z."""

from decimal import Decimal

import pytest

from reports.coverage import CATEGORIES, enterprises_behind
from reports.models import CoverageSnapshot
from reports.services import compute_snapshots

from .conftest import D, D0

COUNTY_ON_D = {
    "enterprises": 9, "org_individual": 2, "org_joint": 2, "org_regional": 1, "org_industry": 0,
    "org_attached": 0, "org_covered": 5, "instructor_covered": 1, "channel_covered": 0, "work_covered": 6,
    "uncovered": 3,
    "no_org": 4, "should_form": 1, "few_members": 1, "no_members": 2,
    "organizations": 4, "members": 6, "instructors": 1, "demonstration_sites": 0,
}
COUNTY_ON_D0 = {
    "enterprises": 10, "org_individual": 2, "org_joint": 3, "org_regional": 1, "org_industry": 0,
    "org_attached": 0, "org_covered": 6, "instructor_covered": 1, "channel_covered": 0, "work_covered": 7,
    "uncovered": 3,
    "no_org": 4, "should_form": 0, "few_members": 1, "no_members": 3,
    "organizations": 4, "members": 6, "instructors": 1, "demonstration_sites": 0,
}


def snapshot(region, day):
    return CoverageSnapshot.objects.get(region=region, as_of=day)


@pytest.mark.parametrize("day, expected", [(D, COUNTY_ON_D), (D0, COUNTY_ON_D0)], ids=["D", "D0"])
def test_county_figures_match_the_worked_example(worked_example, day, expected):
    compute_snapshots(worked_example.county, day)
    assert snapshot(worked_example.county, day).counts() == expected


def test_county_rates_on_d_are_sum_over_sum(worked_example):
    compute_snapshots(worked_example.county, D)
    rates = snapshot(worked_example.county, D).rates()
    assert rates == {"org_coverage_rate": Decimal("0.5556"), "individual_rate": Decimal("0.2222"),
                     "work_coverage_rate": Decimal("0.6667")}


def test_county_rates_on_d0(worked_example):
    compute_snapshots(worked_example.county, D0)
    rates = snapshot(worked_example.county, D0).rates()
    assert rates["org_coverage_rate"] == Decimal("0.6000")
    assert rates["work_coverage_rate"] == Decimal("0.7000")


def test_towns_and_zone_on_d(worked_example):
    w = worked_example
    compute_snapshots(w.county, D)
    t1, t2, z = snapshot(w.t1, D), snapshot(w.t2, D), snapshot(w.z, D)
    assert (t1.enterprises, t1.org_covered, t1.org_individual, t1.org_joint) == (4, 3, 1, 2)
    assert (t1.uncovered, t1.no_members) == (1, 1)  # E11: its link starts after D
    assert (t2.enterprises, t2.org_covered, t2.instructor_covered, t2.work_covered) == (2, 0, 1, 1)
    assert (t2.should_form, t2.few_members, t2.no_members) == (1, 1, 0)
    assert (z.enterprises, z.org_covered, z.org_individual, z.org_regional) == (3, 2, 1, 1)
    assert (z.instructor_covered, z.uncovered, z.no_members) == (0, 1, 1)  # E10's assignment ended on D
    assert (t1.organizations, t2.organizations, z.organizations) == (2, 0, 2)
    assert (t1.members, t2.members, z.members) == (6, 0, 0)
    assert (t1.instructors, t2.instructors, z.instructors) == (0, 1, 0)


def test_towns_and_zone_on_d0(worked_example):
    w = worked_example
    compute_snapshots(w.county, D0)
    t1, t2, z = snapshot(w.t1, D0), snapshot(w.t2, D0), snapshot(w.z, D0)
    assert (t1.enterprises, t1.org_covered) == (4, 3)
    # E6 still jointly covered, E7 few members, E8 not yet closed
    assert (t2.enterprises, t2.org_joint, t2.instructor_covered, t2.few_members, t2.no_members) == (3, 1, 0, 1, 1)
    assert (z.enterprises, z.org_covered, z.instructor_covered) == (3, 2, 1)  # E10 reached by its instructor
    # one instructor reaches E6 (org-covered on D0, so not counted as instructor-covered) and E10
    assert (t1.instructors, t2.instructors, z.instructors) == (0, 1, 1)


def test_enterprise_covered_by_individual_and_regional_counts_once_as_individual(worked_example):
    w = worked_example
    individual = set(enterprises_behind(w.county, D, "org_individual").values_list("name", flat=True))
    regional = set(enterprises_behind(w.county, D, "org_regional").values_list("name", flat=True))
    assert individual == {"E1", "E5"} and regional == {"E4"}


@pytest.mark.parametrize("day", [D, D0], ids=["D", "D0"])
def test_every_drill_down_list_has_exactly_its_figure(worked_example, day):
    w = worked_example
    compute_snapshots(w.county, day)
    for region in (w.county, w.t1, w.t2, w.z):
        figures = snapshot(region, day)
        for category in CATEGORIES:
            listed = enterprises_behind(region, day, category)
            assert listed.count() == getattr(figures, category), (region.name, category)
            assert len(list(listed)) == getattr(figures, category), (region.name, category)


def test_drill_down_names_the_enterprises_behind_each_count_on_d(worked_example):
    w = worked_example

    def names(category):
        return sorted(enterprises_behind(w.county, D, category).values_list("name", flat=True))

    assert names("instructor_covered") == ["E6"]
    assert names("should_form") == ["E6"]
    assert names("few_members") == ["E7"]
    assert names("no_members") == ["E10", "E11"]
    assert names("uncovered") == ["E10", "E11", "E7"]
    assert "E8" not in names("enterprises") and "E9" not in names("enterprises")


def test_drill_down_for_large_regions_lists_the_same_enterprises(worked_example, monkeypatch):
    w = worked_example
    compute_snapshots(w.county, D)
    monkeypatch.setattr("reports.coverage.LARGE_SUBTREE_REGIONS", 0)
    for category in CATEGORIES:
        assert enterprises_behind(w.county, D, category).count() == getattr(snapshot(w.county, D), category)


@pytest.mark.parametrize("large", [False, True], ids=["small", "large"])
def test_the_compiled_conditions_select_what_the_orm_conditions_select_also_inside_a_subquery(worked_example, large):
    """The drill-down filters by conditions compiled once (reports.coverage.Compiled); they must select exactly
    what the conditions built by the ORM select, also when the list is a subquery of another query (the
    enterprise table then has another alias) and for each enterprise's coverage code."""
    from organizations.models import Enterprise  # noqa: PLC0415
    from reports.coverage import _with_coverage_built, category_condition, category_q, coverage_code  # noqa: PLC0415

    for day in (D, D0):
        for category in CATEGORIES:
            built = set(Enterprise.objects.filter(category_q(category, day, large)).values_list("pk", flat=True))
            compiled = Enterprise.objects.filter(category_condition(category, day, large))
            assert set(compiled.values_list("pk", flat=True)) == built, category
            inside = Enterprise.objects.filter(pk__in=compiled.values("pk")).exclude(pk__in=compiled.exclude(
                region=worked_example.t1).values("pk"))
            assert set(inside.values_list("pk", flat=True)) == set(
                Enterprise.objects.filter(pk__in=built, region=worked_example.t1).values_list("pk", flat=True))
        codes = dict(Enterprise.objects.annotate(coverage=coverage_code(day)).values_list("pk", "coverage"))
        assert codes == dict(_with_coverage_built(Enterprise.objects.all(), day).values_list("pk", "coverage"))
        assert set(codes.values()) - {"none"}, "the worked example has covered enterprises"


@pytest.mark.parametrize("day", [D, D0], ids=["D", "D0"])
def test_each_enterprises_coverage_code_is_the_code_of_the_one_count_of_a_partition_it_falls_in(worked_example, day):
    """The per-row coverage code (one lookup of the primary link, then instructor, then channel) against the
    counts' own conditions: the counts org_individual … org_attached, instructor_covered, channel_covered and
    uncovered part the operating enterprises, and each of them has one code (fixed_code)."""
    from organizations.models import Enterprise  # noqa: PLC0415
    from reports.coverage import category_q, coverage_code, fixed_code, operating_q  # noqa: PLC0415

    expected = {}
    for category in (c for c in CATEGORIES if fixed_code(c)):  # the counts of one code: checked to part them below
        for pk in Enterprise.objects.filter(operating_q(day), category_q(category, day)).values_list("pk", flat=True):
            assert pk not in expected, (category, pk)
            expected[pk] = fixed_code(category)
    operating = Enterprise.objects.filter(operating_q(day))
    assert set(expected) == set(operating.values_list("pk", flat=True))
    codes = dict(operating.annotate(coverage=coverage_code(day)).values_list("pk", "coverage"))
    assert codes == expected
    assert {"org_individual", "org_joint", "org_regional", "instructor", "none"} <= set(codes.values())
