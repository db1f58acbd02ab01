"""One FilterSet per model, used by both the list pages and the API viewsets."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, NaturalKeyFilter, SearchFilter, SubtreeFilter, YesNoFilter

from .models import (CoverageLink, Enterprise, FormationMode, Industry, OrganizationKind, Ownership, PartyOrganization,
                     Region, RegionChange, Scale, SecretarySource)
from .models import (DualTraining, EnterprisePost, LeadershipBody, LeadershipBodyUnit, Secretary,
                     SecretaryAppointment, SecretaryTraining, SelectionBatch)
from .terms import annotate_terms, term_due_condition, term_overdue_condition
from .warnings import ENTERPRISE_WARNINGS, LINK_WARNINGS, ORGANIZATION_WARNINGS

COVERAGE_CHOICES = [
    ("org_individual", _("Individual organization")), ("org_joint", _("Joint organization")),
    ("org_regional", _("Regional organization")), ("org_industry", _("Industry organization")),
    ("org_attached", _("Attached organization")), ("instructor", _("Instructor only")), ("none", _("Not covered")),
]


class WarningFilter(django_filters.ChoiceFilter):
    """`?warning=<key>`: the rows behind one data-quality warning (organizations.warnings)."""

    def __init__(self, *args, warnings, **kwargs):
        self.warnings = warnings
        kwargs["choices"] = [(key, label) for key, (label, _f) in warnings.items()]
        kwargs.setdefault("label", _("Data-quality warning"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return self.warnings[value][1](qs, timezone.localdate())


class RegionFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "code"))
    region = SubtreeFilter(field_name="", label=_("Within region"))
    parent = django_filters.CharFilter(method="filter_parent", label=_("Parent code"))
    kind = django_filters.ChoiceFilter(choices=Region.Kind.choices, label=_("Kind"))

    class Meta:
        model = Region
        fields = ["q", "region", "parent", "kind"]

    def filter_parent(self, queryset, name, value):
        parent = Region.objects.filter(code=value).first()
        if parent is None:
            return queryset.none()
        return queryset.filter(path__startswith=parent.path, depth=parent.depth + 1)


class EnterpriseFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "uscc"))
    region = SubtreeFilter(field_name="region", label=_("Region (with sub-regions)"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("Ownership"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("Industry"))
    scale = django_filters.ChoiceFilter(choices=Scale.choices, label=_("Scale"))
    status = django_filters.ChoiceFilter(choices=Enterprise.Status.choices, label=_("Status"))
    employees_min = django_filters.NumberFilter(field_name="employees", lookup_expr="gte", label=_("Employees at least"))
    founded_after = django_filters.DateFilter(field_name="founded_on", lookup_expr="gte", label=_("Founded on or after"))
    has_organization = YesNoFilter(method="filter_has_organization",
                                                    label=_("Covered by a party organization today"))
    legal_rep_is_member = YesNoFilter(label=_("Legal representative is a member"))
    coverage = django_filters.ChoiceFilter(choices=COVERAGE_CHOICES, method="filter_coverage",
                                           label=_("Coverage today"))
    warning = WarningFilter(warnings=ENTERPRISE_WARNINGS)

    class Meta:
        model = Enterprise
        fields = ["q", "region", "ownership", "industry", "scale", "status", "employees_min", "founded_after",
                  "has_organization", "legal_rep_is_member", "coverage", "warning"]

    def filter_coverage(self, queryset, name, value):
        from reports.enterprise_coverage import annotate_coverage_category  # noqa: PLC0415 (higher layer)

        if not value:
            return queryset
        return annotate_coverage_category(queryset, timezone.localdate()).filter(coverage_today=value)

    def filter_has_organization(self, queryset, name, value):
        if value is None:
            return queryset
        covered = CoverageLink.objects.active_on(timezone.localdate()).values("enterprise_id")
        return queryset.filter(pk__in=covered) if value else queryset.exclude(pk__in=covered)


class PartyOrganizationFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "code", "secretary_name"))
    region = SubtreeFilter(field_name="region", label=_("Region (with sub-regions)"))
    parent = SubtreeFilter(field_name="", model_label="organizations.PartyOrganization",
                           label=_("Within organization"))
    kind = django_filters.ChoiceFilter(choices=OrganizationKind.choices, label=_("Kind"))
    formation_mode = django_filters.ChoiceFilter(choices=FormationMode.choices, label=_("Formation mode"))
    active = YesNoFilter(method="filter_active", label=_("Not dissolved"))
    term = django_filters.ChoiceFilter(
        method="filter_term", label=_("Term"),
        choices=[("due", _("Election due within 90 days")), ("overdue", _("Election overdue"))],
    )
    warning = WarningFilter(warnings=ORGANIZATION_WARNINGS)
    supervising_body = IdFilter(field_name="supervising_body_id",
                                                   label=_("Supervising body (id)"))
    secretary_source = django_filters.ChoiceFilter(
        choices=[*SecretarySource.choices, ("none", _("No secretary recorded"))], method="filter_secretary_source",
        label=_("Secretary comes from (today)"))

    class Meta:
        model = PartyOrganization
        fields = ["q", "region", "parent", "kind", "formation_mode", "active", "term", "warning", "supervising_body",
                  "secretary_source"]

    def filter_secretary_source(self, queryset, name, value):
        from .figures import annotate_secretary_source  # noqa: PLC0415

        if not value:
            return queryset
        return annotate_secretary_source(queryset, timezone.localdate()).filter(current_secretary_source=value)

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        active = Q(established_on__lte=today) & (Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=today))
        return queryset.filter(active) if value else queryset.exclude(active)

    def filter_term(self, queryset, name, value):
        today = timezone.localdate()
        queryset = annotate_terms(queryset).filter(dissolved_on__isnull=True)
        if value == "due":
            return queryset.filter(term_due_condition(today))
        if value == "overdue":
            return queryset.filter(term_overdue_condition(today))
        return queryset


class CoverageLinkFilterSet(django_filters.FilterSet):
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization (code)"))
    enterprise = NaturalKeyFilter(model_label="organizations.Enterprise", to_field_name="uscc",
                                  label=_("Enterprise (USCC)"))
    region = SubtreeFilter(field_name="enterprise__region", label=_("Region (with sub-regions)"))
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("In force on"))
    warning = WarningFilter(warnings=LINK_WARNINGS)

    class Meta:
        model = CoverageLink
        fields = ["organization", "enterprise", "region", "active_on", "warning"]

    def filter_active_on(self, queryset, name, value):
        return queryset.active_on(value) if value else queryset


class ChannelReachFilterSet(django_filters.FilterSet):
    enterprise = NaturalKeyFilter(model_label="organizations.Enterprise", to_field_name="uscc",
                                  label=_("Enterprise (USCC)"))
    channel = django_filters.CharFilter(field_name="channel__code", label=_("Channel (code)"))
    region = SubtreeFilter(field_name="enterprise__region", label=_("Region (with sub-regions)"))

    class Meta:
        from .channels import ChannelReach

        model = ChannelReach
        fields = ["enterprise", "channel", "region"]

class RegionChangeFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="region", label=_("Region (with sub-regions)"))
    kind = django_filters.ChoiceFilter(choices=RegionChange.Kind.choices, label=_("Kind of change"))
    effective_after = django_filters.DateFilter(field_name="effective_on", lookup_expr="gte",
                                                label=_("Effective on or after"))

    class Meta:
        model = RegionChange
        fields = ["region", "kind", "effective_after"]



class SecretaryFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("name", "unit"))
    region = SubtreeFilter(field_name="region", label=_("Region (with sub-regions)"))
    source = django_filters.ChoiceFilter(choices=SecretarySource.choices, label=_("Source"))
    batch = IdFilter(field_name="batch_id", label=_("Selection batch (id)"))
    trained_in = IdFilter(method="filter_trained_in", label=_("Trained in year"), min_value=1900, max_value=2999)
    serving = YesNoFilter(method="filter_serving", label=_("Serving today"))

    class Meta:
        model = Secretary
        fields = ["q", "region", "source", "batch", "trained_in", "serving"]

    def filter_trained_in(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(pk__in=SecretaryTraining.objects.filter(held_on__year=int(value)).values("secretary_id"))

    def filter_serving(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        serving = SecretaryAppointment.objects.filter(appointed_on__lte=today).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=today)).values("secretary_id")
        return queryset.filter(pk__in=serving) if value else queryset.exclude(pk__in=serving)


class SecretaryAppointmentFilterSet(django_filters.FilterSet):
    organization = NaturalKeyFilter(model_label="organizations.PartyOrganization", to_field_name="code",
                                    label=_("Organization (code)"))
    secretary = IdFilter(field_name="secretary_id", label=_("Secretary (id)"))
    region = SubtreeFilter(field_name="organization__region", label=_("Region (with sub-regions)"))
    role = django_filters.ChoiceFilter(choices=SecretaryAppointment.Role.choices, label=_("Post"))
    active_on = django_filters.DateFilter(method="filter_active_on", label=_("In office on"))

    class Meta:
        model = SecretaryAppointment
        fields = ["organization", "secretary", "region", "role", "active_on"]

    def filter_active_on(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(appointed_on__lte=value).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=value))


class SecretaryTrainingFilterSet(django_filters.FilterSet):
    secretary = IdFilter(field_name="secretary_id", label=_("Secretary (id)"))
    region = SubtreeFilter(field_name="secretary__region", label=_("Region (with sub-regions)"))
    provider = django_filters.ChoiceFilter(choices=SecretaryTraining.Provider.choices, label=_("Provider"))
    year = IdFilter(field_name="held_on", lookup_expr="year", label=_("Year"), min_value=1900, max_value=2999)

    class Meta:
        model = SecretaryTraining
        fields = ["secretary", "region", "provider", "year"]


class SelectionBatchFilterSet(django_filters.FilterSet):
    region = SubtreeFilter(field_name="region", label=_("Region (with sub-regions)"))

    class Meta:
        model = SelectionBatch
        fields = ["region"]


class LeadershipBodyFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("name",))
    region = SubtreeFilter(field_name="region", label=_("Region (with sub-regions)"))
    kind = django_filters.ChoiceFilter(choices=LeadershipBody.Kind.choices, label=_("Kind"))

    class Meta:
        model = LeadershipBody
        fields = ["q", "region", "kind"]


class LeadershipBodyUnitFilterSet(django_filters.FilterSet):
    body = IdFilter(field_name="body_id", label=_("Leadership body (id)"))
    kind = django_filters.ChoiceFilter(choices=LeadershipBodyUnit.Kind.choices, label=_("Kind of unit"))

    class Meta:
        model = LeadershipBodyUnit
        fields = ["body", "kind"]


class EnterprisePostFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("person_name", "post", "enterprise__name"))
    enterprise = NaturalKeyFilter(model_label="organizations.Enterprise", to_field_name="uscc",
                                  label=_("Enterprise (USCC)"))
    region = SubtreeFilter(field_name="enterprise__region", label=_("Region (with sub-regions)"))
    level = django_filters.ChoiceFilter(choices=EnterprisePost.Level.choices, label=_("Level"))
    is_member = YesNoFilter(label=_("Party member"))
    on_party_committee = YesNoFilter(label=_("Cross-appointed"))
    current = YesNoFilter(method="filter_current", label=_("Held today"))

    class Meta:
        model = EnterprisePost
        fields = ["q", "enterprise", "region", "level", "is_member", "on_party_committee", "current"]

    def filter_current(self, queryset, name, value):
        from .figures import active_posts  # noqa: PLC0415

        if value is None:
            return queryset
        current = active_posts(EnterprisePost.objects.all(), timezone.localdate()).values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class DualTrainingFilterSet(django_filters.FilterSet):
    q = SearchFilter(fields=("person_name", "enterprise__name"))
    enterprise = NaturalKeyFilter(model_label="organizations.Enterprise", to_field_name="uscc",
                                  label=_("Enterprise (USCC)"))
    region = SubtreeFilter(field_name="enterprise__region", label=_("Region (with sub-regions)"))
    track = django_filters.ChoiceFilter(choices=DualTraining.Track.choices, label=_("Track"))
    outcome = django_filters.ChoiceFilter(choices=DualTraining.Outcome.choices, label=_("Outcome"))

    class Meta:
        model = DualTraining
        fields = ["q", "enterprise", "region", "track", "outcome"]
