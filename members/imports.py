"""Import kind `members` (see core/imports.py and docs/imports.md): the register from a spreadsheet.

New members enter the register with an `admitted` event dated `joined_on` in their organization, so the
member balance agrees with the register from the first import. An existing member (same ID number) is
updated in place; a different organization or standing is refused, because those change only by events, and
a different employer is recorded as an `employer_changed` event dated today (figures for earlier dates keep the
old employer)."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from core.imports import BATCH, Column, ImportKind, PlannedRow, changed, register, rows_in
from organizations.models import Enterprise, PartyOrganization

from . import spans
from .models import Gender, Member, MemberCategory, MemberEvent, Standing
from .validators import normalize_id_number


@register
class MemberImport(ImportKind):
    key = "members"
    label = gettext_lazy("Party members")
    model = Member
    natural_key = "id_number"
    roles = frozenset({"admin", "region_editor", "branch_secretary"})
    columns = [
        Column("name", "姓名", required=True),
        Column("id_number", "身份证号", required=True, normalize=normalize_id_number),
        Column("gender", "性别", kind="choice", choices=Gender, help="male/female, 男/女; derived from the ID when empty"),
        Column("organization_code", "党组织代码", required=True),
        Column("employer_uscc", "工作单位统一社会信用代码", normalize=lambda v: v.replace(" ", "").upper()),
        Column("standing", "党员类别", kind="choice", choices=Standing, help="full/probationary, 正式党员/预备党员"),
        Column("category", "人员类别", kind="choice", choices=MemberCategory),
        Column("joined_on", "入党日期", required=True, kind="date"),
        Column("full_on", "转正日期", kind="date"),
    ]
    field_for_column = {"organization_code": "organization", "employer_uscc": "employer"}

    def preload(self, rows, user):
        numbers = {r["id_number"] for r in rows if r.get("id_number")}
        visible = {m.id_number: m for m in rows_in(Member.objects.visible_to(user), "id_number", numbers)}
        every = set(rows_in(Member.objects.order_by().values_list("id_number", flat=True), "id_number", numbers))
        organizations = {o.code: o for o in rows_in(PartyOrganization.objects.visible_to(user).only("pk", "code", "path"),
                                                    "code", {r["organization_code"] for r in rows
                                                             if r.get("organization_code")})}
        enterprises = {e.uscc: e for e in rows_in(Enterprise.objects.visible_to(user).only("pk", "uscc"), "uscc",
                                                  {r["employer_uscc"] for r in rows if r.get("employer_uscc")})}
        return {"existing": visible, "taken": every - set(visible), "organizations": organizations,
                "enterprises": enterprises}

    def build(self, values, ctx):
        number = values["id_number"]
        if number in ctx["taken"]:
            raise ValidationError({"id_number": _("This ID number is already registered outside your scope.")})
        organization = ctx["organizations"].get(values["organization_code"])
        if organization is None:
            raise ValidationError({"organization": _("No organization with this code in your scope.")})
        employer = None
        if values.get("employer_uscc"):
            employer = ctx["enterprises"].get(values["employer_uscc"])
            if employer is None:
                raise ValidationError({"employer": _("No enterprise with this USCC in your scope.")})
        standing = values.get("standing") or (Standing.FULL if values.get("full_on") else Standing.PROBATIONARY)
        fields = {"name": values["name"], "employer_id": employer.pk if employer else None,
                  "joined_on": values["joined_on"]}
        for key in ("gender", "category", "full_on"):
            if values.get(key) or self.given(key):
                fields[key] = values.get(key) or ("" if key == "gender" else None)
        if fields.get("category") is None:
            fields.pop("category", None)
        existing = ctx["existing"].get(number)
        if existing is None:
            member = Member(id_number=number, organization_id=organization.pk, standing=standing, **fields)
            member.organization = organization
            return PlannedRow(0, "create", member, values)
        if existing.organization_id != organization.pk:
            raise ValidationError({"organization": _("The member belongs to another organization; a move is a "
                                                     "transfer (record it on the member's page).")})
        if self.given("standing") and values.get("standing") and existing.standing != values["standing"]:
            raise ValidationError({"standing": _("A change of standing is recorded as an event (converted to full).")})
        if fields.get("gender") == "":
            fields.pop("gender")
        if not changed(existing, fields):
            return PlannedRow(0, "unchanged", existing, values)
        existing.employer_before = existing.employer_id  # a change of employer becomes an event dated today
        for name, value in fields.items():
            setattr(existing, name, value)
        return PlannedRow(0, "update", existing, values)

    def update_fields(self):
        return ["name", "gender", "birth_date", "employer", "category", "joined_on", "full_on"]

    def write(self, plan, user):
        super().write(plan, user)
        created = [p.instance for p in plan if p.action == "create"]
        if created:
            # bulk_create does not return ids on every backend: read them back by the unique ID number
            ids = dict(rows_in(Member.objects.order_by().values_list("id_number", "pk"), "id_number",
                               {m.id_number for m in created}))
            for member in created:
                member.pk = ids[member.id_number]
            events = [MemberEvent(member_id=m.pk, kind=MemberEvent.Kind.ADMITTED, occurred_on=m.joined_on,
                                  organization_id=m.organization_id, employer_id=m.employer_id, recorded_by=user,
                                  note=_("Entered by import")) for m in created]
            bulk_create_with_history(events, MemberEvent, batch_size=BATCH, default_user=user)
            spans.create_initial(created)
        moved = [p.instance for p in plan if p.action == "update"
                 and p.instance.employer_id != getattr(p.instance, "employer_before", p.instance.employer_id)]
        if moved:
            events = [MemberEvent(member_id=m.pk, kind=MemberEvent.Kind.EMPLOYER_CHANGED,
                                  occurred_on=timezone.localdate(),
                                  organization_id=m.organization_id, employer_id=m.employer_id, recorded_by=user,
                                  note=_("Changed by import")) for m in moved]
            bulk_create_with_history(events, MemberEvent, batch_size=BATCH, default_user=user)
        updated = [p.instance for p in plan if p.action == "update"]
        if updated:  # their facts (employer, date of becoming full) hold from today; earlier dates keep the old
            spans.split_bulk(updated, timezone.localdate())
