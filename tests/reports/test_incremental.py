"""Incremental figures (issue 17 item 3): a write marks the snapshots of its region path stale, the debounced job
brings today's rows up to date region by region, and the result equals a full recompute — on random edits."""

import datetime
import random

import pytest
from django.utils import timezone

from instructors.models import Assignment, DemonstrationSite, InstructorType
from members.models import Member
from organizations.channels import ChannelReach, WorkChannel
from organizations.models import CoverageLink, Enterprise, FormationMode, OrganizationKind, Region
from reports import coverage, incremental
from reports.models import COUNT_FIELDS, CoverageChange, CoverageSnapshot
from reports.services import compute_snapshots
from tests.factories import EnterpriseFactory, cover, make_organization, make_region

from .conftest import assign, make_instructor, make_member

FIELDS = [*COUNT_FIELDS, "organizations_by_kind", "demonstration_sites_by_level"]
MODES = [FormationMode.INDIVIDUAL, FormationMode.JOINT, FormationMode.REGIONAL, FormationMode.INDUSTRY,
         FormationMode.ATTACHED]


def today():
    return timezone.localdate()


def stored(day):
    return {row.region.code: {name: getattr(row, name) for name in FIELDS}
            for row in CoverageSnapshot.objects.filter(as_of=day).select_related("region")}


def recomputed(root, day):
    return {region["code"]: {name: counts[name] for name in FIELDS}
            for region, counts in coverage.compute_figures(root, day)}


def _refresh_region(region):
    region.refresh_from_db()
    return region


@pytest.fixture
def world(db):
    """A city with two counties of two townships each (and enterprises registered at a county itself)."""
    rng = random.Random(1)
    city = make_region("4301", "City", Region.Kind.CITY)
    counties = [make_region(f"43010{i}", f"County {i}", Region.Kind.COUNTY, parent=_refresh_region(city))
                for i in (1, 2)]
    towns = []
    for county in counties:
        for j in (1, 2):
            towns.append(make_region(f"{county.code}00{j}", f"Town {county.code}-{j}", Region.Kind.TOWNSHIP,
                                     parent=_refresh_region(county)))
    regions = [_refresh_region(r) for r in (city, *counties, *towns)]
    places = [*towns, *counties]
    start = datetime.date(2024, 1, 1)
    enterprises = [EnterpriseFactory(region=rng.choice(places), founded_on=datetime.date(2015, 1, 1))
                   for _ in range(24)]
    organizations = [make_organization(f"O{i}", rng.choice(places), mode=MODES[i % len(MODES)],
                                       kind=OrganizationKind.BRANCH, established_on=datetime.date(2020, 1, 1))
                     for i in range(6)]
    for enterprise in enterprises[:10]:
        cover(rng.choice(organizations), enterprise, valid_from=start)
    instructors = [make_instructor(city) for _ in range(3)]
    for enterprise in enterprises[8:14]:
        assign(rng.choice(instructors), enterprise, start)
    members = [make_member(rng.choice(organizations), rng.choice(enterprises[:16]), joined_on=datetime.date(2015, 1, 1),
                           full=rng.random() < 0.7) for _ in range(30)]
    channel = WorkChannel.objects.get(code="union")
    channel.enabled = True
    channel.save()
    ChannelReach.objects.create(channel=channel, enterprise=enterprises[20], valid_from=start)
    DemonstrationSite.objects.create(region=towns[0], level="county", designated_on=start,
                                     enterprise=enterprises[0])
    compute_snapshots(city, today())
    compute_snapshots(city, datetime.date(2025, 6, 30))  # an earlier day, before most edits
    return {"city": city, "regions": regions, "places": places, "enterprises": enterprises,
            "organizations": organizations, "instructors": instructors, "members": members, "channel": channel}


