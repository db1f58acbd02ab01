from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.forms import bootstrapify
from core.views import (Column, ObjectActionView, ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView,
                        ScopedObjectMixin, restrict_form_fields)

from . import services
from .filtersets import CoverageLinkFilterSet, EnterpriseFilterSet, PartyOrganizationFilterSet, RegionFilterSet
from .forms import (CloseEnterpriseForm, CoverageLinkForm, ElectionForm, EndLinkForm, EnterpriseForm,
                    PartyOrganizationForm, RegionForm)
from .models import CoverageLink, Election, Enterprise, PartyOrganization, Region
from .terms import annotate_terms, term_due_on



def subtree_count(model, region_field="region"):
    """Correlated count of `model` rows in each region's subtree (one indexed LIKE per row of the page)."""
    rows = (model.objects.filter(**{f"{region_field}__path__startswith": OuterRef("path")})
            .order_by().annotate(group=Value(1)).values("group").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def visible_roots(user):
    """The top of what the user may browse: their scope region, or the real roots for admins."""
    if user.scope_region_id and not user.is_admin:
        return Region.objects.filter(pk=user.scope_region_id)
    return Region.objects.get_root_nodes()


# --- regions -----------------------------------------------------------------------------------

class RegionListView(ObjectListView):
    model = Region
    filterset_class = RegionFilterSet
    template_name = "organizations/region_list.html"
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("code", gettext_lazy("Code")),
        Column("kind", gettext_lazy("Kind")),
        Column("parent_code", gettext_lazy("Parent"), sort=None),
    ]
    create_url_name = "organizations:region_create"

    def get_base_queryset(self):
        return Region.objects.with_parent_code()

    def get_extra_context(self):
        roots = visible_roots(self.request.user).annotate(
            enterprise_count=subtree_count(Enterprise), organization_count=subtree_count(PartyOrganization))
        return {"roots": roots}


class RegionDetailView(ObjectDetailView):
    model = Region
    template_name = "organizations/region_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = self.object
        user = self.request.user
        context["ancestors"] = Region.objects.visible_to(user).filter(
            path__in=[region.path[:i] for i in range(Region.steplen, len(region.path), Region.steplen)])
        context["children"] = (Region.objects.filter(path__startswith=region.path, depth=region.depth + 1)
                               .annotate(enterprise_count=subtree_count(Enterprise),
                                         organization_count=subtree_count(PartyOrganization)))
        context["totals"] = {
            "enterprises": Enterprise.objects.filter(region__path__startswith=region.path).count(),
            "organizations": PartyOrganization.objects.filter(region__path__startswith=region.path).count(),
        }
        return context


class RegionEditView(ObjectEditView):
    model = Region
    form_class = RegionForm

    def save(self, form):
        region = form.save(commit=False)
        parent = form.cleaned_data.get("parent")
        if region.pk is None and parent is None and not self.request.user.is_admin:
            raise ValidationError({"parent": _("Only administrators can create a top-level region.")})
        return services.save_region(region, parent)


class RegionHistoryView(ObjectHistoryView):
    model = Region


# --- enterprises -------------------------------------------------------------------------------

class EnterpriseListView(ObjectListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    create_url_name = "organizations:enterprise_create"
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("uscc", gettext_lazy("USCC")),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("ownership", gettext_lazy("Ownership")),
        Column("industry", gettext_lazy("Industry")),
        Column("employees", gettext_lazy("Employees")),
        Column("scale", gettext_lazy("Scale")),
        Column("status", gettext_lazy("Status")),
        Column("founded_on", gettext_lazy("Founded on")),
    ]

    def get_base_queryset(self):
        return Enterprise.objects.select_related("region")


