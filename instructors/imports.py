"""Import kinds `instructors` and `instructor-assignments` (see core/imports.py and docs/imports.md)."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history

from core.imports import Column, ImportKind, PlannedRow, changed, register, rows_in
from organizations.models import Enterprise

from .models import (
    Assignment,
    Batch,
    Instructor,
    InstructorType,
    check_assignment_rules,
)


def _upper(value):
    return value.replace(" ", "").upper()


def _home_region(user):
    """New instructors belong to the importing user's region (an administrator's: the root region)."""
    from .services import home_region  # noqa: PLC0415 - the one rule, shared with the API

    return home_region(user)


@register
class InstructorImport(ImportKind):
    key = "instructors"
    label = gettext_lazy("Instructors")
    model = Instructor
    natural_key = "id_number"
    columns = [
        Column("name", "姓名", required=True),
        Column("id_number", "身份证号", required=True, normalize=_upper),
        Column("type", "指导员类型", required=True, help="code or name, e.g. party / 党建指导员"),
        Column("source_unit", "派出单位"),
        Column("active_from", "开始日期", required=True, kind="date"),
    ]
    data_fields = ["name", "type_id", "source_unit", "active_from"]

    def preload(self, rows, user):
        numbers = {r["id_number"] for r in rows if r.get("id_number")}
        visible = {i.id_number: i for i in rows_in(Instructor.objects.visible_to(user), "id_number", numbers)}
        every = set(rows_in(Instructor.objects.order_by().values_list("id_number", flat=True), "id_number", numbers))
        types = {}
        for kind in InstructorType.objects.all():
            types[kind.code.lower()] = kind
            types[kind.name.strip().lower()] = kind
        return {"existing": visible, "taken": every - set(visible), "types": types, "region": _home_region(user)}

    def build(self, values, ctx):
        if values["id_number"] in ctx["taken"]:
            raise ValidationError({"id_number": _("This ID number is already registered outside your scope.")})
        kind = ctx["types"].get(str(values["type"]).strip().lower())
        if kind is None:
            raise ValidationError({"type": _("“%(value)s” is not an instructor type (one of: %(choices)s).") % {
                "value": values["type"],
                "choices": ", ".join(sorted({f"{t.code} ({t.name})" for t in ctx["types"].values()}))}})
        fields = {"name": values["name"], "type_id": kind.pk, "source_unit": values.get("source_unit") or "",
                  "active_from": values["active_from"]}
        existing = ctx["existing"].get(values["id_number"])
        if existing is None:
            if ctx["region"] is None:
                raise ValidationError({"id_number": _("There is no region to register the instructor in.")})
            return PlannedRow(0, "create", Instructor(id_number=values["id_number"], region=ctx["region"], **fields),
                              values)
        if not changed(existing, fields):
            return PlannedRow(0, "unchanged", existing, values)
        for name, value in fields.items():
            setattr(existing, name, value)
        return PlannedRow(0, "update", existing, values)

    def update_fields(self):
        return ["name", "type", "source_unit", "active_from"]



@register
class AssignmentImport(ImportKind):
    """One row per assignment; an existing assignment is the same instructor, enterprise and start date.
    Batches are looked up by name in the instructor's (dispatching) region and created when missing."""

    key = "instructor-assignments"
    label = gettext_lazy("Instructor assignments")
    model = Assignment
    natural_key = ""
    columns = [
        Column("instructor_id_number", "指导员身份证号", required=True, normalize=_upper),
        Column("enterprise_uscc", "企业统一社会信用代码", required=True, normalize=_upper),
        Column("batch", "批次"),
        Column("start_on", "开始日期", required=True, kind="date"),
        Column("end_on", "结束日期", kind="date"),
    ]
    field_for_column = {"instructor_id_number": "instructor", "enterprise_uscc": "enterprise"}

    def preload(self, rows, user):
        instructors = {i.id_number: i for i in rows_in(
            Instructor.objects.visible_to(user), "id_number", {r["instructor_id_number"] for r in rows
                                                              if r.get("instructor_id_number")})}
        enterprises = {e.uscc: e for e in rows_in(
            Enterprise.objects.visible_to(user).only("pk", "uscc", "region_id"), "uscc",
            {r["enterprise_uscc"] for r in rows if r.get("enterprise_uscc")})}
        existing = {}
        if instructors:
            for assignment in rows_in(Assignment.objects.select_related("batch").filter(
                    enterprise_id__in=[e.pk for e in enterprises.values()]), "instructor_id",
                    {i.pk for i in instructors.values()}):
                existing.setdefault((assignment.instructor_id, assignment.enterprise_id), []).append(assignment)
        batches = {(b.region_id, b.name): b for b in Batch.objects.filter(
            region_id__in={i.region_id for i in instructors.values()},
            name__in={r["batch"] for r in rows if r.get("batch")})}
        return {"instructors": instructors, "enterprises": enterprises, "existing": existing, "batches": batches}

    def build(self, values, ctx):
        instructor = ctx["instructors"].get(values["instructor_id_number"])
        if instructor is None:
            raise ValidationError({"instructor": _("No instructor with this ID number in your scope.")})
        enterprise = ctx["enterprises"].get(values["enterprise_uscc"])
        if enterprise is None:
            raise ValidationError({"enterprise": _("No enterprise with this USCC in your scope.")})
        start_on, end_on = values["start_on"], values.get("end_on")
        if end_on is not None and end_on <= start_on:
            raise ValidationError({"end_on": _("The end date must be after the start date.")})
        batch_name = values.get("batch") or ""
        batch = ctx["batches"].get((instructor.region_id, batch_name)) if batch_name else None
        known = ctx["existing"].setdefault((instructor.pk, enterprise.pk), [])
        same = next((a for a in known if a.start_on == start_on), None)
        others = [a for a in known if a is not same]
        check_assignment_rules(instructor, enterprise.pk, start_on, end_on, existing=others)
        extra = {"batch_name": batch_name, "region_id": instructor.region_id}
        if same is not None:
            same_batch = same.batch.name if same.batch_id else ""
            if same.end_on == end_on and same_batch == batch_name:
                return PlannedRow(0, "unchanged", same, values, extra)
            same.end_on = end_on
            same.batch = batch
            same.rules_checked = True
            return PlannedRow(0, "update", same, values, extra)
        assignment = Assignment(instructor=instructor, enterprise=enterprise, batch=batch, start_on=start_on,
                                end_on=end_on)
        assignment.rules_checked = True
        known.append(assignment)  # later rows of the file must not overlap it either
        return PlannedRow(0, "create", assignment, values, extra)

    def write(self, plan, user):
        missing = {}
        for planned in plan:
            if planned.action == "unchanged" or not planned.extra["batch_name"]:
                continue
            key = (planned.extra["region_id"], planned.extra["batch_name"])
            if planned.instance.batch is None or planned.instance.batch.pk is None:
                missing.setdefault(key, Batch(region_id=key[0], name=key[1], dispatched_on=planned.values["start_on"]))
        if missing:
            bulk_create_with_history(list(missing.values()), Batch, default_user=user)
            created = {(b.region_id, b.name): b for b in Batch.objects.filter(
                Q(region_id__in={k[0] for k in missing}) & Q(name__in={k[1] for k in missing}))}
            for planned in plan:
                key = (planned.extra.get("region_id"), planned.extra.get("batch_name"))
                if planned.action != "unchanged" and key in missing:
                    planned.instance.batch = created[key]
        super().write(plan, user)

    def update_fields(self):
        return ["end_on", "batch"]
