"""Domain operations on the register. Each is atomic, validates before writing, records who did it, and keeps
`Member.organization`, `standing`, `status` and `left_on` in step with the typed events they write.

Events are the register's history: a member's events are kept in date order (a new event may not be dated
before the member's latest one), so replaying them gives the register on any date and the balance tables
(members/balance.py) agree with it.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    ADDITION_KINDS,
    LEAVING_KINDS,
    DuesBand,
    DuesPayment,
    FloatingRecord,
    IncomeBase,
    Member,
    MemberCategory,
    MemberEvent,
    MemberStatus,
    Standing,
    Transfer,
    add_months,
)

K = MemberEvent.Kind
ENTRY_KINDS = ADDITION_KINDS  # how a new register entry arrived
TRANSFER_OUT_KINDS = (K.TRANSFERRED_OUT, K.TRANSFERRED_OUT_UNIT)
TRANSFER_IN_KINDS = (K.TRANSFERRED_IN, K.TRANSFERRED_IN_UNIT)


def _error(field, message):
    return ValidationError({field: [message]})


# --- register -------------------------------------------------------------------------------------------

@transaction.atomic
def register_member(member: Member, user, *, entry_kind=K.ADMITTED, entry_on=None, counterpart="") -> Member:
    """Add a person to the register with the event that brought them in (admitted on `joined_on` unless
    told otherwise, e.g. transferred in from an organization outside the system)."""
    if entry_kind not in ENTRY_KINDS:
        raise _error("entry_kind", _("A register entry starts with an addition (admitted, transferred in …)."))
    member.full_clean()
    entry_on = entry_on or member.joined_on
    if entry_on < member.joined_on:
        raise _error("entry_on", _("The member cannot arrive before joining the party."))
    if entry_on > timezone.localdate():
        raise _error("entry_on", _("This date cannot be in the future."))
    member.status = MemberStatus.ACTIVE
    member.left_on = None
    member.facts_on = entry_on  # in the register (and at this organization and employer) from the entry
    member.save()
    MemberEvent.objects.create(member=member, kind=entry_kind, occurred_on=entry_on,
                               organization=member.organization, employer=member.employer, counterpart=counterpart,
                               recorded_by=user)
    if entry_kind in TRANSFER_IN_KINDS and counterpart:
        Transfer.objects.create(member=member, letter_number=next_letter_number(member.organization, entry_on),
                                from_external=counterpart, to_organization=member.organization, issued_on=entry_on,
                                valid_until=entry_on, status=Transfer.Status.RECEIVED, received_on=entry_on,
                                created_by=user)
    return member


def latest_event_on(member):
    return member.events.aggregate(last=Max("occurred_on"))["last"]


UNCHANGED = object()


@transaction.atomic
def record_event(member: Member, kind: str, occurred_on: datetime.date, user, *, organization=None,
                 counterpart="", reason="", note="", probation_ends_on=None, employer=UNCHANGED) -> MemberEvent:
    """Record one typed event and apply it to the register. Refused (nothing written) when it does not fit
    the member's standing on that date; the message says why."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    today = timezone.localdate()
    if kind not in K.values:
        raise _error("kind", _("Unknown event kind “%(kind)s”.") % {"kind": kind})
    if occurred_on > today:
        raise _error("occurred_on", _("This date cannot be in the future."))
    if occurred_on < member.joined_on:
        raise _error("occurred_on", _("The member joined the party on %(date)s; an event cannot be earlier.")
                     % {"date": member.joined_on.isoformat()})
    last = latest_event_on(member)
    if last and occurred_on < last:
        raise _error("occurred_on", _("The member's latest recorded event is dated %(date)s; events are recorded "
                                      "in date order.") % {"date": last.isoformat()})
    in_register = member.left_on is None
    event = MemberEvent(member=member, kind=kind, occurred_on=occurred_on, organization=member.organization,
                        counterpart=counterpart, reason=reason, note=note, recorded_by=user)
    member.facts_on = occurred_on  # what the event changes holds from its date (members/spans.py)

    if kind == K.MOVED_WITHIN or (kind in TRANSFER_OUT_KINDS and organization is not None):
        # A move inside the system: out of one organization's register and into the other's, same day.
        if not in_register:
            raise _error("kind", _("The member is no longer in the register."))
        if organization is None:
            raise _error("organization", _("Name the organization the member moves to."))
        if organization.pk == member.organization_id:
            raise _error("organization", _("The member already belongs to this organization."))
        unit = kind == K.TRANSFERRED_OUT_UNIT
        source = member.organization
        MemberEvent.objects.create(member=member, kind=K.TRANSFERRED_OUT_UNIT if unit else K.TRANSFERRED_OUT,
                                   occurred_on=occurred_on, organization=source, counterpart=str(organization),
                                   counterpart_organization=organization, reason=reason, note=note,
                                   recorded_by=user)
        event.kind = K.TRANSFERRED_IN_UNIT if unit else K.TRANSFERRED_IN
        event.organization, event.counterpart, event.employer = organization, str(source), member.employer
        event.counterpart_organization = source
        member.organization = organization
    elif kind in ADDITION_KINDS:
        if in_register:
            raise _error("kind", _("The member is already in the register; a move between organizations is a "
                                   "transfer."))
        if member.left_on and occurred_on < member.left_on:
            raise _error("occurred_on", _("The member left the register on %(date)s; they cannot come back "
                                          "earlier.") % {"date": member.left_on.isoformat()})
        if organization is not None:
            member.organization = organization
        if employer is not UNCHANGED:
            member.employer = employer
        event.organization, event.employer = member.organization, member.employer
        member.left_on, member.status = None, MemberStatus.ACTIVE
    elif kind in LEAVING_KINDS or kind in TRANSFER_OUT_KINDS:
        if not in_register:
            raise _error("kind", _("The member is no longer in the register."))
        if kind == K.PROBATION_CANCELLED and member.standing != Standing.PROBATIONARY:
            raise _error("kind", _("Only a probationary member's probation can be cancelled."))
        member.left_on, member.status = occurred_on, MemberStatus.LEFT
    elif kind == K.EMPLOYER_CHANGED:
        if not in_register:
            raise _error("kind", _("The member is no longer in the register."))
        if employer is UNCHANGED:
            raise _error("employer", _("Name the new employer (or none)."))
        if (employer.pk if employer else None) == member.employer_id:
            raise _error("employer", _("The member is already recorded with this employer."))
        member.employer = event.employer = employer
    else:
        if not in_register:
            raise _error("kind", _("The member is no longer in the register."))
        _apply_standing_change(member, kind, occurred_on, probation_ends_on, event)
    member.save()
    event.save()
    return event


