"""Terms of office: when the next election (换届) is due, computed in SQL for whole lists.

The term starts at the latest election (or the organization's establishment) and lasts that election's
term, else the organization's `term_years`, else the default for its kind (committee 5, branch 3).
"""

import datetime

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from core.dates import shift_years as total_shift_years

from .models import DEFAULT_TERM_YEARS, MAX_TERM_YEARS, Election
DUE_WITHIN_DAYS = 90


def shift_years(day: datetime.date, years: int) -> datetime.date:
    return total_shift_years(day, years)  # 28 February for 29 February; clamped to the calendar


def annotate_terms(queryset):
    latest = Election.objects.filter(organization=OuterRef("pk")).order_by("-held_on", "-id")
    kind_default = Case(*[When(kind=kind, then=Value(years)) for kind, years in DEFAULT_TERM_YEARS.items()],
                        default=Value(None), output_field=IntegerField())
    return queryset.annotate(
        term_started_on=Coalesce(Subquery(latest.values("held_on")[:1]), "established_on"),
        effective_term=Coalesce(Subquery(latest.values("term_years")[:1]), "term_years", kind_default),
    )


def term_overdue_condition(today: datetime.date):
    condition = Q(pk__in=[])
    for years in range(1, MAX_TERM_YEARS + 1):
        condition |= Q(effective_term=years, term_started_on__lte=shift_years(today, -years))
    return condition


def term_due_condition(today: datetime.date):
    horizon = today + datetime.timedelta(days=DUE_WITHIN_DAYS)
    condition = Q(pk__in=[])
    for years in range(1, MAX_TERM_YEARS + 1):
        condition |= Q(effective_term=years, term_started_on__gt=shift_years(today, -years),
                       term_started_on__lte=shift_years(horizon, -years))
    return condition


def term_due_on(started_on, years):
    if not started_on or not years:
        return None
    return shift_years(started_on, years)
