"""Report periods: a year (`2026`), a quarter (`2026Q3`) or a month (`2026-07`), with their first and last day.

A report is "as of" the last day of its period (or today, while the period is still running).
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

YEARLY, QUARTERLY, MONTHLY = "yearly", "quarterly", "monthly"
PERIOD_TYPES = (MONTHLY, QUARTERLY, YEARLY)

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MIN_YEAR = 1949  # nothing to report before the People's Republic (and no year 0 surprises)


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    end: datetime.date
    type: str

    @property
    def code(self) -> str:
        if self.type == YEARLY:
            return f"{self.start.year}"
        if self.type == QUARTERLY:
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def __str__(self):
        return self.code

    @property
    def label(self) -> str:
        """The period as a Chinese statistician writes it (2026年 / 2026年第3季度 / 2026年7月)."""
        if self.type == YEARLY:
            return _("%(year)s") % {"year": self.start.year}
        if self.type == QUARTERLY:
            return _("%(year)s Q%(quarter)s") % {"year": self.start.year, "quarter": (self.start.month - 1) // 3 + 1}
        return _("%(year)s-%(month)02d") % {"year": self.start.year, "month": self.start.month}

    def previous(self) -> "Period":
        return containing(self.start - datetime.timedelta(days=1), self.type)

    def as_of(self, today: datetime.date) -> datetime.date:
        """The day the figures describe: the period's last day, or today while it is still running."""
        return min(self.end, today)


def _month(year, month):
    return Period(datetime.date(year, month, 1),
                  datetime.date(year, month, calendar.monthrange(year, month)[1]), MONTHLY)


def _quarter(year, quarter):
    first = 3 * (quarter - 1) + 1
    return Period(datetime.date(year, first, 1), _month(year, first + 2).end, QUARTERLY)


def _year(year):
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), YEARLY)


def parse_period(text) -> Period:
    """`2026` → the year, `2026Q3` → the quarter, `2026-07` → the month; anything else is a ValidationError."""
    value = str(text or "").strip()
    try:
        if match := _YEAR.match(value):
            period = _year(int(match[1]))
        elif match := _QUARTER.match(value):
            period = _quarter(int(match[1]), int(match[2]))
        elif (match := _MONTH.match(value)) and 1 <= int(match[2]) <= 12:
            period = _month(int(match[1]), int(match[2]))
        else:
            period = None
    except ValueError:
        period = None
    if period is None or period.start.year < MIN_YEAR:
        raise ValidationError(
            _("“%(value)s” is not a period: write a year (2026), a quarter (2026Q3) or a month (2026-07).")
            % {"value": value}, code="invalid_period")
    return period


def containing(day: datetime.date, period_type: str) -> Period:
    if period_type == YEARLY:
        return _year(day.year)
    if period_type == QUARTERLY:
        return _quarter(day.year, (day.month - 1) // 3 + 1)
    if period_type == MONTHLY:
        return _month(day.year, day.month)
    raise ValueError(period_type)


def just_ended(today: datetime.date, period_type: str) -> Period:
    """The last complete period before `today` (what the scheduled runs report on)."""
    return containing(today, period_type).previous()


def last_periods(period: Period, count: int) -> list[Period]:
    """`count` periods of the same type ending with `period`, oldest first."""
    periods = [period]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]
