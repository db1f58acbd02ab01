import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import NaturalKeyFilter, SearchFilter, SubtreeFilter, YesNoFilter

from .compliance import parse_period
from .models import ActivityKind, ActivityRecord, AssessmentResult, ChecklistResult, Suggestion


class PeriodFilter(django_filters.CharFilter):
    """`?period=2026Q3` (or 2026-07, 2026): `field_name` (a date) inside that period."""

    def filter(self, qs, value):
        if not value:
            return qs
        try:
            period = parse_period(value)
        except ValueError:
            return qs.none()
        return qs.filter(**{f"{self.field_name}__gte": period.start, f"{self.field_name}__lt": period.end})


class ActivityRecordFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("topic", "place", "host"))
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization code"))
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))
    status = django_filters.ChoiceFilter(choices=ActivityRecord.Status.choices, label=_("Status"))
    period = PeriodFilter(field_name="held_on", label=_("Period (2026, 2026Q3 or 2026-07)"))
    held_from = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("Held on or after"))
    held_to = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("Held on or before"))

    class Meta:
        model = ActivityRecord
        fields = ["q", "region", "organization", "kind", "status", "period", "held_from", "held_to"]


class SuggestionFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("content", "raised_by"))
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization code"))
    enterprise = NaturalKeyFilter(model_label="organizations.Enterprise", to_field_name="uscc",
                                  label=_("Enterprise USCC"))
    year = django_filters.NumberFilter(field_name="raised_on", lookup_expr="year", label=_("Year"),
                                     min_value=1900, max_value=2999)
    accepted = YesNoFilter(label=_("Accepted"))

    class Meta:
        model = Suggestion
        fields = ["q", "region", "organization", "enterprise", "year", "accepted"]


class ChecklistResultFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization code"))
    year = django_filters.NumberFilter(label=_("Year"), min_value=1900, max_value=2999)
    met = YesNoFilter(label=_("Met"))

    class Meta:
        model = ChecklistResult
        fields = ["region", "organization", "year", "met"]


class AssessmentResultFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization code"))
    year = django_filters.NumberFilter(label=_("Year"), min_value=1900, max_value=2999)

    class Meta:
        model = AssessmentResult
        fields = ["region", "organization", "year", "scheme"]
