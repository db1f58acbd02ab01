"""FilterSets shared by the member pages and the API (`?region=`, `?organization=`, `?employer=` …)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, NaturalKeyFilter, SearchFilter, SubtreeFilter, YesNoFilter

from .models import (
    Applicant,
    DuesPayment,
    FloatingRecord,
    Member,
    MemberCategory,
    MemberEvent,
    MemberStatus,
    Standing,
    Transfer,
)


def _org_subtree(**kwargs):
    return SubtreeFilter(model_label="organizations.PartyOrganization", **kwargs)


class MemberFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("name",))
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = _org_subtree(field_name="organization", label=_("Organization (with sub-organizations)"))
    employer = NaturalKeyFilter(model_label="organizations.Enterprise", to_field_name="uscc", field_name="employer",
                                label=_("Employer (USCC)"))
    employer_region = SubtreeFilter(field_name="employer__region", label=_("Employer's region"))
    standing = django_filters.ChoiceFilter(choices=Standing.choices, label=_("Standing"))
    category = django_filters.ChoiceFilter(choices=MemberCategory.choices, label=_("Category"))
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label=_("Status"))
    in_register = YesNoFilter(field_name="left_on", lookup_expr="isnull", label=_("In the register"))
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("In the register on"))
    joined_after = django_filters.DateFilter(field_name="joined_on", lookup_expr="gte", label=_("Joined from"))
    joined_before = django_filters.DateFilter(field_name="joined_on", lookup_expr="lte", label=_("Joined until"))

    class Meta:
        model = Member
        fields = ["q", "region", "organization", "employer", "employer_region", "standing", "category", "status",
                  "in_register", "active_on", "joined_after", "joined_before"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value)


class MemberEventFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = _org_subtree(field_name="organization", label=_("Organization"))
    kind = django_filters.ChoiceFilter(choices=MemberEvent.Kind.choices, label=_("Kind"))
    after = django_filters.DateFilter(field_name="occurred_on", lookup_expr="gte", label=_("From"))
    before = django_filters.DateFilter(field_name="occurred_on", lookup_expr="lte", label=_("Until"))

    class Meta:
        model = MemberEvent
        fields = ["region", "organization", "kind", "after", "before"]


class TransferFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("letter_number", "member__name", "to_external", "from_external"))
    organization = django_filters.CharFilter(method="filter_organization", label=_("Organization (either end)"))
    member = IdFilter(field_name="member_id", label=_("Member"))
    status = django_filters.ChoiceFilter(choices=Transfer.Status.choices, label=_("Status"))

    class Meta:
        model = Transfer
        fields = ["q", "organization", "member", "status"]

    def filter_organization(self, queryset, name, value):
        return queryset.filter(Q(from_organization__code=value) | Q(to_organization__code=value))


class FloatingRecordFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = _org_subtree(field_name="organization", label=_("Organization"))
    member = IdFilter(field_name="member_id", label=_("Member"))
    away = YesNoFilter(field_name="returned_on", lookup_expr="isnull", label=_("Still away"))

    class Meta:
        model = FloatingRecord
        fields = ["region", "organization", "member", "away"]


class DuesPaymentFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = _org_subtree(field_name="organization", label=_("Organization"))
    member = IdFilter(field_name="member_id", label=_("Member"))
    year = IdFilter(field_name="month__year", label=_("Year"), max_value=9999)
    month = django_filters.DateFilter(field_name="month", label=_("Month"))

    class Meta:
        model = DuesPayment
        fields = ["region", "organization", "member", "year", "month"]


class ApplicantFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("name",))
    region = SubtreeFilter(field_name="organization__region", label=_("Region"))
    organization = _org_subtree(field_name="organization", label=_("Organization"))
    stage = django_filters.ChoiceFilter(choices=Applicant.Stage.choices, label=_("Stage"))

    class Meta:
        model = Applicant
        fields = ["q", "region", "organization", "stage"]
