"""Coverage dashboard pages (the region's figures, child regions, trend, drill-down lists, recompute) and the
report run pages (list, request, detail with an HTML preview, scoped downloads)."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.jobs import JobQueueUnavailable, enqueue
from core.models import ExportRecord
from core.roles import Role
from core.routers import replica_reads
from core.scoping import user_is_unrestricted
from core.views import Column, ObjectListView, role_allows
from organizations.models import Enterprise, PartyOrganization, Region

from . import approval, coverage
from .filtersets import ReportRunFilterSet
from .forms import ApprovalsQueryForm, ReasonForm, ReportingUnitForm, ReportRunRequestForm
from .models import COUNT_FIELDS, ENTERPRISE_COUNTS, ApprovalStep, CoverageSnapshot, ReportingUnit, ReportRun
from .services import figure_labels, figures_changed, follow_job, request_run
from .tasks import trend_days

DASHBOARD_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER, Role.BRANCH_SECRETARY})
REGION_STAFF_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER})
TREND_POINTS = 24
REPORT_CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}

COUNT_LABELS = {
    "enterprises": gettext_lazy("Enterprises"),
    "org_individual": gettext_lazy("Individually formed"),
    "org_joint": gettext_lazy("Jointly formed"),
    "org_regional": gettext_lazy("Regionally formed"),
    "org_industry": gettext_lazy("Formed by industry"),
    "org_attached": gettext_lazy("Attached"),
    "org_covered": gettext_lazy("Organization-covered"),
    "instructor_covered": gettext_lazy("Instructor only"),
    "channel_covered": gettext_lazy("Other channels only"),
    "work_covered": gettext_lazy("Work-covered"),
    "uncovered": gettext_lazy("Uncovered"),
    "no_org": gettext_lazy("Without organization"),
    "should_form": gettext_lazy("Should form (≥ 3 full members)"),
    "few_members": gettext_lazy("Members, fewer than 3 full"),
    "no_members": gettext_lazy("No members"),
    "organizations": gettext_lazy("Party organizations"),
    "members": gettext_lazy("Party members"),
    "instructors": gettext_lazy("Instructors"),
    "demonstration_sites": gettext_lazy("Demonstration sites"),
}
RATE_LABELS = {
    "org_coverage_rate": gettext_lazy("Organization coverage"),
    "individual_rate": gettext_lazy("Individual formation rate"),
    "work_coverage_rate": gettext_lazy("Work coverage"),
}
COVERAGE_LABELS = {
    "org_individual": gettext_lazy("Individually formed"),
    "org_joint": gettext_lazy("Jointly formed"),
    "org_regional": gettext_lazy("Regionally formed"),
    "org_industry": gettext_lazy("Formed by industry"),
    "org_attached": gettext_lazy("Attached"),
    "instructor": gettext_lazy("Instructor only"),
    "none": gettext_lazy("Uncovered"),
}


def parse_day(value):
    if not value:
        return timezone.localdate()
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def page_region(user, code):
    """The region asked for (in scope, else 404) or the user's default region."""
    visible = Region.objects.visible_to(user)
    if code:
        region = visible.filter(code=code).first()
        if region is None:
            raise Http404
        return region
    if user_is_unrestricted(user):
        return Region.objects.get_first_root_node()
    if user.scope_region_id:
        return visible.filter(pk=user.scope_region_id).first()
    return None


def percent(value):
    return f"{value * 100:.1f} %"


