"""Pages: activity records (file, review, attachments, history), compliance with drill-down, secretary
reminders, suggestions, checklists and assessment results (totals per region and level), activity funds
(income, spending with receipts, balances), pairings and co-construction."""

import datetime
from collections import defaultdict

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import pgettext_lazy
from django.views import View

from core.forms import bootstrapify
from core.roles import BRANCH_EDIT_ROLES, STAFF_EDIT_ROLES, STATISTICS_ROLES, Role
from core.scoping import user_is_unrestricted
from core.views import (
    Column,
    ObjectActionView,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedObjectMixin,
    restrict_form_fields,
)
from members.models import Member
from organizations.models import PartyOrganization, Region

from . import services
from .compliance import Plan, parse_period, unit_containing
from .figures import breakdown, figures_region
from .filters import (
    ActivityRecordFilterSet,
    AssessmentResultFilterSet,
    ChecklistResultFilterSet,
    FundIncomeFilterSet,
    FundSpendingFilterSet,
    PairingFilterSet,
    SuggestionFilterSet,
)
from .forms import (
    ActivityRecordForm,
    AssessmentResultForm,
    AttachmentForm,
    ChecklistResultForm,
    EmptyForm,
    FundIncomeForm,
    FundSpendingForm,
    PairingForm,
    PairingResultForm,
    ReturnForm,
    SuggestionForm,
)
from .models import ActivityKind, ActivityRecord, AssessmentResult, Attachment, ChecklistResult, FrequencyRule, Suggestion
from .models import (
    AssessmentScheme,
    FundIncome,
    FundReceipt,
    FundSource,
    FundSpending,
    Pairing,
    PairingResult,
)



# --- activity records ---------------------------------------------------------------------------

class ActivityRecordListView(ObjectListView):
    """Records: a table on a desk, cards on a phone (same rows); filters folded on a phone; what is to do
    today (still due, returned, drafts, waiting for review) above the list."""

    model = ActivityRecord
    filterset_class = ActivityRecordFilterSet
    create_url_name = "activities:record_create"
    edit_roles = BRANCH_EDIT_ROLES
    template_name = "activities/record_list.html"
    title = gettext_lazy("Activity records")
    default_sort = "-held_on"
    columns = [
        Column("held_on", gettext_lazy("Held on"), link=True),
        Column("kind", gettext_lazy("Kind")),
        Column("topic", gettext_lazy("Topic")),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code"),
        Column("status", gettext_lazy("Status")),
    ]

    def get_base_queryset(self):
        return ActivityRecord.objects.select_related("organization")

    def get_extra_context(self):
        user = self.request.user
        counts = ActivityRecord.objects.visible_to(user).aggregate(
            returned=Count("id", filter=Q(status=ActivityRecord.Status.RETURNED)),
            drafts=Count("id", filter=Q(status=ActivityRecord.Status.DRAFT)),
            submitted=Count("id", filter=Q(status=ActivityRecord.Status.SUBMITTED)))
        own = [user.scope_organization] if user.role == Role.BRANCH_SECRETARY and user.scope_organization_id else []
        active_filters = sum(1 for key, value in self.request.GET.items()
                             if value and key not in {"page", "sort", "page_size", "export"})
        return {"todo": counts, "reminders": reminders_for(own, timezone.localdate()),
                "may_review": services.may_review(user), "active_filters": active_filters,
                "quick_filing": _may_quick_file(user)}


