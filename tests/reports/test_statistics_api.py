"""Statistics API (API.md "Statistics"): field names, scope, drill-down, recompute, jobs."""

import datetime

import pytest
from rest_framework.test import APIClient

from core.models import Job
from organizations.models import Enterprise, Region
from reports.coverage import CATEGORIES, _with_coverage_built, fixed_code
from reports.models import CoverageSnapshot
from reports.services import compute_snapshots
from tests.factories import EnterpriseFactory, make_region, make_user

from .conftest import D, D0

API_MD_FIELDS = [
    "region", "as_of", "computed_at", "enterprises", "org_individual", "org_joint", "org_regional",
    "org_industry", "org_attached", "org_covered", "instructor_covered", "work_covered", "uncovered", "no_org",
    "should_form", "few_members", "no_members", "organizations", "members", "instructors",
    "demonstration_sites", "org_coverage_rate", "individual_rate", "work_coverage_rate",
]
COVERAGE = "/api/v1/statistics/coverage/"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def example(worked_example):
    compute_snapshots(worked_example.county, D)
    compute_snapshots(worked_example.county, D0)
    return worked_example


@pytest.fixture
def other_county(db):
    county = make_region("431282", "Other county", Region.Kind.COUNTY)
    EnterpriseFactory(region=county)
    compute_snapshots(county, D)
    return county


@pytest.fixture
def viewer(example):
    return make_user("region_viewer", region=example.county)


def test_coverage_has_exactly_the_api_md_fields_and_four_place_rate_strings(example, viewer):
    response = client_for(viewer).get(COVERAGE, {"region": "431281", "as_of": "2026-06-30"})
    assert response.status_code == 200
    body = response.json()
    assert [name for name in body if name in API_MD_FIELDS] == API_MD_FIELDS
    assert body["region"] == "431281" and body["as_of"] == "2026-06-30"
    assert (body["enterprises"], body["org_covered"], body["work_covered"]) == (9, 5, 6)
    assert body["org_coverage_rate"] == "0.5556"
    assert body["individual_rate"] == "0.2222"
    assert body["work_coverage_rate"] == "0.6667"


def test_coverage_defaults_to_the_callers_region(example, viewer, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D)
    body = client_for(viewer).get(COVERAGE).json()
    assert (body["region"], body["as_of"], body["enterprises"]) == ("431281", "2026-06-30", 9)


def test_coverage_defaults_to_the_root_region_for_admins(example, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D0)
    body = client_for(make_user("admin")).get(COVERAGE).json()
    assert (body["region"], body["enterprises"]) == ("431281", 10)


def test_coverage_without_a_snapshot_is_404_with_a_clear_message(example, viewer):
    response = client_for(viewer).get(COVERAGE, {"region": "431281", "as_of": "2024-01-01"})
    assert response.status_code == 404
    assert "compute" in response.json()["detail"]


def test_bad_date_is_400(example, viewer):
    response = client_for(viewer).get(COVERAGE, {"region": "431281", "as_of": "30/06/2026"})
    assert response.status_code == 400
    assert "as_of" in response.json()


def test_another_countys_statistics_children_and_drill_down_are_404(example, viewer, other_county):
    client = client_for(viewer)
    for path, extra in [("", {}), ("children/", {}), ("enterprises/", {"category": "enterprises"})]:
        response = client.get(COVERAGE + path, {"region": "431282", "as_of": "2026-06-30", **extra})
        assert response.status_code == 404, path
    response = client.post(COVERAGE + "compute/", {"region": "431282", "as_of": "2026-06-30"}, format="json")
    assert response.status_code == 404


def test_a_town_viewer_cannot_see_the_county(example):
    town_viewer = make_user("region_viewer", region=example.t1)
    client = client_for(town_viewer)
    assert client.get(COVERAGE, {"region": "431281", "as_of": "2026-06-30"}).status_code == 404
    assert client.get(COVERAGE, {"region": "431281001", "as_of": "2026-06-30"}).json()["enterprises"] == 4


def test_children_lists_each_child_regions_figures(example, viewer):
    response = client_for(viewer).get(COVERAGE + "children/", {"region": "431281", "as_of": "2026-06-30"})
    assert response.status_code == 200
    rows = {row["region"]: row for row in response.json()["results"]}
    assert set(rows) == {"431281001", "431281002", "431281Z01"}
    assert (rows["431281001"]["enterprises"], rows["431281001"]["org_covered"]) == (4, 3)
    assert rows["431281002"]["instructor_covered"] == 1
    assert rows["431281Z01"]["org_coverage_rate"] == "0.6667"
    assert [name for name in rows["431281001"] if name in API_MD_FIELDS] == API_MD_FIELDS


