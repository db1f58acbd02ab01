from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.forms import bootstrapify
from core.roles import REGION_STAFF_ROLES
from core.scoping import scoped_list
from core.views import (Column, ObjectActionView, ObjectDetailView, ObjectEditView, ObjectHistoryView, ObjectListView,
                        ScopedObjectMixin, restrict_form_fields)

from . import region_changes, services
from .filtersets import (CoverageLinkFilterSet, DualTrainingFilterSet, EnterpriseFilterSet, EnterprisePostFilterSet,
                         LeadershipBodyFilterSet, PartyOrganizationFilterSet, RegionFilterSet, SecretaryFilterSet,
                         SelectionBatchFilterSet)
from .forms import (REGION_CHANGE_FORMS, CloseEnterpriseForm, CoverageLinkForm, DualTrainingForm, ElectionForm,
                    EndAppointmentForm, EndLinkForm, EnterpriseForm, EnterprisePostForm, LeadershipBodyForm,
                    LeadershipBodyUnitForm, PartyOrganizationForm, RegionForm, SecretaryAppointmentForm, SecretaryForm,
                    SecretaryTrainingForm, SelectionBatchForm)
from .models import (CoverageLink, DualTraining, Election, Enterprise, EnterprisePost, LeadershipBody, LeadershipBodyUnit,
                     PartyOrganization, Region, RegionChange, Secretary, SecretaryAppointment, SecretarySource,
                     SecretaryTraining, SelectionBatch)
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
    """Region staff only: a secretary's or an instructor's scope is no region (their list would be empty
    while the tree card named the province), so regions are not their page (docs/decisions.md)."""

    model = Region
    view_roles = REGION_STAFF_ROLES
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
    view_roles = REGION_STAFF_ROLES
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
        context["may_change_region"] = self.can_edit and region_changes.can_change_region(user, region) \
            and not (region.valid_to and region.valid_to <= timezone.localdate())
        if context["may_change_region"]:
            today = timezone.localdate()
            forms = {}
            for kind, form_class in REGION_CHANGE_FORMS.items():
                form = bootstrapify(form_class(initial={"effective_on": today}, prefix=kind))
                restrict_form_fields(form, user)
                forms[kind] = form
            context["change_forms"] = forms
        context["recent_changes"] = list(RegionChange.objects.filter(Q(region=region) | Q(merged_into=region))
                                         .select_related("region", "old_parent", "new_parent", "merged_into",
                                                         "recorded_by")[:5])
        return context


class RegionEditView(ObjectEditView):
    model = Region
    form_class = RegionForm

    def save(self, form):
        region = form.save(commit=False)
        parent = form.cleaned_data.get("parent")
        if region.pk is None and parent is None and not self.request.user.is_admin:
            raise ValidationError({"parent": _("Only administrators can create a top-level region.")})
        return services.save_region(region, parent, user=self.request.user)


class RegionHistoryView(ObjectHistoryView):
    """The recorded changes (simple-history) plus the region changes (区划调整) it took part in and its
    past names and parents."""

    model = Region
    view_roles = REGION_STAFF_ROLES
    template_name = "organizations/region_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        region = self.object
        context["region_changes"] = list(
            RegionChange.objects.filter(Q(region=region) | Q(merged_into=region) | Q(old_parent=region)
                                        | Q(new_parent=region))
            .select_related("region", "old_parent", "new_parent", "merged_into", "recorded_by"))
        context["past"] = region_changes.region_past(region)
        return context


