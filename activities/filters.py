import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import NaturalKeyFilter, SearchFilter, SubtreeFilter, YesNoFilter

from .compliance import parse_period
from .models import (
    ActivityKind,
    ActivityRecord,
    AssessmentResult,
    ChecklistResult,
    FundIncome,
    FundSource,
    FundSpending,
    Pairing,
    Suggestion,
)


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
    enterprise = NaturalKeyFilter(model_label="organizations.Enterprise", to_field_name="uscc",
                                  label=_("Enterprise USCC"))
    year = django_filters.NumberFilter(label=_("Year"), min_value=1900, max_value=2999)

    class Meta:
        model = AssessmentResult
        fields = ["region", "organization", "enterprise", "year", "scheme"]


class FundIncomeFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization code"))
    year = django_filters.NumberFilter(label=_("Year"), min_value=1900, max_value=2999)
    source = django_filters.ChoiceFilter(choices=FundSource.choices, label=_("Source"))

    class Meta:
        model = FundIncome
        fields = ["region", "organization", "year", "source"]


class FundSpendingFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("purpose", "payee"))
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization code"))
    year = django_filters.NumberFilter(field_name="spent_on", lookup_expr="year", label=_("Year"),
                                     min_value=1900, max_value=2999)

    class Meta:
        model = FundSpending
        fields = ["q", "region", "organization", "year"]


class PairingFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("partner_name", "partner_organization__name", "organization__name"))
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization code"))
    kind = django_filters.ChoiceFilter(choices=Pairing.Kind.choices, label=_("Kind"))
    in_force_on = django_filters.DateFilter(method="filter_in_force", label=_("In force on"))

    class Meta:
        model = Pairing
        fields = ["q", "region", "organization", "kind", "in_force_on"]

    def filter_in_force(self, queryset, name, value):
        from django.db.models import Q  # noqa: PLC0415

        return queryset.filter(Q(started_on__lte=value), Q(ended_on__isnull=True) | Q(ended_on__gt=value))