class DashboardView(LoginRequiredMixin, View):
    template_name = "reports/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not role_allows(request.user, DASHBOARD_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        with replica_reads():  # the figures may come from a read replica (core/routers.py)
            return self.page(request)

    def page(self, request):
        day = parse_day(request.GET.get("as_of"))
        date_error = None
        if day is None:
            date_error = _("“%(value)s” is not a date; showing today.") % {"value": request.GET.get("as_of")}
            day = timezone.localdate()
        if request.user.role == Role.BRANCH_SECRETARY:
            return self.organization_card(request, day, date_error)
        region = page_region(request.user, request.GET.get("region"))
        context = {"title": _("Coverage"), "day": day, "date_error": date_error, "region": region,
                   "is_today": day == timezone.localdate(),
                   "can_recompute": role_allows(request.user, REGION_STAFF_ROLES)}
        if region is None:
            return render(request, self.template_name, context)
        snapshot = CoverageSnapshot.objects.filter(region=region, as_of=day).select_related("region").first()
        children = list(
            CoverageSnapshot.objects.filter(as_of=day, region__path__startswith=region.path,
                                            region__depth=region.depth + 1)
            .select_related("region").order_by("region__path")
        )
        trend = list(
            CoverageSnapshot.objects.filter(region=region, as_of__lte=day).order_by("-as_of")
            .values("as_of", "enterprises", "org_covered", "work_covered")[:TREND_POINTS]
        )[::-1]
        ancestors = list(Region.objects.visible_to(request.user).filter(
            path__in=[region.path[:i] for i in range(region.steplen, len(region.path), region.steplen)]
        ).order_by("depth")) if region.depth > 1 else []
        context.update({
            "snapshot": snapshot,
            "ancestors": ancestors,
            "cards": self.cards(snapshot, region, day) if snapshot else [],
            "rates": [(RATE_LABELS[name], percent(value), name) for name, value in snapshot.rates().items()]
            if snapshot else [],
            "columns": [(name, COUNT_LABELS[name], name in ENTERPRISE_COUNTS) for name in COUNT_FIELDS],
            "rows": [self.row(child, day) for child in children],
            "chart_data": {
                "children": {
                    "labels": [c.region.name for c in children],
                    "org": [float(c.org_coverage_rate * 100) for c in children],
                    "work": [float(c.work_coverage_rate * 100) for c in children],
                    "series": [str(RATE_LABELS["org_coverage_rate"]), str(RATE_LABELS["work_coverage_rate"])],
                },
                "trend": {
                    "labels": [t["as_of"].isoformat() for t in trend],
                    "org": [round(100 * t["org_covered"] / t["enterprises"], 1) if t["enterprises"] else 0
                            for t in trend],
                    "work": [round(100 * t["work_covered"] / t["enterprises"], 1) if t["enterprises"] else 0
                             for t in trend],
                    "series": [str(RATE_LABELS["org_coverage_rate"]), str(RATE_LABELS["work_coverage_rate"])],
                },
            },
        })
        return render(request, self.template_name, context)

    @staticmethod
    def drill_url(region, day, category):
        return reverse("reports:enterprises") + "?" + urlencode(
            {"region": region.code, "as_of": day.isoformat(), "category": category})

    def cards(self, snapshot, region, day):
        return [
            {"name": name, "label": COUNT_LABELS[name], "value": getattr(snapshot, name),
             "url": self.drill_url(region, day, name) if name in ENTERPRISE_COUNTS else None}
            for name in ("enterprises", "org_covered", "org_individual", "instructor_covered", "work_covered",
                         "uncovered", "should_form", "organizations", "members", "instructors",
                         "demonstration_sites")
        ]

    def row(self, snapshot, day):
        region = snapshot.region
        return {
            "region": region,
            "url": reverse("reports:dashboard") + "?" + urlencode({"region": region.code, "as_of": day.isoformat()}),
            "cells": [
                (getattr(snapshot, name), self.drill_url(region, day, name) if name in ENTERPRISE_COUNTS else None)
                for name in COUNT_FIELDS
            ],
            "rates": [percent(value) for value in snapshot.rates().values()],
        }

    def organization_card(self, request, day, date_error):
        """A branch secretary: their own organization (and its sub-organizations) on the day."""
        organization = request.user.scope_organization
        context = {"title": _("Coverage"), "day": day, "date_error": date_error, "organization": organization}
        if organization is not None:
            subtree = PartyOrganization.objects.filter(path__startswith=organization.path).order_by()
            covered = coverage.active_links(day).filter(organization__in=subtree).values("enterprise_id")
            enterprises = Enterprise.objects.filter(coverage.operating_q(day), pk__in=covered)
            members = coverage.active_members(day).filter(organization__in=subtree)
            context["org_figures"] = [
                (_("Enterprises covered"), enterprises.count()),
                (_("Active members"), members.count()),
                (_("Full members"), members.filter(Q(full_on__isnull=False), Q(full_on__lte=day)).count()),
                (_("Sub-organizations"), subtree.count() - 1),
            ]
            context["org_enterprises"] = coverage.with_coverage(enterprises.select_related("region"), day)[:50]
            context["coverage_labels"] = COVERAGE_LABELS
        return render(request, "reports/organization_card.html", context)


