"""Domain operations on activity records, each atomic, each recorded (who/when fields + simple-history).

Forms, serializers and pages call these; none of them changes a record's status by itself.

- `save_record`: create or edit content and attendance (draft or returned records only).
- `submit`: draft/returned → submitted (the filing organization's secretary, or region staff on its behalf).
- `accept`: submitted → accepted, which locks the record for good (region editors and admins).
- `return_record`: submitted → returned, with a non-empty reason (region editors and admins).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import STAFF_EDIT_ROLES, Role
from core.scoping import user_is_unrestricted
from members.models import Member

from .models import (
    LOCKED_MESSAGE,
    UNDER_REVIEW_MESSAGE,
    ActivityRecord,
    Attachment,
    Attendance,
    attachment_name,
    validate_attachment,
)

Status = ActivityRecord.Status


def may_review(user) -> bool:
    return user_is_unrestricted(user) or getattr(user, "role", None) in STAFF_EDIT_ROLES


def check_may_file(user, organization):
    """A branch secretary files and submits for their own organization only (they may *see* the records of
    sub-organizations, whose own secretaries file them). Region staff may file on an organization's behalf
    (e.g. typing in a paper record); the scope check of the caller keeps them inside their region."""
    if getattr(user, "role", None) == Role.BRANCH_SECRETARY and organization.pk != user.scope_organization_id:
        raise PermissionDenied(_("A branch secretary files activity records only for their own organization."))
    if not (may_review(user) or getattr(user, "role", None) == Role.BRANCH_SECRETARY):
        raise PermissionDenied(_("Your role may not file activity records."))


def check_may_review(user):
    if not may_review(user):
        raise PermissionDenied(_("Only region editors and administrators accept or return activity records."))


def _locked_for_update(record):
    """The record's row, locked for the rest of the transaction (two reviewers cannot both decide)."""
    return ActivityRecord.objects.select_for_update().get(pk=record.pk)


def check_editable(status):
    if status == Status.ACCEPTED:
        raise ValidationError(LOCKED_MESSAGE)
    if status == Status.SUBMITTED:
        raise ValidationError(UNDER_REVIEW_MESSAGE)


def _record_history(record, user, reason):
    record._history_user = user
    record._change_reason = reason


@transaction.atomic
def save_record(user, record, attendance=None):
    """Create or update `record` (an unsaved or modified instance). `attendance`: None leaves it as it is;
    a list of {"member": id, "present": bool, "absence_reason": str} replaces it."""
    new = record.pk is None
    if not new:
        current = _locked_for_update(record)
        check_editable(current.status)
        record.status = current.status
    else:
        record.status = Status.DRAFT
        record.created_by = user
    check_may_file(user, record.organization)
    record.full_clean(exclude=["status", "return_reason", "created_by", "submitted_by", "decided_by"])
    _record_history(record, user, "saved")
    record.save()
    _save_attendance(record, attendance, new=new)
    return record


def _save_attendance(record, attendance, new=False):
    """Attendance only of members of the record's organization who were active on the day it was held."""
    allowed = set(Member.objects.held_in_on(record.organization_id, record.held_on).values_list("pk", flat=True))
    existing = {} if new else {row.member_id: row for row in record.attendance.all()}  # a new record has none
    if attendance is None:
        stray = [member_id for member_id in existing if member_id not in allowed]
        if stray:
            raise ValidationError({"attendance": _("Some recorded attendees were not members of this "
                                                   "organization on %(day)s; update the attendance too.")
                                   % {"day": record.held_on}})
        return
    seen = set()
    for entry in attendance:
        member_id = entry["member"]
        if member_id in seen:
            raise ValidationError({"attendance": _("Member %(id)s is listed twice.") % {"id": member_id}})
        seen.add(member_id)
        if member_id not in allowed:
            raise ValidationError({"attendance": _("Member %(id)s was not a member of this organization on "
                                                   "%(day)s.") % {"id": member_id, "day": record.held_on}})
        present = bool(entry.get("present", True))
        reason = "" if present else (entry.get("absence_reason") or "").strip()
        row = existing.get(member_id)
        if row is None:
            Attendance.objects.create(record=record, member_id=member_id, present=present, absence_reason=reason)
        elif (row.present, row.absence_reason) != (present, reason):
            row.present, row.absence_reason = present, reason
            row.save()
    for member_id, row in existing.items():
        if member_id not in seen:
            row.delete()  # attendance of an editable record; simple-history keeps the deleted row


