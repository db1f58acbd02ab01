import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, NaturalKeyFilter, SearchFilter, SubtreeFilter, YesNoFilter

from .models import Assignment, DemonstrationSite, Instructor, InstructorType, Meeting, Training


class InstructorFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "source_unit"))
    region = SubtreeFilter(field_name="region", label=_("Region"))
    type = django_filters.ModelChoiceFilter(queryset=InstructorType.objects.all(), to_field_name="code",
                                            label=_("Type"))
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Active on"))

    class Meta:
        model = Instructor
        fields = ["q", "region", "type", "is_retired_cadre", "active_on"]

    def filter_active_on(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(active_from__lte=value), Q(active_to__isnull=True) | Q(active_to__gt=value))


class AssignmentFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="enterprise__region", label=_("Region"))
    enterprise = NaturalKeyFilter(model_label="organizations.Enterprise", to_field_name="uscc",
                                  label=_("Enterprise"))
    instructor = IdFilter(field_name="instructor_id", label=_("Instructor"))
    batch = django_filters.CharFilter(field_name="batch__name", label=_("Batch"))
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("Active on"))

    class Meta:
        model = Assignment
        fields = ["region", "enterprise", "instructor", "batch", "active_on"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class DemonstrationSiteFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="region", label=_("Region"))
    level = django_filters.ChoiceFilter(choices=DemonstrationSite.Level.choices, label=_("Level"))
    revoked = YesNoFilter(field_name="revoked_on", lookup_expr="isnull", exclude=True, label=_("Revoked"))

    class Meta:
        model = DemonstrationSite
        fields = ["region", "level", "revoked"]


class _HeldFilterSet(django_filters.FilterSet):
    """Meetings and trainings: by region subtree, period and attendee."""

    region = SubtreeFilter(field_name="region", label=_("Region"))
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("Held on or after"))
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("Held on or before"))
    attendee = django_filters.NumberFilter(field_name="attendees", label=_("Attendee (instructor id)"))


class MeetingFilterSet(_HeldFilterSet):
    class Meta:
        model = Meeting
        fields = ["region", "held_from", "held_to", "attendee"]


class TrainingFilterSet(_HeldFilterSet):
    class Meta:
        model = Training
        fields = ["region", "held_from", "held_to", "attendee"]
