"""Plausible dates and total date arithmetic (issue 18 item 2; docs/decisions.md "Dates are bounded").

Every date a user or client enters — page forms, filter forms, API serializers, imports (through the model's
`full_clean`) — must lie in 1900-01-01 … 2100-12-31. `install()` (from CoreConfig.ready) adds that check to
Django's form and model DateFields and DRF's DateField at the class level, so it holds for every field
whenever it was declared and needs no migration (validators in `run_validators`, not in field kwargs).
Fields with tighter rules check them in the model's `clean()` or the service (a term of 1–10 years, a
transfer not issued before the member joined).

Derived dates (`add_months`, `shift_years`) never raise OverflowError: a result beyond the calendar is
clamped to `date.min` / `date.max`, so a bad row already stored cannot turn a list into a 500.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)


def validate_plausible_date(value):
    if value is None or value == "":
        return
    day = value.date() if isinstance(value, datetime.datetime) else value
    if not isinstance(day, datetime.date):
        return
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="implausible_date", params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


def _clamped(year, month, day):
    if year < datetime.MINYEAR:
        return datetime.date.min
    if year > datetime.MAXYEAR:
        return datetime.date.max
    return datetime.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def add_months(day, months):
    """The same day `months` later (the month's last day when it is shorter); clamped to the calendar."""
    month_index = day.month - 1 + months
    return _clamped(day.year + month_index // 12, month_index % 12 + 1, day.day)


def shift_years(day, years):
    """The same day `years` later (28 February for 29 February); clamped to the calendar."""
    return _clamped(day.year + years, day.month, day.day)


_installed = False


def install():
    """Bound Django's (forms, models) and DRF's DateFields; idempotent."""
    global _installed  # noqa: PLW0603
    if _installed:
        return
    _installed = True
    from django import forms  # noqa: PLC0415
    from django.db import models  # noqa: PLC0415
    from rest_framework import fields as drf_fields  # noqa: PLC0415
    from rest_framework.exceptions import ValidationError as DRFValidationError  # noqa: PLC0415

    def bounded(original):
        def run_validators(self, value):
            original(self, value)
            validate_plausible_date(value)
        return run_validators

    forms.DateField.run_validators = bounded(forms.DateField.run_validators)
    models.DateField.run_validators = bounded(models.DateField.run_validators)  # DateTimeField inherits it

    original_drf = drf_fields.DateField.run_validators

    def drf_run_validators(self, value):
        original_drf(self, value)
        try:
            validate_plausible_date(value)
        except ValidationError as error:
            raise DRFValidationError(error.messages) from error

    drf_fields.DateField.run_validators = drf_run_validators