@transaction.atomic
def submit(record, user):
    record = _locked_for_update(record)
    check_may_file(user, record.organization)
    if record.status not in ActivityRecord.EDITABLE_STATUSES:
        raise ValidationError(_("Only a draft or returned record can be submitted; this one is %(status)s.")
                              % {"status": record.get_status_display()})
    record.status = Status.SUBMITTED
    record.submitted_at = timezone.now()
    record.submitted_by = user
    _record_history(record, user, "submitted")
    record.save()
    return record


@transaction.atomic
def accept(record, user):
    check_may_review(user)
    record = _locked_for_update(record)
    if record.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted record can be accepted; this one is %(status)s.")
                              % {"status": record.get_status_display()})
    record.status = Status.ACCEPTED
    record.decided_at = timezone.now()
    record.decided_by = user
    _record_history(record, user, "accepted")
    record.save()
    _note_floating_members_life(record, user)
    return record


def _note_floating_members_life(record, user):
    """A floating member present at an accepted record took part in organizational life that day: their open
    floating record's `last_contact_on` moves up, so they are no longer flagged for missing organization life."""
    from django.db.models import Q
    from simple_history.utils import bulk_update_with_history

    from members.models import FloatingRecord

    present = record.attendance.filter(present=True).values("member_id")
    stale = list(FloatingRecord.objects.filter(member__in=present, returned_on__isnull=True, left_on__lte=record.held_on)
                 .filter(Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=record.held_on)))
    for floating in stale:
        floating.last_contact_on = record.held_on
    if stale:
        bulk_update_with_history(stale, FloatingRecord, ["last_contact_on"], default_user=user)


@transaction.atomic
def return_record(record, user, reason):
    check_may_review(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the record is returned, so that it can be corrected.")})
    record = _locked_for_update(record)
    if record.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted record can be returned; this one is %(status)s.")
                              % {"status": record.get_status_display()})
    record.status = Status.RETURNED
    record.return_reason = reason
    record.decided_at = timezone.now()
    record.decided_by = user
    _record_history(record, user, "returned")
    record.save()
    return record


@transaction.atomic
def add_attachment(record, user, uploaded_file, client_key=None):
    """Attach a file (type sniffed from its bytes, ≤ 10 MB) to a record that may still be edited.
    `client_key`: the client's idempotency key (see core.idempotency), stored uniquely."""
    record = _locked_for_update(record)
    check_may_file(user, record.organization)
    check_editable(record.status)
    content_type = validate_attachment(uploaded_file)
    name = attachment_name(getattr(uploaded_file, "name", ""), content_type)
    attachment = Attachment(record=record, original_name=name, content_type=content_type,
                            size=uploaded_file.size, uploaded_by=user, client_key=client_key)
    attachment.file.save("upload", uploaded_file, save=False)
    attachment._history_user = user
    attachment.save()
    return attachment


def rating_rule_for(scheme, aspects_met):
    """The scheme's rating rule for the aspects met: the one with the highest threshold reached (rules are
    data, `AssessmentRatingRule`; no scheme is named in code). None when the scheme has no rule that fits."""
    met = len({a.pk for a in aspects_met})
    return scheme.rating_rules.filter(min_aspects_met__lte=met).order_by("-min_aspects_met").first()


def rating_for(scheme, aspects_met) -> str:
    """The rating a scheme's rules give for the aspects met (e.g. 星级评定: one star per aspect; 双强六好 and
    五个一: 达标 when every aspect is met). A scheme without rules gives no rating: it must be typed."""
    rule = rating_rule_for(scheme, aspects_met)
    if rule is None:
        raise ValidationError({"rating": _("The scheme %(scheme)s has no rating rule for %(met)d aspects met; "
                                           "give the rating by hand or add the rule.") % {
            "scheme": scheme, "met": len({a.pk for a in aspects_met})}})
    return rule.rating