def _start_computation(request, kind: str, params: dict, region, day, done: str):
    """Queue (or, without a broker, run) a coverage job for the dashboard's buttons, say how it went, and go back
    to the dashboard on `day`."""
    try:
        job = enqueue(kind, params, user=request.user, region_code=region.code)
    except JobQueueUnavailable:
        messages.error(request, _("The job queue is not reachable, so the computation was not started. "
                                  "Please try again later."))
    else:
        if job.status == job.Status.DONE:
            messages.success(request, done)
        elif job.status == job.Status.FAILED:
            messages.error(request, _("The computation failed: %(error)s") % {"error": job.error})
        else:
            messages.info(request, _("The computation has been queued (job %(id)s); reload in a moment.")
                          % {"id": job.pk})
    return redirect(reverse("reports:dashboard") + "?" + urlencode({"region": region.code,
                                                                   "as_of": day.isoformat()}))


class RecomputeView(LoginRequiredMixin, View):
    """POST: recompute the snapshots of a region (in the user's scope) for a date, then back to the dashboard."""

    def post(self, request):
        if not role_allows(request.user, REGION_STAFF_ROLES):
            raise PermissionDenied
        region = page_region(request.user, request.POST.get("region"))
        day = parse_day(request.POST.get("as_of"))
        if region is None or day is None:
            messages.error(request, _("Choose a region and a valid date to recompute."))
            return redirect("reports:dashboard")
        return _start_computation(request, "coverage.compute", {"region": region.code, "as_of": day.isoformat()},
                                  region, day, _("Coverage of %(region)s on %(day)s recomputed.")
                                  % {"region": region.name, "day": day.isoformat()})


class RecomputeTrendView(LoginRequiredMixin, View):
    """POST: the snapshots of a region (in the user's scope) on the 12 month-ends of a year, in one pass (the
    dashboard's trend; job `coverage.compute_trend`), then back to the dashboard."""

    def post(self, request):
        if not role_allows(request.user, REGION_STAFF_ROLES):
            raise PermissionDenied
        region = page_region(request.user, request.POST.get("region"))
        year = (request.POST.get("year") or "").strip()
        if region is None or not year.isdigit():
            messages.error(request, _("Choose a region and a valid year to compute the month-ends of."))
            return redirect("reports:dashboard")
        try:  # the job's own rule (a year it can compute: not one to come), asked before it is queued
            day = trend_days({"year": year})[-1]  # the last month-end, or today in the running year
        except ValueError as exc:
            messages.error(request, str(exc))
            return redirect("reports:dashboard")
        year = int(year)
        return _start_computation(request, "coverage.compute_trend", {"region": region.code, "year": year},
                                  region, day, _("Coverage of %(region)s on the 12 month-ends of %(year)s computed.")
                                  % {"region": region.name, "year": year})