@pytest.mark.parametrize("as_of", ["2026-06-30", "2025-12-31"])
def test_every_drill_down_count_equals_the_snapshot_figure(example, viewer, as_of):
    client = client_for(viewer)
    for code in ("431281", "431281001", "431281002", "431281Z01"):
        figures = client.get(COVERAGE, {"region": code, "as_of": as_of}).json()
        for category in CATEGORIES:
            body = client.get(COVERAGE + "enterprises/",
                              {"region": code, "as_of": as_of, "category": category, "page_size": 1000}).json()
            assert body["count"] == figures[category] == len(body["results"]), (code, category)


def test_drill_down_rows_name_the_enterprise_and_its_coverage(example, viewer):
    body = client_for(viewer).get(COVERAGE + "enterprises/",
                                  {"region": "431281", "as_of": "2026-06-30", "category": "org_covered"}).json()
    coverage = {row["name"]: row["coverage"] for row in body["results"]}
    assert coverage == {"E1": "org_individual", "E2": "org_joint", "E3": "org_joint", "E4": "org_regional",
                        "E5": "org_individual"}
    assert {"id", "uscc", "region"} <= set(body["results"][0])


@pytest.mark.parametrize("as_of", ["2026-06-30", "2025-12-31"])
def test_every_drill_down_row_carries_the_coverage_code_its_enterprise_has_on_the_day(example, viewer, as_of):
    # a count whose enterprises all share one code (org_joint, instructor_covered, uncovered, ...) gives it without
    # looking it up: it must be the code the row-by-row definition gives each of them, for every count
    day = datetime.date.fromisoformat(as_of)
    expected = dict(_with_coverage_built(Enterprise.objects.all(), day).values_list("uscc", "coverage"))
    client, checked = client_for(viewer), {True: 0, False: 0}
    for category in CATEGORIES:
        body = client.get(COVERAGE + "enterprises/",
                          {"region": "431281", "as_of": as_of, "category": category, "page_size": 1000}).json()
        for row in body["results"]:
            assert row["coverage"] == expected[row["uscc"]], (category, row["name"])
        checked[fixed_code(category) is not None] += len(body["results"])
    assert checked[True] and checked[False]  # rows of counts of one code and of mixed counts were both checked


def test_drill_down_with_an_unknown_category_is_400_listing_valid_ones(example, viewer):
    client = client_for(viewer)
    response = client.get(COVERAGE + "enterprises/", {"region": "431281", "category": "covered"})
    assert response.status_code == 400
    message = response.json()["category"][0]
    assert "covered" in message and "org_individual" in message and "no_members" in message
    response = client.get(COVERAGE + "enterprises/", {"region": "431281"})
    assert response.status_code == 400 and "category" in response.json()


def test_drill_down_query_count_does_not_grow_with_the_page(example, viewer, django_assert_max_num_queries):
    client = client_for(viewer)
    with django_assert_max_num_queries(6):
        client.get(COVERAGE + "enterprises/", {"region": "431281", "as_of": "2026-06-30", "category": "enterprises"})
    with django_assert_max_num_queries(6):
        client.get(COVERAGE + "children/", {"region": "431281", "as_of": "2026-06-30"})


def test_recompute_returns_202_with_a_finished_job_and_stores_the_snapshot(worked_example):
    editor = make_user("region_editor", region=worked_example.county)
    client = client_for(editor)
    response = client.post(COVERAGE + "compute/", {"region": "431281", "as_of": "2026-06-30"}, format="json")
    assert response.status_code == 202
    job_id = response.json()["job"]
    status = client.get(f"/api/v1/statistics/jobs/{job_id}/").json()
    assert (status["status"], status["error"]) == ("done", "")
    snapshot = CoverageSnapshot.objects.get(region=worked_example.county, as_of=D)
    assert snapshot.enterprises == 9 and snapshot.job_id == job_id


def test_region_viewer_may_recompute_their_region_but_stats_client_may_not(worked_example):
    viewer = make_user("region_viewer", region=worked_example.t1)
    response = client_for(viewer).post(COVERAGE + "compute/", {"as_of": "2026-06-30"}, format="json")
    assert response.status_code == 202
    assert CoverageSnapshot.objects.filter(region=worked_example.t1, as_of=D).exists()
    assert not CoverageSnapshot.objects.filter(region=worked_example.county).exists()
    stats = make_user("stats_client", region=worked_example.county)
    assert client_for(stats).post(COVERAGE + "compute/", {}, format="json").status_code == 403


