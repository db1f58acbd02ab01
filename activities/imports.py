"""Import kind `fund-incomes`: the finance office's list of activity funds paid to organizations (see
core/imports.py and docs/imports.md). A row identical to an income already recorded (organization, year,
source, day, amount) is left alone, so re-importing the same list adds nothing."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import Column, ImportKind, PlannedRow, register, rows_in
from organizations.models import PartyOrganization

from .models import FundIncome, FundSource


@register
class FundIncomeImport(ImportKind):
    key = "fund-incomes"
    label = gettext_lazy("Fund incomes")
    model = FundIncome
    natural_key = ""
    columns = [
        Column("organization_code", "党组织代码", required=True),
        Column("year", "年度", required=True, kind="int"),
        Column("source", "经费来源", required=True, kind="choice", choices=FundSource),
        Column("amount_yuan", "金额（元）", required=True, kind="decimal"),
        Column("received_on", "到账日期", required=True, kind="date"),
        Column("note", "备注"),
    ]
    field_for_column = {"organization_code": "organization"}

    def preload(self, rows, user):
        codes = {r["organization_code"] for r in rows if r.get("organization_code")}
        organizations = {o.code: o for o in rows_in(PartyOrganization.objects.visible_to(user), "code", codes)}
        years = {r["year"] for r in rows if r.get("year")}
        existing = set()
        if organizations and years:
            existing = set(FundIncome.objects.filter(
                organization_id__in=[o.pk for o in organizations.values()], year__in=years).values_list(
                "organization_id", "year", "source", "received_on", "amount_yuan"))
        return {"organizations": organizations, "existing": existing}

    def build(self, values, ctx):
        organization = ctx["organizations"].get(values["organization_code"])
        if organization is None:
            raise ValidationError({"organization_code": _("No organization with code “%(code)s” in your scope.") % {
                "code": values["organization_code"]}})
        income = FundIncome(organization=organization, year=values["year"], source=values["source"],
                            amount_yuan=values["amount_yuan"], received_on=values["received_on"],
                            note=values.get("note") or "")
        key = (organization.pk, values["year"], values["source"], values["received_on"], values["amount_yuan"])
        if key in ctx["existing"]:
            return PlannedRow(0, "unchanged", income, values)
        return PlannedRow(0, "create", income, values)
