"""Periods close in the browser: the county editor builds and submits its year-end Table 27; the city editor
returns it with a reason; the county builds a new version and resubmits; the city approves; a register edit
afterwards leaves the approved file byte-identical and the run page shows "figures changed since approval";
the city unlocks it with a reason."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from reports.models import ApprovalStep, ReportRun
from tests.e2e.conftest import PASSWORD, login
from tests.factories import EnterpriseFactory, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/approval")


def logout(page):
    page.context.clear_cookies()


def expect_approval(page, text):
    expect(page.locator("[data-testid=approval-state]")).to_have_text(text)


def download(page, testid="download-xlsx"):
    with page.expect_download() as info:
        page.locator(f"[data-testid={testid}]").first.click()
    return Path(info.value.path()).read_bytes()


def shoot(page, name):
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_county_submits_city_returns_county_resubmits_city_approves_then_unlocks(page, world):
    make_user("region_editor", region=world.county_a, username="county_filer", password=PASSWORD,
              first_name="填表", last_name="王")
    make_user("region_editor", region=world.city, username="city_approver", password=PASSWORD,
              first_name="审批", last_name="李")

    # The county editor sets the cover block's head and telephone, then builds the year-end table.
    login(page, "county_filer")
    page.goto(page.base_url + "/reports/units/431281/")
    page.fill("#id_head", "张书记")
    page.fill("#id_phone", "0745-7654321")
    page.click("[data-testid=save-unit]")
    assert "已保存" in page.locator("[data-testid=message-success]").inner_text()
    page.goto(page.base_url + "/reports/runs/new/?definition=nonpublic_enterprises&region=431281&period=2025")
    page.click("[data-testid=run-request-form] button[type=submit]")
    page.wait_for_url(re.compile(r".*/reports/runs/\d+/$"))
    first = ReportRun.objects.get(region__code="431281", version=1)
    expect_approval(page, "草稿")
    assert "填报单位：洪江市" in page.locator("[data-testid=cover-block]").inner_text()
    assert "单位负责人：张书记" in page.locator("[data-testid=cover-block]").inner_text()
    assert page.locator("[data-testid=approval-approve]").count() == 0  # nobody approves their own region's
    page.click("[data-testid=approval-submit]")
    expect_approval(page, "已提交")
    assert "已报送审批" in page.locator("[data-testid=message-success]").inner_text()
    assert "填表人：王填表" in page.locator("[data-testid=cover-block]").inner_text()
    assert page.locator("[data-testid=rerun]").count() == 0  # no new run while submitted
    logout(page)

    # The city editor finds it in the inbox and returns it with a reason.
    login(page, "city_approver")
    page.goto(page.base_url + "/reports/runs/")
    page.click("[data-testid=inbox-link]")
    page.wait_for_url("**/reports/approvals/inbox/")
    page.locator("table a", has_text="非公有经济控制的企业").first.click()
    page.wait_for_url(f"**/reports/runs/{first.pk}/")
    page.fill("[data-testid=return-form] textarea[name=reason]", "请核对黔城镇企业数后重新报送")
    page.click("[data-testid=approval-return]")
    expect_approval(page, "已退回")
    logout(page)

    # The county sees the reason, builds a new version and submits it.
    login(page, "county_filer")
    page.goto(page.base_url + f"/reports/runs/{first.pk}/")
    assert "请核对黔城镇企业数后重新报送" in page.locator("[data-testid=return-reason]").inner_text()
    assert page.locator("[data-testid=approval-submit]").count() == 1  # a returned run may be resubmitted
    page.click("[data-testid=rerun]")
    page.wait_for_url("**/reports/runs/new/**")
    page.click("[data-testid=run-request-form] button[type=submit]")
    page.wait_for_url(lambda url: url.rstrip("/").endswith(str(first.pk + 1)))
    second = ReportRun.objects.get(region__code="431281", version=2)
    expect_approval(page, "草稿")
    page.click("[data-testid=approval-submit]")
    expect_approval(page, "已提交")
    logout(page)

    # The city approves version 2 and downloads the frozen file.
    login(page, "city_approver")
    page.goto(page.base_url + "/reports/approvals/inbox/")
    page.locator("table a", has_text="非公有经济控制的企业").first.click()
    page.wait_for_url(f"**/reports/runs/{second.pk}/")
    page.click("[data-testid=approval-approve]")
    expect_approval(page, "已审批")
    assert "审批：王填表 于" in page.locator("[data-testid=cover-block]").inner_text()
    assert "李审批（怀化市）" in page.locator("[data-testid=cover-block]").inner_text()
    assert page.locator("[data-testid=figures-changed]").count() == 0
    approved_xlsx = download(page)
    approved_csv = download(page, "download-csv")
    chain = page.locator("[data-testid=approval-chain]").inner_text()
    assert chain.count("已提交") == 2 and "已退回" in chain and "已审批" in chain

    # A register edit after approval: a newly registered enterprise dated before the year end.
    EnterpriseFactory(region=world.town_a, name="补登企业有限公司", founded_on=datetime.date(2020, 5, 1))
    page.reload()
    changed = page.locator("[data-testid=figures-changed]")
    expect(changed).to_be_visible()
    assert "审批后数字已变化" in changed.inner_text() and "单位数" in changed.inner_text()
    assert download(page) == approved_xlsx  # the approved file is byte-identical
    assert download(page, "download-csv") == approved_csv
    shoot(page, "run-page-approved")

    # The completeness page: the county approved, the other county missing (late after 15 January).
    page.goto(page.base_url + "/reports/approvals/?definition=nonpublic_enterprises&period=2025&region=431200")
    expect(page.locator("[data-testid=due-on]")).to_have_text("2026-01-15")
    assert "已审批" in page.locator("[data-testid=approval-row-431281]").inner_text()
    assert "未上报" in page.locator("[data-testid=approval-row-431202]").inner_text()
    assert "table-danger" in page.locator("[data-testid=approval-row-431202]").get_attribute("class")
    shoot(page, "approvals-page")

    # A late correction: the city unlocks with a reason; the county can build a new version.
    page.goto(page.base_url + f"/reports/runs/{second.pk}/")
    page.fill("[data-testid=unlock-form] textarea[name=reason]", "补登企业一家，请更正后重报")
    page.click("[data-testid=approval-unlock]")
    expect_approval(page, "已退回")
    assert "补登企业一家，请更正后重报" in page.locator("[data-testid=return-reason]").inner_text()
    assert "解锁" in page.locator("[data-testid=approval-chain]").inner_text()
    shoot(page, "run-page-unlocked")

    second.refresh_from_db()
    assert second.approval == "returned" and second.return_reason == "补登企业一家，请更正后重报"
    assert list(ApprovalStep.objects.filter(run__region__code="431281").values_list("run__version", "action")) == [
        (1, "submit"), (1, "return"), (2, "submit"), (2, "approve"), (2, "unlock")]
