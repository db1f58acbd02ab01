"""Activity compliance: which organizations held what the frequency rules require in a period.

The one place the rules are applied (API, compliance page, secretary reminders). See docs/activities.md.

- A period is a year (`2026`), a quarter (`2026Q3`) or a month (`2026-07`).
- A rule's period is cut into its own units inside the asked period (a monthly rule in 2026Q3: July, August,
  September). A rule coarser than the asked period (a yearly rule asked for 2026Q3) is judged over the unit
  that encloses it (the year 2026).
- A unit is expected of an organization that existed on at least one day of it (established on or before
  its last day, not dissolved on or before its first day); required = min_count × expected units.
- Held counts only **accepted** records (submitted ones are shown apart as `pending`). A unit is met when
  it holds at least min_count accepted records; a kind is `missing` when any expected unit is not met, and
  `overdue` once such a unit has ended.
- Everything is computed by one SQL statement per page of organizations: a Count with a filter per kind and
  unit, a CASE per kind and unit for "expected"; Python only reads the annotated numbers.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import add_months

from .models import ActivityRecord, FrequencyRule

UNIT_RANK = {"month": 0, "quarter": 1, "year": 2}
_PERIOD = re.compile(r"^(?P<year>\d{4})(?:(?:[Qq](?P<quarter>[1-4]))|(?:-(?P<month>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    unit: str  # month / quarter / year
    start: datetime.date
    end: datetime.date  # exclusive

    @property
    def label(self):
        if self.unit == "year":
            return f"{self.start.year}"
        if self.unit == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def last_day(self):
        return self.end - datetime.timedelta(days=1)


def parse_period(text) -> Period:
    """`2026`, `2026Q3` or `2026-07`; ValueError (with a message for the user) otherwise."""
    match = _PERIOD.match((text or "").strip())
    if not match or not 1900 <= int(match["year"]) <= 2999:
        raise ValueError(_("A period is a year (2026), a quarter (2026Q3) or a month (2026-07)."))
    year = int(match["year"])
    if match["quarter"]:
        return unit_containing("quarter", datetime.date(year, 3 * int(match["quarter"]) - 2, 1))
    if match["month"]:
        return unit_containing("month", datetime.date(year, int(match["month"]), 1))
    return unit_containing("year", datetime.date(year, 1, 1))


def unit_containing(unit, day) -> Period:
    if unit == "year":
        return Period("year", datetime.date(day.year, 1, 1), datetime.date(day.year + 1, 1, 1))
    if unit == "quarter":
        start = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period("quarter", start, add_months(start, 3))
    start = datetime.date(day.year, day.month, 1)
    return Period("month", start, add_months(start, 1))


def rule_units(rule_unit, period: Period) -> list[Period]:
    """The units of a rule judged for `period` (see the module docstring)."""
    if UNIT_RANK[rule_unit] >= UNIT_RANK[period.unit]:
        return [unit_containing(rule_unit, period.start)]
    units, day = [], period.start
    while day < period.end:
        unit = unit_containing(rule_unit, day)
        units.append(unit)
        day = unit.end
    return units


def existed_during(unit: Period, prefix=""):
    """Organizations that existed on at least one day of `unit`."""
    return Q(**{f"{prefix}established_on__lt": unit.end}) & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": unit.start}))


@dataclass
class Plan:
    """The rules and their units for a period: what to annotate and how to read it back."""

    period: Period
    rules: list  # [(rule, [units])]

    @classmethod
    def for_period(cls, period, rules=None):
        rules = list(FrequencyRule.objects.all()) if rules is None else rules
        return cls(period, [(rule, rule_units(rule.period, period)) for rule in rules])

    def annotations(self):
        accepted = ActivityRecord.Status.ACCEPTED
        result = {}
        for rule, units in self.rules:
            for index, unit in enumerate(units):
                result[f"held__{rule.kind}__{index}"] = Count("activity_records", filter=Q(
                    activity_records__kind=rule.kind, activity_records__status=accepted,
                    activity_records__held_on__gte=unit.start, activity_records__held_on__lt=unit.end))
                result[f"expected__{rule.kind}__{index}"] = Case(
                    When(existed_during(unit), then=Value(1)), default=Value(0), output_field=IntegerField())
            result[f"pending__{rule.kind}"] = Count("activity_records", filter=Q(
                activity_records__kind=rule.kind, activity_records__status=ActivityRecord.Status.SUBMITTED,
                activity_records__held_on__gte=units[0].start, activity_records__held_on__lt=units[-1].end))
        return result

    def organizations(self, queryset):
        """`queryset` of organizations, narrowed to those that existed in the period, annotated."""
        return (queryset.filter(existed_during(self.period)).select_related("region")
                .annotate(**self.annotations()).order_by("code"))

    def unmet_expressions(self, today):
        """(units not met, units not met that have ended) of an annotated organization, as SQL expressions."""
        unmet, ended = Value(0), Value(0)
        for rule, units in self.rules:
            for index, unit in enumerate(units):
                missed = Case(When(Q(**{f"expected__{rule.kind}__{index}": 1,
                                        f"held__{rule.kind}__{index}__lt": rule.min_count}), then=Value(1)),
                              default=Value(0), output_field=IntegerField())
                unmet = unmet + missed
                if unit.end <= today:
                    ended = ended + missed
        return unmet, ended

    def summary_by_prefix(self, queryset, prefix_length, today=None):
        """[(region path prefix, compliant, overdue)] per organization, three small columns computed in SQL:
        what a region's drill-down needs without reading every organization's full row."""
        from django.db.models.functions import Substr

        today = today or timezone.localdate()
        unmet, ended = self.unmet_expressions(today)
        return (queryset.filter(existed_during(self.period)).order_by()
                .annotate(**self.annotations())
                .annotate(unmet=unmet, ended_unmet=ended, under=Substr("region__path", 1, prefix_length))
                .values_list("under", "unmet", "ended_unmet"))

    def read(self, organization, today=None):
        """The compliance row of an annotated organization (no queries)."""
        today = today or timezone.localdate()
        required, held, pending, missing, overdue = {}, {}, {}, [], []
        for rule, units in self.rules:
            kind = rule.kind
            counts = [getattr(organization, f"held__{kind}__{i}") for i in range(len(units))]
            expected = [getattr(organization, f"expected__{kind}__{i}") for i in range(len(units))]
            required[kind] = rule.min_count * sum(expected)
            held[kind] = sum(counts)
            pending[kind] = getattr(organization, f"pending__{kind}")
            unmet = [unit for unit, n, e in zip(units, counts, expected) if e and n < rule.min_count]
            if unmet:
                missing.append(kind)
                if any(unit.end <= today for unit in unmet):
                    overdue.append(kind)
        return {
            "organization": organization.code,
            "name": organization.name,
            "region": organization.region.code,
            "established_on": organization.established_on,
            "dissolved_on": organization.dissolved_on,
            "required": required,
            "held": held,
            "pending": pending,
            "missing": missing,
            "overdue": bool(overdue),
            "overdue_kinds": overdue,
            "compliant": not missing,
        }


def compliance_rows(queryset, period, today=None):
    """All rows for the organizations in `queryset` (one query for the rules, one for the organizations)."""
    plan = Plan.for_period(period)
    return [plan.read(org, today) for org in plan.organizations(queryset)]
