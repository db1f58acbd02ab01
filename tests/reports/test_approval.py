"""Periods close (DESIGN.md "Periods close", API.md "Approval of report runs"): submit → approve / return,
unlock with a reason, every refusal (nothing changed), frozen files and `figures_changed`, the refusal of a
new run while one is submitted or approved, completeness and timeliness, beat drafts, the cover block."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from organizations.models import Region
from reports import tasks as report_tasks
from reports.models import ApprovalStep, ReportDefinition, ReportingUnit, ReportRun
from tests.conftest import api_as
from tests.factories import EnterpriseFactory, make_region, make_user

RUNS = "/api/v1/reports/runs/"
APPROVALS = "/api/v1/reports/approvals/"


@pytest.fixture
def people(world):
    world.editor_a.first_name, world.editor_a.last_name = "填表", "王"
    world.editor_a.save()
    world.editor_b = make_user("region_editor", region=world.county_b)
    world.city_editor = make_user("region_editor", region=world.city, first_name="审批", last_name="李")
    world.city_viewer = make_user("region_viewer", region=world.city)
    world.stats_city = make_user("stats_client", region=world.city)
    return world


def build(user, region="431281", definition="nonpublic_enterprises", period="2025"):
    return api_as(user).post(RUNS, {"definition": definition, "region": region, "period": period}, format="json")


def act(user, run_id, action, reason=None):
    data = {} if reason is None else {"reason": reason}
    return api_as(user).post(f"{RUNS}{run_id}/{action}/", data, format="json")


def state(run_id):
    run = ReportRun.objects.get(pk=run_id)
    return run.approval, run.xlsx_sha256, run.csv_sha256, ApprovalStep.objects.filter(run=run).count()


def file_bytes(user, run_id, fmt):
    response = api_as(user).get(f"{RUNS}{run_id}/download/", {"format": fmt})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def message(response):
    data = response.json()
    return " ".join(str(m) for value in data.values() for m in (value if isinstance(value, list) else [value]))


# --- transitions --------------------------------------------------------------------------------------

def test_submit_approve_records_who_and_when_and_the_chain(people):
    run_id = build(people.editor_a).json()["id"]
    detail = api_as(people.editor_a).get(f"{RUNS}{run_id}/").json()
    assert detail["approval"] == "draft" and detail["submitted_by"] is None and detail["figures_changed"] == []

    submitted = act(people.editor_a, run_id, "submit")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["approval"] == "submitted" and body["submitted_by"] == people.editor_a.username
    assert body["submitted_at"] and body["approved_at"] is None and body["return_reason"] == ""

    approved = act(people.city_editor, run_id, "approve")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["approval"] == "approved" and body["approved_by"] == people.city_editor.username
    assert body["approved_at"] and body["figures_changed"] == []
    steps = list(ApprovalStep.objects.filter(run_id=run_id).values_list("action", "from_state", "to_state", "user_id"))
    assert steps == [("submit", "draft", "submitted", people.editor_a.pk),
                     ("approve", "submitted", "approved", people.city_editor.pk)]
    run = ReportRun.objects.get(pk=run_id)
    assert run.history.count() >= 3  # built, submitted, approved: simple-history keeps each state


def test_return_with_a_reason_then_a_new_version_is_submitted(people):
    run_id = build(people.editor_a).json()["id"]
    act(people.editor_a, run_id, "submit")
    returned = act(people.city_editor, run_id, "return", "第 3 行企业数与工商登记不符")
    assert returned.status_code == 200
    assert returned.json()["approval"] == "returned"
    assert returned.json()["return_reason"] == "第 3 行企业数与工商登记不符"
    again = build(people.editor_a)  # a returned run may be rebuilt: the next version
    assert again.status_code == 202 and again.json()["version"] == 2 and again.json()["approval"] == "draft"
    # the old version no longer carries the approval
    refused = act(people.editor_a, run_id, "submit")
    assert refused.status_code == 400 and "最新版本" in message(refused)
    assert act(people.editor_a, again.json()["id"], "submit").json()["approval"] == "submitted"


def test_unlock_with_a_reason_returns_an_approved_run(people):
    run_id = build(people.editor_a).json()["id"]
    act(people.editor_a, run_id, "submit")
    act(people.city_editor, run_id, "approve")
    unlocked = act(people.city_editor, run_id, "unlock", "补报一家新登记企业")
    assert unlocked.status_code == 200
    body = unlocked.json()
    assert body["approval"] == "returned" and body["return_reason"] == "补报一家新登记企业"
    step = ApprovalStep.objects.filter(run_id=run_id).last()
    assert (step.action, step.from_state, step.to_state, step.reason) == ("unlock", "approved", "returned",
                                                                          "补报一家新登记企业")
    assert build(people.editor_a).status_code == 202  # the unit builds a new version


def test_an_admin_may_submit_and_approve(people):
    run_id = build(people.admin).json()["id"]
    assert act(people.admin, run_id, "submit").json()["approval"] == "submitted"
    assert act(people.admin, run_id, "approve").json()["approval"] == "approved"


def test_an_editor_above_may_submit_a_county_run_but_not_approve_its_own_region(people):
    city_run = build(people.city_editor, region="431200").json()["id"]
    assert act(people.city_editor, city_run, "submit").status_code == 200
    refused = act(people.city_editor, city_run, "approve")
    assert refused.status_code == 403 and "本区域" in refused.json()["detail"]
    assert act(people.admin, city_run, "approve").status_code == 200


# --- refusals: nothing changes --------------------------------------------------------------------------

def test_approving_a_draft_is_a_400_and_changes_nothing(people):
    run_id = build(people.editor_a).json()["id"]
    before = state(run_id)
    response = act(people.city_editor, run_id, "approve")
    assert response.status_code == 400
    assert "已提交" in message(response) and "草稿" in message(response)
    assert state(run_id) == before


def test_returning_or_unlocking_without_a_reason_is_a_400(people):
    run_id = build(people.editor_a).json()["id"]
    act(people.editor_a, run_id, "submit")
    before = state(run_id)
    for reason in (None, "", "   "):
        response = act(people.city_editor, run_id, "return", reason)
        assert response.status_code == 400 and "退回原因" in response.json()["reason"][0]
    assert state(run_id) == before
    act(people.city_editor, run_id, "approve")
    before = state(run_id)
    response = act(people.city_editor, run_id, "unlock")
    assert response.status_code == 400 and "解锁" in response.json()["reason"][0]
    assert state(run_id) == before
    # unlock of a run that is not approved
    other = build(people.editor_b, region="431202").json()["id"]
    response = act(people.city_editor, other, "unlock", "更正")
    assert response.status_code == 400 and "已审批" in message(response)


def test_a_county_editor_cannot_approve_its_own_run(people):
    run_id = build(people.editor_a).json()["id"]
    act(people.editor_a, run_id, "submit")
    before = state(run_id)
    for action, reason in (("approve", None), ("return", "x"), ("unlock", "x")):
        response = act(people.editor_a, run_id, action, reason)
        assert response.status_code == 403, action
    assert state(run_id) == before


def test_another_countys_run_is_invisible(people):
    run_id = build(people.editor_a).json()["id"]
    act(people.editor_a, run_id, "submit")
    before = state(run_id)
    client = api_as(people.editor_b)
    assert client.get(f"{RUNS}{run_id}/").status_code == 404
    for action, reason in (("submit", None), ("approve", None), ("return", "x"), ("unlock", "x")):
        assert act(people.editor_b, run_id, action, reason).status_code == 404, action
    assert run_id not in [r["id"] for r in client.get(RUNS).json()["results"]]
    assert state(run_id) == before


def test_viewers_and_api_clients_cannot_act(people):
    run_id = build(people.editor_a).json()["id"]
    assert act(people.viewer_a, run_id, "submit").status_code == 403
    act(people.editor_a, run_id, "submit")
    assert act(people.city_viewer, run_id, "approve").status_code == 403
    assert act(people.stats_city, run_id, "approve").status_code == 403
    assert state(run_id)[0] == "submitted"


def test_a_new_run_while_submitted_or_approved_is_refused(people):
    run_id = build(people.editor_a).json()["id"]
    act(people.editor_a, run_id, "submit")
    count = ReportRun.objects.count()
    response = build(people.editor_a)
    assert response.status_code == 400 and "已提交" in message(response)
    act(people.city_editor, run_id, "approve")
    response = build(people.city_editor, region="431281")
    assert response.status_code == 400 and "已审批" in message(response)
    assert ReportRun.objects.count() == count
    # the same refusal from the page form, the command and beat (which skips the region)
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="已审批"):
        call_command("build_report", "nonpublic_enterprises", "--region", "431281", "--period", "2025")
    from django.test import Client

    page = Client()
    page.force_login(people.editor_a)
    answer = page.post("/reports/runs/new/", {"definition": "nonpublic_enterprises", "region": "431281",
                                              "period": "2025"})
    assert answer.status_code == 400 and "已审批" in answer.content.decode()
    assert ReportRun.objects.count() == count


def test_a_run_that_is_not_done_cannot_be_submitted(people):
    definition = ReportDefinition.objects.get(code="nonpublic_enterprises")
    run = ReportRun.objects.create(definition=definition, region=people.county_a, period="2025",
                                   period_start="2025-01-01", period_end="2025-12-31", as_of="2025-12-31", version=1,
                                   status=ReportRun.Status.FAILED)
    response = act(people.editor_a, run.pk, "submit")
    assert response.status_code == 400 and "失败" in message(response)


# --- freezing ---------------------------------------------------------------------------------------------

def test_a_register_edit_after_approval_leaves_the_files_byte_identical_and_shows_figures_changed(people):
    run_id = build(people.editor_a).json()["id"]
    act(people.editor_a, run_id, "submit")
    act(people.city_editor, run_id, "approve")
    xlsx, csv_bytes = file_bytes(people.city_editor, run_id, "xlsx"), file_bytes(people.city_editor, run_id, "csv")
    frozen = ReportRun.objects.get(pk=run_id)
    assert frozen.figures["enterprises"] == 1 and frozen.figures["no_org"] == 1

    EnterpriseFactory(region=people.town_a, name="补登企业", founded_on=datetime.date(2020, 3, 1))

    detail = api_as(people.city_editor).get(f"{RUNS}{run_id}/").json()
    assert "enterprises" in detail["figures_changed"] and "no_org" in detail["figures_changed"]
    assert "org_individual" not in detail["figures_changed"]
    assert file_bytes(people.city_editor, run_id, "xlsx") == xlsx
    assert file_bytes(people.city_editor, run_id, "csv") == csv_bytes
    after = ReportRun.objects.get(pk=run_id)
    assert (after.xlsx_sha256, after.csv_sha256, after.figures) == (frozen.xlsx_sha256, frozen.csv_sha256,
                                                                   frozen.figures)
    # an enterprise founded after the run's data date changes nothing for it
    listed = api_as(people.city_editor).get(RUNS).json()["results"]
    assert [r["figures_changed"] for r in listed if r["id"] == run_id] == [None]  # not computed per row


def test_figures_changed_ignores_changes_after_the_data_date(people):
    run_id = build(people.editor_a).json()["id"]
    EnterpriseFactory(region=people.town_a, founded_on=datetime.date(2026, 2, 1))
    assert api_as(people.editor_a).get(f"{RUNS}{run_id}/").json()["figures_changed"] == []


# --- the cover block ----------------------------------------------------------------------------------

def test_cover_block_in_xlsx_csv_and_preview(people):
    ReportingUnit.objects.create(region=people.county_a, head="张书记", phone="0745-7654321")
    run_id = build(people.editor_a).json()["id"]
    sheet = load_workbook(io.BytesIO(file_bytes(people.editor_a, run_id, "xlsx"))).active
    assert sheet["A4"].value == "填报单位：洪江市\u3000\u3000单位负责人：张书记\u3000\u3000联系电话：0745-7654321"
    assert sheet["A5"].value == "填表人：\u3000\u3000报出日期："  # not submitted yet

    act(people.editor_a, run_id, "submit")
    act(people.city_editor, run_id, "approve")
    run = ReportRun.objects.get(pk=run_id)
    day = run.submitted_at.astimezone(datetime.timezone(datetime.timedelta(hours=8))).date().isoformat()
    sheet = load_workbook(io.BytesIO(file_bytes(people.editor_a, run_id, "xlsx"))).active
    assert sheet["A4"].value.startswith("填报单位：洪江市")
    assert sheet["A5"].value == f"填表人：王填表\u3000\u3000报出日期：{day}"
    chain = sheet["A6"].value
    assert chain.startswith("审批：王填表 于 ") and "报送" in chain and "李审批（怀化市）于 " in chain
    assert sheet["E8"].value == "总数"  # the header after the three cover lines and a blank row

    rows = list(csv.reader(io.StringIO(file_bytes(people.editor_a, run_id, "csv").decode("utf-8-sig"))))
    assert rows[3] == ["填报单位：洪江市\u3000\u3000单位负责人：张书记\u3000\u3000联系电话：0745-7654321"]
    assert rows[4] == [f"填表人：王填表\u3000\u3000报出日期：{day}"]
    assert rows[5] == [chain]
    assert run.preview["cover"] == [rows[3][0], rows[4][0], chain]
    # the figures printed are the ones built (stored table), not a recomputation
    county = [r for r in rows if len(r) > 4 and r[1] == "431281" and r[2] == "1"]
    assert county and county[0][4] == "1"


# --- completeness and timeliness ------------------------------------------------------------------------

def test_approvals_lists_every_reporting_region_with_its_state_and_late(people, monkeypatch):
    run_a = build(people.editor_a).json()["id"]
    act(people.editor_a, run_a, "submit")
    act(people.city_editor, run_a, "approve")
    on_time = datetime.datetime(2026, 1, 12, 10, 0, tzinfo=datetime.timezone.utc)
    ReportRun.objects.filter(pk=run_a).update(approved_at=on_time)
    run_b = build(people.editor_b, region="431202").json()["id"]
    act(people.editor_b, run_b, "submit")

    from reports import approval

    monkeypatch.setattr(approval.timezone, "localdate", lambda: datetime.date(2026, 1, 10))
    response = api_as(people.city_editor).get(APPROVALS, {"definition": "nonpublic_enterprises", "period": "2025",
                                                          "region": "431200"})
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["due_on"] == "2026-01-15"
    rows = {r["region"]: r for r in data["results"]}
    assert list(rows) == ["431200", "431281", "431202"]  # tree order; townships are not reporting levels
    assert rows["431200"] == {"region": "431200", "name": "怀化市", "level": "city", "run": None, "version": None,
                              "approval": "missing", "submitted_by": None, "submitted_at": None,
                              "approved_by": None, "approved_at": None, "late": False}
    assert rows["431281"]["approval"] == "approved" and rows["431281"]["run"] == run_a
    assert rows["431281"]["version"] == 1 and rows["431281"]["approved_at"] and not rows["431281"]["late"]
    assert rows["431202"]["approval"] == "submitted" and rows["431202"]["submitted_at"]

    monkeypatch.setattr(approval.timezone, "localdate", lambda: datetime.date(2026, 1, 16))
    rows = {r["region"]: r for r in api_as(people.city_editor).get(
        APPROVALS, {"definition": "nonpublic_enterprises", "period": "2025", "region": "431200"}).json()["results"]}
    assert (rows["431200"]["late"], rows["431202"]["late"], rows["431281"]["late"]) == (True, True, False)
    # approved after the due date is late too
    ReportRun.objects.filter(pk=run_a).update(approved_at=on_time + datetime.timedelta(days=5))
    rows = {r["region"]: r for r in api_as(people.city_editor).get(
        APPROVALS, {"definition": "nonpublic_enterprises", "period": "2025", "region": "431200"}).json()["results"]}
    assert rows["431281"]["late"] is True

    # a per-definition due offset and reporting levels (admin-editable)
    ReportDefinition.objects.filter(code="nonpublic_enterprises").update(due_days=30,
                                                                         reporting_levels=["county", "township"])
    data = api_as(people.city_editor).get(APPROVALS, {"definition": "nonpublic_enterprises", "period": "2025",
                                                      "region": "431200"}).json()
    assert data["due_on"] == "2026-01-30"
    assert [r["region"] for r in data["results"]] == ["431281", "431281001", "431202", "431202001"]
    assert not any(r["late"] for r in data["results"] if r["approval"] == "approved")


def test_approvals_scope_and_bad_input(people):
    client = api_as(people.editor_a)
    query = {"definition": "nonpublic_enterprises", "period": "2025"}
    own = client.get(APPROVALS, query).json()  # default: the caller's scope region
    assert [r["region"] for r in own["results"]] == ["431281"]
    assert client.get(APPROVALS, query | {"region": "431202"}).status_code == 404
    assert client.get(APPROVALS, query | {"region": "431200"}).status_code == 404
    bad = client.get(APPROVALS, {"definition": "nope", "period": "2025Q9"})
    assert bad.status_code == 400 and "nope" in bad.json()["definition"][0] and "2025Q9" in bad.json()["period"][0]
    assert client.get(APPROVALS, {}).status_code == 400
    secretary = api_as(people.secretary_a).get(APPROVALS, query)
    assert secretary.status_code == 403


def test_approvals_take_a_constant_number_of_queries(people):
    client = api_as(people.city_editor)
    query = {"definition": "nonpublic_enterprises", "period": "2025", "region": "431200"}
    build(people.editor_a)
    client.get(APPROVALS, query)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(APPROVALS, query).json()["results"]) == 3
    for n in range(3, 9):
        county = make_region(f"43129{n}", f"县{n}", Region.Kind.COUNTY, parent=Region.objects.get(code="431200"))
        build(make_user("region_editor", region=county), region=county.code)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(APPROVALS, query).json()["results"]) == 9
    assert len(many) == len(few)


# --- beat: draft runs when a period ends -----------------------------------------------------------------

def test_beat_creates_built_drafts_for_every_reporting_region_once(people, monkeypatch):
    monkeypatch.setattr(report_tasks.timezone, "localdate", lambda: datetime.date(2026, 1, 1))
    first = report_tasks.build_periodic_reports("yearly")
    yearly = set(ReportDefinition.objects.filter(period_type="yearly", active=True).values_list("code", flat=True))
    runs = {(r.definition.code, r.region.code, r.period, r.status, r.approval) for r in ReportRun.objects.all()}
    assert runs == {(code, region, "2025", "done", "draft") for code in yearly
                    for region in ("431200", "431281", "431202")}
    assert len(first) == len(runs)
    assert report_tasks.build_periodic_reports("yearly") == []  # idempotent
    assert ReportRun.objects.count() == len(runs)


def test_beat_skips_regions_that_already_have_a_run(people, monkeypatch):
    build(people.editor_a)  # the county built its own already
    monkeypatch.setattr(report_tasks.timezone, "localdate", lambda: datetime.date(2026, 1, 1))
    report_tasks.build_periodic_reports("yearly")
    assert ReportRun.objects.filter(definition__code="nonpublic_enterprises", region=people.county_a).count() == 1