class EnterpriseDetailView(ObjectDetailView):
    model = Enterprise
    template_name = "organizations/enterprise_detail.html"
    detail_fields = ["uscc", "region", "ownership", "industry", "employees", "scale", "is_above_designated_size",
                     "legal_rep_is_member", "legal_rep_is_secretary", "has_union", "has_youth_league", "address",
                     "founded_on", "closed_on", "status"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enterprise = self.object
        today = timezone.localdate()
        links = list(CoverageLink.objects.filter(enterprise=enterprise).select_related("organization")
                     .order_by("-valid_from"))
        for link in links:
            link.active_today = link.is_active_on(today)
        context["links"] = links
        context["close_form"] = bootstrapify(CloseEnterpriseForm())
        # The enterprise's instructor assignment history (instructors app), newest first, through the scope.
        assignment_model = apps.get_model("instructors", "Assignment")
        context["assignments"] = list(
            assignment_model.objects.visible_to(self.request.user).filter(enterprise=enterprise)
            .select_related("instructor", "batch").order_by("-start_on", "-pk")[:50])
        for assignment in context["assignments"]:
            assignment.active_today = assignment.start_on <= today and (assignment.end_on is None
                                                                         or assignment.end_on > today)
        try:
            from reports.enterprise_coverage import coverage_category_of  # noqa: PLC0415

            from .filtersets import COVERAGE_CHOICES  # noqa: PLC0415

            context["coverage_today"] = dict(COVERAGE_CHOICES).get(coverage_category_of(enterprise, today))
        except ImportError:  # pragma: no cover
            context["coverage_today"] = None
        context.update(enterprise_related(enterprise, self.request.user))
        return context


class EnterpriseEditView(ObjectEditView):
    model = Enterprise
    form_class = EnterpriseForm


class EnterpriseHistoryView(ObjectHistoryView):
    model = Enterprise


class EnterpriseCloseView(ObjectActionView):
    model = Enterprise
    form_class = CloseEnterpriseForm

    def perform(self, enterprise, form):
        services.close_enterprise(enterprise, form.cleaned_data["closed_on"])
        return _("The enterprise is recorded as closed; it stays in the register.")


# --- organizations -----------------------------------------------------------------------------

class PartyOrganizationListView(ObjectListView):
    model = PartyOrganization
    filterset_class = PartyOrganizationFilterSet
    create_url_name = "organizations:organization_create"
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("code", gettext_lazy("Code")),
        Column("kind", gettext_lazy("Kind")),
        Column("formation_mode", gettext_lazy("Formation mode")),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("secretary_name", gettext_lazy("Secretary")),
        Column("established_on", gettext_lazy("Established on")),
        Column("dissolved_on", gettext_lazy("Dissolved on")),
        Column("term_due", gettext_lazy("Next election due"), sort="term_started_on",
               render=lambda org, user: (term_due_on(org.term_started_on, org.effective_term) or "").__str__()),
        Column("links_now", gettext_lazy("Enterprises covered"), sort="links_now"),
    ]

    def get_base_queryset(self):
        today = timezone.localdate()
        active = CoverageLink.objects.filter(organization=OuterRef("pk"), valid_from__lte=today).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=today)).order_by().values("organization").annotate(
            n=Count("pk")).values("n")
        return annotate_terms(PartyOrganization.objects.select_related("region")).annotate(
            links_now=Coalesce(Subquery(active, output_field=IntegerField()), 0))