def with_full_members(enterprises, day):
    """Annotate `full_members`: the full members employed by each enterprise and in the register on `day`
    (one correlated subquery from the members model layer; coverage.py itself stays the lead's)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery  # noqa: PLC0415
    from django.db.models.functions import Coalesce  # noqa: PLC0415

    from members.models import Member  # noqa: PLC0415

    full = (Member.objects.active_on(day).filter(Q(full_on__isnull=True) | Q(full_on__lte=day),
                                                 employer=OuterRef("pk"), standing="full").order_by()
            .values("employer").annotate(n=Count("pk")).values("n"))
    return enterprises.annotate(full_members=Coalesce(Subquery(full, output_field=IntegerField()), 0))


class CoverageEnterpriseListView(ObjectListView):
    """The enterprises behind one count (drill-down), computed live by reports.coverage; exports XLSX/CSV."""

    model = Enterprise
    view_roles = REGION_STAFF_ROLES
    # by region first: sorting by name alone lets the planner walk the name index through the whole register
    default_sort = "region__path"
    export_name = "coverage"
    template_name = "reports/coverage_enterprises.html"
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("uscc", gettext_lazy("Unified social credit code")),
        Column("region.name", gettext_lazy("Region"), sort="region__path"),
        Column("employees", gettext_lazy("Employees")),
        Column("full_members", gettext_lazy("Full members")),
        Column("founded_on", gettext_lazy("Founded on")),
        Column("coverage", gettext_lazy("Coverage on the date"), sort=None,
               render=lambda obj, user: str(COVERAGE_LABELS.get(obj.coverage, obj.coverage))),
    ]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.region = self.day = self.category = None

    def get_queryset(self):
        request = self.request
        self.region = page_region(request.user, request.GET.get("region"))
        self.day = parse_day(request.GET.get("as_of"))
        self.category = request.GET.get("category") or "enterprises"
        if self.region is None or self.day is None or self.category not in coverage.CATEGORIES:
            raise Http404
        queryset = coverage.enterprises_behind(self.region, self.day, self.category,
                                               Enterprise.objects.visible_to(request.user).select_related("region"))
        return with_full_members(coverage.with_coverage(queryset, self.day, self.category), self.day)

    def get(self, request, *args, **kwargs):
        if request.GET.get("category") and request.GET["category"] not in coverage.CATEGORIES:
            raise Http404
        return super().get(request, *args, **kwargs)

    def sorted(self, queryset):
        # by region, then by name within a region (as the API's drill-down): the order a cadre reads a list in,
        # and the one the (region, name, id) index gives
        queryset, sort = super().sorted(queryset)
        if sort.lstrip("-") == "region__path":
            desc = "-" if sort.startswith("-") else ""
            queryset = queryset.order_by(f"{desc}region__path", f"{desc}name", f"{desc}id")
        return queryset, sort

    def get_paginator(self, queryset, page_size):
        # the count from the region's snapshot when it is fresh and the viewer sees the whole subtree: only the
        # page query runs; in the default order, it reads only the regions the page falls in (RowsByRegion;
        # reports.incremental, docs/coverage.md)
        from core.permissions import KnownCountPaginator  # noqa: PLC0415
        from reports.incremental import RowsByRegion, sees_whole_subtree, subtree_counts  # noqa: PLC0415

        if sees_whole_subtree(self.request.user, self.region):
            _region_ids, own = subtree_counts(self.region, self.day, self.category)
            if own is not None:
                rows = queryset
                if (self.request.GET.get("sort") or self.default_sort) == self.default_sort:
                    rows = RowsByRegion(lambda ids: queryset.filter(region_id__in=ids), own)
                return KnownCountPaginator(rows, page_size, sum(n for _region_id, n in own))
        return super().get_paginator(queryset, page_size)

    @property
    def title(self):
        if self.region is None:
            return _("Enterprises")
        return _("%(count)s — %(region)s on %(day)s") % {
            "count": COUNT_LABELS[self.category], "region": self.region.name, "day": self.day.isoformat()}

    def get_extra_context(self):
        return {"region": self.region, "day": self.day, "category": self.category,
                "dashboard_url": reverse("reports:dashboard") + "?" + urlencode(
                    {"region": self.region.code, "as_of": self.day.isoformat()})}



# --- report runs --------------------------------------------------------------------------------------

RUN_VIEW_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER, Role.STATS_CLIENT})
RUN_REQUEST_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER})


def _download_links(run, user):
    if run.status != ReportRun.Status.DONE:
        return ""
    return format_html(
        '<a href="{}" data-testid="download-xlsx">XLSX</a> · <a href="{}">CSV</a>',
        reverse("reports:run_download", args=[run.pk, "xlsx"]), reverse("reports:run_download", args=[run.pk, "csv"]))


class ReportRunListView(ObjectListView):
    model = ReportRun
    queryset = ReportRun.objects.select_related("definition", "region", "requested_by")
    filterset_class = ReportRunFilterSet
    view_roles = RUN_VIEW_ROLES
    edit_roles = RUN_REQUEST_ROLES
    title = gettext_lazy("Report runs")
    template_name = "reports/run_list.html"
    export_name = "report-runs"
    default_sort = "-requested_at"
    columns = [
        Column("definition.title", gettext_lazy("Report"), sort="definition__code"),
        Column("region.name", gettext_lazy("Region"), sort="region__path"),
        Column("period", gettext_lazy("Period")),
        Column("version", gettext_lazy("Version")),
        Column("status", gettext_lazy("Status")),
        Column("requested_by.username", gettext_lazy("Requested by"), sort="requested_by__username"),
        Column("requested_at", gettext_lazy("Requested at"),
               render=lambda obj, user: timezone.localtime(obj.requested_at).strftime("%Y-%m-%d %H:%M")),
        Column("finished_at", gettext_lazy("Finished at"),
               render=lambda obj, user: timezone.localtime(obj.finished_at).strftime("%Y-%m-%d %H:%M")
               if obj.finished_at else ""),
        Column("files", gettext_lazy("Files"), sort=None, render=_download_links),
    ]

    @property
    def export_columns(self):
        return self.columns[:-1]

    def get_extra_context(self):
        return {"can_request": role_allows(self.request.user, RUN_REQUEST_ROLES),
                "can_approve": role_allows(self.request.user, frozenset({Role.ADMIN, Role.REGION_EDITOR}))}


class ReportRunRequestView(LoginRequiredMixin, View):
    """GET: the request form (prefilled from the query string); POST: request the run, then its page."""

    template_name = "reports/run_request.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not role_allows(request.user, RUN_REQUEST_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        initial = {key: request.GET[key] for key in ("definition", "region", "period") if request.GET.get(key)}
        if "region" not in initial and request.user.scope_region_id:
            initial["region"] = request.user.scope_region.code
        form = ReportRunRequestForm(initial=initial, user=request.user)
        return render(request, self.template_name, {"form": form, "title": _("Request a report")})

    def post(self, request):
        form = ReportRunRequestForm(request.POST, user=request.user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "title": _("Request a report")}, status=400)
        data = form.cleaned_data
        try:
            run = request_run(data["definition"], data["region"], data["period"], user=request.user)
        except ValidationError as error:  # the latest run is submitted or approved
            form.add_error(None, error)
            return render(request, self.template_name, {"form": form, "title": _("Request a report")}, status=400)
        except JobQueueUnavailable:
            messages.error(request, _("The job queue is not reachable, so the report was not started. "
                                      "Please try again later."))
            return redirect("reports:run_list")
        if run.status == ReportRun.Status.FAILED:
            messages.error(request, _("The report failed: %(error)s") % {"error": run.error})
        elif run.status == ReportRun.Status.DONE:
            messages.success(request, _("Version %(version)s of the report is ready.") % {"version": run.version})
        else:
            messages.info(request, _("The report has been queued; reload this page in a moment."))
        return redirect(run.get_absolute_url())


class ReportRunDetailView(LoginRequiredMixin, View):
    template_name = "reports/run_detail.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not role_allows(request.user, RUN_VIEW_ROLES):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        run = (ReportRun.objects.visible_to(request.user).select_related("definition", "region", "requested_by", "job")
               .filter(pk=pk).first())
        if run is None:
            raise Http404
        run = follow_job(run)
        versions = (ReportRun.objects.visible_to(request.user)
                    .filter(definition=run.definition, region=run.region, period=run.period)
                    .select_related("requested_by").order_by("-version"))
        rerun = reverse("reports:run_request") + "?" + urlencode(
            {"definition": run.definition.code, "region": run.region.code, "period": run.period})
        steps = (ApprovalStep.objects.filter(run__definition=run.definition, run__region=run.region,
                                             run__period=run.period)
                 .select_related("user", "run").order_by("at", "id"))
        # a rebuild of the report: worth it once the run has been handed in (drafts are rebuilt at will)
        changed = figures_changed(run) if run.approval != ReportRun.Approval.DRAFT else []
        labels = figure_labels(run) if changed else {}
        latest = versions[0] if versions else run
        return render(request, self.template_name, {
            "title": f"{run.definition.title} · {run.region.name} · {run.period}",
            "run": run, "preview": run.preview or {}, "versions": versions,
            "preview_rows": [[(value, isinstance(value, (int, float)) and not isinstance(value, bool)) for value in row]
                             for row in (run.preview or {}).get("rows", [])],
            "can_request": (role_allows(request.user, RUN_REQUEST_ROLES)
                            and latest.approval not in (ReportRun.Approval.SUBMITTED, ReportRun.Approval.APPROVED)),
            "rerun_url": rerun, "steps": steps, "actions": approval.allowed_actions(request.user, run),
            "reason_form": ReasonForm(), "figures_changed": [labels.get(name, name) for name in changed],
            "can_edit_unit": approval.may_submit(request.user, run),
        })


class ReportRunDownloadView(LoginRequiredMixin, View):
    """A run's file, for users who may see the run (else 404); recorded as an export."""

    def get(self, request, pk, fmt):
        if not role_allows(request.user, RUN_VIEW_ROLES):
            raise PermissionDenied
        run = ReportRun.objects.visible_to(request.user).select_related("definition", "region").filter(pk=pk).first()
        if run is None or fmt not in ("xlsx", "csv") or run.status != ReportRun.Status.DONE:
            raise Http404
        field = run.xlsx_file if fmt == "xlsx" else run.csv_file
        try:
            handle = field.open("rb")
        except (FileNotFoundError, ValueError) as error:
            raise Http404 from error
        ExportRecord.objects.create(user=request.user, what=f"reports.run:{run.pk}", format=fmt,
                                    filters=f"{run.definition.code} {run.region.code} {run.period} v{run.version}",
                                    rows=run.rows)
        return FileResponse(handle, as_attachment=True, filename=field.name.rsplit("/", 1)[-1],
                            content_type=REPORT_CONTENT_TYPES[fmt])


