"""Masking of ID numbers, phone numbers and birth dates for users without the sensitive-data permission,
and the one answer to "this ID number is taken" (docs/decisions.md: masking and duplicate ID numbers).

A masked ID number hides exactly the birth date it encodes, so the birth date is masked with it (pages and
exports show `****-**-**`, the API `null`), and a duplicate-ID answer neither confirms that a person is
registered to someone who may not see ID numbers nor ever across scope; repeated probes are rate-limited.
"""

import datetime
import re

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MASKED_DATE = "****-**-**"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

# Duplicate-ID probes: at most this many refused ID numbers per user in the window, then every ID number
# that user enters is refused until the window has passed.
ID_PROBE_LIMIT = 10
ID_PROBE_WINDOW = 3600  # seconds


def mask_value(value) -> str:
    """`430124199001011234` → `4301********1234` (as DESIGN.md shows it); a phone keeps its length
    (`13912340203` → `139****0203`); a date is hidden whole; short values keep less."""
    if isinstance(value, datetime.date):
        return MASKED_DATE
    text = "" if value is None else str(value)
    if not text:
        return ""
    if _ISO_DATE.fullmatch(text):
        return MASKED_DATE
    if len(text) >= 15:
        return text[:4] + "********" + text[-4:]
    if len(text) >= 8:
        return text[:3] + "*" * (len(text) - 7) + text[-4:]
    if len(text) > 4:
        return text[:2] + "*" * (len(text) - 4) + text[-2:]
    return "*" * len(text)


def mask_for(user, value) -> str:
    if user is not None and getattr(user, "sees_sensitive", False):
        return "" if value is None else str(value)
    return mask_value(value)


def _probe_key(user):
    return f"id-probe:{getattr(user, 'pk', None) or 'anonymous'}"


def id_probes_exhausted(user) -> bool:
    return (cache.get(_probe_key(user)) or 0) >= ID_PROBE_LIMIT


def _count_probe(user):
    key = _probe_key(user)
    if cache.add(key, 1, ID_PROBE_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, ID_PROBE_WINDOW)


def check_id_number_free(user, model, number, exclude_pk=None, field="id_number"):
    """Refuse an ID number already held by another `model` row, with an answer that reveals the holder only
    to a user who may see ID numbers and sees that row; count the refusal against the user's probe budget.

    Raises ValidationError({field: message}). Call it wherever a person's ID number is written (forms,
    serializers, imports): a user past the budget is refused every ID number for the window.
    """
    if not number:
        return
    if user is not None and id_probes_exhausted(user):
        raise ValidationError({field: _("Too many ID numbers were refused; try again in an hour or ask the "
                                        "organization department.")})
    others = model._default_manager.filter(**{field: number})
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if not others.exists():
        return
    if user is not None:
        _count_probe(user)
    in_scope = user is not None and hasattr(others, "visible_to") and others.visible_to(user).exists()
    if in_scope and getattr(user, "sees_sensitive", False):
        raise ValidationError({field: _("A person with this ID number is already registered (%(name)s).")
                               % {"name": others.visible_to(user).first()}})
    raise ValidationError({field: _("This ID number cannot be registered here — ask the organization "
                                    "department.")})