class ActivityRecordDetailView(ObjectDetailView):
    model = ActivityRecord
    edit_roles = BRANCH_EDIT_ROLES
    detail_fields = ["organization", "kind", "held_on", "place", "topic", "host", "recorder", "minutes", "status",
                     "return_reason", "created_by", "submitted_at", "submitted_by", "decided_at", "decided_by"]

    def get_base_queryset(self):
        return ActivityRecord.objects.select_related("organization", "created_by", "submitted_by", "decided_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record, user = self.object, self.request.user
        may_file = self.can_edit and (user.role != Role.BRANCH_SECRETARY
                                      or record.organization_id == user.scope_organization_id)
        context.update({
            "attendance": record.attendance.select_related("member"),
            "attachments": record.attachments.all(),
            "can_submit": may_file and record.is_editable,
            "can_change": may_file and record.is_editable,
            "can_review": services.may_review(user) and record.status == ActivityRecord.Status.SUBMITTED,
            "return_form": ReturnForm(),
            "attachment_form": AttachmentForm(),
        })
        context["can_edit"] = context["can_change"]
        return context


def _members_for(organization, day):
    if organization is None:
        return []
    day = day or timezone.localdate()
    return list(Member.objects.held_in_on(organization.pk, day).order_by("name", "id"))


class ActivityRecordEditView(ObjectEditView):
    model = ActivityRecord
    form_class = ActivityRecordForm
    edit_roles = BRANCH_EDIT_ROLES
    template_name = "activities/record_form.html"

    def _organization(self, instance):
        if instance is not None:
            return instance.organization
        visible = PartyOrganization.objects.visible_to(self.request.user)
        code = self.request.POST.get("organization") or self.request.GET.get("organization")
        if code:
            return visible.filter(code=code.strip()).first()
        if self.request.user.scope_organization_id:
            return self.request.user.scope_organization
        return None

    def get_form(self, instance, data=None, files=None):
        organization = self._organization(instance)
        members = _members_for(organization, instance.held_on if instance is not None else None)
        initial = {"organization": organization.code} if organization is not None and instance is None else None
        form = self.form_class(data=data, files=files, instance=instance, members=members, initial=initial)
        restrict_form_fields(form, self.request.user)
        return bootstrapify(form)

    def get(self, request, *args, **kwargs):
        instance = self.get_object()
        if instance is not None and not instance.is_editable:
            messages.error(request, _("This record can no longer be edited (status: %(status)s).")
                           % {"status": instance.get_status_display()})
            return redirect(instance.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def save(self, form):
        return services.save_record(self.request.user, form.save(commit=False), form.attendance_entries())


class ActivityRecordHistoryView(ObjectHistoryView):
    model = ActivityRecord


class _RecordAction(ObjectActionView):
    model = ActivityRecord
    form_class = EmptyForm
    edit_roles = BRANCH_EDIT_ROLES


class SubmitView(_RecordAction):
    def perform(self, obj, form):
        services.submit(obj, self.request.user)
        return _("Submitted for review.")


class AcceptView(_RecordAction):
    edit_roles = STAFF_EDIT_ROLES

    def perform(self, obj, form):
        services.accept(obj, self.request.user)
        return _("Accepted; the record is now locked.")


class ReturnView(_RecordAction):
    edit_roles = STAFF_EDIT_ROLES
    form_class = ReturnForm

    def perform(self, obj, form):
        services.return_record(obj, self.request.user, form.cleaned_data["reason"])
        return _("Returned for correction.")


class AttachmentUploadView(_RecordAction):
    form_class = AttachmentForm

    def get_form(self, obj):
        return AttachmentForm(self.request.POST, self.request.FILES)

    def perform(self, obj, form):
        services.add_attachment(obj, self.request.user, form.cleaned_data["file"])
        return _("Attachment added.")


class AttachmentDownloadView(ScopedObjectMixin, View):
    """The only way to an attachment's bytes: through the caller's scope (else 404)."""

    model = Attachment

    def get(self, request, pk):
        attachment = self.get_queryset().filter(pk=pk).first()
        if attachment is None:
            raise Http404
        return attachment_response(attachment)


def attachment_response(attachment):
    """Safe images (PNG, JPEG, GIF, WebP) shown inline, everything else downloaded (Content-Disposition:
    attachment), always under a name with the extension of the detected type; never sniffed by the browser,
    never cached by proxies."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=not attachment.shown_inline, filename=attachment.download_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- compliance -----------------------------------------------------------------------------------

def _current_quarter():
    return unit_containing("quarter", timezone.localdate()).label


class ComplianceView(ScopedObjectMixin, View):
    """Compliance of a region: one line per child region (organizations, compliant, with overdue kinds)
    to drill down, and the organizations registered in the region itself."""

    view_roles = STATISTICS_ROLES
    model = Region

    def get(self, request):
        user = request.user
        label = request.GET.get("period") or _current_quarter()
        try:
            period = parse_period(label)
        except ValueError as error:
            messages.error(request, str(error))
            period = parse_period(_current_quarter())
        regions = Region.objects.visible_to(user)
        code = request.GET.get("region")
        if code:
            region = regions.filter(code=code).first()
            if region is None:
                raise Http404
        elif user.scope_region_id:
            region = user.scope_region
        elif user_is_unrestricted(user):
            region = Region.objects.get_first_root_node()
        else:
            region = None
        if region is None:
            # Branch secretaries have no region: they see their own organizations.
            organizations = PartyOrganization.objects.visible_to(user)
            return self.render(period, None, [], self.rows(organizations, period))
        visible = PartyOrganization.objects.visible_to(user)
        # the organizations registered in the region itself, in full; below it, one summary line per child
        # region, computed in SQL (a province has 150,000 organizations: their rows are never read one by one)
        own = self.rows(visible.filter(region=region), period)
        children = list(Region.objects.filter(path__startswith=region.path, depth=region.depth + 1))
        summary = {child.path: {"region": child, "organizations": 0, "compliant": 0, "overdue": 0}
                   for child in children}
        step = len(region.path) + Region.steplen
        below = visible.filter(region__path__startswith=region.path).exclude(region=region)
        for under, unmet, ended_unmet in Plan.for_period(period).summary_by_prefix(below, step):
            line = summary.get(under)
            if line is not None:
                line["organizations"] += 1
                line["compliant"] += unmet == 0
                line["overdue"] += ended_unmet > 0
        return self.render(period, region, list(summary.values()), own, ancestors=list(Region.objects.filter(
            path__in=[region.path[:i] for i in range(Region.steplen, len(region.path), Region.steplen)])))

    @staticmethod
    def rows(organizations, period):
        plan = Plan.for_period(period)
        return [(dict(plan.read(org), url=org.get_absolute_url()), org.region.path)
                for org in plan.organizations(organizations)]

    def render(self, period, region, children, rows, ancestors=()):
        kinds = dict(ActivityKind.choices)
        table = []
        for row, _path in rows:
            row = dict(row)
            row["cells"] = [{"kind": kinds[k], "code": k, "required": row["required"][k], "held": row["held"][k],
                             "missing": k in row["missing"], "overdue": k in row["overdue_kinds"]}
                            for k in row["required"]]
            row["missing_labels"] = [kinds[k] for k in row["missing"]]
            table.append(row)
        rules = FrequencyRule.objects.all()
        return render(self.request, "activities/compliance.html", {
            "title": _("Activity compliance"), "period": period, "region": region, "children": children,
            "rows": table, "ancestors": ancestors, "rule_kinds": [kinds[r.kind] for r in rules],
        })


# --- secretary reminders (the secretary's home page) ----------------------------------------------

UNIT_WORDS = {"month": gettext_lazy("this month"), "quarter": gettext_lazy("this quarter"),
              "year": gettext_lazy("this year")}


def reminders_for(organizations, today):
    """"No committee meeting yet this month": per organization and rule, the current unit's records (any
    status but returned) against the rule's minimum — one grouped query."""
    rules = list(FrequencyRule.objects.all())
    if not rules:
        return []
    year = unit_containing("year", today)
    counts = defaultdict(int)
    records = (ActivityRecord.objects.filter(organization__in=organizations, held_on__gte=year.start,
                                             held_on__lt=year.end)
               .exclude(status=ActivityRecord.Status.RETURNED).values_list("organization_id", "kind", "held_on"))
    units = {rule.kind: unit_containing(rule.period, today) for rule in rules}
    for organization_id, kind, held_on in records:
        unit = units.get(kind)
        if unit and unit.start <= held_on < unit.end:
            counts[(organization_id, kind)] += 1
    result = []
    for organization in organizations:
        if not organization.is_active_on(today):
            continue
        for rule in rules:
            if counts[(organization.pk, rule.kind)] < rule.min_count:
                result.append({"organization": organization, "kind": rule.kind,
                               "text": _("No %(kind)s yet %(unit)s.") % {
                                   "kind": rule.get_kind_display(),
                                   "unit": UNIT_WORDS[rule.period]},
                               "due": units[rule.kind].last_day})
    return result


class ActivityHomeView(ScopedObjectMixin, View):
    """Where a secretary's work starts: what is still due, what was returned, drafts; for reviewers, what
    waits for review."""

    model = ActivityRecord
    edit_roles = BRANCH_EDIT_ROLES

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        records = ActivityRecord.objects.visible_to(user).select_related("organization")
        if user.role == Role.BRANCH_SECRETARY and user.scope_organization_id:
            own = [user.scope_organization]
        else:
            own = []
        context = {
            "title": _("Organizational life"),
            "reminders": reminders_for(own, today),
            "returned": records.filter(status=ActivityRecord.Status.RETURNED)[:50],
            "drafts": records.filter(status=ActivityRecord.Status.DRAFT)[:50],
            # reviewers: what waits for their decision; secretaries: what they submitted and still waits
            "to_review": records.filter(status=ActivityRecord.Status.SUBMITTED)[:50],
            "can_edit": self.can_edit,
            "today": today,
            "quick_filing": _may_quick_file(user),
        }
        return render(request, "activities/home.html", context)


# --- suggestions ----------------------------------------------------------------------------------

class SuggestionListView(ObjectListView):
    model = Suggestion
    filterset_class = SuggestionFilterSet
    create_url_name = "activities:suggestion_create"
    edit_roles = BRANCH_EDIT_ROLES
    template_name = "activities/suggestion_list.html"
    title = gettext_lazy("Suggestions")
    columns = [
        Column("raised_on", gettext_lazy("Raised on"), link=True),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code"),
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name"),
        Column("raised_by", gettext_lazy("Raised by")),
        Column("content", gettext_lazy("Content"), sort=None),
        Column("accepted", gettext_lazy("Accepted")),
        Column("benefit_yuan", gettext_lazy("Benefit (yuan)")),
    ]

    def get_base_queryset(self):
        return Suggestion.objects.select_related("organization", "enterprise")

    def get_extra_context(self):
        queryset, _filterset = self.filtered_queryset()
        totals = (queryset.order_by().annotate(year=ExtractYear("raised_on")).values("year")
                  .annotate(count=Count("id"), accepted_count=Count("id", filter=Q(accepted=True)),
                            benefit=Sum("benefit_yuan", filter=Q(accepted=True)))
                  .order_by("-year"))
        return {"totals": list(totals)}


class SuggestionEditView(ObjectEditView):
    model = Suggestion
    form_class = SuggestionForm
    edit_roles = BRANCH_EDIT_ROLES

    def get_success_url(self, obj):
        from django.urls import reverse  # noqa: PLC0415

        return reverse("activities:suggestion_list")


# --- checklists and assessment results ------------------------------------------------------------

class ChecklistResultListView(ObjectListView):
    model = ChecklistResult
    filterset_class = ChecklistResultFilterSet
    create_url_name = "activities:checklist_result_create"
    edit_roles = BRANCH_EDIT_ROLES
    title = gettext_lazy("Checklist results (five ones)")
    columns = [
        Column("year", gettext_lazy("Year")),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code", link=True),
        Column("item.checklist.name", gettext_lazy("Checklist"), sort="item__checklist__code"),
        Column("item.name", gettext_lazy("Item"), sort="item__order"),
        Column("met", gettext_lazy("Met")),
        Column("note", gettext_lazy("Note"), sort=None),
    ]

    def get_base_queryset(self):
        return ChecklistResult.objects.select_related("organization", "item__checklist")


class ChecklistResultEditView(ObjectEditView):
    model = ChecklistResult
    form_class = ChecklistResultForm
    edit_roles = BRANCH_EDIT_ROLES

    def get_success_url(self, obj):
        from django.urls import reverse  # noqa: PLC0415

        return reverse("activities:checklist_result_list")


class AssessmentResultListView(ObjectListView):
    model = AssessmentResult
    filterset_class = AssessmentResultFilterSet
    create_url_name = "activities:assessment_result_create"
    title = gettext_lazy("Organization assessment results")
    template_name = "activities/assessment_result_list.html"
    columns = [
        Column("year", gettext_lazy("Year")),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code", link=True),
        Column("enterprise.name", gettext_lazy("Enterprise (plaque)"), sort="enterprise__name"),
        Column("scheme.name", gettext_lazy("Scheme"), sort="scheme__code"),
        Column("rating", gettext_lazy("Rating")),
        Column("aspects", gettext_lazy("Aspects met"), sort=None,
               render=lambda obj, user: "、".join(a.name for a in obj.aspects_met.all())),
        Column("evidence", gettext_lazy("Evidence"), sort=None),
    ]

    def get_base_queryset(self):
        return AssessmentResult.objects.select_related("organization", "enterprise", "scheme").prefetch_related(
            "aspects_met")

    def get_extra_context(self):
        """Totals per region and level of the filtered results: per scheme and year, how many at each
        level of its rating rules, per child region (one grouped query)."""
        queryset, _filterset = self.filtered_queryset()
        region = figures_region(self.request.user, self.request.GET.get("region"))
        years = sorted(set(queryset.order_by().values_list("year", flat=True).distinct()), reverse=True)
        year = years[0] if years else None
        try:
            year = int(self.request.GET.get("year") or year or 0) or None
        except ValueError:
            year = None
        schemes = list(AssessmentScheme.objects.prefetch_related("rating_rules").filter(
            pk__in=queryset.order_by().values("scheme_id")))
        tables = []
        for scheme in schemes:
            rules = sorted(scheme.rating_rules.all(), key=lambda r: -r.level)
            rows = queryset.filter(scheme=scheme, year=year)
            if region is not None:
                lines = breakdown(rows, "organization__region__path", region, group_by=("level",), n=Count("id"))
            else:
                counts = dict(rows.order_by().values_list("level").annotate(n=Count("id")))
                lines = [{"region": None, "own": True, "groups": {k: {"n": v} for k, v in counts.items()}}]
            body = []
            totals = defaultdict(int)
            for line in lines:
                cells = [line["groups"].get(rule.level, {}).get("n", 0) for rule in rules]
                other = line["groups"].get(None, {}).get("n", 0)
                for index, value in enumerate(cells + [other]):
                    totals[index] += value
                body.append({"line": line, "cells": cells, "other": other, "total": sum(cells) + other})
            tables.append({"scheme": scheme, "rules": rules, "rows": body,
                           "totals": [totals[i] for i in range(len(rules) + 1)],
                           "total": sum(totals.values())})
        return {"level_tables": tables, "figures_year": year, "figures_region_obj": region}


class AssessmentResultEditView(ObjectEditView):
    model = AssessmentResult
    form_class = AssessmentResultForm

    def get_success_url(self, obj):
        from django.urls import reverse  # noqa: PLC0415

        return reverse("activities:assessment_result_list")



# --- activity funds -------------------------------------------------------------------------------

class FundOverviewView(ScopedObjectMixin, View):
    """Activity funds of a year: per child region, income by source, spending and balance; per organization
    registered in the region (or, for a secretary, their own), the same with the balance carried over."""

    model = FundIncome
    view_roles = STATISTICS_ROLES - {Role.STATS_CLIENT}

    def get(self, request):
        user = request.user
        today = timezone.localdate()
        try:
            year = int(request.GET.get("year") or today.year)
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            messages.error(request, _("Give a year between 2000 and 2100."))
            year = today.year
        region = figures_region(user, request.GET.get("region"))
        incomes = FundIncome.objects.visible_to(user)
        spendings = FundSpending.objects.visible_to(user)
        sources = FundSource.choices
        children = []
        if region is not None:
            income_lines = breakdown(incomes.filter(year=year), "organization__region__path", region,
                                     group_by=("source",), total=Sum("amount_yuan"))
            spent_lines = {line["region"].pk: line for line in breakdown(
                spendings.filter(spent_on__year=year), "organization__region__path", region, total=Sum("amount_yuan"))}
            # balance at the year's end: everything received minus everything spent up to then
            end = datetime.date(year, 12, 31)
            in_lines = {line["region"].pk: line for line in breakdown(
                incomes.filter(received_on__lte=end), "organization__region__path", region, total=Sum("amount_yuan"))}
            out_lines = {line["region"].pk: line for line in breakdown(
                spendings.filter(spent_on__lte=end), "organization__region__path", region, total=Sum("amount_yuan"))}
            by_region = {line["region"].pk: line for line in income_lines}
            keys = [r.pk for r in [region] + list(Region.objects.filter(path__startswith=region.path,
                                                                          depth=region.depth + 1).order_by("path"))]
            names = {line["region"].pk: line for line in income_lines + list(spent_lines.values())
                     + list(in_lines.values()) + list(out_lines.values())}
            for key in keys:
                if key not in names:
                    continue
                line = names[key]
                groups = by_region.get(key, {"groups": {}})["groups"]
                cells = [groups.get(value, {}).get("total") or 0 for value, _label in sources]
                spent = _total(spent_lines.get(key))
                balance = _total(in_lines.get(key)) - _total(out_lines.get(key))
                children.append({"region": line["region"], "own": line["own"], "cells": cells,
                                 "income": sum(cells), "spent": spent, "balance": balance})
        organization, due = None, None
        code = request.GET.get("organization")
        if code:
            organization = PartyOrganization.objects.visible_to(user).filter(code=code).first()
            if organization is None:
                raise Http404
            due = services.fiscal_allocation_due(organization, year)
            due["total"] = due["by_scale"] + due["by_member"]
            received = dict(FundIncome.objects.filter(organization=organization, year=year).order_by()
                            .values_list("source").annotate(t=Sum("amount_yuan")))
            due["received_scale"] = received.get(FundSource.FISCAL_SCALE) or 0
            due["received_member"] = received.get(FundSource.FISCAL_MEMBER) or 0
        organizations = self.organization_rows(user, region, year, organization)
        return render(request, "activities/fund_overview.html", {
            "title": _("Activity funds"), "year": year, "region": region, "sources": sources,
            "children": children if organization is None else [], "organizations": organizations,
            "organization": organization, "due": due,
        })

    @staticmethod
    def organization_rows(user, region, year, organization=None):
        """Organizations registered in the region itself (a secretary: their own), at most 200, each with
        the year's income by source, spending and balance at the year's end: four grouped queries."""
        visible = PartyOrganization.objects.visible_to(user)
        if organization is not None:
            organizations = visible.filter(pk=organization.pk)
        else:
            organizations = visible.filter(region=region) if region is not None else visible
        organizations = list(organizations.order_by("code")[:200])
        ids = [o.pk for o in organizations]
        end = datetime.date(year, 12, 31)
        income = defaultdict(dict)
        for org_id, source, total in (FundIncome.objects.filter(organization_id__in=ids, year=year).order_by()
                                      .values_list("organization_id", "source").annotate(t=Sum("amount_yuan"))):
            income[org_id][source] = total
        spent = dict(FundSpending.objects.filter(organization_id__in=ids, spent_on__year=year).order_by()
                     .values_list("organization_id").annotate(t=Sum("amount_yuan")))
        received_to = dict(FundIncome.objects.filter(organization_id__in=ids, received_on__lte=end).order_by()
                           .values_list("organization_id").annotate(t=Sum("amount_yuan")))
        spent_to = dict(FundSpending.objects.filter(organization_id__in=ids, spent_on__lte=end).order_by()
                        .values_list("organization_id").annotate(t=Sum("amount_yuan")))
        rows = []
        for org in organizations:
            cells = [income[org.pk].get(value) or 0 for value, _label in FundSource.choices]
            if not any(cells) and not spent.get(org.pk) and not received_to.get(org.pk):
                continue
            rows.append({"organization": org, "cells": cells, "income": sum(cells), "spent": spent.get(org.pk) or 0,
                         "balance": (received_to.get(org.pk) or 0) - (spent_to.get(org.pk) or 0)})
        return rows


def _total(line):
    if not line:
        return 0
    return sum((group.get("total") or 0) for group in line["groups"].values())


class FundIncomeListView(ObjectListView):
    model = FundIncome
    filterset_class = FundIncomeFilterSet
    create_url_name = "activities:fund_income_create"
    title = gettext_lazy("Fund incomes")
    columns = [
        Column("year", gettext_lazy("Year")),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code", link=True),
        Column("source", gettext_lazy("Source")),
        Column("amount_yuan", gettext_lazy("Amount (yuan)")),
        Column("received_on", pgettext_lazy("funds", "Received on")),
        Column("note", gettext_lazy("Note"), sort=None),
    ]

    def get_base_queryset(self):
        return FundIncome.objects.select_related("organization")


class FundIncomeDetailView(ObjectDetailView):
    model = FundIncome
    detail_fields = ["organization", "year", "source", "amount_yuan", "received_on", "note"]

    def get_base_queryset(self):
        return FundIncome.objects.select_related("organization")


class FundIncomeEditView(ObjectEditView):
    model = FundIncome
    form_class = FundIncomeForm


class FundIncomeHistoryView(ObjectHistoryView):
    model = FundIncome


class FundSpendingListView(ObjectListView):
    model = FundSpending
    filterset_class = FundSpendingFilterSet
    create_url_name = "activities:fund_spending_create"
    edit_roles = BRANCH_EDIT_ROLES
    title = gettext_lazy("Fund spendings")
    columns = [
        Column("spent_on", gettext_lazy("Spent on"), link=True),
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code"),
        Column("purpose", gettext_lazy("Purpose")),
        Column("payee", gettext_lazy("Payee")),
        Column("amount_yuan", gettext_lazy("Amount (yuan)")),
        Column("receipt_count", gettext_lazy("Receipts"), sort="receipt_count",
               render=lambda obj, user: str(obj.receipt_count)),
    ]

    def get_base_queryset(self):
        return FundSpending.objects.select_related("organization").annotate(receipt_count=Count("receipts"))


class FundSpendingDetailView(ObjectDetailView):
    model = FundSpending
    edit_roles = BRANCH_EDIT_ROLES
    detail_fields = ["organization", "spent_on", "amount_yuan", "purpose", "payee", "activity"]

    def get_base_queryset(self):
        return FundSpending.objects.select_related("organization", "activity")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["receipts"] = self.object.receipts.all()
        context["receipt_form"] = bootstrapify(AttachmentForm())
        context["balance"] = services.fund_balance(self.object.organization_id)
        return context


class FundSpendingEditView(ObjectEditView):
    model = FundSpending
    form_class = FundSpendingForm
    edit_roles = BRANCH_EDIT_ROLES

    def save(self, form):
        return services.save_spending(self.request.user, form.save(commit=False))


class FundSpendingHistoryView(ObjectHistoryView):
    model = FundSpending
    edit_roles = BRANCH_EDIT_ROLES


class FundReceiptUploadView(ObjectActionView):
    model = FundSpending
    edit_roles = BRANCH_EDIT_ROLES

    def get_form(self, obj):
        return AttachmentForm(self.request.POST, self.request.FILES)

    def perform(self, obj, form):
        with transaction.atomic():
            services.add_receipt(obj, self.request.user, form.cleaned_data["file"])
        return _("Receipt added.")


class FundReceiptDownloadView(ScopedObjectMixin, View):
    """A receipt's bytes only through the caller's scope (else 404), like activity attachments."""

    model = FundReceipt

    def get(self, request, pk):
        receipt = self.get_queryset().filter(pk=pk).first()
        if receipt is None:
            raise Http404
        return attachment_response(receipt)


# --- pairing and co-construction --------------------------------------------------------------------

class PairingListView(ObjectListView):
    model = Pairing
    filterset_class = PairingFilterSet
    create_url_name = "activities:pairing_create"
    template_name = "activities/pairing_list.html"
    title = gettext_lazy("Pairings and co-construction")
    columns = [
        Column("organization.name", gettext_lazy("Organization"), sort="organization__code", link=True),
        Column("kind", gettext_lazy("Kind")),
        Column("partner", gettext_lazy("Partner"), sort=None),
        Column("started_on", gettext_lazy("Start")),
        Column("ended_on", gettext_lazy("End (exclusive)")),
    ]

    def get_base_queryset(self):
        return Pairing.objects.select_related("organization", "partner_organization")

    def get_extra_context(self):
        """Pairings in force on a day (today unless `in_force_on`) per child region and kind: one query."""
        queryset, filterset = self.filtered_queryset()
        day = timezone.localdate()
        if filterset is not None and filterset.is_bound and filterset.is_valid() and \
                filterset.form.cleaned_data.get("in_force_on"):
            day = filterset.form.cleaned_data["in_force_on"]
        in_force = queryset.filter(Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        kinds = Pairing.Kind.choices
        region = figures_region(self.request.user, self.request.GET.get("region"))
        lines = []
        if region is not None:
            for line in breakdown(in_force, "organization__region__path", region, group_by=("kind",),
                                  n=Count("id")):
                cells = [line["groups"].get(value, {}).get("n", 0) for value, _label in kinds]
                lines.append({"region": line["region"], "own": line["own"], "cells": cells, "total": sum(cells)})
        totals = dict(in_force.order_by().values_list("kind").annotate(n=Count("id")))
        return {"pairing_day": day, "pairing_kinds": kinds, "pairing_lines": lines,
                "pairing_totals": [totals.get(value, 0) for value, _label in kinds],
                "pairing_total": sum(totals.values())}


class PairingDetailView(ObjectDetailView):
    model = Pairing
    detail_fields = ["organization", "kind", "partner_organization", "partner_name", "started_on", "ended_on",
                     "content"]

    def get_base_queryset(self):
        return Pairing.objects.select_related("organization", "partner_organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["results"] = self.object.results.order_by("-year")
        return context


class PairingEditView(ObjectEditView):
    model = Pairing
    form_class = PairingForm

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        # The partner may be any organization of the register (another county's organ, say): its code is
        # looked up in the whole register, and the pairing belongs to (and is scoped by) `organization`.
        form.fields["partner_organization"].queryset = PartyOrganization.objects.all()
        return form


class PairingHistoryView(ObjectHistoryView):
    model = Pairing


class PairingResultEditView(ObjectEditView):
    """Add (pairing_pk) or change (pk) a pairing's yearly results, from the pairing's page."""

    model = PairingResult
    form_class = PairingResultForm

    def pairing(self):
        try:
            return Pairing.objects.visible_to(self.request.user).get(pk=self.kwargs["pairing_pk"])
        except Pairing.DoesNotExist as exc:
            raise Http404 from exc

    def get(self, request, *args, **kwargs):
        if "pairing_pk" in self.kwargs:
            self.pairing()
        return super().get(request, *args, **kwargs)

    def save(self, form):
        result = form.save(commit=False)
        if result.pairing_id is None:
            result.pairing = self.pairing()
        result.full_clean()
        result.save()
        return result

# --- phone filing: an installable web app that works offline (docs/activities.md "Filing on a phone") ----

def _may_quick_file(user) -> bool:
    return getattr(user, "role", None) == Role.BRANCH_SECRETARY and bool(user.scope_organization_id)


class QuickFilingView(ScopedObjectMixin, View):
    """A branch secretary starts a record on the phone — kind, date, topic, attendance, photos — online or
    not: static/js/filing.js keeps it in the phone's IndexedDB and sends it (POST activities/ with an
    Idempotency-Key) when the network is there. The service worker keeps this page for offline use."""

    model = ActivityRecord
    edit_roles = BRANCH_EDIT_ROLES
    needs_edit = True

    def get(self, request):
        user = request.user
        if not _may_quick_file(user):
            messages.info(request, _("Quick filing on a phone is for branch secretaries; use the full form."))
            return redirect("activities:record_create")
        organization = user.scope_organization
        today = timezone.localdate()
        return render(request, "activities/quick_filing.html", {
            "title": _("File on the phone"),
            "organization": organization,
            "members": _members_for(organization, today),
            "kinds": ActivityKind.choices,
            "today": today,
        })


class ManifestView(View):
    """The web app manifest (public: browsers fetch it without cookies; it holds no data)."""

    def get(self, request):
        from django.http import JsonResponse  # noqa: PLC0415
        from django.templatetags.static import static  # noqa: PLC0415
        from django.urls import reverse  # noqa: PLC0415

        manifest = {
            "name": _("Party Building Portal · organizational life"),
            "short_name": _("Organizational life"),
            "lang": "zh-CN",
            "start_url": reverse("activities:home"),
            "scope": reverse("activities:home"),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#b71c1c",
            "icons": [{"src": static("icons/filing-192.png"), "sizes": "192x192", "type": "image/png"},
                      {"src": static("icons/filing-512.png"), "sizes": "512x512", "type": "image/png",
                       "purpose": "any maskable"}],
        }
        response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
        response["Content-Type"] = "application/manifest+json; charset=utf-8"
        return response


# What the service worker keeps for offline use: the filing page and the files it needs.
OFFLINE_STATIC = ["vendor/bootstrap/bootstrap.min.css", "css/portal.css", "vendor/bootstrap/bootstrap.bundle.min.js",
                  "vendor/htmx/htmx.min.js", "js/portal.js", "js/picker.js", "js/filing.js", "favicon.svg",
                  "icons/filing-192.png"]


class ServiceWorkerView(View):
    """/activities/sw.js: served from here (not /static/) so that its scope is /activities/; its cache name
    carries a digest of what it caches, so a deploy with new files replaces the old cache."""

    def get(self, request):
        import hashlib  # noqa: PLC0415
        import json  # noqa: PLC0415
        import os  # noqa: PLC0415

        from django.http import HttpResponse  # noqa: PLC0415
        from django.template.loader import render_to_string  # noqa: PLC0415
        from django.templatetags.static import static  # noqa: PLC0415
        from django.urls import reverse  # noqa: PLC0415

        shell = [reverse("activities:record_quick")] + [static(path) for path in OFFLINE_STATIC]
        digest = hashlib.sha256(json.dumps(shell).encode())
        # without hashed file names (development), the files' dates stand in for their hashes
        from django.contrib.staticfiles import finders  # noqa: PLC0415

        for path in OFFLINE_STATIC:
            found = finders.find(path)
            if found:
                digest.update(str(os.path.getmtime(found)).encode())
        version = digest.hexdigest()[:12]
        body = render_to_string("activities/sw.js", {
            "version": version, "shell": json.dumps(shell), "offline_page": json.dumps(shell[0]),
            "static_prefix": json.dumps(static("")),
        })
        response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
        response["Cache-Control"] = "no-cache"
        return response
