"""Importing the finance office's list of activity funds: every bad row reported, nothing written unless all
are good, a re-import adds nothing, and organizations outside the importer's scope do not exist for them."""

from decimal import Decimal

import pytest

from activities.models import FundIncome
from core.imports import run_import

pytestmark = pytest.mark.django_db

HEADER = "党组织代码,年度,经费来源,金额（元）,到账日期,备注\n"


def test_fund_incomes_import(world, django_assert_max_num_queries):
    good = HEADER + "DA1,2026,财政按党员人数拨付,1500,2026-03-01,一季度\nDA1,2026,management_fee,2000.50,2026-04-01,\n"
    with django_assert_max_num_queries(30):
        result = run_import("fund-incomes", good.encode(), "funds.csv", world.editor_a)
    assert result.ok, result.messages()
    assert result.count("create") == 2
    assert sorted(FundIncome.objects.values_list("source", "amount_yuan")) == [
        ("fiscal_member", Decimal("1500.00")), ("management_fee", Decimal("2000.50"))]
    again = run_import("fund-incomes", good.encode(), "funds.csv", world.editor_a)
    assert again.ok and again.count("unchanged") == 2 and FundIncome.objects.count() == 2
    bad = HEADER + ("DB1,2026,其他,10,2026-03-01,\n"        # another county's organization
                    "DA1,2026,捐款,10,2026-03-01,\n"          # not a source
                    "DA1,2026,其他,0,2026-03-01,\n"           # not more than zero
                    "DA1,2026,其他,10,2025-12-31,\n")         # outside the year
    result = run_import("fund-incomes", bad.encode(), "funds.csv", world.editor_a)
    assert not result.ok
    rows = sorted({error.row for error in result.errors})
    assert rows == [2, 3, 4, 5], result.messages()
    assert FundIncome.objects.count() == 2