class RegionChangeView(ObjectActionView):
    """POST one region change (move/rename/merge/close) from the region's page; the service decides."""

    model = Region

    def post(self, request, pk, kind):
        return super().post(request, pk)

    def get_form(self, region):
        form = REGION_CHANGE_FORMS[self.kwargs["kind"]](self.request.POST, prefix=self.kwargs["kind"])
        restrict_form_fields(form, self.request.user)
        return form

    def perform(self, region, form):
        change = region_changes.apply_change(region, self.kwargs["kind"], user=self.request.user,
                                             **form.change_kwargs())
        return _("Recorded: %(change)s.") % {"change": change.get_kind_display()}


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
        # Only organizations the viewer may see are named; the others are counted (core.scoping.scoped_list).
        links = scoped_list(CoverageLink.objects.filter(enterprise=enterprise).select_related("organization")
                            .order_by("-valid_from"), self.request.user, "organization")
        for link in links:
            link.active_today = link.is_active_on(today)
        context["links"] = links
        context["close_form"] = bootstrapify(CloseEnterpriseForm())
        posts = list(enterprise.posts.select_related("member").order_by("-level", "person_name"))  # management first
        for post in posts:
            post.current = (post.started_on is None or post.started_on <= today) and (post.ended_on is None
                                                                                    or post.ended_on > today)
        management = [p for p in posts if p.current and p.level == EnterprisePost.Level.MANAGEMENT]
        from .figures import rate  # noqa: PLC0415

        context.update({
            "posts": posts,
            "management_share": rate(sum(1 for p in management if p.is_member), len(management)),
            "management_count": len(management),
            "management_members": sum(1 for p in management if p.is_member),
            "dual_trainings": list(enterprise.dual_trainings.select_related("applicant", "member")),
            "post_form": bootstrapify(EnterprisePostForm()),
            "post_end_form": bootstrapify(EndAppointmentForm(initial={"ended_on": today})),
            "dual_form": bootstrapify(DualTrainingForm(initial={"started_on": today})),
        })
        # The enterprise's instructor assignment history (instructors app), newest first, through the scope.
        assignment_model = apps.get_model("instructors", "Assignment")
        context["assignments"] = scoped_list(
            assignment_model.objects.filter(enterprise=enterprise).select_related("instructor", "batch")
            .order_by("-start_on", "-pk"), self.request.user, "instructor", limit=50)
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
                     "secretary_name", "secretary_source", "cross_appointed", "supervising_body"]

    def get_queryset(self):
        return annotate_terms(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        org = self.object
        today = timezone.localdate()
        user = self.request.user
        # Only enterprises the viewer may see are named; the others are counted (core.scoping.scoped_list).
        links = scoped_list(org.coverage_links.select_related("enterprise").order_by("-valid_from"), user,
                            "enterprise")
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
            "parent": (PartyOrganization.objects.visible_to(user).filter(path=org.path[:-PartyOrganization.steplen])
                       .first() if org.depth > 1 else None),
            "children": PartyOrganization.objects.visible_to(user).filter(path__startswith=org.path,
                                                                           depth=org.depth + 1),
            "secretary_posts": [a for a in org.secretary_appointments.select_related("secretary")
                                .order_by("role", "-appointed_on") if a.is_active_on(today)],
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


# --- secretaries (书记队伍) -----------------------------------------------------------------------

def figures_region(request):
    """The region a figures page is about: `?region=code` within scope, else the user's scope root."""
    code = request.GET.get("region")
    regions = Region.objects.visible_to(request.user)
    if code:
        region = regions.filter(code=code).first()
        if region is None:
            from django.http import Http404  # noqa: PLC0415

            raise Http404
        return region
    return visible_roots(request.user).first()


def _date_param(request):
    import datetime  # noqa: PLC0415

    try:
        return datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


class SecretaryListView(ObjectListView):
    model = Secretary
    filterset_class = SecretaryFilterSet
    create_url_name = "organizations:secretary_create"
    extra_actions = [(gettext_lazy("Figures"), "organizations:secretary_figures"),
                     (gettext_lazy("Selection batches"), "organizations:selection_batch_list")]
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("source", gettext_lazy("Source")),
        Column("region.name", gettext_lazy("Managing region"), sort="region__code"),
        Column("unit", gettext_lazy("Work unit and post")),
        Column("batch.name", gettext_lazy("Selection batch"), sort="batch__selected_on"),
        Column("current_posts", gettext_lazy("Serving now"), sort="current_posts"),
        Column("hours_this_year", gettext_lazy("Training hours this year"), sort="hours_this_year"),
    ]

    def get_base_queryset(self):
        today = timezone.localdate()
        posts = (SecretaryAppointment.objects.filter(secretary=OuterRef("pk"), appointed_on__lte=today)
                 .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today)).order_by()
                 .values("secretary").annotate(n=Count("pk")).values("n"))
        hours = (SecretaryTraining.objects.filter(secretary=OuterRef("pk"), held_on__year=today.year).order_by()
                 .values("secretary").annotate(h=Sum("hours")).values("h"))
        return Secretary.objects.select_related("region", "batch").annotate(
            current_posts=Coalesce(Subquery(posts, output_field=IntegerField()), 0),
            hours_this_year=Subquery(hours))