def change_employer(member: Member, employer, user, *, on=None) -> MemberEvent:
    """A change of employer is a dated event (`employer_changed`; none = no employer), not an overwrite: figures
    for a date before it keep the old employer. Page and API edits of the employer are this event dated today."""
    return record_event(member, K.EMPLOYER_CHANGED, on or timezone.localdate(), user, employer=employer)


def _apply_standing_change(member, kind, occurred_on, probation_ends_on, event):
    if kind == K.CONVERTED_TO_FULL:
        if member.standing != Standing.PROBATIONARY:
            raise _error("kind", _("The member is already a full member."))
        ends = member.probation_ends_on or add_months(member.joined_on, 12)
        if occurred_on < ends:
            raise _error("occurred_on", _("The probation ends on %(date)s; the member cannot become full before.")
                         % {"date": ends.isoformat()})
        member.standing, member.full_on = Standing.FULL, occurred_on
    elif kind == K.PROBATION_EXTENDED:
        if member.standing != Standing.PROBATIONARY:
            raise _error("kind", _("Only a probationary member's probation can be extended."))
        one_year = add_months(member.joined_on, 12)
        if member.probation_ends_on and member.probation_ends_on > one_year:
            raise _error("kind", _("The probation has already been extended once (until %(date)s).")
                         % {"date": member.probation_ends_on.isoformat()})
        if probation_ends_on is None:
            probation_ends_on = add_months(one_year, 6)  # the shortest extension, when none is named
        if not add_months(one_year, 6) <= probation_ends_on <= add_months(one_year, 12):
            raise _error("probation_ends_on", _("A probation is extended by 6 to 12 months: between %(first)s and "
                                                "%(last)s.") % {"first": add_months(one_year, 6).isoformat(),
                                                                 "last": add_months(one_year, 12).isoformat()})
        member.probation_ends_on = probation_ends_on
        event.note = event.note or _("Probation until %(date)s") % {"date": probation_ends_on.isoformat()}
    elif kind == K.FLOATING_OUT:
        if member.status == MemberStatus.FLOATING:
            raise _error("kind", _("The member is already recorded as floating."))
        member.status = MemberStatus.FLOATING
    elif kind == K.FLOATING_BACK:
        if member.status != MemberStatus.FLOATING:
            raise _error("kind", _("The member is not recorded as floating."))
        # back home the member is what they were before leaving: retired members stay retired
        member.status = MemberStatus.RETIRED if member.category == MemberCategory.RETIRED else MemberStatus.ACTIVE
    elif kind == K.RETIRED:
        if member.status == MemberStatus.RETIRED:
            raise _error("kind", _("The member is already retired."))
        member.status, member.category = MemberStatus.RETIRED, MemberCategory.RETIRED