# --- approval (periods close) ----------------------------------------------------------------------------

ACTION_DONE = {
    "submit": gettext_lazy("Version %(version)s has been submitted for approval."),
    "approve": gettext_lazy("Version %(version)s has been approved; its files are now frozen."),
    "return": gettext_lazy("Version %(version)s has been returned to the submitting unit."),
    "unlock": gettext_lazy("Version %(version)s has been unlocked and returned; the unit can build a new version."),
}


class ReportRunApprovalView(LoginRequiredMixin, View):
    """POST a transition (submit, approve, return, unlock) from the run page; reasons in a form field.
    Out of scope: 404; role or level lacks the action: 403; wrong state or no reason: the page again with
    the message (nothing changed)."""

    def post(self, request, pk, action):
        if not role_allows(request.user, RUN_REQUEST_ROLES) or action not in approval.ACTIONS:
            raise PermissionDenied
        run = ReportRun.objects.visible_to(request.user).select_related("definition", "region").filter(pk=pk).first()
        if run is None:
            raise Http404
        try:
            if action in approval.WITH_REASON:
                form = ReasonForm(request.POST)
                form.is_valid()
                run = approval.ACTIONS[action](run, request.user, form.cleaned_data.get("reason", ""))
            else:
                run = approval.ACTIONS[action](run, request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(run.get_absolute_url())
        messages.success(request, ACTION_DONE[action] % {"version": run.version})
        return redirect(run.get_absolute_url())


class ApprovalInboxView(ObjectListView):
    """Runs waiting for this user: submitted runs of regions strictly below the user's scope region (for an
    administrator: every submitted run)."""

    model = ReportRun
    queryset = ReportRun.objects.select_related("definition", "region", "submitted_by")
    filterset_class = ReportRunFilterSet
    view_roles = frozenset({Role.ADMIN, Role.REGION_EDITOR})
    title = gettext_lazy("Reports waiting for my approval")
    template_name = "reports/approval_inbox.html"
    default_sort = "submitted_at"
    columns = [
        Column("definition.title", gettext_lazy("Report"), sort="definition__code",
               render=lambda obj, user: format_html('<a href="{}">{}</a>', obj.get_absolute_url(),
                                                    obj.definition.title)),
        Column("region.name", gettext_lazy("Region"), sort="region__path"),
        Column("period", gettext_lazy("Period")),
        Column("version", gettext_lazy("Version")),
        Column("submitted_by.username", gettext_lazy("Submitted by"), sort="submitted_by__username"),
        Column("submitted_at", gettext_lazy("Submitted at"),
               render=lambda obj, user: timezone.localtime(obj.submitted_at).strftime("%Y-%m-%d %H:%M")
               if obj.submitted_at else ""),
    ]

    def get_queryset(self):
        queryset = super().get_queryset().filter(approval=ReportRun.Approval.SUBMITTED)
        user = self.request.user
        if not user_is_unrestricted(user):
            queryset = queryset.exclude(region_id=user.scope_region_id)
        return queryset


class ApprovalsPageView(LoginRequiredMixin, View):
    """Completeness and timeliness: for a report and period, every region at its reporting levels in the
    chosen region's subtree (the user's own by default), with its state, who/when, late ones in red."""

    template_name = "reports/approvals.html"

    def get(self, request):
        if not role_allows(request.user, RUN_VIEW_ROLES):
            raise PermissionDenied
        form = ApprovalsQueryForm(request.GET or None, user=request.user)
        context = {"title": _("Report completeness and timeliness"), "form": form}
        status = 200
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            root = page_region(request.user, data.get("region"))
            if root is None:
                raise Http404
            result = approval.completeness(data["definition"], data["period"], root)
            kinds = dict(Region.Kind.choices)
            states = dict(ReportRun.Approval.choices) | {"missing": _("Not handed in")}
            for row in result["results"]:
                row["level_label"] = kinds.get(row["level"], row["level"])
                row["approval_label"] = states[row["approval"]]
            context.update({"result": result, "root": root, "definition": data["definition"],
                            "period": data["period"],
                            "counts": {
                                "total": len(result["results"]),
                                "approved": sum(r["approval"] == "approved" for r in result["results"]),
                                "late": sum(r["late"] for r in result["results"]),
                            }})
        elif form.is_bound:
            status = 400
        return render(request, self.template_name, context, status=status)


class ReportingUnitEditView(LoginRequiredMixin, View):
    """The region's cover-block settings (单位负责人, 联系电话): its editors (or those above) and admins."""

    template_name = "reports/reporting_unit.html"

    def get_region(self, request, code):
        if not role_allows(request.user, frozenset({Role.ADMIN, Role.REGION_EDITOR})):
            raise PermissionDenied
        region = Region.objects.visible_to(request.user).filter(code=code).first()
        if region is None:
            raise Http404
        return region

    def render_form(self, request, region, form, status=200):
        target = request.GET.get("next") or request.POST.get("next") or ""
        if not target.startswith("/") or target.startswith("//"):
            target = ""
        return render(request, self.template_name, {
            "title": _("Reporting unit: %(name)s") % {"name": region.name}, "region": region, "form": form,
            "next": target}, status=status)

    def get(self, request, code):
        region = self.get_region(request, code)
        unit = ReportingUnit.objects.filter(region=region).first() or ReportingUnit(region=region)
        return self.render_form(request, region, ReportingUnitForm(instance=unit))

    def post(self, request, code):
        region = self.get_region(request, code)
        unit = ReportingUnit.objects.filter(region=region).first() or ReportingUnit(region=region)
        form = ReportingUnitForm(request.POST, instance=unit)
        if not form.is_valid():
            return self.render_form(request, region, form, status=400)
        form.save()
        messages.success(request, _("Saved. New builds, submissions and approvals print these on the cover block."))
        target = request.POST.get("next") or ""
        if not target.startswith("/") or target.startswith("//"):
            target = reverse("reports:reporting_unit", args=[region.code])
        return redirect(target)

# --- the statistics client's home ---------------------------------------------------------------------

class StatsHomeView(LoginRequiredMixin, View):
    """Where a statistics API client lands: its region's latest figures, its report files, and the API calls
    that fetch both (the dashboard is staff work; a stats client reads, it does not drill into registers)."""

    template_name = "reports/stats_home.html"
    roles = frozenset({Role.ADMIN, Role.STATS_CLIENT})

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not role_allows(request.user, self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        region = page_region(request.user, None)
        snapshot = None
        if region is not None:
            snapshot = (CoverageSnapshot.objects.filter(region=region, as_of__lte=timezone.localdate())
                        .order_by("-as_of").first())
        runs = list(ReportRun.objects.visible_to(request.user).filter(status=ReportRun.Status.DONE)
                    .select_related("definition", "region").order_by("-finished_at", "-pk")[:20])
        figures = []
        if snapshot is not None:
            figures = [(COUNT_LABELS[name], getattr(snapshot, name))
                       for name in ("enterprises", "org_covered", "work_covered", "uncovered", "organizations",
                                    "members", "instructors")]
        return render(request, self.template_name, {
            "title": _("Statistics"), "region": region, "snapshot": snapshot, "figures": figures,
            "rates": [(RATE_LABELS[name], percent(value)) for name, value in snapshot.rates().items()]
            if snapshot else [],
            "runs": runs,
        })
