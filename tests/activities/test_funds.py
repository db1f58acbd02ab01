"""Activity funds: income by source, spending that may not exceed the balance, receipts, allocation by the
rules, and the figures per region (worked out by hand below)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import FundIncome, FundReceipt, FundSpending
from tests.activities.helpers import make_member
from tests.conftest import api_as
from tests.factories import cover, make_organization, make_user

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def income(org, year, source, amount, day=None):
    return FundIncome.objects.create(organization=org, year=year, source=source, amount_yuan=Decimal(amount),
                                     received_on=day or datetime.date(year, 2, 1))


def spend(org, day, amount, purpose="购买学习资料"):
    return FundSpending.objects.create(organization=org, spent_on=day, amount_yuan=Decimal(amount), purpose=purpose)


@pytest.fixture
def funds(world):
    """org_a (town A, county A): 2025 other 500, spent 300 in 2025; 2026 management fee 2000, fiscal by
    member 1500, spent 1200. org_b (county B): 2026 dues returned 800, spent 800.
    By hand, 2026, city: county A income 3500, spent 1200, balance (500+2000+1500)−(300+1200) = 2500;
    county B income 800, spent 800, balance 0."""
    income(world.org_a, 2025, "other", "500")
    spend(world.org_a, datetime.date(2025, 6, 1), "300")
    income(world.org_a, 2026, "management_fee", "2000")
    income(world.org_a, 2026, "fiscal_member", "1500")
    spend(world.org_a, datetime.date(2026, 3, 1), "1200")
    income(world.org_b, 2026, "dues_returned", "800")
    spend(world.org_b, datetime.date(2026, 5, 1), "800")
    return world


def test_region_totals_and_balances_per_child_region(funds, client, django_assert_max_num_queries):
    client.force_login(funds.admin)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("activities:fund_overview"), {"region": "431200", "year": 2026})
    lines = {line["region"].code: line for line in response.context["children"]}
    assert lines["431281"]["income"] == Decimal("3500") and lines["431281"]["spent"] == Decimal("1200")
    assert lines["431281"]["balance"] == Decimal("2500")
    assert lines["431281"]["cells"][:2] == [Decimal("2000"), 0]  # management fee, fiscal by scale
    assert lines["431202"]["income"] == Decimal("800") and lines["431202"]["balance"] == 0
    # 2025 alone: county A received 500, spent 300, balance 200
    lines = {line["region"].code: line for line in client.get(
        reverse("activities:fund_overview"), {"region": "431200", "year": 2025}).context["children"]}
    assert lines["431281"]["balance"] == Decimal("200") and lines["431202"]["income"] == 0


def test_secretary_sees_only_their_organization(funds, client):
    client.force_login(funds.secretary_a)
    response = client.get(reverse("activities:fund_overview"), {"year": 2026})
    assert response.status_code == 200
    assert [row["organization"] for row in response.context["organizations"]] == [funds.org_a]
    assert response.context["organizations"][0]["balance"] == Decimal("2500")
    assert client.get(reverse("activities:fund_overview"), {"region": "431202"}).status_code == 404
    assert client.get(reverse("activities:fund_overview"), {"organization": "DB1"}).status_code == 404


def test_spending_may_not_exceed_the_balance_on_its_day_or_later(funds):
    client = api_as(funds.secretary_a)
    # on 2025-07-01 only 500 − 300 = 200 were there
    over = client.post("/api/v1/fund-spendings/", {"organization": "DA1", "spent_on": "2025-07-01",
                                                  "amount_yuan": "300.00", "purpose": "慰问"}, format="json")
    assert over.status_code == 400 and "200" in over.json()["amount_yuan"][0]
    ok = client.post("/api/v1/fund-spendings/", {"organization": "DA1", "spent_on": "2025-07-01",
                                                "amount_yuan": "150.00", "purpose": "慰问"}, format="json")
    assert ok.status_code == 201, ok.json()
    # now 2500 − 150 = 2350 remain at the end; 2400 on 2026-04-01 would leave nothing for what was spent later
    later = client.post("/api/v1/fund-spendings/", {"organization": "DA1", "spent_on": "2026-02-15",
                                                   "amount_yuan": "2400.00", "purpose": "活动"}, format="json")
    assert later.status_code == 400 and "2350" in later.json()["amount_yuan"][0]
    # raising an existing spending counts its old amount back in
    changed = client.patch(f"/api/v1/fund-spendings/{ok.json()['id']}/", {"amount_yuan": "200.00"}, format="json")
    assert changed.status_code == 200, changed.json()
    assert FundSpending.objects.filter(organization=funds.org_a).count() == 3
    assert client.post("/api/v1/fund-spendings/", {"organization": "DB1", "spent_on": "2026-06-01",
                                                   "amount_yuan": "1", "purpose": "x"}, format="json").status_code == 400


def test_income_rules(funds):
    client = api_as(funds.editor_a)
    wrong_year = client.post("/api/v1/fund-incomes/", {"organization": "DA1", "year": 2026, "source": "other",
                                                       "amount_yuan": "10", "received_on": "2025-12-31"},
                             format="json")
    assert wrong_year.status_code == 400 and "received_on" in wrong_year.json()
    zero = client.post("/api/v1/fund-incomes/", {"organization": "DA1", "year": 2026, "source": "other",
                                                 "amount_yuan": "0", "received_on": "2026-03-01"}, format="json")
    assert zero.status_code == 400 and "amount_yuan" in zero.json()
    assert client.post("/api/v1/fund-incomes/", {"organization": "DB1", "year": 2026, "source": "other",
                                                 "amount_yuan": "10", "received_on": "2026-03-01"},
                       format="json").status_code == 400


def test_receipts_are_checked_stored_privately_and_scoped(funds, client):
    spending = FundSpending.objects.get(organization=funds.org_a, spent_on=datetime.date(2026, 3, 1))
    client.force_login(funds.secretary_a)
    url = reverse("activities:fund_receipt_upload", args=[spending.pk])
    client.post(url, {"file": SimpleUploadedFile("发票.txt", b"not a receipt", content_type="image/png")})
    assert not FundReceipt.objects.exists()
    client.post(url, {"file": SimpleUploadedFile("发票.png", PNG, content_type="image/png")})
    receipt = FundReceipt.objects.get()
    assert receipt.original_name == "发票.png" and receipt.content_type == "image/png"
    assert client.get(receipt.get_absolute_url()).status_code == 200
    page = client.get(spending.get_absolute_url())
    assert "发票.png" in page.content.decode()
    outsider = make_user("region_viewer", region=funds.county_b)
    client.force_login(outsider)
    assert client.get(receipt.get_absolute_url()).status_code == 404
    assert client.get(spending.get_absolute_url()).status_code == 404
    assert api_as(outsider).get(f"/api/v1/fund-spendings/{spending.pk}/receipts/{receipt.pk}/").status_code == 404
    own = api_as(funds.viewer_a).get(f"/api/v1/fund-spendings/{spending.pk}/")
    assert own.json()["receipts"][0]["original_name"] == "发票.png"


def test_fiscal_allocation_due_by_the_rules(world, client):
    """org_a covers ent_a (30 employees: small, 50 000) and a second small enterprise from 2026-03-01 (not on
    1 January); it holds 2 members on 1 January 2026 (a third joins later): 50 000 + 2 × 500 = 51 000."""
    from tests.factories import EnterpriseFactory

    cover(world.org_a, world.ent_a)
    cover(world.org_a, EnterpriseFactory(region=world.town_a), valid_from=datetime.date(2026, 3, 1))
    make_member(world.org_a)
    make_member(world.org_a)
    make_member(world.org_a, joined_on=datetime.date(2026, 2, 1))
    income(world.org_a, 2026, "fiscal_scale", "50000")
    client.force_login(world.viewer_a)
    due = client.get(reverse("activities:fund_overview"), {"organization": "DA1", "year": 2026}).context["due"]
    assert (due["enterprises"], due["by_scale"], due["members"], due["by_member"]) == (1, Decimal("50000"), 2,
                                                                                     Decimal("1000"))
    assert due["total"] == Decimal("51000") and due["received_scale"] == Decimal("50000")


def test_spending_page_form_reports_the_balance_rule(funds, client):
    client.force_login(funds.secretary_a)
    response = client.post(reverse("activities:fund_spending_create"), {
        "organization": "DA1", "spent_on": "2026-06-01", "amount_yuan": "9999", "purpose": "活动"})
    assert response.status_code == 200
    assert "2500" in str(response.context["form"].errors["amount_yuan"])
    other = make_organization("DA2", funds.town_a)
    response = client.post(reverse("activities:fund_spending_create"), {
        "organization": other.code, "spent_on": "2026-06-01", "amount_yuan": "1", "purpose": "活动"})
    assert FundSpending.objects.filter(organization=other).count() == 0