class SecretaryDetailView(ObjectDetailView):
    model = Secretary
    template_name = "organizations/secretary_detail.html"
    detail_fields = ["source", "region", "member", "phone", "unit", "batch"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        appointments = list(self.object.appointments.select_related("organization").order_by("-appointed_on"))
        for appointment in appointments:
            appointment.active_today = appointment.is_active_on(today)
        appointment_form = bootstrapify(SecretaryAppointmentForm(initial={"appointed_on": today}))
        restrict_form_fields(appointment_form, self.request.user)
        context.update({
            "appointments": appointments,
            "trainings": self.object.trainings.all(),
            "appointment_form": appointment_form,
            "end_form": bootstrapify(EndAppointmentForm(initial={"ended_on": today})),
            "training_form": bootstrapify(SecretaryTrainingForm(initial={"held_on": today})),
        })
        return context


class SecretaryEditView(ObjectEditView):
    model = Secretary
    form_class = SecretaryForm

    def save(self, form):
        secretary = form.save()
        for appointment in secretary.appointments.select_related("organization"):
            services.sync_secretary_name(appointment.organization)  # a new name or source shows at once
        return secretary


class SecretaryHistoryView(ObjectHistoryView):
    model = Secretary


class AppointmentCreateView(ObjectActionView):
    model = Secretary
    form_class = SecretaryAppointmentForm

    def get_form(self, secretary):
        form = SecretaryAppointmentForm(self.request.POST, instance=SecretaryAppointment(secretary=secretary))
        restrict_form_fields(form, self.request.user)
        return form

    def perform(self, secretary, form):
        appointment = services.save_appointment(form.save(commit=False))
        return _("%(name)s is recorded as %(post)s of “%(org)s”.") % {
            "name": secretary.name, "post": appointment.get_role_display(), "org": appointment.organization.name}


class AppointmentEndView(ObjectActionView):
    model = SecretaryAppointment
    form_class = EndAppointmentForm

    def get_base_queryset(self):
        return SecretaryAppointment.objects.select_related("organization", "secretary")

    def perform(self, appointment, form):
        services.end_appointment(appointment, form.cleaned_data["ended_on"])
        return _("The appointment ends on %(date)s.") % {"date": appointment.ended_on.isoformat()}

    def get_redirect_url(self, obj):
        return obj.secretary.get_absolute_url()


class TrainingCreateView(ObjectActionView):
    model = Secretary
    form_class = SecretaryTrainingForm

    def get_form(self, secretary):
        return SecretaryTrainingForm(self.request.POST, instance=SecretaryTraining(secretary=secretary))

    def perform(self, secretary, form):
        training = form.save()
        return _("Training “%(course)s” recorded.") % {"course": training.course}


class SelectionBatchListView(ObjectListView):
    model = SelectionBatch
    filterset_class = SelectionBatchFilterSet
    create_url_name = "organizations:selection_batch_create"
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("selected_on", gettext_lazy("Selected on")),
        Column("people", gettext_lazy("Secretaries"), sort="people"),
        Column("note", gettext_lazy("Note")),
    ]

    def get_base_queryset(self):
        return SelectionBatch.objects.select_related("region").annotate(people=Count("secretaries"))


class SelectionBatchDetailView(ObjectDetailView):
    model = SelectionBatch
    template_name = "organizations/selection_batch_detail.html"
    detail_fields = ["region", "selected_on", "note"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["people"] = Secretary.objects.visible_to(self.request.user).filter(batch=self.object)
        return context


class SelectionBatchEditView(ObjectEditView):
    model = SelectionBatch
    form_class = SelectionBatchForm


class SecretaryFiguresView(ScopedObjectMixin, View):
    """Per region: organizations by their secretary's source, secretaries trained this year; each figure
    links to the list behind it."""

    model = Secretary

    def get(self, request):
        from .figures import secretary_figures  # noqa: PLC0415

        region = figures_region(request)
        day = _date_param(request)
        figures = secretary_figures(request.user, region, day) if region else None
        return render(request, "organizations/secretary_figures.html", {
            "title": _("Secretaries: figures"), "region": region, "figures": figures, "day": day,
            "source_labels": dict(SecretarySource.choices)})


# --- leadership bodies ---------------------------------------------------------------------------

class LeadershipBodyListView(ObjectListView):
    model = LeadershipBody
    filterset_class = LeadershipBodyFilterSet
    create_url_name = "organizations:leadership_body_create"
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("kind", gettext_lazy("Kind")),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("organization_count", gettext_lazy("Organizations supervised"), sort="organization_count"),
        Column("enterprise_count", gettext_lazy("Enterprises covered"), sort="enterprise_count"),
        Column("member_count", gettext_lazy("Members"), sort="member_count"),
    ]

    def get_base_queryset(self):
        from .figures import annotate_body_counts  # noqa: PLC0415

        return annotate_body_counts(LeadershipBody.objects.select_related("region"), timezone.localdate())


