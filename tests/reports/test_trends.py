"""Issue 17 item 4: the figures of several days in one pass (reports.trends) are, to the unit, the figures of
`coverage.compute_figures` for each day — every count of every region — in worlds with histories (links ended
and started, organizations dissolved, members moving and changing employer, enterprises closing and founded,
assignments ending, channels reaching, sites revoked); and the job, command and report that use them."""

import datetime
import io
import json
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.jobs import enqueue
from instructors.models import Assignment, DemonstrationSite, Instructor, InstructorType
from members.models import MemberSpan
from organizations.models import ChannelReach, CoverageLink, Enterprise, PartyOrganization, Region, WorkChannel
from reports import coverage, services, tasks, trends
from reports.models import CoverageSnapshot, rate

YEAR = 2025
DAYS = trends.month_ends(YEAR)
BEFORE_ANY_DATA = datetime.date(1900, 6, 30)


def _in_year(rng, year=YEAR):
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def load_world(seed, n=400):
    """A small synthetic province, then a year of random history on top of it."""
    call_command("generate_synthetic", enterprises=n, seed=seed, verbosity=0, stdout=io.StringIO())
    rng = random.Random(seed)
    enterprises = list(Enterprise.objects.order_by("pk"))
    organizations = list(PartyOrganization.objects.order_by("pk"))
    # enterprises closing during the year, or founded during it
    for e in rng.sample(enterprises, len(enterprises) // 8):
        if rng.random() < 0.5:
            e.closed_on, e.status = _in_year(rng), Enterprise.Status.CLOSED
        else:
            e.founded_on, e.closed_on = _in_year(rng), None
        e.save(update_fields=["founded_on", "closed_on", "status"])
    Enterprise.objects.filter(pk__in=[e.pk for e in rng.sample(enterprises, 5)]).update(founded_on=None)
    # links: some end during the year, new ones start during it (also of other formation modes)
    links = list(CoverageLink.objects.order_by("pk"))
    for link in rng.sample(links, len(links) // 4):
        link.valid_to = max(_in_year(rng), link.valid_from + datetime.timedelta(days=1))
        link.save(update_fields=["valid_to"])
    CoverageLink.objects.bulk_create([
        CoverageLink(organization=rng.choice(organizations), enterprise=rng.choice(enterprises),
                     valid_from=(start := _in_year(rng)),
                     valid_to=start + datetime.timedelta(days=rng.randint(1, 200)) if rng.random() < 0.4 else None)
        for _ in range(len(enterprises) // 3)])
    # organizations dissolved or established during the year (their links and members follow)
    for o in rng.sample(organizations, max(2, len(organizations) // 10)):
        if rng.random() < 0.5:
            o.dissolved_on = max(_in_year(rng), o.established_on + datetime.timedelta(days=1))
        else:
            o.established_on = _in_year(rng)
        o.save(update_fields=["established_on", "dissolved_on"])
    # members: moves and changes of employer during the year, some leaving, some becoming full during it
    spans = list(MemberSpan.objects.filter(end_on__isnull=True).order_by("pk"))
    new_spans = []
    for span in rng.sample(spans, len(spans) // 3):
        moved = _in_year(rng)
        if moved <= span.start_on:
            continue
        span.end_on = moved
        span.save(update_fields=["end_on"])
        if rng.random() < 0.8:  # otherwise the member left the register
            new_spans.append(MemberSpan(
                member_id=span.member_id, start_on=moved, full_on=span.full_on,
                organization=rng.choice(organizations) if rng.random() < 0.5 else span.organization,
                employer=rng.choice(enterprises + [None]) if rng.random() < 0.7 else span.employer))
    MemberSpan.objects.bulk_create(new_spans)
    for span in rng.sample(spans, len(spans) // 10):
        span.full_on = _in_year(rng) if span.start_on < datetime.date(YEAR, 1, 1) else None
        MemberSpan.objects.filter(pk=span.pk).update(full_on=span.full_on)
    # assignments ending and starting during the year; one instructor type that does not count
    assignments = list(Assignment.objects.order_by("pk"))
    for a in rng.sample(assignments, len(assignments) // 4):
        a.end_on = max(_in_year(rng), a.start_on + datetime.timedelta(days=1))
        a.save(update_fields=["end_on"])
    liaison = InstructorType.objects.create(code=f"liaison{seed}", name="联络员", counts_for_work_coverage=False)
    instructors = list(Instructor.objects.order_by("pk"))
    Instructor.objects.filter(pk__in=[i.pk for i in rng.sample(instructors, len(instructors) // 5)]).update(type=liaison)
    Assignment.objects.bulk_create([
        Assignment(instructor=rng.choice(instructors), enterprise=rng.choice(enterprises), start_on=_in_year(rng))
        for _ in range(len(enterprises) // 5)])
    # a channel switched on, one off; reaches starting and ending during the year
    on = WorkChannel.objects.create(code=f"union{seed}", name="工会", enabled=True)
    off = WorkChannel.objects.create(code=f"league{seed}", name="共青团", enabled=False)
    ChannelReach.objects.bulk_create([
        ChannelReach(channel=rng.choice([on, on, off]), enterprise=rng.choice(enterprises),
                     valid_from=(start := _in_year(rng)),
                     valid_to=start + datetime.timedelta(days=rng.randint(1, 150)) if rng.random() < 0.5 else None)
        for _ in range(len(enterprises) // 6)])
    leaves = list(Region.objects.filter(numchild=0, code__startswith=f"SYN{seed}").order_by("path"))
    DemonstrationSite.objects.bulk_create([
        DemonstrationSite(region=rng.choice(leaves), enterprise=rng.choice(enterprises), designated_on=_in_year(rng),
                          level=rng.choice(list(DemonstrationSite.Level))) for _ in range(4)])
    for site in DemonstrationSite.objects.order_by("pk")[:3]:
        site.revoked_on = max(_in_year(rng), site.designated_on + datetime.timedelta(days=1))
        site.save(update_fields=["revoked_on"])
    return Region.objects.get(code=f"SYN{seed}")


def assert_same_as_one_day_each(root, days):
    together = trends.compute_figures_for_days(root, days)
    assert sorted(together) == sorted(set(days))
    for day in set(days):
        expected = coverage.compute_figures(root, day)
        got = together[day]
        assert [r["code"] for r, _f in got] == [r["code"] for r, _f in expected]
        for (region, figures), (_region, wanted) in zip(got, expected):
            assert figures == wanted, (day, region["code"],
                                       {k: (figures[k], wanted[k]) for k in wanted if figures[k] != wanted[k]})
    return together


@pytest.mark.parametrize("seed", [31, 32])
def test_the_twelve_month_ends_in_one_pass_equal_each_day_computed_alone(db, seed):
    root = load_world(seed)
    together = assert_same_as_one_day_each(root, DAYS)
    # the world does change through the year (otherwise the comparison would prove little)
    province = [dict(together[day][0][1]) for day in DAYS]
    for name in ("enterprises", "org_covered", "instructor_covered", "channel_covered", "should_form", "members",
                 "instructors", "organizations"):
        assert len({figures[name] for figures in province}) > 1, name


def test_a_city_and_odd_days_duplicates_and_days_before_any_data(db):
    root = load_world(33, n=300)
    city = Region.objects.filter(path__startswith=root.path, depth=2).order_by("path").first()
    days = [datetime.date(2025, 3, 1), BEFORE_ANY_DATA, datetime.date(2025, 3, 1), datetime.date(2024, 2, 29),
            datetime.date(2026, 6, 30), datetime.date(2025, 7, 15)]
    assert_same_as_one_day_each(city, days)
    together = assert_same_as_one_day_each(root, days)
    province = together[BEFORE_ANY_DATA][0][1]
    # only the enterprises of unknown founding date operate then (DESIGN.md: they are counted)
    assert province["enterprises"] == Enterprise.objects.filter(founded_on__isnull=True, closed_on__isnull=True).count()
    assert (province["org_covered"], province["members"], province["organizations"], province["instructors"]) == (
        0, 0, 0, 0)


def test_no_days_and_one_day(worked_example):
    county = Region.objects.get(code="431281")
    assert trends.compute_figures_for_days(county, []) == {}
    assert_same_as_one_day_each(county, [datetime.date(2026, 6, 30)])


def test_more_days_than_one_pass_holds(worked_example, monkeypatch):
    monkeypatch.setattr(trends, "MAX_DAYS_PER_PASS", 5)
    county = Region.objects.get(code="431281")
    days = [datetime.date(2026, 1, 1) + datetime.timedelta(days=23 * k) for k in range(13)]
    assert_same_as_one_day_each(county, days)


def stored(root, day):
    return {s.region.code: s.counts() for s in
            CoverageSnapshot.objects.filter(as_of=day, region__path__startswith=root.path).select_related("region")}


def test_the_trend_job_stores_the_years_month_ends_replacing_old_snapshots(worked_example):
    county = Region.objects.get(code="431281")
    services.compute_snapshots(county, datetime.date(2026, 3, 31))
    CoverageSnapshot.objects.filter(as_of=datetime.date(2026, 3, 31)).update(enterprises=999)
    job = enqueue("coverage.compute_trend", {"region": county.code, "year": 2026})
    assert job.status == job.Status.DONE, job.error
    assert job.result["days"] == 12 and job.result["regions"] == 4
    assert CoverageSnapshot.objects.filter(region=county).count() == 12
    for day in tasks.trend_days({"year": 2026}):
        assert day <= timezone.localdate()  # never a day that has not come yet
        assert stored(county, day) == {r["code"]: {k: f[k] for k in stored(county, day)[r["code"]]}
                                       for r, f in coverage.compute_figures(county, day)}
    assert CoverageSnapshot.objects.get(region=county, as_of=datetime.date(2026, 3, 31)).enterprises != 999


def test_the_trend_job_takes_a_list_of_days_and_fails_clearly_on_bad_ones(worked_example):
    county = Region.objects.get(code="431281")
    job = enqueue("coverage.compute_trend", {"region": county.code, "days": ["2026-05-31", "2026-01-31"]})
    assert job.status == job.Status.DONE, job.error
    assert set(CoverageSnapshot.objects.filter(region=county).values_list("as_of", flat=True)) == {
        datetime.date(2026, 5, 31), datetime.date(2026, 1, 31)}
    for params in ({"region": county.code, "days": ["2026-02-30"]}, {"region": county.code, "year": "twenty"},
                   {"region": county.code}):
        job = enqueue("coverage.compute_trend", params)
        assert job.status == job.Status.FAILED and job.error


def test_compute_coverage_year_option(worked_example):
    out = io.StringIO()
    call_command("compute_coverage", "--region", "431281", "--year", "2026", stdout=out)
    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["regions"] == 4 and result["days"] == 12
    assert CoverageSnapshot.objects.filter(region__code="431281").count() == 12
    out = io.StringIO()
    call_command("compute_coverage", "--region", "431281", "--days", "2026-02-28,2026-08-31", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["days"] == 2
    from django.core.management.base import CommandError  # noqa: PLC0415
    with pytest.raises(CommandError):
        call_command("compute_coverage", "--region", "431281", "--year", "2026", "--as-of", "2026-01-01")
    with pytest.raises(CommandError):
        call_command("compute_coverage", "--region", "431281", "--days", "2026-13-01")


def test_the_coverage_trend_report_computes_its_periods_in_one_pass(worked_example, monkeypatch):
    from core.periods import parse_period  # noqa: PLC0415
    from reports.definitions import get_spec  # noqa: PLC0415

    county = Region.objects.get(code="431281")
    spec = get_spec("coverage_trend")
    period, as_of = parse_period("2026-08"), datetime.date(2026, 8, 31)
    days = [min(p.as_of(as_of), as_of) for p in spec.periods(period)]
    # one stored, current snapshot (2026-03-31) is read; the 11 other days are computed in ONE pass
    services.compute_snapshots(county, datetime.date(2026, 3, 31))
    passes = []
    real = trends.compute_figures_for_days
    monkeypatch.setattr(trends, "compute_figures_for_days", lambda root, ds: passes.append(sorted(ds)) or real(root, ds))
    monkeypatch.setattr(coverage, "compute_figures", lambda *a, **k: pytest.fail("one computation per period"))
    rows = spec.rows(county, period, as_of)
    monkeypatch.undo()
    assert passes == [sorted(set(days) - {datetime.date(2026, 3, 31)})]
    # every cell is what each period computed on its own gives
    regions = [county, *Region.objects.filter(path__startswith=county.path, depth=county.depth + 1).order_by("path")]
    for row, region in zip(rows, regions):
        expected = [region.name, region.code]
        for day in days:
            f = {r["id"]: f for r, f in coverage.compute_figures(county, day)}[region.pk]
            expected += [f["enterprises"], rate(f["org_covered"], f["enterprises"]), rate(f["work_covered"], f["enterprises"])]
        assert row == expected
    assert rows[0][2::3][-1] == 10  # the county in 2026-08: E9 (founded 1 August) counts, E8 (closed) not


def test_every_active_on_rule_is_an_interval_of_days(db):
    """trends.days_mask decides a row active on the first and the last day as active on every day between:
    true while every rule is "from a start (inclusive) to an end (exclusive)" and conjunctions of such. A rule
    with gaps (a suspension, say) fails here before it can give wrong trend figures."""
    load_world(34, n=200)
    days = [datetime.date(2024, 11, 30) + datetime.timedelta(days=19 * k) for k in range(26)]
    rules = {
        "operating": (Enterprise, coverage.operating_q),
        "link": (CoverageLink, CoverageLink.objects.active_q),
        "assignment": (Assignment, Assignment.objects.active_q),
        "span": (MemberSpan, MemberSpan.objects.active_q),
        "full": (MemberSpan, lambda d: MemberSpan.objects.active_q(d) & coverage._full_q(d)),
        "held": (MemberSpan, lambda d: MemberSpan.objects.active_q(d) & coverage.organization_active_q(d, "organization__")),
        "channel": (ChannelReach, ChannelReach.objects.active_q),
        "organization": (PartyOrganization, coverage.organization_active_q),
        "site": (DemonstrationSite, coverage.site_active_q),
    }
    for name, (model, rule) in rules.items():
        active_days = {}
        for i, day in enumerate(days):
            for pk in model.objects.filter(rule(day)).values_list("pk", flat=True):
                active_days.setdefault(pk, []).append(i)
        assert active_days, name
        changing = [found for found in active_days.values() if len(found) < len(days)]
        assert changing, f"{name}: nothing starts or ends in the window (the check would prove nothing)"
        gaps = [found for found in active_days.values() if found != list(range(found[0], found[-1] + 1))]
        assert not gaps, (name, gaps[:3])


def test_the_dashboard_computes_the_years_month_ends_for_region_staff_only(client, worked_example):
    from django.urls import reverse  # noqa: PLC0415

    from tests.factories import make_region, make_user  # noqa: PLC0415

    other = make_region("431299", "Elsewhere", Region.Kind.COUNTY)
    client.force_login(make_user("region_viewer", region=worked_example.county))
    html = client.get(reverse("reports:dashboard"), {"as_of": "2026-06-30"}).content.decode()
    assert 'data-testid="recompute-trend-form"' in html and 'name="year" value="2026"' in html
    response = client.post(reverse("reports:recompute_trend"), {"region": "431281", "year": "2025"})
    assert response.status_code == 302 and "as_of=2025-12-31" in response["Location"]
    assert sorted(CoverageSnapshot.objects.filter(region=worked_example.county).values_list("as_of", flat=True)) == \
        trends.month_ends(2025)
    # the trend then shows the 12 month-ends
    html = client.get(response["Location"]).content.decode()
    assert all(day.isoformat() in html for day in trends.month_ends(2025))
    # outside the scope: 404, nothing computed; a bad year: a message, nothing computed
    assert client.post(reverse("reports:recompute_trend"), {"region": other.code, "year": "2025"}).status_code == 404
    response = client.post(reverse("reports:recompute_trend"), {"region": "431281", "year": "20x5"}, follow=True)
    assert response.status_code == 200 and "请选择区域和有效的年份" in response.content.decode()  # in the user's language
    coming = timezone.localdate().year + 1  # a year to come: refused before anything is queued, saying why
    response = client.post(reverse("reports:recompute_trend"), {"region": "431281", "year": str(coming)}, follow=True)
    assert f"期间 {coming} 尚未开始" in response.content.decode() and "计算失败" not in response.content.decode()
    from core.models import Job  # noqa: PLC0415

    assert not Job.objects.filter(kind="coverage.compute_trend", params__year=coming).exists()
    assert not CoverageSnapshot.objects.filter(region=other).exists()
    assert CoverageSnapshot.objects.count() == 12 * 4
    client.force_login(make_user("branch_secretary", organization=None))
    assert client.post(reverse("reports:recompute_trend"), {"region": "431281", "year": "2025"}).status_code == 403


def test_the_running_years_month_ends_stop_at_today_and_a_year_to_come_is_refused(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2026, 5, 14))
    assert tasks.trend_days({"year": 2026}) == [*trends.month_ends(2026)[:4], datetime.date(2026, 5, 14)]
    assert tasks.trend_days({"year": 2025}) == trends.month_ends(2025)
    with pytest.raises(ValueError, match="2027"):
        tasks.trend_days({"year": 2027})
