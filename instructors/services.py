"""Instructor domain operations used by pages, API and imports."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.dbstats import analyze_stale

from .models import (
    Assessment,
    Assignment,
    Batch,
    ResponsibilityTarget,
    check_assignment_rules,
)


def home_region(user):
    """Where a new instructor is registered when no region is named (API.md, imports): the user's scope
    region; an administrator's (or another unrestricted user's) is the root region."""
    from organizations.models import Region  # noqa: PLC0415

    if getattr(user, "scope_region_id", None):
        return user.scope_region
    return Region.objects.filter(depth=1).order_by("path").first()


def batch_for(region, name, dispatched_on=None):
    """The batch named `name` of `region` (a dispatch batch belongs to the instructor's
    dispatching region), created if missing."""
    name = (name or "").strip()
    if not name:
        return None
    batch, _created = Batch.objects.get_or_create(
        region=region, name=name, defaults={"dispatched_on": dispatched_on or datetime.date.today()})
    return batch


def bulk_assign(enterprises, instructor, *, start_on, end_on=None, batch=None, user=None):
    """Assign `instructor` to every enterprise of the queryset `enterprises` (already scoped by the caller).

    Enterprises the instructor is already assigned to over an overlapping period are skipped. A constant
    number of queries whatever the number of enterprises: one for the enterprise ids, one for clashing
    assignments, one bulk insert (plus its history insert). Returns the created assignments.
    """
    if end_on is not None and end_on <= start_on:
        raise ValidationError({"end_on": _("The end date must be after the start date.")})
    check_assignment_rules(instructor, None, start_on, end_on)
    enterprise_ids = list(enterprises.order_by().values_list("pk", flat=True))
    clashing = Assignment.objects.filter(instructor=instructor, enterprise_id__in=enterprise_ids).filter(
        Q(end_on__isnull=True) | Q(end_on__gt=start_on))
    if end_on is not None:
        clashing = clashing.filter(start_on__lt=end_on)
    taken = set(clashing.values_list("enterprise_id", flat=True))
    new = [Assignment(instructor=instructor, enterprise_id=pk, batch=batch, start_on=start_on, end_on=end_on)
           for pk in enterprise_ids if pk not in taken]
    with transaction.atomic():
        created = bulk_create_with_history(new, Assignment, batch_size=2000, default_user=user)
    analyze_stale([Assignment])  # a batch of thousands changes the table's size for the planner
    return created


def assess(instructor, year, scheme):
    """Compute (and store) the instructor's yearly score and grade from met targets, visits and meetings."""
    start, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    counts = type(instructor).objects.filter(pk=instructor.pk).aggregate(
        targets_met=Count("assignments__targets", distinct=True, filter=Q(
            assignments__targets__outcome=ResponsibilityTarget.Outcome.MET,
            assignments__targets__due_on__gte=start, assignments__targets__due_on__lt=end)),
        visits=Count("visits", distinct=True, filter=Q(visits__visited_on__gte=start, visits__visited_on__lt=end)),
        meetings=Count("meetings", distinct=True, filter=Q(meetings__held_on__gte=start, meetings__held_on__lt=end)),
    )
    score = min(100, counts["targets_met"] * scheme.points_per_target_met
                + counts["visits"] * scheme.points_per_visit + counts["meetings"] * scheme.points_per_meeting)
    with transaction.atomic():
        assessment, _created = Assessment.objects.update_or_create(
            instructor=instructor, year=year,
            defaults={"scheme": scheme, "score": score, "grade": scheme.grade(score), **counts})
    return assessment