def random_edit(rng, w, kind=None):
    """One write a user could make (of `kind`, else chosen at random); each goes through the model's save (as the
    pages do)."""
    day = today()
    enterprises, organizations = w["enterprises"], w["organizations"]
    kind = kind or rng.choice(EDIT_KINDS)
    if kind == "link":
        CoverageLink.objects.create(organization=rng.choice(organizations), enterprise=rng.choice(enterprises),
                                    valid_from=day - datetime.timedelta(days=rng.randint(0, 400)))
    elif kind == "unlink":
        link = CoverageLink.objects.filter(valid_to__isnull=True).order_by("?").first()
        if link is not None:
            link.valid_to = max(day, link.valid_from + datetime.timedelta(days=1))
            link.save()
    elif kind == "assign":
        assign(rng.choice(w["instructors"]), rng.choice(enterprises), day - datetime.timedelta(days=rng.randint(0, 30)))
    elif kind == "unassign":
        assignment = Assignment.objects.filter(end_on__isnull=True).order_by("?").first()
        if assignment is not None:
            assignment.end_on = max(day, assignment.start_on + datetime.timedelta(days=1))
            assignment.save()
    elif kind == "close":
        enterprise = Enterprise.objects.filter(closed_on__isnull=True).order_by("?").first()
        enterprise.closed_on, enterprise.status = day, Enterprise.Status.CLOSED
        enterprise.save()
    elif kind == "reopen":
        enterprise = Enterprise.objects.filter(closed_on__isnull=False).order_by("?").first()
        if enterprise is not None:
            enterprise.closed_on, enterprise.status = None, Enterprise.Status.OPERATING
            enterprise.save()
    elif kind == "move":
        enterprise = rng.choice(enterprises)
        enterprise.refresh_from_db()
        enterprise.region = rng.choice(w["places"])
        enterprise.save()
    elif kind in ("employer", "leave", "readmit", "full"):
        member = Member.objects.get(pk=rng.choice(w["members"]).pk)
        if kind == "employer":
            member.employer = rng.choice([None, *enterprises])
        elif kind == "leave" and member.left_on is None:
            member.left_on = day
        elif kind == "readmit" and member.left_on is not None:
            member.left_on = None
        elif kind == "full" and member.full_on is None:
            member.full_on, member.standing = day - datetime.timedelta(days=1), "full"
        member.save()
    elif kind == "dissolve":
        organization = rng.choice(organizations)
        organization.refresh_from_db()
        organization.dissolved_on = None if organization.dissolved_on else day
        organization.save()
    elif kind == "mode":
        organization = rng.choice(organizations)
        organization.refresh_from_db()
        organization.formation_mode = rng.choice(MODES)
        organization.save()
    elif kind == "reach":
        ChannelReach.objects.create(channel=w["channel"], enterprise=rng.choice(enterprises),
                                    valid_from=day - datetime.timedelta(days=rng.randint(0, 10)))
    return kind


