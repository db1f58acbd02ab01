"""The coverage dashboard, the drill-down page (with export) and the recompute button."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from reports.models import CoverageSnapshot
from reports.services import compute_snapshots
from tests.factories import EnterpriseFactory, make_region, make_user

from .conftest import D, D0


@pytest.fixture
def example(worked_example):
    compute_snapshots(worked_example.county, D)
    compute_snapshots(worked_example.county, D0)
    return worked_example


@pytest.fixture
def viewer_client(client, example):
    client.force_login(make_user("region_viewer", region=example.county))
    return client


def test_dashboard_shows_the_region_figures_children_and_chart_data(viewer_client):
    response = viewer_client.get(reverse("reports:dashboard"), {"as_of": "2026-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-count="enterprises"><a [^>]*>9</a>', html)
    assert re.search(r'data-count="org_covered"><a [^>]*>5</a>', html)
    assert 'data-rate="org_coverage_rate">55.6 %' in html
    data = json.loads(re.search(r'<script id="coverage-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))
    assert data["children"]["labels"] == ["T1", "T2", "Z"]
    assert data["children"]["org"] == [75.0, 0.0, pytest.approx(66.667, abs=0.01)]
    assert data["trend"]["labels"] == ["2025-12-31", "2026-06-30"]
    assert "<script>" not in html  # no inline script (CSP)
    assert "js/coverage-dashboard.js" in html


def test_each_count_in_the_children_table_links_to_its_drill_down(viewer_client):
    html = viewer_client.get(reverse("reports:dashboard"), {"as_of": "2026-06-30"}).content.decode()
    table = html[html.index('data-testid="children-table"'):]
    assert "region=431281002&amp;as_of=2026-06-30&amp;category=should_form" in table


def test_drill_down_page_lists_exactly_the_enterprises_behind_the_count(viewer_client):
    response = viewer_client.get(reverse("reports:enterprises"),
                                 {"region": "431281", "as_of": "2026-06-30", "category": "uncovered"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="list-count">3<' in html
    for name in ("E7", "E10", "E11"):
        assert f">{name}<" in html


def test_drill_down_page_exports_csv_and_xlsx(viewer_client):
    params = {"region": "431281", "as_of": "2026-06-30", "category": "org_covered", "export": "csv"}
    response = viewer_client.get(reverse("reports:enterprises"), params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 1 + 5
    params["export"] = "xlsx"
    response = viewer_client.get(reverse("reports:enterprises"), params)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_dashboard_and_drill_down_of_another_county_are_404(viewer_client, example):
    other = make_region("431282", "Other county")
    EnterpriseFactory(region=other)
    compute_snapshots(other, D)
    assert viewer_client.get(reverse("reports:dashboard"), {"region": "431282"}).status_code == 404
    response = viewer_client.get(reverse("reports:enterprises"), {"region": "431282", "category": "enterprises"})
    assert response.status_code == 404
    response = viewer_client.post(reverse("reports:recompute"), {"region": "431282", "as_of": "2026-06-30"})
    assert response.status_code == 404


def test_dashboard_without_a_snapshot_says_so_and_offers_recompute(viewer_client):
    html = viewer_client.get(reverse("reports:dashboard"), {"as_of": "2024-01-01"}).content.decode()
    assert 'data-testid="no-snapshot"' in html
    assert 'data-testid="recompute-form"' in html


def test_recompute_button_computes_the_snapshot_and_returns_to_the_dashboard(viewer_client, example):
    response = viewer_client.post(reverse("reports:recompute"), {"region": "431281002", "as_of": "2024-06-30"})
    assert response.status_code == 302
    assert "region=431281002" in response["Location"]
    assert CoverageSnapshot.objects.filter(region=example.t2, as_of="2024-06-30").exists()


def test_recompute_needs_csrf(example):
    from django.test import Client  # noqa: PLC0415

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("region_editor", region=example.county))
    assert client.post(reverse("reports:recompute"), {"as_of": "2026-06-30"}).status_code == 403


def test_branch_secretary_sees_their_organizations_card(client, example):
    client.force_login(make_user("branch_secretary", organization=example.o2))
    response = client.get(reverse("reports:dashboard"), {"as_of": "2026-06-30"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="organization-card"' in html
    for name in ("E2", "E3"):
        assert f">{name}<" in html
    assert ">E6<" not in html  # its link ended before the date
    assert client.post(reverse("reports:recompute"), {"as_of": "2026-06-30"}).status_code == 403


def test_instructor_may_not_open_the_dashboard(client, example):
    from tests.reports.conftest import make_instructor  # noqa: PLC0415

    client.force_login(make_user("instructor", instructor=make_instructor(example.county)))
    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_dashboard_appears_in_the_menu(viewer_client):
    html = viewer_client.get(reverse("reports:dashboard")).content.decode()
    assert f'href="{reverse("reports:dashboard")}"' in html


def test_dashboard_query_count_does_not_grow_with_children(viewer_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        viewer_client.get(reverse("reports:dashboard"), {"as_of": "2026-06-30"})


def test_drill_down_page_counts_live_once_the_snapshot_is_stale(viewer_client, example, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    from reports import incremental  # noqa: PLC0415

    monkeypatch.setattr(incremental, "schedule", lambda: None)  # marked, not brought up to date
    params = {"region": "431281", "as_of": "2026-06-30", "category": "uncovered"}
    with django_capture_on_commit_callbacks(execute=True):
        EnterpriseFactory(name="E12", region=example.t2, founded_on=datetime.date(2020, 1, 1))
    html = viewer_client.get(reverse("reports:enterprises"), params).content.decode()
    assert 'data-testid="list-count">4<' in html and ">E12<" in html


def _drill_page_names(client, **query):
    response = client.get(reverse("reports:enterprises"), {"region": "431281", "as_of": "2026-06-30",
                                                           "category": "enterprises", **query})
    assert response.status_code == 200
    return [row["object"].name for row in response.context["rows"]], response.context["paginator"].count


def test_drill_down_page_in_the_default_order_pages_by_region_then_name_from_the_fresh_snapshot(viewer_client,
                                                                                               example):
    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from organizations.models import Enterprise  # noqa: PLC0415

    EnterpriseFactory(name="A0", region=example.t1, founded_on=datetime.date(2020, 1, 1))  # first by name in T1
    compute_snapshots(example.county, D)
    expected = list(Enterprise.objects.filter(region__path__startswith=example.county.path)
                    .exclude(closed_on__lte=D).exclude(founded_on__gt=D)
                    .order_by("region__path", "name", "id").values_list("name", flat=True))
    pages = []
    with CaptureQueriesContext(connection) as queries:
        for number in (1, 2, 3, 4):
            names, count = _drill_page_names(viewer_client, page_size=3, page=number)
            pages.append(names)
    assert count == len(expected) == 10
    assert [name for page in pages for name in page] == expected  # every enterprise once, in the list's order
    assert pages[0][0] == "A0"  # registered last, first by name in the first region with enterprises (T1)
    assert not [q["sql"] for q in queries if q["sql"].upper().startswith("SELECT COUNT(")]  # counted by the snapshot
    # the same list counted live once the rows are stale, and sorted the other way
    CoverageSnapshot.objects.update(stale=True)
    live = [_drill_page_names(viewer_client, page_size=3, page=n)[0] for n in (1, 2, 3, 4)]
    assert live == pages
    CoverageSnapshot.objects.update(stale=False)
    names, _count = _drill_page_names(viewer_client, page_size=20, sort="-region__path")
    assert names == expected[::-1]


def test_the_dashboard_says_when_its_figures_are_out_of_date_and_what_happens_next(
        viewer_client, example, monkeypatch, django_capture_on_commit_callbacks):
    from django.utils import timezone  # noqa: PLC0415

    from reports import incremental  # noqa: PLC0415

    monkeypatch.setattr(incremental, "schedule", lambda: None)  # marked, not brought up to date
    dashboard = reverse("reports:dashboard")
    assert 'data-testid="stale-snapshot"' not in viewer_client.get(dashboard, {"as_of": "2026-06-30"}).content.decode()
    compute_snapshots(example.county, timezone.localdate())
    with django_capture_on_commit_callbacks(execute=True):  # registered in 2020: changes D and today
        EnterpriseFactory(name="E12", region=example.t2, founded_on=datetime.date(2020, 1, 1))
    html = viewer_client.get(dashboard, {"as_of": "2026-06-30"}).content.decode()  # (the Chinese UI)
    notice = re.search(r'data-testid="stale-snapshot">(.*?)</div>', html, re.S).group(1)
    assert "更正涉及 2026-06-30 或更早的日期" in notice and "今晚将重新计算" in notice and "重新计算”立即重算" in notice
    assert re.search(r'data-count="enterprises"><a [^>]*>9</a>', html)  # the stored figure, until recomputed
    today = viewer_client.get(dashboard).content.decode()
    notice = re.search(r'data-testid="stale-snapshot">(.*?)</div>', today, re.S).group(1)
    assert "正在更新" in notice and "今晚" not in notice
    incremental.recompute_other_days()
    assert 'data-testid="stale-snapshot"' not in viewer_client.get(dashboard, {"as_of": "2026-06-30"}).content.decode()