# --- transfers ------------------------------------------------------------------------------------------

def next_letter_number(organization, day) -> str:
    """`<organization code>-<year>-<serial>`, numbered per organization and year."""
    prefix = f"{organization.code if organization else 'EXT'}-{day.year}-"
    used = Transfer.objects.filter(letter_number__startswith=prefix).count()
    number = used + 1
    while Transfer.objects.filter(letter_number=f"{prefix}{number:04d}").exists():
        number += 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def issue_transfer(member, user, *, issued_on, to_organization=None, to_external="", valid_until=None,
                   letter_number="", note="") -> Transfer:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise _error("member", _("The member is no longer in the register."))
    if (to_organization is None) == (not to_external):
        raise _error("to_organization", _("Name either an organization in the system or one outside it "
                                          "(not both)."))
    if to_organization is not None and to_organization.pk == member.organization_id:
        raise _error("to_organization", _("The member already belongs to this organization."))
    if issued_on > timezone.localdate():
        raise _error("issued_on", _("This date cannot be in the future."))
    if Transfer.objects.filter(member=member, status=Transfer.Status.ISSUED).exists():
        raise _error("member", _("The member already has an open transfer letter; record its receipt or withdraw "
                                 "it first."))
    valid_until = valid_until or add_months(issued_on, 3)
    if valid_until < issued_on:
        raise _error("valid_until", _("A letter cannot expire before it is issued."))
    letter_number = letter_number or next_letter_number(member.organization, issued_on)
    if Transfer.objects.filter(letter_number=letter_number).exists():
        raise _error("letter_number", _("Letter number %(number)s is already used.") % {"number": letter_number})
    return Transfer.objects.create(member=member, letter_number=letter_number, from_organization=member.organization,
                                   to_organization=to_organization, to_external=to_external, issued_on=issued_on,
                                   valid_until=valid_until, note=note, created_by=user)


@transaction.atomic
def receive_transfer(transfer, user, *, received_on) -> Transfer:
    """The receipt came back: only now does the member leave the sending organization."""
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    # An expired letter whose receipt is dated within its validity was only entered late: it still counts.
    if transfer.status not in (Transfer.Status.ISSUED, Transfer.Status.EXPIRED):
        raise _error("status", _("Only an issued letter can be received; this one is “%(status)s”.")
                     % {"status": transfer.get_status_display()})
    if received_on < transfer.issued_on:
        raise _error("received_on", _("The receipt cannot be dated before the letter was issued."))
    if received_on > transfer.valid_until:
        raise _error("received_on", _("The letter expired on %(date)s; issue a new one.")
                     % {"date": transfer.valid_until.isoformat()})
    if received_on > timezone.localdate():
        raise _error("received_on", _("This date cannot be in the future."))
    record_event(transfer.member, K.TRANSFERRED_OUT, received_on, user, organization=transfer.to_organization,
                 counterpart=transfer.to_external, reason=transfer.letter_number)
    transfer.status, transfer.received_on = Transfer.Status.RECEIVED, received_on
    transfer.save()
    return transfer


@transaction.atomic
def withdraw_transfer(transfer, user) -> Transfer:
    transfer = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if transfer.status != Transfer.Status.ISSUED:
        raise _error("status", _("Only an issued letter can be withdrawn."))
    transfer.status = Transfer.Status.WITHDRAWN
    transfer.save()
    return transfer


def expire_transfers(today=None) -> int:
    """Letters past their validity without a receipt are marked expired; called whenever transfers are read
    (one indexed query when nothing is stale), so lists and the API never show a stale "issued"."""
    today = today or timezone.localdate()
    from simple_history.utils import bulk_update_with_history

    stale = list(Transfer.objects.filter(status=Transfer.Status.ISSUED, valid_until__lt=today))
    for transfer in stale:
        transfer.status = Transfer.Status.EXPIRED
    if stale:
        bulk_update_with_history(stale, Transfer, ["status"])
    return len(stale)