class PartyOrganizationDetailView(ObjectDetailView):
    model = PartyOrganization
    template_name = "organizations/organization_detail.html"
    detail_fields = ["code", "kind", "formation_mode", "simultaneous", "region", "established_on", "dissolved_on",
                     (gettext_lazy("Term (years)"), "effective_term_years"),
                     "secretary_name", "secretary_source", "cross_appointed"]

    def get_queryset(self):
        return annotate_terms(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.object
        today = timezone.localdate()
        user = self.request.user
        links = list(org.coverage_links.select_related("enterprise").order_by("-valid_from"))
        for link in links:
            link.active_today = link.is_active_on(today)
        link_form = bootstrapify(CoverageLinkForm(initial={"valid_from": today}))
        restrict_form_fields(link_form, user)
        context.update({
            "links": links,
            "link_form": link_form,
            "end_form": bootstrapify(EndLinkForm(initial={"valid_to": today})),
            "election_form": bootstrapify(ElectionForm(initial={"term_years": org.effective_term_years})),
            "elections": org.elections.all(),
            "term_due_on": term_due_on(org.term_started_on, org.effective_term),
            "today": today,
            "parent": PartyOrganization.objects.get_parent(org) if org.depth > 1 else None,
            "children": PartyOrganization.objects.visible_to(user).filter(path__startswith=org.path,
                                                                           depth=org.depth + 1),
        })
        context.update(organization_related(org, user))
        return context


class PartyOrganizationEditView(ObjectEditView):
    model = PartyOrganization
    form_class = PartyOrganizationForm

    def save(self, form):
        return services.save_organization(form.save(commit=False), form.cleaned_data.get("parent"))


class PartyOrganizationHistoryView(ObjectHistoryView):
    model = PartyOrganization


class CoverageLinkCreateView(ObjectActionView):
    """Add a link from the organization's page."""

    model = PartyOrganization
    form_class = CoverageLinkForm

    def perform(self, org, form):
        link = form.save(commit=False)
        link.organization = org
        services.save_coverage_link(link)
        return _("The organization now covers “%(name)s”.") % {"name": link.enterprise}


class CoverageLinkEndView(ObjectActionView):
    model = CoverageLink
    form_class = EndLinkForm

    def get_base_queryset(self):
        return CoverageLink.objects.select_related("organization", "enterprise")

    def perform(self, link, form):
        services.end_coverage_link(link, form.cleaned_data["valid_to"])
        return _("The link ends on %(date)s.") % {"date": link.valid_to.isoformat()}


class ElectionCreateView(ObjectActionView):
    model = PartyOrganization
    form_class = ElectionForm

    def get_form(self, org):
        return ElectionForm(self.request.POST, instance=Election(organization=org))

    def perform(self, org, form):
        election = form.save()
        return _("The election is recorded; the next one is due on %(date)s.") % {
            "date": election.term_due_on.isoformat()}


class CoverageLinkListView(ObjectListView):
    model = CoverageLink
    filterset_class = CoverageLinkFilterSet
    columns = [
        Column("organization.name", gettext_lazy("Organization"), sort="organization__name", link=True),
        Column("organization.formation_mode", gettext_lazy("Formation mode"), sort="organization__formation_mode"),
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name"),
        Column("enterprise.uscc", gettext_lazy("USCC"), sort="enterprise__uscc"),
        Column("valid_from", gettext_lazy("Valid from")),
        Column("valid_to", gettext_lazy("Valid to")),
    ]

    def get_base_queryset(self):
        return CoverageLink.objects.select_related("organization", "enterprise")




class WarningsView(ScopedObjectMixin, View):
    """Formation warnings: each a count over the user's scope, linking to the list behind it."""

    model = Enterprise

    def get(self, request):
        from django.urls import reverse  # noqa: PLC0415

        from .warnings import ENTERPRISE_WARNINGS, LINK_WARNINGS, ORGANIZATION_WARNINGS  # noqa: PLC0415

        today = timezone.localdate()
        user = request.user
        sections = [
            (Enterprise, ENTERPRISE_WARNINGS, "organizations:enterprise_list"),
            (PartyOrganization, ORGANIZATION_WARNINGS, "organizations:organization_list"),
            (CoverageLink, LINK_WARNINGS, "organizations:coverage_link_list"),
        ]
        rows = []
        for model, warnings, url_name in sections:
            for key, (label, select) in warnings.items():
                count = select(model.objects.visible_to(user), today).count()
                rows.append({"label": label, "count": count, "url": f"{reverse(url_name)}?warning={key}",
                             "what": model._meta.verbose_name_plural})
        return render(request, "organizations/warnings.html", {"rows": rows, "title": _("Data-quality warnings")})


# --- related things one click away (organization and enterprise pages) --------------------------------------
# The higher apps' models are read through the app registry (organizations never imports them); every list
# goes through visible_to(user) and is bounded, so a page costs the same few queries however big the unit.

RELATED_LIMIT = 20


def organization_related(org, user):
    member_model = apps.get_model("members", "Member")
    record_model = apps.get_model("activities", "ActivityRecord")
    today = timezone.localdate()
    members = member_model.objects.visible_to(user).filter(organization=org).active_on(today)
    records = record_model.objects.visible_to(user).filter(organization=org)
    context = {
        "related_members": list(members.order_by("name", "pk")[:RELATED_LIMIT]),
        "related_member_count": members.count(),
        "related_records": list(records.order_by("-held_on", "-pk")[:5]),
        "related_record_count": records.count(),
        "related_compliance": None,
    }
    try:
        from activities.compliance import Plan, parse_period, unit_containing  # noqa: PLC0415
        from activities.models import ActivityKind  # noqa: PLC0415
    except ImportError:  # pragma: no cover - activities is part of the portal
        return context
    period = parse_period(unit_containing("quarter", today).label)
    plan = Plan.for_period(period)
    annotated = plan.organizations(PartyOrganization.objects.visible_to(user).filter(pk=org.pk)).first()
    if annotated is not None:
        row = plan.read(annotated, today)
        kinds = dict(ActivityKind.choices)
        context["related_compliance"] = {"period": period.label, "compliant": row["compliant"],
                                         "missing": [kinds[k] for k in row["missing"]],
                                         "overdue": [kinds[k] for k in row["overdue_kinds"]]}
    return context


def enterprise_related(enterprise, user):
    member_model = apps.get_model("members", "Member")
    members = (member_model.objects.visible_to(user).filter(employer=enterprise)
               .active_on(timezone.localdate()).select_related("organization"))
    return {"employed_members": list(members.order_by("name", "pk")[:RELATED_LIMIT]),
            "employed_member_count": members.count()}
