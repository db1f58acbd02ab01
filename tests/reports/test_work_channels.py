"""Work coverage through other channels (issue 16.7, DESIGN.md "work coverage"): configurable, off by default,
counted once, dated, drillable, named in Table 27's supplement rows — on the worked example."""

import datetime

import pytest

from core.periods import parse_period
from organizations.models import ChannelReach, WorkChannel
from reports import coverage, definitions
from reports.services import compute_snapshots
from reports.models import CoverageSnapshot
from tests.conftest import api_as
from tests.factories import make_user

from .conftest import D, D0


@pytest.fixture
def union(worked_example):
    e = worked_example.e
    channel = WorkChannel.objects.get(code="union")
    # E7 (no organization, no instructor) has a trade union from 2026-01-01; E6 (instructor-covered on D) too
    ChannelReach.objects.create(channel=channel, enterprise=e.E7, valid_from=datetime.date(2026, 1, 1))
    ChannelReach.objects.create(channel=channel, enterprise=e.E6, valid_from=datetime.date(2026, 1, 1))
    return channel


def county_figures(example, day):
    return {row["code"]: f for row, f in coverage.compute_figures(example.county, day)}["431281"]


def test_channels_are_off_by_default_and_change_nothing(union, worked_example):
    assert not WorkChannel.objects.filter(enabled=True).exists()
    figures = county_figures(worked_example, D)
    assert (figures["channel_covered"], figures["work_covered"], figures["uncovered"]) == (0, 6, 3)


def test_a_channel_switched_on_counts_an_enterprise_once_from_its_date(union, worked_example):
    union.enabled = True
    union.save()
    on_d = county_figures(worked_example, D)
    # E7 now work-covered through the union; E6 stays instructor-covered (counted once)
    assert (on_d["instructor_covered"], on_d["channel_covered"], on_d["work_covered"], on_d["uncovered"]) == (1, 1, 7, 2)
    assert on_d["no_org"] == 4  # the official "no organization" count does not change
    on_d0 = county_figures(worked_example, D0)  # before the union existed
    assert (on_d0["channel_covered"], on_d0["work_covered"], on_d0["uncovered"]) == (0, 7, 3)


def test_the_drill_down_lists_the_enterprises_behind_the_channel_count(union, worked_example):
    union.enabled = True
    union.save()
    compute_snapshots(worked_example.county, D)
    snapshot = CoverageSnapshot.objects.get(region=worked_example.county, as_of=D)
    behind = list(coverage.enterprises_behind(worked_example.county, D, "channel_covered"))
    assert [e.name for e in behind] == ["E7"] and len(behind) == snapshot.channel_covered
    editor = make_user("region_editor", region=worked_example.county)
    response = api_as(editor).get("/api/v1/statistics/coverage/enterprises/",
                                  {"region": "431281", "as_of": D.isoformat(), "category": "channel_covered"})
    assert response.status_code == 200 and response.json()["count"] == 1
    assert response.json()["results"][0]["coverage"] == "channel"
    stats = api_as(editor).get("/api/v1/statistics/coverage/", {"region": "431281", "as_of": D.isoformat()}).json()
    assert stats["channel_covered"] == 1 and stats["work_covered"] == 7 and stats["work_coverage_rate"] == "0.7778"


def test_table27_names_each_channel_in_its_supplement_rows(union, worked_example):
    rows = definitions.get_spec("nonpublic_enterprises").rows(worked_example.county, parse_period("2026"), D)
    county_items = [row[3].strip("　") for row in rows if row[1] == "431281"]
    assert not any(item.startswith("其中：通过") for item in county_items)  # off: no per-channel row
    union.enabled = True
    union.save()
    rows = definitions.get_spec("nonpublic_enterprises").rows(worked_example.county, parse_period("2026"), D)
    county = {row[3].strip("　"): row[4] for row in rows if row[1] == "431281"}
    through = [label for label in county if label.startswith("其中：通过")]
    assert through == ["其中：通过工会"] and county[through[0]] == 1
    supplement = [label for label in county if "其他渠道" in label]
    assert len(supplement) == 1 and county[supplement[0]] == 1


def test_channel_reaches_through_the_api_are_scoped_and_checked(union, worked_example):
    from organizations.models import Region
    from tests.factories import EnterpriseFactory, make_region

    other = make_region("431202", "鹤城区", Region.Kind.COUNTY)
    outside = EnterpriseFactory(region=other)
    editor = make_user("region_editor", region=worked_example.county)
    client = api_as(editor)
    ok = client.post("/api/v1/channel-reaches/", {"channel": "youth_league", "enterprise": worked_example.e.E1.uscc,
                                                  "valid_from": "2026-02-01"}, format="json")
    assert ok.status_code == 201, ok.json()
    overlap = client.post("/api/v1/channel-reaches/", {"channel": "youth_league",
                                                       "enterprise": worked_example.e.E1.uscc,
                                                       "valid_from": "2026-03-01"}, format="json")
    assert overlap.status_code == 400 and "valid_from" in overlap.json()
    refused = client.post("/api/v1/channel-reaches/", {"channel": "union", "enterprise": outside.uscc,
                                                       "valid_from": "2026-02-01"}, format="json")
    assert refused.status_code == 400 and "enterprise" in refused.json()
    hidden = ChannelReach.objects.create(channel=union, enterprise=outside, valid_from=datetime.date(2026, 1, 1))
    assert client.get(f"/api/v1/channel-reaches/{hidden.pk}/").status_code == 404
    channels = client.get("/api/v1/work-channels/").json()
    assert {c["code"] for c in channels["results"]} == {"union", "youth_league", "liaison"}