def test_stats_client_reads_statistics(example):
    stats = make_user("stats_client", region=example.county)
    response = client_for(stats).get(COVERAGE, {"region": "431281", "as_of": "2026-06-30"})
    assert response.status_code == 200


def test_recompute_with_the_broker_down_is_503_and_the_job_is_marked_failed(transactional_db, settings, monkeypatch):
    # transactional: outside a transaction the job is sent at once (inside one it waits for the commit)
    make_region("431281", "County", Region.Kind.COUNTY)
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("redis down")

    monkeypatch.setattr("core.tasks.run_job.apply_async", broken)
    admin = make_user("admin")
    response = client_for(admin).post(COVERAGE + "compute/", {"region": "431281"}, format="json",
                                      HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert "queue" in response.json()["detail"]
    assert Job.objects.get().status == Job.Status.FAILED


def test_jobs_are_visible_to_creator_admins_and_staff_of_their_region_only(worked_example, other_county):
    creator = make_user("region_viewer", region=worked_example.t1)
    job_id = client_for(creator).post(COVERAGE + "compute/", {"as_of": "2026-06-30"}, format="json").json()["job"]
    url = f"/api/v1/statistics/jobs/{job_id}/"
    assert client_for(creator).get(url).status_code == 200
    assert client_for(make_user("admin")).get(url).status_code == 200
    assert client_for(make_user("region_viewer", region=worked_example.county)).get(url).status_code == 200
    assert client_for(make_user("region_viewer", region=worked_example.t2)).get(url).status_code == 404
    assert client_for(make_user("region_viewer", region=other_county)).get(url).status_code == 404


def test_unauthenticated_is_401(example):
    assert APIClient().get(COVERAGE).status_code == 401


def test_schema_describes_the_statistics_endpoints(db):
    response = client_for(make_user("admin")).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/statistics/coverage/", "/api/v1/statistics/coverage/children/",
                 "/api/v1/statistics/coverage/enterprises/", "/api/v1/statistics/coverage/compute/",
                 "/api/v1/statistics/jobs/{id}/"):
        assert path in paths, path
    params = {p["name"] for p in paths["/api/v1/statistics/coverage/enterprises/"]["get"]["parameters"]}
    assert {"region", "as_of", "category"} <= params


def test_earlier_snapshot_is_served_for_its_date(example, viewer):
    body = client_for(viewer).get(COVERAGE, {"region": "431281", "as_of": "2025-12-31"}).json()
    assert (body["enterprises"], body["org_joint"], body["work_coverage_rate"]) == (10, 3, "0.7000")
    assert datetime.date.fromisoformat(body["as_of"]) == D0


def test_messages_are_in_chinese_by_default_and_english_on_request(example, viewer):
    client = client_for(viewer)
    params = {"region": "431281", "as_of": "2024-01-01"}
    assert "尚未计算" in client.get(COVERAGE, params).json()["detail"]
    assert "has been computed" in client.get(COVERAGE, params, HTTP_ACCEPT_LANGUAGE="en").json()["detail"]


