"""A branch secretary files a committee meeting with its attendance in the browser; the county editor returns
it with a reason; the secretary corrects and resubmits; the editor accepts, and the record is locked."""

import re

import pytest
from playwright.sync_api import expect

from activities.models import ActivityRecord
from tests.e2e.conftest import PASSWORD, login
from tests.factories import make_user
from tests.members.helpers import new_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def status_of(page):
    return page.locator("[data-testid=record-status]").inner_text().strip()


def expect_status(page, text):
    """The status badge (retried until the page after a POST-redirect shows it)."""
    expect(page.locator("[data-testid=record-status]")).to_have_text(text)


def logout(page):
    page.context.clear_cookies()


def test_a_secretary_files_an_activity_the_editor_returns_it_then_accepts_the_correction(page, world):
    present = new_member(world.org_a, name="张出席")
    absent = new_member(world.org_a, name="李缺席")
    make_user("branch_secretary", organization=world.org_a, username="branch_sec", password=PASSWORD)
    make_user("region_editor", region=world.county_a, username="county_reviewer", password=PASSWORD)

    # The secretary files the record: kind, date, topic, attendance (one present, one absent with a reason).
    login(page, "branch_sec")
    page.goto(page.base_url + "/activities/")
    page.click("[data-testid=new-record]")
    page.wait_for_url("**/activities/records/add/**")
    form = page.locator("[data-testid=record-form]")
    assert form.locator("#id_organization").input_value() == world.org_a.code
    form.locator("#id_kind").select_option("committee_meeting")
    form.locator("#id_held_on").fill("2026-06-15")
    form.locator("#id_topic").fill("学习二十届三中全会精神（初稿）")
    attendance = form.locator("[data-testid=attendance]")
    assert "张出席" in attendance.inner_text() and "李缺席" in attendance.inner_text()
    assert attendance.locator(f"#present_{present.pk}").is_checked()
    attendance.locator(f"#present_{absent.pk}").uncheck()
    attendance.locator(f"input[name=reason_{absent.pk}]").fill("出差")
    form.locator("[data-testid=save-record]").click()
    page.wait_for_url(re.compile(r".*/activities/records/\d+/$"))
    assert "已保存" in page.locator("[data-testid=message-success]").inner_text()
    assert status_of(page) == "草稿"
    record = ActivityRecord.objects.get(organization=world.org_a)
    rows = page.locator("[data-testid=attendance] tbody tr")
    assert rows.count() == 2
    assert "✗" in rows.filter(has_text="李缺席").inner_text() and "出差" in rows.filter(has_text="李缺席").inner_text()
    assert "✓" in rows.filter(has_text="张出席").inner_text()

    page.click("[data-testid=submit-record]")
    expect_status(page, "已提交")
    assert "已提交审核" in page.locator("[data-testid=message-success]").inner_text()
    assert page.locator("[data-testid=edit-object]").count() == 0  # under review: no editing
    assert page.locator("[data-testid=accept-record]").count() == 0  # a secretary does not review
    logout(page)

    # The county editor finds it waiting for review and returns it with a reason.
    login(page, "county_reviewer")
    page.goto(page.base_url + "/activities/")
    page.locator("[data-testid=to-review] a", has_text="学习二十届三中全会精神").click()
    page.wait_for_url(f"**{record.get_absolute_url()}")
    assert status_of(page) == "已提交"
    page.fill("[data-testid=return-form] textarea[name=reason]", "议题表述不规范，请写明会议全称")
    page.click("[data-testid=return-record]")
    expect_status(page, "已退回")
    assert "已退回修改" in page.locator("[data-testid=message-success]").inner_text()
    logout(page)

    # The secretary sees the reason, corrects the topic and resubmits.
    login(page, "branch_sec")
    page.goto(page.base_url + "/activities/")
    returned = page.locator("[data-testid=returned]")
    assert "议题表述不规范，请写明会议全称" in returned.inner_text()
    returned.locator("a", has_text="学习二十届三中全会精神").click()
    page.wait_for_url(f"**{record.get_absolute_url()}")
    assert status_of(page) == "已退回"
    assert "议题表述不规范，请写明会议全称" in page.locator("[data-testid=detail-fields]").inner_text()
    page.click("[data-testid=edit-object]")
    page.wait_for_url(f"**{record.get_edit_url()}")
    form = page.locator("[data-testid=record-form]")
    # The attendance taken before is shown again.
    assert not form.locator(f"#present_{absent.pk}").is_checked()
    assert form.locator(f"input[name=reason_{absent.pk}]").input_value() == "出差"
    form.locator("#id_topic").fill("支委会：学习贯彻党的二十届三中全会精神")
    form.locator("[data-testid=save-record]").click()
    page.wait_for_url(f"**{record.get_absolute_url()}")
    assert status_of(page) == "已退回"
    assert "支委会：学习贯彻党的二十届三中全会精神" in page.locator("h1").inner_text()
    page.click("[data-testid=submit-record]")
    expect_status(page, "已提交")
    logout(page)

    # The editor accepts.
    login(page, "county_reviewer")
    page.goto(page.base_url + record.get_absolute_url())
    assert "支委会：学习贯彻党的二十届三中全会精神" in page.locator("h1").inner_text()
    page.click("[data-testid=accept-record]")
    expect_status(page, "审核通过")
    assert "已审核通过，记录已锁定" in page.locator("[data-testid=message-success]").inner_text()
    assert page.locator("[data-testid=return-form]").count() == 0
    logout(page)

    # The secretary sees the record locked: no edit or submit button, and the edit page refuses.
    login(page, "branch_sec")
    page.goto(page.base_url + record.get_absolute_url())
    assert status_of(page) == "审核通过"
    assert "审核通过的记录已锁定" in page.content()
    assert page.locator("[data-testid=edit-object]").count() == 0
    assert page.locator("[data-testid=submit-record]").count() == 0
    page.goto(page.base_url + record.get_edit_url())
    page.wait_for_url(f"**{record.get_absolute_url()}")
    assert "该记录已不能编辑" in page.locator("[data-testid=message-error]").inner_text()
    assert page.locator("[data-testid=record-form]").count() == 0

    record.refresh_from_db()
    assert record.status == ActivityRecord.Status.ACCEPTED
    assert record.kind == "committee_meeting" and str(record.held_on) == "2026-06-15"
    assert record.topic == "支委会：学习贯彻党的二十届三中全会精神"
    assert record.return_reason == "议题表述不规范，请写明会议全称"
    assert record.created_by.username == "branch_sec" and record.decided_by.username == "county_reviewer"
    assert sorted(record.attendance.values_list("member__name", "present", "absence_reason")) == [
        ("张出席", True, ""), ("李缺席", False, "出差")]