@pytest.fixture
def no_job(monkeypatch):
    """Writes mark and queue, but the job runs only when the test says so."""
    monkeypatch.setattr(incremental, "schedule", lambda: None)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_edits_then_the_job_give_what_a_full_recompute_gives(world, seed, no_job,
                                                                    django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    day, city = today(), world["city"]
    kinds = []
    for round_ in range(3):
        for _ in range(8):
            with django_capture_on_commit_callbacks(execute=True):
                kinds.append(random_edit(rng, world))
            if rng.random() < 0.1:  # a county recomputed by itself between the writes and the job
                county = rng.choice(world["regions"][1:3])
                county.refresh_from_db()
                compute_snapshots(county, day)
                kinds.append(f"recompute {county.code}")
        assert CoverageChange.objects.exists()
        result = incremental.refresh()
        assert result["mode"] == "incremental" and result["still_stale"] == 0, result
        assert stored(day) == recomputed(city, day), (seed, round_, kinds)
        assert not CoverageSnapshot.objects.filter(as_of=day, stale=True).exists()
        assert not CoverageChange.objects.exists()


def test_the_job_runs_by_itself_after_a_write_without_a_broker(world, django_capture_on_commit_callbacks):
    """Without Redis, tasks run eagerly: the write's commit brings today's rows up to date at once."""
    day, town = today(), world["regions"][3]
    enterprise = EnterpriseFactory(region=world["regions"][0])  # registered at the city itself
    before = CoverageSnapshot.objects.get(region=town, as_of=day).enterprises
    with django_capture_on_commit_callbacks(execute=True):
        enterprise.region = town
        enterprise.save()
    row = CoverageSnapshot.objects.get(region=town, as_of=day)
    assert (row.enterprises, row.stale) == (before + 1, False)
    assert stored(day) == recomputed(world["city"], day)


def test_a_write_marks_its_region_path_stale_from_the_day_it_changes(world, no_job,
                                                                      django_capture_on_commit_callbacks):
    day = today()
    city, county1, county2, town11 = (world["regions"][i] for i in (0, 1, 2, 3))
    enterprise = EnterpriseFactory(region=town11)  # created outside a commit block: not marked
    assert not CoverageSnapshot.objects.filter(stale=True).exists()
    with django_capture_on_commit_callbacks(execute=True):
        enterprise.closed_on, enterprise.status = day, Enterprise.Status.CLOSED
        enterprise.save()
    stale = set(CoverageSnapshot.objects.filter(stale=True).values_list("region__code", "as_of"))
    # the township and its ancestors, today only (closing today leaves the earlier day as it was)
    assert stale == {(town11.code, day), (county1.code, day), (city.code, day)}
    assert list(CoverageChange.objects.values_list("region_id", flat=True)) == [town11.pk]
    # an edit that changes nothing the figures read marks nothing
    CoverageSnapshot.objects.update(stale=False)
    CoverageChange.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        enterprise.name = "改名后的公司"
        enterprise.save()
    assert not CoverageSnapshot.objects.filter(stale=True).exists() and not CoverageChange.objects.exists()
    # a link backdated to 2025 changes the earlier day too; nothing on the other county's path
    with django_capture_on_commit_callbacks(execute=True):
        cover(world["organizations"][0], enterprise, valid_from=datetime.date(2025, 1, 1))
    stale = set(CoverageSnapshot.objects.filter(stale=True).values_list("region__code", flat=True))
    assert stale == {town11.code, county1.code, city.code} and county2.code not in stale
    assert CoverageSnapshot.objects.filter(stale=True, as_of=datetime.date(2025, 6, 30)).count() == 3
    incremental.refresh()
    assert not CoverageSnapshot.objects.filter(as_of=day, stale=True).exists()
    # the earlier day is not recomputed by the job: it stays stale (its lists count live) until recomputed
    assert CoverageSnapshot.objects.filter(stale=True, as_of=datetime.date(2025, 6, 30)).count() == 3
    assert stored(day) == recomputed(city, day)


def test_a_future_change_does_not_queue_todays_recompute(world, no_job, django_capture_on_commit_callbacks):
    link_day = today() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        cover(world["organizations"][1], world["enterprises"][23], valid_from=link_day)
    assert not CoverageSnapshot.objects.filter(stale=True).exists()
    assert not CoverageChange.objects.exists()


def test_bulk_writes_and_switches_mark_everything_stale_and_the_job_recomputes_in_full(
        world, no_job, django_capture_on_commit_callbacks):
    day, city = today(), world["city"]
    with django_capture_on_commit_callbacks(execute=True):
        incremental.bulk_changed(Member)
    assert not CoverageSnapshot.objects.filter(stale=False).exists()
    assert list(CoverageChange.objects.values_list("region_id", flat=True)) == [None]
    assert incremental.refresh()["mode"] == "full"
    assert not CoverageSnapshot.objects.filter(as_of=day, stale=True).exists()
    # switching an instructor type off changes every region: the same
    kind = InstructorType.objects.get(code="party_building")
    with django_capture_on_commit_callbacks(execute=True):
        kind.counts_for_work_coverage = False
        kind.save()
    assert not CoverageSnapshot.objects.filter(stale=False).exists()
    incremental.refresh()
    assert stored(day) == recomputed(city, day)
    # a model the figures do not read changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        incremental.bulk_changed(CoverageSnapshot)
    assert not CoverageSnapshot.objects.filter(as_of=day, stale=True).exists()


def test_an_import_marks_everything_stale(world, no_job, django_capture_on_commit_callbacks):
    from core.imports import run_import  # noqa: PLC0415
    from tests.factories import make_user  # noqa: PLC0415

    admin = make_user("admin")
    town = world["regions"][3]
    data = f"统一社会信用代码,企业名称,区域代码\n{EnterpriseFactory.build().uscc},导入公司,{town.code}\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = run_import("enterprises", data, "enterprises.csv", admin)
    assert result.ok, result.messages
    assert not CoverageSnapshot.objects.filter(stale=False).exists()
    incremental.refresh()
    assert stored(today()) == recomputed(world["city"], today())


def test_a_missing_child_row_keeps_the_parent_stale(world, no_job, django_capture_on_commit_callbacks):
    day = today()
    city, county1, town11, town12 = (world["regions"][i] for i in (0, 1, 3, 4))
    CoverageSnapshot.objects.filter(region=town12, as_of=day).delete()
    with django_capture_on_commit_callbacks(execute=True):
        EnterpriseFactory(region=town11)
    result = incremental.refresh()
    stale = set(CoverageSnapshot.objects.filter(as_of=day, stale=True).values_list("region__code", flat=True))
    assert stale == {county1.code, city.code} and result["still_stale"] == 2
    assert not CoverageSnapshot.objects.get(region=town11, as_of=day).stale


def test_moving_a_region_marks_everything_stale_and_the_job_recomputes(world, no_job,
                                                                        django_capture_on_commit_callbacks):
    from organizations.region_changes import move_region  # noqa: PLC0415

    day, city = today(), world["city"]
    town, county2 = world["regions"][3], world["regions"][2]
    with django_capture_on_commit_callbacks(execute=True):
        move_region(town, county2, user=None, effective_on=day)
    assert not CoverageSnapshot.objects.filter(stale=False).exists()
    assert incremental.refresh()["mode"] == "full"
    assert stored(day) == recomputed(city, day)


def test_a_write_without_snapshots_today_leaves_nothing_to_do(db, django_capture_on_commit_callbacks):
    """No snapshot computed today: the job (run in-process, tasks are eager) only empties its queue."""
    town = make_region("4399", "Lone county", Region.Kind.COUNTY)
    with django_capture_on_commit_callbacks(execute=True):
        EnterpriseFactory(region=town)
    assert not CoverageChange.objects.exists() and not CoverageSnapshot.objects.exists()


def test_snapshots_computed_before_the_migration_are_not_trusted_as_fresh(transactional_db):
    from django.db import connection  # noqa: PLC0415
    from django.db.migrations.executor import MigrationExecutor  # noqa: PLC0415

    before, after = ("reports", "0007_approval_of_report_runs"), ("reports", "0008_snapshot_stale_and_coverage_changes")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    region = old.get_model("organizations", "Region").objects.create(code="4398", name="Old county", kind="county",
                                                                     path="0099", depth=1, numchild=0)
    old.get_model("reports", "CoverageSnapshot").objects.create(region_id=region.pk, as_of=today(),
                                                                computed_at=timezone.now(), enterprises=7)
    executor = MigrationExecutor(connection)
    executor.migrate([after])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert CoverageSnapshot.objects.get(region__code="4398").stale
    # and the next run recomputes in full (0009: a stale row is not moved by what its children moved)
    assert list(CoverageChange.objects.values_list("region_id", flat=True)) == [None]


EDIT_KINDS = ["link", "unlink", "assign", "unassign", "close", "reopen", "move", "employer", "leave", "readmit",
              "full", "dissolve", "reach", "mode"]


@pytest.mark.parametrize("kind", EDIT_KINDS)
def test_edits_of_one_kind_then_the_job_give_what_a_full_recompute_gives(world, kind, no_job,
                                                                         django_capture_on_commit_callbacks):
    """A job recounts only the parts of the figures its changes can alter (a link: the enterprise counts); the
    counts it keeps from the stored rows must still be those of a full recompute."""
    rng = random.Random(kind)
    day, city = today(), world["city"]
    for _ in range(4):
        with django_capture_on_commit_callbacks(execute=True):
            while random_edit(rng, world, kind) != kind:
                pass
    result = incremental.refresh()
    assert result["still_stale"] == 0, result
    assert stored(day) == recomputed(city, day)


def test_a_changed_link_recounts_only_the_enterprise_counts(world, no_job, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    day = today()
    with django_capture_on_commit_callbacks(execute=True):
        cover(world["organizations"][2], world["enterprises"][22], valid_from=day)
    assert list(CoverageChange.objects.values_list("enterprises", "others", "instructors")) == [(True, False, False)]

    def unexpected(*args, **kwargs):
        raise AssertionError("organizations, members and sites recounted for a link")

    with monkeypatch.context() as patch:
        patch.setattr(coverage, "_other_rows", unexpected)
        assert incremental.refresh()["mode"] == "incremental"
    assert stored(day) == recomputed(world["city"], day)
    # a demonstration site: the other counts only
    with django_capture_on_commit_callbacks(execute=True):
        DemonstrationSite.objects.create(region=world["regions"][4], level="city", designated_on=day,
                                         enterprise=world["enterprises"][5])
    assert list(CoverageChange.objects.values_list("enterprises", "others")) == [(False, True)]
    with monkeypatch.context() as patch:
        patch.setattr(coverage, "enterprise_cells", unexpected)
        incremental.refresh()
    assert stored(day) == recomputed(world["city"], day)


def test_what_a_job_could_not_bring_in_is_recounted_by_the_next_one(world, no_job,
                                                                    django_capture_on_commit_callbacks):
    """A member moved (the other counts change) while a sibling township's row is stale (a write whose queue entry
    the job did not see yet): the county cannot be made fresh. The next change is a link (enterprise counts only);
    the county's member count must still come out right, not be kept from its out-of-date row."""
    day, city = today(), world["city"]
    county1, town11, town12 = (world["regions"][i] for i in (1, 3, 4))
    CoverageSnapshot.objects.filter(region=town12, as_of=day).update(stale=True)
    organization = make_organization("O-new", town11, mode=FormationMode.INDIVIDUAL, kind=OrganizationKind.BRANCH,
                                     established_on=datetime.date(2020, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        make_member(organization, world["enterprises"][1], joined_on=datetime.date(2015, 1, 1), full=True)
    result = incremental.refresh()
    assert result["still_stale"] == 2  # the county and the city add town12's stale row
    assert CoverageSnapshot.objects.get(region=county1, as_of=day).stale
    enterprise = EnterpriseFactory(region=town12, founded_on=datetime.date(2015, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        cover(world["organizations"][0], enterprise, valid_from=day)
    result = incremental.refresh()
    assert result["still_stale"] == 0, result
    assert stored(day) == recomputed(city, day)


def test_a_recomputed_county_and_then_the_job_give_what_a_full_recompute_gives(world, no_job,
                                                                               django_capture_on_commit_callbacks):
    """A county recomputed by itself (the recompute button, a part of a partitioned computation) after a write
    and before the job: its rows already hold the write, the city's do not. The job must count the city, not move
    it by what the county's row moved since it was recomputed (nothing)."""
    day, city = today(), world["city"]
    county1, town11 = world["regions"][1], world["regions"][3]
    enterprise = EnterpriseFactory(region=town11, founded_on=datetime.date(2015, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        cover(world["organizations"][0], enterprise, valid_from=day)
    compute_snapshots(county1, day)
    assert CoverageSnapshot.objects.get(region=city, as_of=day).stale
    result = incremental.refresh()
    assert result["still_stale"] == 0, result
    assert stored(day) == recomputed(city, day)
    # a recompute of the county on another day owes nothing to today's rows
    compute_snapshots(county1, datetime.date(2025, 6, 30))
    assert not CoverageChange.objects.exists()


EARLIER = datetime.date(2025, 6, 30)  # the world's earlier stored day


def test_a_backdated_write_leaves_the_earlier_day_stale_until_the_nightly_job_recomputes_it(
        world, no_job, django_capture_on_commit_callbacks):
    from core.models import Job  # noqa: PLC0415
    from reports.tasks import compute_coverage_nightly  # noqa: PLC0415

    city, town = world["city"], world["regions"][3]
    compute_coverage_nightly()  # nothing stale: today's computation only, no recomputation of other days
    assert not Job.objects.filter(kind="coverage.recompute_stale").exists()
    enterprise = EnterpriseFactory(region=town, founded_on=datetime.date(2015, 1, 1))
    compute_snapshots(city, EARLIER)
    before = CoverageSnapshot.objects.get(region=town, as_of=EARLIER)
    # a link recorded today, in force since January 2025: the earlier day's figures change
    with django_capture_on_commit_callbacks(execute=True):
        cover(world["organizations"][0], enterprise, valid_from=datetime.date(2025, 1, 1))
    incremental.refresh()  # the debounced job: today's rows only
    assert CoverageSnapshot.objects.filter(as_of=EARLIER, stale=True).count() == 3  # the township's path
    assert stored(EARLIER) != recomputed(city, EARLIER)
    compute_coverage_nightly()
    job = Job.objects.get(kind="coverage.recompute_stale")
    assert job.status == Job.Status.DONE and (job.result["subtrees"], job.result["days"]) == (1, 1), job.result
    assert not CoverageSnapshot.objects.filter(stale=True).exists()
    assert stored(EARLIER) == recomputed(city, EARLIER)
    after = CoverageSnapshot.objects.get(region=town, as_of=EARLIER)
    assert (after.enterprises, after.org_covered) == (before.enterprises, before.org_covered + 1)


def test_every_stale_day_of_every_stored_subtree_is_recomputed_and_nothing_more_is_stored(
        world, no_job, django_capture_on_commit_callbacks):
    city, county2 = world["city"], world["regions"][2]
    county_day, second = datetime.date(2025, 3, 31), datetime.date(2025, 12, 31)
    compute_snapshots(county2, county_day)  # a county computed by itself on a day the city was not
    compute_snapshots(city, second)
    regions_on = {day: set(CoverageSnapshot.objects.filter(as_of=day).values_list("region_id", flat=True))
                  for day in (EARLIER, county_day, second)}
    with django_capture_on_commit_callbacks(execute=True):
        incremental.bulk_changed()  # every row of every day stale, as after an import
    assert [(region.code, days) for region, days in incremental.stale_other_days()] == [
        (city.code, [EARLIER, second]), (county2.code, [county_day])]
    result = incremental.recompute_other_days()
    assert (result["subtrees"], result["days"], result["regions"]) == (2, 3, 7 + 7 + 3), result
    assert not CoverageSnapshot.objects.exclude(as_of=today()).filter(stale=True).exists()
    assert CoverageSnapshot.objects.filter(as_of=today(), stale=True).exists()  # today's: the debounced job's
    for day in (EARLIER, second):
        assert stored(day) == recomputed(city, day)
    county2.refresh_from_db()
    assert stored(county_day) == recomputed(county2, county_day)
    assert {day: set(CoverageSnapshot.objects.filter(as_of=day).values_list("region_id", flat=True))
            for day in regions_on} == regions_on
    assert incremental.stale_other_days() == []


def test_compute_coverage_stale_recomputes_the_stale_days_and_prints_its_summary(
        world, no_job, django_capture_on_commit_callbacks):
    import io  # noqa: PLC0415
    import json  # noqa: PLC0415

    from django.core.management import CommandError, call_command  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True):
        incremental.bulk_changed()
    out = io.StringIO()
    call_command("compute_coverage", "--stale", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (summary["regions"], summary["days"], summary["enterprises"]) == (7, 1, 24), summary
    assert not CoverageSnapshot.objects.filter(as_of=EARLIER, stale=True).exists()
    with pytest.raises(CommandError, match="--stale"):
        call_command("compute_coverage", "--stale", "--region", "4301", stdout=io.StringIO())
