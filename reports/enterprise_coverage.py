"""Per-enterprise coverage code today (the `coverage` field of `enterprises/`, the list filter, detail pages).

A thin adapter over the one coverage definition in reports.coverage: an enterprise that is not operating
on the day is "none" (it is not in any denominator).
"""

from django.db.models import Case, CharField, F, Value, When

from .coverage import operating_q, with_coverage


def annotate_coverage_category(queryset, day):
    return with_coverage(queryset, day).annotate(coverage_today=Case(
        When(operating_q(day), then=F("coverage")), default=Value("none"), output_field=CharField()))


def coverage_category_of(enterprise, day):
    model = type(enterprise)
    return annotate_coverage_category(model.objects.filter(pk=enterprise.pk), day).values_list(
        "coverage_today", flat=True).first()