@pytest.mark.parametrize("large", [False, True], ids=["window-count", "count-then-page"])
def test_drill_down_pages_through_every_enterprise_once(example, viewer, django_assert_max_num_queries, monkeypatch,
                                                        large):
    from reports import coverage  # noqa: PLC0415

    if large:  # a big subtree is paged with COUNT + LIMIT instead of a window count: same answers
        monkeypatch.setattr(coverage, "LARGE_SUBTREE_REGIONS", 0)
    client = client_for(viewer)
    query = {"region": "431281", "as_of": "2026-06-30", "category": "enterprises", "page_size": 3}
    total = client.get(COVERAGE, {"region": "431281", "as_of": "2026-06-30"}).json()["enterprises"]
    seen, page, url = [], 1, None
    while True:
        with django_assert_max_num_queries(6):  # region, subtree ids, (count,) page, the page's coverage codes
            body = client.get(COVERAGE + "enterprises/", query | {"page": page}).json()
        assert body["count"] == total
        assert all("_total" not in row for row in body["results"])
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
        if not url:
            break
        assert f"page={page + 1}" in url
        page += 1
    assert len(seen) == len(set(seen)) == total and page == -(-total // 3)
    assert body["previous"]
    beyond = client.get(COVERAGE + "enterprises/", query | {"page": page + 1})
    assert beyond.status_code == 404
    assert client.get(COVERAGE + "enterprises/", query | {"page": "x"}).status_code == 404
    last = client.get(COVERAGE + "enterprises/", query | {"page": "last"}).json()
    assert last["next"] is None and [row["id"] for row in last["results"]] == seen[(page - 1) * 3:]
    empty = client.get(COVERAGE + "enterprises/", query | {"category": "org_attached"}).json()
    assert empty["count"] == 0 and empty["results"] == [] and empty["next"] is None


def _drill(client, category="enterprises", **query):
    return client.get(COVERAGE + "enterprises/", {"region": "431281", "as_of": "2026-06-30", "category": category,
                                                  "page_size": 1000, **query}).json()


@pytest.mark.parametrize("large", [False, True], ids=["small-subtree", "large-subtree"])
def test_a_fresh_snapshot_gives_the_count_without_counting_and_it_is_the_lists_length(example, viewer, monkeypatch,
                                                                                      large):
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from reports import coverage  # noqa: PLC0415

    if large:
        monkeypatch.setattr(coverage, "LARGE_SUBTREE_REGIONS", 0)
    client = client_for(viewer)
    for category in CATEGORIES:
        with CaptureQueriesContext(connection) as queries:
            body = _drill(client, category)
        assert body["count"] == len(body["results"]) == getattr(
            CoverageSnapshot.objects.get(region__code="431281", as_of=D), category), category
        counting = [q["sql"] for q in queries if "__COUNT" in q["sql"].upper() or " OVER " in q["sql"].upper()]
        assert not counting, category  # no COUNT query and no window count: the page query only
    # paging by the snapshot's count: the same pages as counting
    ids = [row["id"] for row in _drill(client)["results"]]
    pages = [_drill(client, page_size=4, page=n) for n in (1, 2, 3)]
    assert [row["id"] for page in pages for row in page["results"]] == ids
    assert pages[0]["count"] == len(ids) and pages[2]["next"] is None
    assert client.get(COVERAGE + "enterprises/", {"region": "431281", "as_of": "2026-06-30", "category": "enterprises",
                                                  "page_size": 4, "page": 4}).status_code == 404


def test_a_stale_snapshot_falls_back_to_the_live_count(example, viewer, monkeypatch,
                                                        django_capture_on_commit_callbacks):
    from reports import incremental  # noqa: PLC0415

    monkeypatch.setattr(incremental, "schedule", lambda: None)  # the write marks; no job brings it up to date
    client = client_for(viewer)
    stored = CoverageSnapshot.objects.get(region__code="431281", as_of=D).enterprises
    with django_capture_on_commit_callbacks(execute=True):
        EnterpriseFactory(region=example.t1, founded_on=datetime.date(2020, 1, 1))  # operating on D
    assert CoverageSnapshot.objects.get(region__code="431281", as_of=D).stale
    body = _drill(client)
    assert body["count"] == len(body["results"]) == stored + 1
    # the township's own snapshot is stale too; the other township's is fresh and still served from the snapshot
    assert _drill(client, region="431281001")["count"] == len(_drill(client, region="431281001")["results"])
    assert not CoverageSnapshot.objects.get(region__code="431281002", as_of=D).stale
    # the statistics say which figures are out of date, until the nightly recomputation brings them in
    params = {"region": "431281", "as_of": "2026-06-30"}
    body = client.get(COVERAGE, params).json()
    assert (body["stale"], body["enterprises"]) == (True, stored)
    assert {row["region"]: row["stale"] for row in client.get(COVERAGE + "children/", params).json()["results"]} \
        == {"431281001": True, "431281002": False, "431281Z01": False}
    incremental.recompute_other_days()
    body = client.get(COVERAGE, params).json()
    assert (body["stale"], body["enterprises"]) == (False, stored + 1) and _drill(client)["count"] == stored + 1


def test_a_viewer_who_sees_part_of_the_region_gets_the_live_count(example):
    from reports.incremental import sees_whole_subtree  # noqa: PLC0415

    town_viewer = make_user("region_viewer", region=example.t1)
    county_viewer = make_user("region_viewer", region=example.county)
    secretary = make_user("branch_secretary", organization=example.o2)
    assert sees_whole_subtree(county_viewer, example.t1) and sees_whole_subtree(county_viewer, example.county)
    assert not sees_whole_subtree(town_viewer, example.county)  # (the region is not visible to them anyway)
    assert not sees_whole_subtree(secretary, example.t1)
