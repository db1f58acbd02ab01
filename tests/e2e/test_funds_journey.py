"""A branch secretary records what the organization received and spent, attaches the receipt, and is told
in Chinese when a spending would exceed the funds; the balance on the funds page is worked out by hand."""

import re

import pytest

from activities.models import FundIncome, FundReceipt, FundSpending
from tests.e2e.conftest import PASSWORD, login
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_secretary_records_a_spending_with_its_receipt(page, world, tmp_path):
    FundIncome.objects.create(organization=world.org_a, year=2026, source="dues_returned", amount_yuan="800",
                              received_on="2026-02-01")
    make_user("branch_secretary", organization=world.org_a, username="fund_sec", password=PASSWORD)
    login(page, "fund_sec")
    page.goto(page.base_url + "/activities/funds/spendings/add/")
    page.fill("#id_organization", world.org_a.code)
    page.fill("#id_spent_on", "2026-03-01")
    page.fill("#id_amount_yuan", "900")
    page.fill("#id_purpose", "购买党建书籍")
    page.locator("[data-testid=object-form] button[type=submit]").click()
    assert "可用余额为 800" in page.content()  # over the funds: refused, in Chinese, nothing saved
    assert not FundSpending.objects.exists()
    page.fill("#id_amount_yuan", "300")
    page.locator("[data-testid=object-form] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/activities/funds/spendings/\d+/$"))
    receipt = tmp_path / "发票.png"
    receipt.write_bytes(PNG)
    page.set_input_files("input[type=file]", str(receipt))
    page.locator("[data-testid=receipt-form] button[type=submit]").click()
    page.wait_for_selector("[data-testid=receipts] a")
    assert FundReceipt.objects.get().original_name == "发票.png"
    page.goto(page.base_url + "/activities/funds/?year=2026")
    row = page.locator("[data-testid=fund-organizations] tbody tr").first
    assert row.locator("td").last.inner_text().strip() in {"500", "500.00"}  # 800 received − 300 spent
    page.screenshot(path=str(tmp_path / "funds.png"))
