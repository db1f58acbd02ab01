"""Coverage dashboard pages (the region's figures, child regions, trend, drill-down lists, recompute) and the
report run pages (list, request, detail with an HTML preview, scoped downloads)."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
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

from . import coverage
from .filtersets import ReportRunFilterSet
from .forms import ReportRunRequestForm
from .models import COUNT_FIELDS, ENTERPRISE_COUNTS, CoverageSnapshot, ReportRun
from .services import follow_job, request_run

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
        try:
            job = enqueue("coverage.compute", {"region": region.code, "as_of": day.isoformat()},
                          user=request.user, region_code=region.code)
        except JobQueueUnavailable:
            messages.error(request, _("The job queue is not reachable, so the computation was not started. "
                                      "Please try again later."))
        else:
            if job.status == job.Status.DONE:
                messages.success(request, _("Coverage of %(region)s on %(day)s recomputed.")
                                 % {"region": region.name, "day": day.isoformat()})
            elif job.status == job.Status.FAILED:
                messages.error(request, _("The computation failed: %(error)s") % {"error": job.error})
            else:
                messages.info(request, _("The computation has been queued (job %(id)s); reload in a moment.")
                              % {"id": job.pk})
        return redirect(reverse("reports:dashboard") + "?" + urlencode({"region": region.code,
                                                                       "as_of": day.isoformat()}))


class CoverageEnterpriseListView(ObjectListView):
    """The enterprises behind one count (drill-down), computed live by reports.coverage; exports XLSX/CSV."""

    model = Enterprise
    view_roles = REGION_STAFF_ROLES
    # by region first: sorting by name alone lets the planner walk the name index through the whole register
    default_sort = "region__path"
    export_name = "coverage"
    template_name = "reports/coverage_enterprises.html"
    columns = [
        Column("name", gettext_lazy("Name")),
        Column("uscc", gettext_lazy("Unified social credit code")),
        Column("region.name", gettext_lazy("Region"), sort="region__path"),
        Column("employees", gettext_lazy("Employees")),
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
        return coverage.with_coverage(queryset, self.day)

    def get(self, request, *args, **kwargs):
        if request.GET.get("category") and request.GET["category"] not in coverage.CATEGORIES:
            raise Http404
        return super().get(request, *args, **kwargs)

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
        return {"can_request": role_allows(self.request.user, RUN_REQUEST_ROLES)}


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
        return render(request, self.template_name, {
            "title": f"{run.definition.title} · {run.region.name} · {run.period}",
            "run": run, "preview": run.preview or {}, "versions": versions,
            "can_request": role_allows(request.user, RUN_REQUEST_ROLES), "rerun_url": rerun,
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
