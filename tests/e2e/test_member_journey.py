"""A county editor registers a member (a mistyped ID check character is refused in Chinese and writes nothing),
issues a transfer letter to another organization, prints it, records the receipt, and the member is now in the
new organization; a county viewer sees the member's ID number masked on the list and on the member's page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Member, MemberEvent, Transfer
from tests.e2e.conftest import PASSWORD, login
from tests.factories import make_organization, make_user
from tests.members.helpers import id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "王建国"


def logout(page):
    page.context.clear_cookies()


def fill_member_form(page, world, number):
    form = page.locator("[data-testid=object-form]")
    form.locator("#id_name").fill(NAME)
    form.locator("#id_id_number").fill(number)
    form.locator("#id_organization").fill(world.org_a.code)
    form.locator("#id_joined_on").fill("2018-07-01")
    form.locator("#id_full_on").fill("2019-07-01")  # a full member names the date (issue 18)
    form.locator("button[type=submit]").click()


def test_an_editor_registers_a_member_and_transfers_them_and_a_viewer_sees_the_id_number_masked(page, world):
    target = make_organization("DA2", world.town_a, name="黔城镇第二党支部")
    make_user("region_editor", region=world.county_a, username="member_editor", password=PASSWORD)
    make_user("region_viewer", region=world.county_a, username="member_viewer", password=PASSWORD)
    number = id_number("19880512", male=True)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")

    # A mistyped check character: the form says what is wrong, in Chinese, and nothing is written.
    login(page, "member_editor")
    page.goto(page.base_url + "/members/add/")
    fill_member_form(page, world, wrong)
    error = page.locator("[data-testid=error-id_number]")
    expect(error).to_contain_text("第 18 位是校验码")
    assert f"应为“{number[-1]}”而不是“{wrong[-1]}”" in error.inner_text()
    assert not Member.objects.filter(name=NAME).exists()

    # Corrected: registered, on the member's page.
    page.locator("#id_id_number").fill(number)
    page.locator("[data-testid=object-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/members/\d+/$"))
    member = Member.objects.get(name=NAME)
    assert page.url.endswith(f"/members/{member.pk}/")
    assert NAME in page.locator("h1").inner_text()
    assert "甲公司党支部" in page.locator("[data-testid=detail-fields]").inner_text()
    assert member.organization == world.org_a and member.id_number == number
    assert str(member.birth_date) == "1988-05-12" and member.gender == "male"

    # Issue the transfer letter from the accordion on the member's page.
    page.click("[data-testid=transfer-toggle]")
    transfer_form = page.locator("[data-testid=transfer-form]")
    expect(transfer_form).to_be_visible()
    transfer_form.locator("#id_to_organization").fill(target.code)
    transfer_form.locator("#id_note").fill("工作调动")
    transfer_form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/members/transfers/\d+/$"))
    transfer = Transfer.objects.get(member=member)
    assert f"介绍信 {transfer.letter_number} 已开具" in page.locator("[data-testid=message-success]").inner_text()
    details = page.locator("[data-testid=detail-fields]").inner_text()
    assert "黔城镇第二党支部" in details and "甲公司党支部" in details
    assert transfer.status == Transfer.Status.ISSUED and transfer.to_organization == target
    assert Member.objects.get(pk=member.pk).organization == world.org_a  # not moved before the receipt

    # The printable letter opens in a new tab: stub, letter and receipt, ID number masked.
    with page.context.expect_page() as letter_info:
        page.click("[data-testid=print-letter]")
    letter = letter_info.value
    letter.wait_for_load_state()
    text = letter.locator("[data-testid=transfer-letter]").inner_text()
    assert text.count(transfer.letter_number) == 3
    assert NAME in text and "黔城镇第二党支部" in text and "甲公司党支部" in text
    assert number[:4] + "********" + number[-4:] in text and number not in text
    letter.close()

    # Record the receipt on the transfer page: the member now belongs to the new organization.
    today = timezone.localdate().isoformat()
    receive = page.locator("[data-testid=receive-form]")
    assert receive.locator("input[name=day]").input_value() == today
    receive.locator("button[type=submit]").click()
    expect(page.locator("[data-testid=message-success]")).to_contain_text("回执已登记；该党员现属 黔城镇第二党支部")
    assert "已接收" in page.locator("[data-testid=detail-fields]").inner_text()
    assert page.locator("[data-testid=receive-form]").count() == 0
    page.locator("[data-testid=transfer-member] a", has_text=NAME).click()
    page.wait_for_url(f"**/members/{member.pk}/")
    assert "黔城镇第二党支部" in page.locator("[data-testid=detail-fields]").inner_text()
    assert "已接收" in page.locator("[data-testid=member-transfers]").inner_text()
    member.refresh_from_db()
    transfer.refresh_from_db()
    assert member.organization == target and member.left_on is None
    assert transfer.status == Transfer.Status.RECEIVED and transfer.received_on.isoformat() == today
    assert set(MemberEvent.objects.filter(member=member).values_list("kind", "organization__code")) >= {
        (MemberEvent.Kind.TRANSFERRED_OUT, world.org_a.code), (MemberEvent.Kind.TRANSFERRED_IN, target.code)}
    logout(page)

    # A county viewer: 4 digits, 8 stars, 4 digits, on the list and on the member's page; never the number.
    masked = number[:4] + "********" + number[-4:]
    login(page, "member_viewer")
    page.goto(page.base_url + "/members/")
    row = page.locator("[data-testid=object-table] tbody tr", has_text=NAME)
    expect(row).to_have_count(1)
    assert masked in row.inner_text() and "黔城镇第二党支部" in row.inner_text()
    assert re.search(r"\b\d{4}\*{8}\d{3}[\dX]\b", row.inner_text())
    assert number not in page.content()
    row.locator("a", has_text=NAME).click()
    page.wait_for_url(f"**/members/{member.pk}/")
    assert masked in page.locator("[data-testid=detail-fields]").inner_text()
    assert number not in page.content()
    assert page.locator("[data-testid=transfer-form]").count() == 0  # a viewer issues no letters