class LeadershipBodyDetailView(ObjectDetailView):
    model = LeadershipBody
    template_name = "organizations/leadership_body_detail.html"
    detail_fields = ["kind", "region", "industry", "head", "established_on", "dissolved_on", "note"]

    def get_queryset(self):
        from .figures import annotate_body_counts  # noqa: PLC0415

        return annotate_body_counts(super().get_queryset(), timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["units"] = self.object.units.all()
        context["unit_form"] = bootstrapify(LeadershipBodyUnitForm())
        context["organizations"] = (PartyOrganization.objects.visible_to(self.request.user)
                                    .filter(supervising_body=self.object).select_related("region")[:100])
        return context


class LeadershipBodyEditView(ObjectEditView):
    model = LeadershipBody
    form_class = LeadershipBodyForm


class LeadershipBodyHistoryView(ObjectHistoryView):
    model = LeadershipBody


class LeadershipBodyUnitCreateView(ObjectActionView):
    model = LeadershipBody
    form_class = LeadershipBodyUnitForm

    def get_form(self, body):
        return LeadershipBodyUnitForm(self.request.POST, instance=LeadershipBodyUnit(body=body))

    def perform(self, body, form):
        unit = form.save()
        return _("“%(unit)s” is a member unit of the body.") % {"unit": unit.name}


# --- two-way entry (双向进入、交叉任职), 双培双推 ---------------------------------------------------

class EnterprisePostListView(ObjectListView):
    model = EnterprisePost
    filterset_class = EnterprisePostFilterSet
    extra_actions = [(gettext_lazy("Figures"), "organizations:two_way_figures"),
                     (gettext_lazy("Dual training (双培双推)"), "organizations:dual_training_list")]
    columns = [
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name", link=True),
        Column("person_name", gettext_lazy("Person")),
        Column("post", gettext_lazy("Post")),
        Column("level", gettext_lazy("Level")),
        Column("is_member", gettext_lazy("Party member")),
        Column("on_party_committee", gettext_lazy("Cross-appointed")),
        Column("started_on", gettext_lazy("From")),
        Column("ended_on", gettext_lazy("Until")),
    ]

    def get_base_queryset(self):
        return EnterprisePost.objects.select_related("enterprise")


class DualTrainingListView(ObjectListView):
    model = DualTraining
    filterset_class = DualTrainingFilterSet
    columns = [
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name", link=True),
        Column("person_name", gettext_lazy("Person")),
        Column("track", gettext_lazy("Track")),
        Column("started_on", gettext_lazy("Started on")),
        Column("outcome", gettext_lazy("Outcome")),
        Column("achieved_on", gettext_lazy("Achieved on")),
        Column("applicant.stage", gettext_lazy("Application stage"), sort="applicant__stage"),
    ]

    def get_base_queryset(self):
        return DualTraining.objects.select_related("enterprise", "applicant")


class EnterprisePostCreateView(ObjectActionView):
    model = Enterprise
    form_class = EnterprisePostForm

    def get_form(self, enterprise):
        form = EnterprisePostForm(self.request.POST, instance=EnterprisePost(enterprise=enterprise))
        restrict_form_fields(form, self.request.user)
        return form

    def perform(self, enterprise, form):
        post = form.save()
        return _("Post “%(post)s” of %(name)s recorded.") % {"post": post.post, "name": post.person_name}


class EnterprisePostEndView(ObjectActionView):
    model = EnterprisePost
    form_class = EndAppointmentForm

    def perform(self, post, form):
        post.ended_on = form.cleaned_data["ended_on"]
        post.full_clean(exclude=["enterprise", "member"])
        post.save()
        return _("%(name)s leaves the post on %(date)s.") % {"name": post.person_name, "date": post.ended_on.isoformat()}


class DualTrainingCreateView(ObjectActionView):
    model = Enterprise
    form_class = DualTrainingForm

    def get_form(self, enterprise):
        form = DualTrainingForm(self.request.POST, instance=DualTraining(enterprise=enterprise))
        restrict_form_fields(form, self.request.user)
        return form

    def perform(self, enterprise, form):
        training = form.save()
        return _("%(name)s is recorded on the track “%(track)s”.") % {"name": training.person_name,
                                                                      "track": training.get_track_display()}


class TwoWayFiguresView(ScopedObjectMixin, View):
    """Members among management and backbone staff, per region and child region, and the 双培双推 tracks."""

    model = EnterprisePost

    def get(self, request):
        from .figures import annotate_enterprise_posts, two_way_figures  # noqa: PLC0415

        region = figures_region(request)
        day = _date_param(request)
        figures = two_way_figures(request.user, region, day) if region else None
        enterprises = []
        if region:
            enterprises = list(annotate_enterprise_posts(
                Enterprise.objects.visible_to(request.user).filter(region__path__startswith=region.path), day)
                .filter(management_posts__gt=0).order_by("name")[:200])
            from .figures import rate  # noqa: PLC0415

            for enterprise in enterprises:
                enterprise.share = rate(enterprise.management_members, enterprise.management_posts)
        return render(request, "organizations/two_way_figures.html", {
            "title": _("Two-way entry and cross-appointment: figures"), "region": region, "figures": figures,
            "day": day, "enterprises": enterprises})

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
