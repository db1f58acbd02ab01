"""Coverage dashboard pages: the region's figures, child regions, trend, drill-down lists, recompute."""

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.jobs import JobQueueUnavailable, enqueue
from core.roles import Role
from core.scoping import user_is_unrestricted
from core.views import Column, ObjectListView, role_allows
from organizations.models import Enterprise, PartyOrganization, Region

from . import coverage
from .models import COUNT_FIELDS, ENTERPRISE_COUNTS, CoverageSnapshot

DASHBOARD_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER, Role.BRANCH_SECRETARY})
REGION_STAFF_ROLES = frozenset({Role.ADMIN, Role.REGION_EDITOR, Role.REGION_VIEWER})
TREND_POINTS = 24

COUNT_LABELS = {
    "enterprises": gettext_lazy("Enterprises"),
    "org_individual": gettext_lazy("Individually formed"),
    "org_joint": gettext_lazy("Jointly formed"),
    "org_regional": gettext_lazy("Regionally formed"),
    "org_industry": gettext_lazy("Formed by industry"),
    "org_attached": gettext_lazy("Attached"),
    "org_covered": gettext_lazy("Organization-covered"),
    "instructor_covered": gettext_lazy("Instructor only"),
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

