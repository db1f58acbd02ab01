"""Periodic reports (API.md "Reports"): definitions, runs as jobs, versions, files, scope, the command,
and Table 27's figures equal to the statistics API's on the worked example."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from reports import definitions
from reports.models import ReportDefinition, ReportRun
from core.periods import just_ended, parse_period
from tests.conftest import api_as
from tests.factories import make_region, make_user
from tests.reports.conftest import D

RUNS = "/api/v1/reports/runs/"
COUNTY_CODES = ["431281", "431281001", "431281002", "431281Z01"]


@pytest.fixture
def editor(worked_example):
    return make_user("region_editor", region=worked_example.county)


@pytest.fixture
def stats(worked_example):
    return make_user("stats_client", region=worked_example.county)


def request_run(user, definition="nonpublic_enterprises", region="431281", period="2026Q2"):
    return api_as(user).post(RUNS, {"definition": definition, "region": region, "period": period}, format="json")


def download(user, run_id, fmt):
    return api_as(user).get(f"{RUNS}{run_id}/download/", {"format": fmt})


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def workbook_of(response):
    return load_workbook(io.BytesIO(body(response)))


def rows_by_region_and_line(sheet):
    """{(region code, line): [cells from the total column on]} from a Table 27 sheet."""
    found = {}
    for row in sheet.iter_rows(min_row=7, values_only=True):
        if row[1] in COUNTY_CODES and isinstance(row[2], int):
            found[(row[1], row[2])] = list(row[4:])
    return found


LINE = {key: n for n, key in enumerate(definitions.item_keys(), start=1)}


# --- definitions -------------------------------------------------------------------------------

def test_definitions_endpoint_lists_the_shipped_reports(stats):
    response = api_as(stats).get("/api/v1/reports/definitions/")
    assert response.status_code == 200
    by_code = {d["code"]: d for d in response.json()}
    assert {"nonpublic_enterprises", "instructor_roster", "demonstration_sites", "coverage_trend"} <= set(by_code)
    assert by_code["nonpublic_enterprises"]["period_type"] == "yearly"
    assert by_code["coverage_trend"]["period_type"] == "monthly"
    assert by_code["instructor_roster"]["period_example"] == "2026Q3"


def test_every_registered_definition_has_a_row(db):
    assert set(definitions.REGISTRY) <= set(ReportDefinition.objects.values_list("code", flat=True))


# --- runs ----------------------------------------------------------------------------------------

def test_post_run_is_accepted_and_done_when_the_answer_is_sent(editor):
    response = request_run(editor)
    assert response.status_code == 202, response.content
    data = response.json()
    assert data["status"] == "done" and data["version"] == 1 and data["region"] == "431281"
    assert data["period_start"] == "2026-04-01" and data["period_end"] == "2026-06-30" and data["as_of"] == "2026-06-30"
    assert len(data["xlsx_sha256"]) == 64 and len(data["csv_sha256"]) == 64
    run = ReportRun.objects.get(pk=data["id"])
    assert run.job is not None and run.job.status == "done"
    detail = api_as(editor).get(f"{RUNS}{run.pk}/")
    assert detail.status_code == 200 and detail.json()["status"] == "done"
    assert detail.json()["downloads"]["xlsx"].endswith(f"/api/v1/reports/runs/{run.pk}/download/?format=xlsx")


def test_xlsx_has_title_chinese_merged_headers_and_the_figures(editor):
    run_id = request_run(editor).json()["id"]
    response = download(editor, run_id, "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = workbook_of(response).active
    assert sheet["A1"].value == "非公有经济控制的企业法人单位建立党的基层组织情况"
    assert "431281" in sheet["A2"].value and "2026" in sheet["A2"].value
    # rows 4–5: the cover block (填报单位 … / 填表人, 报出日期), then a blank row and the header
    assert sheet["A4"].value.startswith("填报单位：County") and "单位负责人：" in sheet["A4"].value
    assert sheet["A5"].value.startswith("填表人：") and "报出日期：" in sheet["A5"].value
    assert sheet["E7"].value == "总数"
    assert sheet["L7"].value == "港澳台商投资" and sheet["L8"].value == "港澳台商经济控制"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "L7:M7" in merged and "N7:O7" in merged and "E7:E8" in merged
    assert sheet.freeze_panes == "E9"
    figures = rows_by_region_and_line(sheet)
    assert figures[("431281", LINE["enterprises"])][0] == 9
    assert figures[("431281", LINE["org_individual"])][0] == 2
    assert figures[("431281", LINE["individual_branch"])][0] == 2
    assert figures[("431281", LINE["org_joint"])][0] == 2
    assert figures[("431281", LINE["joint_branches"])][0] == 1
    assert figures[("431281", LINE["no_org"])][0] == 4
    assert figures[("431281001", LINE["enterprises"])][0] == 4
    first = next(r for r in sheet.iter_rows(min_row=7) if r[2].value == LINE["enterprises"])
    assert first[4].number_format == "#,##0"
    assert "单位数" in first[3].value


def test_csv_is_utf8_with_bom_and_the_same_table(editor):
    run_id = request_run(editor).json()["id"]
    response = download(editor, run_id, "csv")
    assert response.status_code == 200
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["非公有经济控制的企业法人单位建立党的基层组织情况"]
    assert rows[3][0].startswith("填报单位：County") and rows[4][0].startswith("填表人：")  # the cover block
    assert rows[5][4] == "总数" and rows[5][11] == "港澳台商投资" and rows[6][11] == "港澳台商经济控制"
    county = [r for r in rows if len(r) > 4 and r[1] == "431281" and r[2] == str(LINE["enterprises"])]
    assert county[0][4] == "9"


def test_rerun_makes_a_new_version_and_old_ones_stay_downloadable(editor):
    first = request_run(editor).json()
    second = request_run(editor).json()
    other_period = request_run(editor, period="2026Q1").json()
    assert (first["version"], second["version"], other_period["version"]) == (1, 2, 1)
    assert download(editor, first["id"], "xlsx").status_code == 200
    assert download(editor, second["id"], "csv").status_code == 200


def test_runs_of_another_region_are_404(editor, worked_example):
    other_county = make_region("431202", "鹤城区")
    outsider = make_user("region_editor", region=other_county)
    run_id = request_run(editor).json()["id"]
    client = api_as(outsider)
    assert client.get(f"{RUNS}{run_id}/").status_code == 404
    assert download(outsider, run_id, "xlsx").status_code == 404
    assert run_id not in {r["id"] for r in client.get(RUNS).json()["results"]}
    # nor can they ask for a run of a region outside their scope
    refused = request_run(outsider, region="431281")
    assert refused.status_code == 400 and "region" in refused.json()


def test_stats_client_reads_runs_and_files_but_cannot_request(editor, stats):
    run_id = request_run(editor).json()["id"]
    client = api_as(stats)
    assert client.get(RUNS).status_code == 200
    assert client.get(f"{RUNS}{run_id}/").status_code == 200
    assert download(stats, run_id, "xlsx").status_code == 200
    assert request_run(stats).status_code == 403


@pytest.mark.parametrize("period", ["2026Q5", "26", "2026-13", "2026/07", "", "abc", "9999"])
def test_bad_period_is_400_with_a_message(editor, period):
    response = request_run(editor, period=period)
    assert response.status_code == 400
    assert response.json()["period"][0]
    assert not ReportRun.objects.exists()


def test_unknown_definition_and_bad_format_are_400(editor):
    response = request_run(editor, definition="no_such_report")
    assert response.status_code == 400 and "nonpublic_enterprises" in response.json()["definition"][0]
    run_id = request_run(editor).json()["id"]
    assert download(editor, run_id, "pdf").status_code == 400


def test_a_failing_build_marks_the_run_and_its_job_failed(editor, monkeypatch):
    def broken(self, region, period, as_of):
        raise RuntimeError("the register is on fire")

    monkeypatch.setattr(definitions.NonPublicEnterprises, "rows", broken)
    data = request_run(editor).json()
    assert data["status"] == "failed" and "on fire" in data["error"]
    run = ReportRun.objects.get(pk=data["id"])
    assert run.job.status == "failed"
    assert download(editor, run.pk, "xlsx").status_code == 409


def test_every_shipped_definition_builds(editor):
    for code, period in [("instructor_roster", "2026Q2"), ("demonstration_sites", "2026"),
                         ("coverage_trend", "2026-06")]:
        data = request_run(editor, definition=code, period=period).json()
        assert data["status"] == "done", data
    roster = ReportRun.objects.get(definition__code="instructor_roster")
    sheet = load_workbook(roster.xlsx_file.path).active
    names = [row[5] for row in sheet.iter_rows(min_row=7, values_only=True) if isinstance(row[0], int)]
    assert sorted(names) == ["E10", "E6"]  # both assignments were active during 2026Q2
    trend = ReportRun.objects.get(definition__code="coverage_trend")
    sheet = load_workbook(trend.xlsx_file.path).active
    county = next(row for row in sheet.iter_rows(min_row=7) if row[1].value == "431281")
    # the last period (2026-06): 9 enterprises, 5/9 organization-covered, 6/9 work-covered
    assert [c.value for c in county[-3:]] == [9, pytest.approx(0.5556), pytest.approx(0.6667)]
    assert county[-2].number_format == "0.0%"


# --- figures equal the statistics API --------------------------------------------------------------

def test_table27_figures_equal_the_statistics_api(worked_example, editor):
    client = api_as(editor)
    assert client.post("/api/v1/statistics/coverage/compute/", {"region": "431281", "as_of": D.isoformat()},
                       format="json").status_code == 202
    run_id = request_run(editor, period="2026Q2").json()["id"]  # as of 2026-06-30 = D
    figures = rows_by_region_and_line(workbook_of(download(editor, run_id, "xlsx")).active)
    compared = ["enterprises", "org_individual", "org_joint", "no_org", "should_form", "few_members", "no_members",
                "instructors"]
    for code in COUNTY_CODES:
        stats = client.get("/api/v1/statistics/coverage/", {"region": code, "as_of": D.isoformat()}).json()
        for name in compared:
            assert figures[(code, LINE[name])][0] == stats[name], (code, name)
        other = figures[(code, LINE["org_other"])][0]
        assert stats["org_regional"] + stats["org_industry"] + stats["org_attached"] == other
        assert (figures[(code, LINE["org_individual"])][0] + figures[(code, LINE["org_joint"])][0] + other
                == stats["org_covered"])
    county = client.get("/api/v1/statistics/coverage/", {"region": "431281", "as_of": D.isoformat()}).json()
    assert (county["enterprises"], county["org_covered"], county["no_org"]) == (9, 5, 4)


def test_table27_rows_break_down_by_size_legal_representative_and_ownership(worked_example, editor):
    e = worked_example.e
    e.E1.employees, e.E1.ownership = 120, "foreign_wholly_owned"
    e.E1.legal_rep_is_member = e.E1.legal_rep_is_secretary = True
    e.E1.save()
    e.E7.employees = 60
    e.E7.save()
    run = ReportRun.objects.get(pk=request_run(editor).json()["id"])
    columns = [c.key for c in definitions.get_spec("nonpublic_enterprises").columns(None, None)][4:]
    figures = rows_by_region_and_line(load_workbook(run.xlsx_file.path).active)
    cells = dict(zip(columns, figures[("431281", LINE["enterprises"])]))
    assert cells["total"] == 9 and cells["employees_50"] == 2 and cells["employees_100"] == 1
    assert cells["legal_rep_member"] == 1 and cells["legal_rep_secretary"] == 1
    assert cells["foreign_wholly_owned"] == 1 and cells["private_controlled"] == 8
    individual = dict(zip(columns, figures[("431281", LINE["org_individual"])]))
    assert individual["employees_100"] == 1 and individual["foreign_wholly_owned"] == 1
    few = dict(zip(columns, figures[("431281", LINE["few_members"])]))
    assert few["employees_50"] == 1 and few["employees_100"] == 0


# --- command, schedules --------------------------------------------------------------------------

def test_build_report_prints_the_path_of_an_existing_file(worked_example, capsys):
    call_command("build_report", "nonpublic_enterprises", "--region", "431281", "--period", "2026Q2")
    last = capsys.readouterr().out.strip().splitlines()[-1]
    path = Path(last)
    assert path.is_file() and path.suffix == ".xlsx"
    assert load_workbook(path).active["A1"].value == "非公有经济控制的企业法人单位建立党的基层组织情况"
    run = ReportRun.objects.get()
    assert run.status == "done" and run.requested_by is None and run.xlsx_file.path == str(path)


def test_build_report_refuses_bad_input(worked_example):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026Q9"):
        call_command("build_report", "nonpublic_enterprises", "--region", "431281", "--period", "2026Q9")
    with pytest.raises(CommandError, match="999999"):
        call_command("build_report", "nonpublic_enterprises", "--region", "999999", "--period", "2026")


def test_beat_schedules_build_the_period_just_ended_for_the_root_region(worked_example, monkeypatch):
    tasks = {t.name: t for t in PeriodicTask.objects.filter(task="reports.build_periodic_reports")}
    assert {"Monthly reports", "Quarterly reports", "Yearly reports"} <= set(tasks)
    assert tasks["Quarterly reports"].crontab.month_of_year == "1,4,7,10"
    from reports import tasks as report_tasks

    monkeypatch.setattr(report_tasks.timezone, "localdate", lambda: datetime.date(2026, 7, 3))
    report_tasks.build_periodic_reports("quarterly")
    runs = {(r.definition.code, r.region.code, r.period, r.status) for r in ReportRun.objects.all()}
    # every quarterly definition, for the root region, for the quarter just ended
    assert runs == {("instructor_roster", "431281", "2026Q2", "done"), ("activity_compliance", "431281", "2026Q2", "done")}


def test_periods():
    assert parse_period("2026").end == datetime.date(2026, 12, 31)
    assert parse_period("2026q3").code == "2026Q3"
    assert parse_period("2026-02").end == datetime.date(2026, 2, 28)
    assert just_ended(datetime.date(2026, 1, 15), "monthly").code == "2025-12"
    assert just_ended(datetime.date(2026, 1, 15), "yearly").code == "2025"


# --- pages ---------------------------------------------------------------------------------------

def test_pages_request_list_preview_and_download(client, editor):
    client.force_login(editor)
    form = client.get("/reports/runs/new/")
    assert form.status_code == 200
    response = client.post("/reports/runs/new/", {"definition": "nonpublic_enterprises", "region": "431281",
                                                  "period": "2026Q2"})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/runs/{run.pk}/"
    detail = client.get(f"/reports/runs/{run.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'data-testid="report-preview"' in html and "港澳台商投资" in html and 'colspan="2"' in html
    listing = client.get("/reports/runs/").content.decode()
    assert f"/reports/runs/{run.pk}/download/xlsx/" in listing
    file = client.get(f"/reports/runs/{run.pk}/download/csv/")
    assert file.status_code == 200 and body(file).startswith(b"\xef\xbb\xbf")
    bad = client.post("/reports/runs/new/", {"definition": "nonpublic_enterprises", "region": "431281",
                                             "period": "2026Q7"})
    assert bad.status_code == 400 and ReportRun.objects.count() == 1


def test_run_pages_of_another_region_are_404(client, editor):
    run_id = request_run(editor).json()["id"]
    other = make_user("region_viewer", region=make_region("431202", "鹤城区"))
    client.force_login(other)
    assert client.get(f"/reports/runs/{run_id}/").status_code == 404
    assert client.get(f"/reports/runs/{run_id}/download/xlsx/").status_code == 404
    assert f"/reports/runs/{run_id}/" not in client.get("/reports/runs/").content.decode()


def test_files_are_private_and_admin_pages_do_not_link_them(editor, client):
    admin_client = client
    admin_client.force_login(make_user("admin", is_staff=True, is_superuser=True))
    run = ReportRun.objects.get(pk=request_run(editor).json()["id"])
    assert "/private/reports/nonpublic_enterprises/431281/" in run.xlsx_file.path
    with pytest.raises(ValueError):
        run.xlsx_file.url  # noqa: B018 — no public URL exists
    assert admin_client.get(f"/admin/reports/reportrun/{run.pk}/change/").status_code == 200
    assert admin_client.get("/admin/reports/reportdefinition/").status_code == 200


def test_coverage_trend_reads_current_snapshots_instead_of_recomputing(editor, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from reports import coverage
    from reports.definitions import _figures_by_region, get_spec
    from organizations.models import Region

    county = Region.objects.get(code="431281")
    call_command("compute_coverage", "--region", "431281", "--as-of", D.isoformat(), stdout=StringIO())
    computed = _figures_by_region(county, D)
    source = coverage.source_state()

    def refuse(*args, **kwargs):
        raise AssertionError("recomputed although current snapshots exist")

    monkeypatch.setattr(coverage, "compute_figures", refuse)
    stored = _figures_by_region(county, D, source)
    assert {pk: {k: v for k, v in f.items() if k in stored[pk]} for pk, f in computed.items()} == stored
    assert stored[county.pk]["org_covered"] == 5 and stored[county.pk]["enterprises"] == 9
    # a change to the register makes the snapshots stale: the figures are computed again
    monkeypatch.undo()
    from organizations.models import Enterprise

    enterprise = Enterprise.objects.filter(region__path__startswith=county.path).first()
    enterprise.name = enterprise.name + "（更名）"
    enterprise.save()
    assert coverage.source_state() != source
    assert get_spec("coverage_trend") is not None