# --- floating -------------------------------------------------------------------------------------------

def document_for(left_on, expected_return_on):
    """Away under 6 months: a proof letter; 6 months or more: the activity certificate."""
    if expected_return_on < add_months(left_on, 6):
        return FloatingRecord.Document.PROOF_LETTER
    return FloatingRecord.Document.ACTIVITY_CERTIFICATE


@transaction.atomic
def float_out(record: FloatingRecord, user) -> FloatingRecord:
    member = record.member
    if record.expected_return_on is None:
        # the time away is unknown: the document says which kind of absence it is
        if not record.document_kind:
            raise _error("expected_return_on", _("Give the expected return or the document issued."))
        needed = record.document_kind
    elif record.expected_return_on <= record.left_on:
        raise _error("expected_return_on", _("The expected return must be after leaving."))
    else:
        needed = document_for(record.left_on, record.expected_return_on)
    if not record.document_kind:
        record.document_kind = needed
    elif record.document_kind != needed:
        raise _error("document_kind", _("Away for less than 6 months needs a proof letter; 6 months or more needs "
                                        "the floating member activity certificate (here: %(doc)s).")
                     % {"doc": FloatingRecord.Document(needed).label})
    if FloatingRecord.objects.filter(member=member, returned_on__isnull=True).exists():
        raise _error("member", _("The member is already away (an open floating record exists)."))
    record_event(member, K.FLOATING_OUT, record.left_on, user, counterpart=record.destination)
    record.organization_id = Member.objects.values_list("organization_id", flat=True).get(pk=member.pk)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def float_back(record: FloatingRecord, user, *, returned_on) -> FloatingRecord:
    record = FloatingRecord.objects.select_for_update().get(pk=record.pk)
    if record.returned_on:
        raise _error("returned_on", _("The return has already been recorded."))
    if returned_on < record.left_on:
        raise _error("returned_on", _("The return cannot be before leaving."))
    record_event(record.member, K.FLOATING_BACK, returned_on, user, counterpart=record.destination)
    record.returned_on = returned_on
    record.save()
    return record


# --- dues -----------------------------------------------------------------------------------------------

CENT = Decimal("0.01")


def first_of_month(day):
    return day.replace(day=1)


def band_group(member) -> str:
    if member.category == MemberCategory.RETIRED or member.status == MemberStatus.RETIRED:
        return DuesBand.Group.RETIRED
    if member.category in (MemberCategory.STUDENT, MemberCategory.LAID_OFF) or member.status == MemberStatus.LAID_OFF:
        return DuesBand.Group.FLAT
    return DuesBand.Group.WORKING


def dues_for(member, month, *, bands=None, income=None):
    """The monthly dues owed for `month` by the band table; None when no income base is known."""
    group = band_group(member)
    bands = [b for b in (bands if bands is not None else DuesBand.objects.all()) if b.group == group]
    if income is None and group != DuesBand.Group.FLAT:
        base = (IncomeBase.objects.filter(member=member, effective_month__lte=first_of_month(month))
                .order_by("-effective_month").first())
        if base is None:
            return None
        income = base.monthly_income
    for band in bands:
        if band.up_to is None or (income is not None and income <= band.up_to):
            if band.amount is not None:
                return band.amount
            return (Decimal(income) * band.rate_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return None


@transaction.atomic
def record_payment(member, user, *, month, paid_on=None, amount=None) -> DuesPayment:
    month = first_of_month(month)
    paid_on = paid_on or timezone.localdate()
    if paid_on > timezone.localdate():
        raise _error("paid_on", _("This date cannot be in the future."))
    if month < first_of_month(member.joined_on):
        raise _error("month", _("The member joined on %(date)s; no dues are owed before.")
                     % {"date": member.joined_on.isoformat()})
    if DuesPayment.objects.filter(member=member, month=month).exists():
        raise _error("month", _("The dues for %(month)s are already recorded.") % {"month": f"{month:%Y-%m}"})
    if amount is None:
        amount = dues_for(member, month)
        if amount is None:
            raise _error("amount", _("No income base is recorded for this member; enter the amount or the income "
                                     "base first."))
    if amount <= 0:
        raise _error("amount", _("The amount must be positive."))
    return DuesPayment.objects.create(member=member, organization_id=member.organization_id, month=month,
                                      amount=amount, paid_on=paid_on, recorded_by=user)
