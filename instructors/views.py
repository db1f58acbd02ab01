"""Pages: instructors (with everything they did), assignments (with bulk assignment), visits, demonstration sites."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.forms import bootstrapify
from core.scoping import scoped_list
from core.masking import mask_for
from core.roles import STAFF_EDIT_ROLES, Role
from core.views import (
    Column,
    ObjectDetailView,
    ObjectEditView,
    ObjectHistoryView,
    ObjectListView,
    ScopedObjectMixin,
    restrict_form_fields,
)
from organizations.filtersets import EnterpriseFilterSet
from organizations.models import Enterprise

from .filters import (
    AssignmentFilterSet,
    DemonstrationSiteFilterSet,
    InstructorFilterSet,
    MeetingFilterSet,
    TrainingFilterSet,
)
from .forms import (
    AssessForm,
    AssignmentForm,
    BulkAssignForm,
    DemonstrationSiteForm,
    InstructorForm,
    MeetingForm,
    SiteReviewForm,
    TargetForm,
    TargetOutcomeForm,
    TemporaryPostForm,
    TrainingForm,
    VisitForm,
)
from .models import (
    Assignment,
    DemonstrationSite,
    DemonstrationSiteReview,
    Instructor,
    Meeting,
    ResponsibilityTarget,
    TemporaryPost,
    Training,
    Visit,
)
from .services import assess, batch_for, bulk_assign


def _masked_id(obj, user):
    return mask_for(user, obj.id_number)


# --- instructors --------------------------------------------------------------------------------

class InstructorListView(ObjectListView):
    model = Instructor
    filterset_class = InstructorFilterSet
    create_url_name = "instructors:instructor_create"
    columns = [
        Column("name", gettext_lazy("Name"), link=True),
        Column("id_number", gettext_lazy("ID number"), render=_masked_id, sensitive=True),
        Column("type.name", gettext_lazy("Type"), sort="type__code"),
        Column("source_unit", gettext_lazy("Source unit")),
        Column("region.name", gettext_lazy("Dispatching region"), sort="region__code"),
        Column("is_retired_cadre", gettext_lazy("Retired cadre")),
        Column("active_from", gettext_lazy("Active from")),
        Column("active_to", gettext_lazy("Active to")),
    ]

    def get_base_queryset(self):
        return Instructor.objects.select_related("type", "region")


class InstructorDetailView(ObjectDetailView):
    """The per-instructor page: person data, assignments with targets, visits, meetings, trainings, assessments."""

    model = Instructor
    detail_fields = ["id_number", "phone", "type", "source_unit", "is_retired_cadre", "region", "active_from",
                     "active_to"]

    def get_base_queryset(self):
        return Instructor.objects.select_related("type", "region")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        user = self.request.user
        today = timezone.localdate()
        # Everything listed goes through the viewer's scope (core.scoping.scoped_list); the rest is counted.
        context["assignments"] = scoped_list(Assignment.objects.filter(instructor=person)
                                  .select_related("enterprise", "batch")
                                  .annotate(active=Q(start_on__lte=today) & (Q(end_on__isnull=True)
                                                                             | Q(end_on__gt=today))),
                                             user, "enterprise")
        context["targets"] = scoped_list(ResponsibilityTarget.objects.filter(assignment__instructor=person)
                                         .select_related("assignment__enterprise"), user, "assignment__enterprise")
        context["visits"] = scoped_list(Visit.objects.filter(instructor=person).select_related("enterprise"), user,
                                        "enterprise")
        context["meetings"] = scoped_list(Meeting.objects.filter(attendees=person), user)
        context["trainings"] = scoped_list(person.trainings.all(), user)
        context["assessments"] = scoped_list(person.assessments.select_related("scheme"), user)
        context["posts"] = scoped_list(person.temporary_posts.select_related("enterprise"), user, "enterprise")
        context["can_file_visit"] = user.role == Role.INSTRUCTOR or self.can_edit
        context["assess_form"] = bootstrapify(AssessForm(initial={"year": today.year - 1}))
        return context


class InstructorAssessView(ScopedObjectMixin, View):
    """Compute the yearly target-responsibility assessment of one instructor (editors)."""

    model = Instructor
    needs_edit = True

    def post(self, request, pk):
        try:
            person = self.get_queryset().get(pk=pk)
        except Instructor.DoesNotExist as exc:
            raise Http404 from exc
        form = AssessForm(request.POST)
        if form.is_valid():
            result = assess(person, form.cleaned_data["year"], form.cleaned_data["scheme"])
            messages.success(request, _("Assessed %(year)s: %(score)s points, %(grade)s.") % {
                "year": result.year, "score": result.score, "grade": result.get_grade_display()})
        else:
            messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(person.get_absolute_url())


class InstructorEditView(ObjectEditView):
    model = Instructor
    form_class = InstructorForm

    def get_form_kwargs(self):
        return {"user": self.request.user}


class InstructorHistoryView(ObjectHistoryView):
    model = Instructor


# --- assignments --------------------------------------------------------------------------------

class AssignmentListView(ObjectListView):
    model = Assignment
    filterset_class = AssignmentFilterSet
    create_url_name = "instructors:assignment_create"
    title = gettext_lazy("Instructor assignments")
    template_name = "instructors/assignment_list.html"
    columns = [
        Column("instructor.name", gettext_lazy("Instructor"), link=True, sort="instructor__name"),
        Column("enterprise.name", gettext_lazy("Enterprise"), sort="enterprise__name"),
        Column("enterprise.uscc", gettext_lazy("USCC"), sort="enterprise__uscc"),
        Column("enterprise.region.name", gettext_lazy("Region"), sort="enterprise__region__code"),
        Column("batch.name", gettext_lazy("Batch"), sort="batch__name"),
        Column("start_on", gettext_lazy("Start")),
        Column("end_on", gettext_lazy("End (exclusive)")),
    ]

    def get_base_queryset(self):
        return Assignment.objects.select_related("instructor", "enterprise__region", "batch")


class AssignmentDetailView(ObjectDetailView):
    model = Assignment
    detail_fields = ["instructor", "enterprise", "batch", "start_on", "end_on", "result"]

    def get_base_queryset(self):
        return Assignment.objects.select_related("instructor", "enterprise", "batch")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["targets"] = scoped_list(self.object.targets.all(), self.request.user)
        context["can_record_outcomes"] = self.can_edit or (
            self.request.user.role == Role.INSTRUCTOR and self.object.instructor_id == self.request.user.scope_instructor_id)
        # the enterprise's whole assignment history, as far as the user may see it (instructors included)
        context["enterprise_history"] = scoped_list(Assignment.objects.filter(enterprise_id=self.object.enterprise_id)
                                                    .select_related("instructor", "batch").order_by("start_on"),
                                                    self.request.user, "instructor")
        return context


class AssignmentEditView(ObjectEditView):
    model = Assignment
    form_class = AssignmentForm

    def save(self, form):
        assignment = form.save(commit=False)
        assignment.batch = batch_for(assignment.instructor.region, form.cleaned_data.get("batch_name"),
                                     assignment.start_on)
        assignment.save()
        return assignment


class TargetCreateView(ObjectEditView):
    """Add a responsibility target ("form an organization by 2026-12-31") to an assignment in scope."""

    model = ResponsibilityTarget
    form_class = TargetForm

    def get_object(self):
        return None

    def assignment(self):
        try:
            return Assignment.objects.visible_to(self.request.user).get(pk=self.kwargs["assignment_pk"])
        except Assignment.DoesNotExist as exc:
            raise Http404 from exc

    def get(self, request, *args, **kwargs):
        self.assignment()
        return super().get(request, *args, **kwargs)

    def save(self, form):
        target = form.save(commit=False)
        target.assignment = self.assignment()
        target.full_clean()
        target.save()
        return target

    def get_success_url(self, obj):
        return obj.assignment.get_absolute_url()


class TargetEditView(ObjectEditView):
    """Change a target from the assignment's page: editors the whole target, the instructor it belongs to
    (scope keeps them to their own) its outcome, the day it was achieved and the evidence."""

    model = ResponsibilityTarget
    form_class = TargetForm
    edit_roles = STAFF_EDIT_ROLES | {Role.INSTRUCTOR}

    def get_form(self, instance, data=None, files=None):
        if self.request.user.role == Role.INSTRUCTOR:
            self.form_class = TargetOutcomeForm
        return super().get_form(instance, data, files)

    def get_success_url(self, obj):
        return obj.assignment.get_absolute_url()


class TargetHistoryView(ObjectHistoryView):
    model = ResponsibilityTarget


class AssignmentHistoryView(ObjectHistoryView):
    model = Assignment


class BulkAssignView(ScopedObjectMixin, View):
    """Assign one instructor to every enterprise of a filtered list (e.g. the uncovered ones of a town)."""

    model = Enterprise
    needs_edit = True
    template_name = "instructors/bulk_assign.html"
    preview_rows = 20

    def forms(self, data=None):
        enterprise_filter = EnterpriseFilterSet(self.request.GET or None,
                                                queryset=Enterprise.objects.visible_to(self.request.user),
                                                request=self.request)
        bootstrapify(enterprise_filter.form)
        form = BulkAssignForm(data)
        restrict_form_fields(form, self.request.user)
        return enterprise_filter, bootstrapify(form)

    def render_page(self, enterprise_filter, form, status=200):
        enterprises = enterprise_filter.qs if enterprise_filter.is_bound and enterprise_filter.is_valid() else None
        context = {"filter": enterprise_filter, "form": form, "title": _("Bulk assignment"),
                   "count": enterprises.count() if enterprises is not None else None,
                   "preview": enterprises.select_related("region")[:self.preview_rows] if enterprises is not None
                   else [], "query": self.request.GET.urlencode()}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(*self.forms())

    def post(self, request):
        enterprise_filter, form = self.forms(request.POST)
        if not enterprise_filter.is_bound or not enterprise_filter.is_valid():
            form.add_error(None, _("Choose the enterprises first (filter the list)."))
        if form.is_valid() and not form.errors:
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    batch = batch_for(data["instructor"].region, data.get("batch"), data["start_on"])
                    created = bulk_assign(enterprise_filter.qs, data["instructor"], start_on=data["start_on"],
                                          end_on=data.get("end_on"), batch=batch, user=request.user)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("%(count)d assignments created.") % {"count": len(created)})
                return redirect(f"{self.request.path}?{self.request.GET.urlencode()}")
        return self.render_page(enterprise_filter, form, status=400)


# --- visits -------------------------------------------------------------------------------------

class VisitCreateView(ObjectEditView):
    """Instructors file their own visits; editors may file them for anyone in their region."""

    model = Visit
    form_class = VisitForm
    edit_roles = STAFF_EDIT_ROLES | {Role.INSTRUCTOR}

    def get_object(self):
        return None

    def get_form(self, instance, data=None, files=None):
        form = super().get_form(instance, data, files)
        instructor = self.request.GET.get("instructor")
        if instructor and instructor.isdigit() and data is None:
            form.fields["instructor"].initial = int(instructor)
        if data is None and self.request.GET.get("enterprise"):  # "file a visit" from the instructor's home
            form.fields["enterprise"].initial = self.request.GET["enterprise"][:18]
        return form

    def get_success_url(self, obj):
        return obj.instructor.get_absolute_url()


# --- the instructor's home ------------------------------------------------------------------------

VISIT_INTERVAL_DAYS = 30


class InstructorHomeView(ScopedObjectMixin, View):
    """Where an instructor lands: my enterprises (active assignments) with the last visit to each, the
    visits due (no visit in VISIT_INTERVAL_DAYS, or none since the assignment started), and my open
    responsibility targets by due date (docs/decisions.md)."""

    view_roles = frozenset({Role.ADMIN, Role.INSTRUCTOR})
    template_name = "instructors/home.html"

    def get(self, request):
        today = timezone.localdate()
        instructor = request.user.scope_instructor
        last_visit = (Visit.objects.filter(instructor=OuterRef("instructor"), enterprise=OuterRef("enterprise"))
                      .order_by().values("enterprise").annotate(last=Max("visited_on")).values("last"))
        assignments = list(
            Assignment.objects.visible_to(request.user).active_on(today)
            .select_related("enterprise", "enterprise__region", "instructor")
            .annotate(last_visit=Subquery(last_visit)).order_by("enterprise__name"))
        for assignment in assignments:
            since = assignment.last_visit or assignment.start_on
            assignment.visit_due_on = since + datetime.timedelta(days=VISIT_INTERVAL_DAYS)
            assignment.visit_due = assignment.visit_due_on <= today
        assignments.sort(key=lambda a: (not a.visit_due, a.visit_due_on))
        targets = (ResponsibilityTarget.objects.visible_to(request.user)
                   .filter(outcome=ResponsibilityTarget.Outcome.OPEN)
                   .select_related("assignment__enterprise").order_by("due_on")[:20])
        visits = (Visit.objects.visible_to(request.user).select_related("enterprise")
                  .order_by("-visited_on", "-pk")[:10])
        return render(request, self.template_name, {
            "title": _("My enterprises and visits"), "instructor": instructor, "today": today,
            "assignments": assignments, "due_count": sum(a.visit_due for a in assignments),
            "targets": targets, "visits": visits, "interval": VISIT_INTERVAL_DAYS,
        })


# --- demonstration sites ------------------------------------------------------------------------

class DemonstrationSiteListView(ObjectListView):
    model = DemonstrationSite
    filterset_class = DemonstrationSiteFilterSet
    create_url_name = "instructors:site_create"
    template_name = "instructors/site_list.html"
    columns = [
        Column("target", gettext_lazy("Organization or enterprise"), link=True, sort=None),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("level", gettext_lazy("Level")),
        Column("theme", gettext_lazy("Theme")),
        Column("designating_body", gettext_lazy("Designated by")),
        Column("designated_on", gettext_lazy("Designated on")),
        Column("revoked_on", gettext_lazy("Revoked on")),
    ]

    def get_base_queryset(self):
        return DemonstrationSite.objects.select_related("organization", "enterprise", "region")

    def get_extra_context(self):
        """Counts of sites in force by level for the (filtered) region: one grouped query."""
        queryset = self.get_filterset(self.get_queryset())
        queryset = queryset.qs if queryset is not None else self.get_queryset()
        in_force = queryset.filter(revoked_on__isnull=True)
        counts = dict(in_force.order_by().values_list("level").annotate(n=Count("pk")))
        return {"level_counts": [(label, counts.get(value, 0)) for value, label in DemonstrationSite.Level.choices],
                "total_in_force": sum(counts.values())}


class DemonstrationSiteDetailView(ObjectDetailView):
    model = DemonstrationSite
    detail_fields = ["organization", "enterprise", "region", "level", "theme", "designating_body", "designated_on",
                     "revoked_on"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reviews"] = self.object.reviews.all()
        return context


class DemonstrationSiteEditView(ObjectEditView):
    model = DemonstrationSite
    form_class = DemonstrationSiteForm


class _ChildEditView(ObjectEditView):
    """Add (`<parent>_pk` in the URL) or change (`pk`) a row that belongs to a parent object in scope."""

    parent_model = None
    parent_field = ""

    def parent(self):
        try:
            return self.parent_model.objects.visible_to(self.request.user).get(pk=self.kwargs["parent_pk"])
        except self.parent_model.DoesNotExist as exc:
            raise Http404 from exc

    def get(self, request, *args, **kwargs):
        if "parent_pk" in self.kwargs:
            self.parent()
        return super().get(request, *args, **kwargs)

    def save(self, form):
        obj = form.save(commit=False)
        if getattr(obj, f"{self.parent_field}_id") is None:
            setattr(obj, self.parent_field, self.parent())
        obj.full_clean()
        obj.save()
        return obj


class SiteReviewEditView(_ChildEditView):
    """A demonstration site's yearly review, from the site's page."""

    model = DemonstrationSiteReview
    form_class = SiteReviewForm
    parent_model = DemonstrationSite
    parent_field = "site"


class TemporaryPostEditView(_ChildEditView):
    """An instructor's temporary post (挂职), from the instructor's page."""

    model = TemporaryPost
    form_class = TemporaryPostForm
    parent_model = Instructor
    parent_field = "instructor"


class TemporaryPostHistoryView(ObjectHistoryView):
    model = TemporaryPost


class DemonstrationSiteHistoryView(ObjectHistoryView):
    model = DemonstrationSite




# --- monthly meetings and trainings (attendance of instructors) -----------------------------------

def _attendee_count(obj, user):
    return obj.attendee_count


class _HeldListView(ObjectListView):
    def get_base_queryset(self):
        return self.model.objects.select_related("region").annotate(attendee_count=Count("attendees")).order_by("-held_on", "-pk")


class _HeldDetailView(ObjectDetailView):
    template_name = "instructors/attendance_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attendees"] = scoped_list(self.object.attendees.select_related("type", "region").order_by("name"),
                                           self.request.user)
        return context


class MeetingListView(_HeldListView):
    model = Meeting
    filterset_class = MeetingFilterSet
    create_url_name = "instructors:meeting_create"
    columns = [
        Column("held_on", gettext_lazy("Held on"), link=True),
        Column("topic", gettext_lazy("Topic")),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("attendee_count", gettext_lazy("Attendees"), render=_attendee_count, sort="attendee_count"),
    ]


class MeetingDetailView(_HeldDetailView):
    model = Meeting
    detail_fields = ["held_on", "topic", "region"]


class MeetingEditView(ObjectEditView):
    model = Meeting
    form_class = MeetingForm


class MeetingHistoryView(ObjectHistoryView):
    model = Meeting


class TrainingListView(_HeldListView):
    model = Training
    filterset_class = TrainingFilterSet
    create_url_name = "instructors:training_create"
    columns = [
        Column("held_on", gettext_lazy("Held on"), link=True),
        Column("title", gettext_lazy("Title")),
        Column("hours", gettext_lazy("Hours")),
        Column("region.name", gettext_lazy("Region"), sort="region__code"),
        Column("attendee_count", gettext_lazy("Attendees"), render=_attendee_count, sort="attendee_count"),
    ]


class TrainingDetailView(_HeldDetailView):
    model = Training
    detail_fields = ["title", "held_on", "hours", "region"]


class TrainingEditView(ObjectEditView):
    model = Training
    form_class = TrainingForm


class TrainingHistoryView(ObjectHistoryView):
    model = Training
