"""Filters of the report runs list: the same FilterSet drives the page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import SubtreeFilter

from .models import ReportDefinition, ReportRun


class ReportRunFilterSet(django_filters.FilterSet):
    definition = django_filters.ModelChoiceFilter(queryset=ReportDefinition.objects.all(), to_field_name="code",
                                                  label=_("Report"))
    region = SubtreeFilter(field_name="region", label=_("Within region"))
    period = django_filters.CharFilter(field_name="period", label=_("Period"))
    status = django_filters.ChoiceFilter(choices=ReportRun.Status.choices, label=_("Status"))

    class Meta:
        model = ReportRun
        fields = ["definition", "region", "period", "status"]