# --- activity funds ------------------------------------------------------------------------------

def fund_balance(organization_id, up_to=None):
    """Income minus spending of an organization, everything received and spent up to `up_to` (inclusive,
    default: all). Funds carry over from year to year."""
    from django.db.models import Sum  # noqa: PLC0415

    from .models import FundIncome, FundSpending  # noqa: PLC0415

    incomes = FundIncome.objects.filter(organization_id=organization_id)
    spendings = FundSpending.objects.filter(organization_id=organization_id)
    if up_to is not None:
        incomes, spendings = incomes.filter(received_on__lte=up_to), spendings.filter(spent_on__lte=up_to)
    received = incomes.aggregate(s=Sum("amount_yuan"))["s"] or 0
    spent = spendings.aggregate(s=Sum("amount_yuan"))["s"] or 0
    return received - spent


@transaction.atomic
def save_spending(user, spending):
    """Create or change a spending; it may not take the organization's funds below zero, neither on its day
    nor later (the organization row is locked so two spendings at once cannot both pass the check)."""
    from organizations.models import PartyOrganization  # noqa: PLC0415

    from .models import FundSpending  # noqa: PLC0415

    check_may_file(user, spending.organization)
    list(PartyOrganization.objects.select_for_update().filter(pk=spending.organization_id).values_list("pk"))
    spending.full_clean()
    previous = None
    if spending.pk:
        previous = FundSpending.objects.filter(pk=spending.pk).values("amount_yuan", "spent_on",
                                                                      "organization_id").first()
    # The balance at the spending's day without it, and at the end (a later spending must stay covered).
    for day in (spending.spent_on, None):
        balance = fund_balance(spending.organization_id, day)
        if previous and previous["organization_id"] == spending.organization_id and (
                day is None or previous["spent_on"] <= day):
            balance += previous["amount_yuan"]
        if spending.amount_yuan > balance:
            if day is not None:
                message = _("The spending exceeds the organization's activity funds: %(balance)s yuan available "
                            "on %(day)s.") % {"balance": balance, "day": day.isoformat()}
            else:
                message = _("The spending would leave later spendings uncovered: only %(balance)s yuan remain "
                            "once they are counted.") % {"balance": balance}
            raise ValidationError({"amount_yuan": message})
    spending._history_user = user
    spending.save()
    return spending


def add_receipt(spending, user, uploaded_file):
    """Attach a receipt to a spending: the same size and content checks and private storage as activity
    attachments."""
    from .models import FundReceipt  # noqa: PLC0415

    check_may_file(user, spending.organization)
    content_type = validate_attachment(uploaded_file)
    name = attachment_name(getattr(uploaded_file, "name", ""), content_type)  # the extension of what it is
    receipt = FundReceipt(spending=spending, original_name=name, content_type=content_type,
                          size=uploaded_file.size, uploaded_by=user)
    receipt.file.save("upload", uploaded_file, save=False)
    receipt._history_user = user
    receipt.save()
    return receipt


def fiscal_allocation_due(organization, year):
    """What the fiscal allocation rules give an organization for `year`: the base of each enterprise it
    covers on 1 January by that enterprise's scale, plus the amount per member it holds on 1 January."""
    import datetime  # noqa: PLC0415

    from organizations.models import CoverageLink  # noqa: PLC0415

    from .models import FundAllocationRule  # noqa: PLC0415

    day = datetime.date(year, 1, 1)
    rules = {}
    for rule in FundAllocationRule.objects.filter(from_year__lte=year).order_by("from_year"):
        rules[(rule.basis, rule.scale)] = rule.amount_yuan  # the latest rule from a year on wins
    scales = list(CoverageLink.objects.active_on(day).filter(organization=organization)
                  .values_list("enterprise__scale", flat=True))
    by_scale = sum((rules.get(("scale", scale), 0) for scale in scales), 0)
    members = Member.objects.held_in_on(organization.pk, day).count()
    per_member = rules.get(("member", ""), 0)
    return {"enterprises": len(scales), "by_scale": by_scale, "members": members,
            "per_member": per_member, "by_member": per_member * members}
