"""Issue 15 items 1, 2, 5, 7 as page tests: each role lands on a page it can use and sees only menu entries it
can use; pages speak Chinese (no codes, no Python, ISO dates); lists read well; `make run` looks like the product."""

import datetime
import logging
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import formats, timezone, translation

from activities import services as activity_services
from core.jobs import enqueue
from core.models import Job
from instructors.models import Visit
from members import services as member_services
from members.models import DuesPayment
from reports.models import ReportDefinition, ReportRun
from tests.activities.helpers import make_member, make_record
from tests.factories import EnterpriseFactory, make_user, make_uscc
from tests.instructors.helpers import assign, make_id_number, make_instructor

pytestmark = pytest.mark.django_db
BASE_DIR = Path(__file__).resolve().parents[2]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def menu_urls(html):
    return set(re.findall(r'href="([^"]+)"[^>]*data-testid="menu-(?:item|jobs|api-docs)"', html))


# --- item 1: homes and menus ---------------------------------------------------------------------------------

def test_a_stats_client_lands_on_its_statistics_and_report_files_not_a_403(world):
    stats = make_user("stats_client", region=world.county_a)
    definition = ReportDefinition.objects.order_by("code").first()
    mine = ReportRun.objects.create(definition=definition, region=world.county_a, period="2025",
                                    period_start="2025-01-01", period_end="2025-12-31", as_of="2025-12-31",
                                    version=1, status=ReportRun.Status.DONE, finished_at=timezone.now())
    theirs = ReportRun.objects.create(definition=definition, region=world.county_b, period="2024",
                                      period_start="2024-01-01", period_end="2024-12-31", as_of="2024-12-31",
                                      version=1, status=ReportRun.Status.DONE, finished_at=timezone.now())
    client = client_for(stats)
    response = client.get("/", follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/reports/statistics/"
    body = response.content.decode()
    assert world.county_a.name in body and mine.get_absolute_url() in body
    assert theirs.get_absolute_url() not in body  # another county's report file is out of scope
    assert f"/reports/runs/{mine.pk}/download/xlsx/" in body
    urls = menu_urls(body)
    assert "/reports/statistics/" in urls and "/api/docs/" in urls
    assert "/reports/" not in urls and "/jobs/" not in urls  # the dashboard and jobs are staff pages


def test_other_roles_may_not_open_the_stats_home(world):
    assert client_for(world.viewer_a).get("/reports/statistics/").status_code == 403


def test_an_instructor_lands_on_its_enterprises_and_visits_due(world):
    today = timezone.localdate()
    me = make_instructor(world.county_a, name="张指导", id_number=make_id_number(901))
    other = make_instructor(world.county_a, name="李指导", id_number=make_id_number(902))
    due = EnterpriseFactory(region=world.town_a, name="久未走访公司")
    fresh = EnterpriseFactory(region=world.town_a, name="刚走访公司")
    assign(me, due, start_on=today - datetime.timedelta(days=200))
    assign(me, fresh, start_on=today - datetime.timedelta(days=200))
    assign(other, world.ent_a, start_on=today - datetime.timedelta(days=200))
    Visit.objects.create(instructor=me, enterprise=fresh, visited_on=today - datetime.timedelta(days=5),
                         work_done="宣讲政策")
    client = client_for(make_user("instructor", instructor=me))
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/instructors/home/"
    body = response.content.decode()
    assert "久未走访公司" in body and "刚走访公司" in body
    assert world.ent_a.name not in body  # another instructor's enterprise
    due_rows = re.findall(r'<tr class="table-warning" data-testid="visit-due">(.*?)</tr>', body, re.S)
    assert len(due_rows) == 1 and "久未走访公司" in due_rows[0]
    assert "1 家企业待走访" in body
    assert f"enterprise={due.uscc}" in body  # "file a visit" opens the form for that enterprise
    form = client.get(f"/instructors/visits/add/?instructor={me.pk}&enterprise={due.uscc}")
    assert form.status_code == 200 and due.uscc in form.content.decode()


def test_secretaries_and_instructors_see_no_empty_or_irrelevant_menu_entries(world):
    secretary = client_for(world.secretary_a).get("/members/").content.decode()
    urls = menu_urls(secretary)
    assert "/members/" in urls and "/activities/records/" in urls and "/instructors/sites/" in urls
    for url in ("/organizations/regions/", "/organizations/links/", "/api/docs/", "/jobs/", "/instructors/",
                "/instructors/meetings/", "/instructors/trainings/"):
        assert url not in urls, url
    instructor = make_user("instructor", instructor=make_instructor(world.county_a, id_number=make_id_number(903)))
    urls = menu_urls(client_for(instructor).get("/instructors/home/").content.decode())
    assert {"/instructors/home/", "/organizations/enterprises/", "/instructors/assignments/"} <= urls
    for url in ("/organizations/regions/", "/organizations/links/", "/organizations/", "/activities/records/",
                "/api/docs/", "/members/"):
        assert url not in urls, url
    staff = menu_urls(client_for(world.viewer_a).get("/members/").content.decode())
    assert {"/organizations/regions/", "/organizations/links/", "/api/docs/", "/jobs/"} <= staff


def test_regions_are_region_staff_pages_not_an_empty_list_for_a_secretary(world):
    """Decision (docs/decisions.md): a secretary's scope is no region — the list said 0 while its tree card
    showed the province; region pages are for region staff."""
    client = client_for(world.secretary_a)
    assert client.get("/organizations/regions/").status_code == 403
    assert client.get(world.town_a.get_absolute_url()).status_code == 403
    assert client_for(world.viewer_a).get("/organizations/regions/").status_code == 200


# --- item 2: no codes, no English, no Python -----------------------------------------------------------------

def test_record_history_shows_the_translated_status_change_and_who_by_name(world):
    world.secretary_a.last_name, world.secretary_a.first_name = "陈", "红梅"
    world.secretary_a.save()
    world.editor_a.last_name, world.editor_a.first_name = "王", "晓明"
    world.editor_a.save()
    record = make_record(world.org_a, held_on=datetime.date(2026, 7, 10))
    record = activity_services.submit(record, world.secretary_a)
    activity_services.return_record(record, world.editor_a, "请补充会议记录")
    record.refresh_from_db()
    activity_services.submit(record, world.secretary_a)
    record.refresh_from_db()
    activity_services.accept(record, world.editor_a)
    body = client_for(world.editor_a).get(f"/activities/records/{record.pk}/history/").content.decode()
    assert "已提交" in body and "已退回" in body and "审核通过" in body
    assert "提交审核" in body and "退回修改" in body
    assert not re.search(r">\s*(submitted|returned|accepted|saved)\s*<", body)
    assert "陈红梅" in body and "王晓明" in body
    detail = client_for(world.editor_a).get(record.get_absolute_url()).content.decode()
    assert "陈红梅" in detail  # 填报人 by name, not username
    assert "已采纳" not in detail and "审核通过" in detail


def test_jobs_pages_show_kind_labels_human_durations_and_readable_parameters(world):
    job = enqueue("core.ping", {"region": "431281", "as_of": "2026-12-02"}, user=world.editor_a,
                  region_code="431281")
    Job.objects.filter(pk=job.pk).update(started_at=timezone.now() - datetime.timedelta(seconds=125),
                                         finished_at=timezone.now())
    client = client_for(world.editor_a)
    listing = client.get("/jobs/").content.decode()
    assert "后台服务检查" in listing and "core.ping" not in listing
    assert "2 分 5 秒" in listing and "0:02:05" not in listing
    detail = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "区域：431281；统计日期：2026-12-02" in detail
    assert "{" not in re.sub(r"<script.*?</script>", "", detail, flags=re.S).split('data-testid="detail-fields"')[1]


def test_report_pickers_name_reports_without_codes(world):
    body = client_for(world.editor_a).get("/reports/runs/new/").content.decode()
    definition = ReportDefinition.objects.order_by("code").first()
    assert definition.title in body and f"({definition.code})" not in body


def test_import_previews_show_labels_and_errors_name_the_columns_of_the_file(world):
    client = client_for(world.editor_a)
    csv = "统一社会信用代码,企业名称,区域代码,经济类型,经营状态\n" + f"{make_uscc(9101)},新企业,431281001,私有经济控制,在营\n"
    preview = client.post("/imports/enterprises/", {"file": SimpleUploadedFile("e.csv", csv.encode())})
    body = preview.content.decode()
    assert "私有经济控制" in body and "在营" in body
    assert "private_controlled" not in body and ">operating<" not in body
    bad = client.post("/imports/enterprises/", {"file": SimpleUploadedFile(
        "e.csv", "统一社会信用代码,名称\n91430000000000001X,甲\n".encode())}).content.decode()
    assert "缺少必填列“企业名称”" in bad and "“name”" not in bad
    assert "region_code (" not in bad


def test_the_admin_has_the_portal_title_and_a_chinese_login_protection_section(world):
    body = client_for(world.admin_superuser if hasattr(world, "admin_superuser") else make_user(
        "admin", is_staff=True, is_superuser=True)).get("/admin/").content.decode()
    assert "Django 管理" not in body and "非公企业党建工作管理平台" in body
    assert "登录保护" in body and "登录尝试" in body and "Axes" not in body


def test_pages_format_dates_iso_and_times_to_the_minute():
    with translation.override("zh-hans"):
        assert formats.date_format(datetime.date(2026, 12, 2)) == "2026-12-02"
        assert formats.date_format(datetime.datetime(2026, 12, 2, 9, 5, 7), "DATETIME_FORMAT") == "2026-12-02 09:05"


def test_member_list_heads_names_and_the_reduction_date_properly(world):
    make_member(world.org_a, name="赵党员")
    body = client_for(world.viewer_a).get("/members/").content.decode()
    heads = re.findall(r'<th scope="col"[^>]*>\s*(?:<a[^>]*>)?([^<▲▼]+)', body)
    assert "姓名" in [h.strip() for h in heads] and "名称" not in [h.strip() for h in heads]
    assert "减少日期" in body and "出册" not in body


def test_the_transfer_letter_has_the_official_lines_and_full_width_punctuation(world):
    member = make_member(world.org_a, name="周党员", birth_date=datetime.date(1990, 5, 1), ethnicity="汉",
                         full_on=datetime.date(2016, 1, 1))
    DuesPayment.objects.create(member=member, organization=world.org_a, month=datetime.date(2026, 5, 1),
                               amount="10.00", paid_on=datetime.date(2026, 5, 10))
    letter = member_services.issue_transfer(member, world.editor_a, issued_on=datetime.date(2026, 6, 1),
                                            to_organization=world.org_b)
    body = client_for(world.editor_a).get(f"/members/transfers/{letter.pk}/letter/").content.decode()
    text = re.sub(r"<[^>]+>", "", body)
    assert "36岁" in text and "汉族" in text and "党费交至2026年5月" in text and "（盖章）" in text
    assert f"{world.org_b.name}：" in text and "兹介绍周党员同志（" in text
    assert "请转接组织关系。" in text and "特此回执。" in text
    assert not re.search(r"[\u4e00-\u9fff][,:;()]", text)  # no half-width punctuation after Chinese text


# --- item 5: lists that read well ----------------------------------------------------------------------------

def test_list_dates_codes_and_headers_do_not_wrap(world):
    body = client_for(world.viewer_a).get("/organizations/enterprises/").content.decode()
    assert '<th scope="col" class="text-nowrap">' in body
    row = body.split('data-testid="object-table"')[1].split("<tbody>")[1].split("</tr>")[0]
    assert f'<td class="text-nowrap">{world.ent_a.uscc}</td>' in row
    assert f'<td class="text-nowrap">{world.ent_a.founded_on.isoformat()}</td>' in row
    assert 'class="col-name"' in row


def test_the_report_preview_keeps_item_text_left_aligned_with_its_indentation(world):
    definition = ReportDefinition.objects.order_by("code").first()
    run = ReportRun.objects.create(
        definition=definition, region=world.county_a, period="2025", period_start="2025-01-01",
        period_end="2025-12-31", as_of="2025-12-31", version=1, status=ReportRun.Status.DONE,
        preview={"title": "表", "subtitle": "", "generated_at": "", "header": [[{"text": "项目"}]],
                 "rows": [["洪江市", "431281", 1, "企业总数", 10], ["洪江市", "431281", 2, "　其中：建立党组织", 4]],
                 "total_rows": 2, "notes": []})
    body = client_for(world.viewer_a).get(run.get_absolute_url()).content.decode()
    assert '<td class="preview-text">　其中：建立党组织</td>' in body
    assert '<td class="text-end text-nowrap">4</td>' in body


def test_member_balance_says_that_totals_net_out_internal_moves(world):
    body = client_for(world.viewer_a).get("/members/balance/").content.decode()
    assert 'data-testid="balance-note"' in body and "内部调动" in body


# --- item 7: a quick start that looks like the product -------------------------------------------------------

def test_make_run_installs_only_what_running_needs_and_make_test_adds_the_extras():
    makefile = (BASE_DIR / "Makefile").read_text()
    run_stamp = re.search(r"^\$\(STAMP\): pyproject.toml\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert 'pip install -q -e .\n' in run_stamp and "[test]" not in run_stamp
    assert re.search(r"^run: \$\(STAMP\)$", makefile, re.M)
    assert re.search(r"^test: \$\(TEST_STAMP\)$", makefile, re.M)
    assert '-e ".[test]"' in re.search(r"^\$\(TEST_STAMP\):.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    assert re.search(r"^DEBUG \?= false$", makefile, re.M)  # the portal's own 404/403/500 pages by default
    readme = (BASE_DIR / "README.md").read_text()
    assert "PORT=" in readme and "DEBUG=true" in readme and '"regions"' in readme


def test_a_403_is_one_log_line_not_a_traceback(world, caplog):
    from core.logging import ClientErrorsWithoutTraceback

    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",),
                               (PermissionDenied, PermissionDenied(), None))
    record.status_code = 403
    assert ClientErrorsWithoutTraceback().filter(record) and record.exc_info is None
    server_error = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (),
                                     (ValueError, ValueError(), None))
    server_error.status_code = 500
    assert ClientErrorsWithoutTraceback().filter(server_error) and server_error.exc_info is not None
