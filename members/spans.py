"""The register through time (DESIGN.md "Time: every figure for a past date stays what it was").

A member's organization, employer, standing and presence on a date D are read from `MemberSpan` rows: the
stretches of days between the member's events in which those facts did not change. Two ways keep them:

- `follow_row(member, on)`: after a write, the member row holds the facts *from `on` onwards*; the open span is
  closed at `on` and a new one opened when they differ. The services set `on` to the event's date (events are
  recorded in date order, so `on` is never before the open span); any other save of a member row (admin, a
  correction on a page) means "from today". Connected to Member's post_save (members/apps.py).
- `replay(member, events)`: the spans a member's events describe, from scratch (data migration, the
  `rebuild_member_spans` command, and the test that both ways agree).
"""

import datetime

from django.db import connection, transaction
from django.utils import timezone

# Event kinds by what they do to the spans (strings, so the data migration can use this module as it is).
ADDITIONS = {"admitted", "readmitted", "restored", "restored_after_suspension", "transferred_in",
             "transferred_in_unit"}
REMOVALS = {"left_party", "probation_cancelled", "suspended", "deceased", "transferred_out", "transferred_out_unit"}
EMPLOYER_CHANGED = "employer_changed"
CONVERTED = "converted_to_full"


def _facts(member):
    return member.organization_id, member.employer_id


def follow_row(member, on: datetime.date | None = None, *, created: bool = False):
    """Bring the member's spans in step with the row, whose facts hold from `on` (default: the member's
    joining for a new row, today otherwise)."""
    from .models import MemberSpan

    if on is None:
        on = member.joined_on if created else timezone.localdate()
    current = MemberSpan.objects.filter(member_id=member.pk, end_on__isnull=True).first()
    if member.left_on is not None:  # out of the register: the open span ends when they left
        if current is not None:
            if member.left_on <= current.start_on:
                current.delete()
            else:
                MemberSpan.objects.filter(pk=current.pk).update(end_on=member.left_on)
        elif created and member.joined_on < member.left_on:
            MemberSpan.objects.create(member_id=member.pk, organization_id=member.organization_id,
                                      employer_id=member.employer_id, start_on=member.joined_on,
                                      end_on=member.left_on, full_on=member.full_on)
        return
    split_bulk([member], on, current={member.pk: current} if current is not None else {})


def replay(member, events) -> list[dict]:
    """The spans described by `events` (the member's events in date order, as objects or dicts with kind,
    occurred_on, organization_id, employer_id). `member` gives the fallbacks: a member without events is in
    the register from joining until `left_on`; the date of becoming full is the conversion event's in that
    stay in the register, else the member's `full_on`."""
    def get(event, name):
        return event[name] if isinstance(event, dict) else getattr(event, name)

    def row_get(name):
        return member[name] if isinstance(member, dict) else getattr(member, name)

    events = sorted(events, key=lambda e: (get(e, "occurred_on"), get(e, "id") or 0))
    if not events or get(events[0], "kind") not in ADDITIONS:
        # no entry recorded (rows written before the events existed): in the register from joining
        events = [{"kind": "admitted", "occurred_on": row_get("joined_on"), "id": 0,
                   "organization_id": row_get("organization_id"), "employer_id": row_get("employer_id")}, *events]
    stays = []  # one per stay in the register: its spans and the date of becoming full within it
    organization = employer = open_from = None

    def close(day):
        nonlocal open_from
        if open_from is not None and day > open_from:
            stays[-1]["spans"].append({"organization_id": organization, "employer_id": employer,
                                       "start_on": open_from, "end_on": day})
        open_from = None

    in_register = False
    for event in events:
        kind, day = get(event, "kind"), get(event, "occurred_on")
        if kind in ADDITIONS:
            if in_register:  # an entry while in the register: the facts of the new organization from that day
                close(day)
            elif not (stays and stays[-1]["moving"]):
                stays.append({"spans": [], "converted": None, "moving": False})
            # entries carry the organization and the employer the member arrived with
            organization, employer = get(event, "organization_id"), get(event, "employer_id")
            open_from, in_register = day, True
            stays[-1]["moving"] = False
        elif kind in REMOVALS and in_register:
            close(day)
            in_register = False
            # a transfer out followed the same day by a transfer in is a move inside the system: the same stay
            stays[-1]["moving"] = kind in ("transferred_out", "transferred_out_unit") and _followed_by_entry(
                events, event, get)
        elif kind == EMPLOYER_CHANGED and in_register:
            close(day)
            employer, open_from = get(event, "employer_id"), day
        elif kind == CONVERTED and in_register and stays[-1]["converted"] is None:
            stays[-1]["converted"] = day
    left_on = row_get("left_on")
    if in_register and left_on is not None:  # the row says they left, with no event for it (older rows)
        close(left_on)
        in_register = False
    if in_register:
        stays[-1]["spans"].append({"organization_id": organization, "employer_id": employer, "start_on": open_from,
                                   "end_on": None})
    spans = []
    for stay in stays:
        # becoming full is one date of the member's (a conversion during the stay names it)
        full = stay["converted"] or row_get("full_on")
        for span in stay["spans"]:
            spans.append({**span, "full_on": full})
    # merge neighbours with the same facts (a same-day correction, a move back and forth)
    merged = []
    for span in spans:
        if span["start_on"] is None:
            continue
        previous = merged[-1] if merged else None
        if (previous and previous["end_on"] == span["start_on"]
                and (previous["organization_id"], previous["employer_id"], previous["full_on"])
                == (span["organization_id"], span["employer_id"], span["full_on"])):
            previous["end_on"] = span["end_on"]
        else:
            merged.append(dict(span))
    return merged


def _followed_by_entry(events, event, get):
    """A transfer out followed the same day by a transfer in (a move inside the system) keeps the stay."""
    index = events.index(event)
    following = events[index + 1] if index + 1 < len(events) else None
    return (following is not None and get(following, "kind") in ADDITIONS
            and get(following, "occurred_on") == get(event, "occurred_on"))


BATCH = 2000


def rebuild(member_ids=None, *, apps=None) -> int:
    """Replace the spans of the members (all when None) by the replay of their events. Batched: two reads and
    one write per batch of members."""
    if apps is not None:
        Member, MemberEvent, MemberSpan = (apps.get_model("members", name) for name in ("Member", "MemberEvent",
                                                                                        "MemberSpan"))
    else:
        from .models import Member, MemberEvent, MemberSpan
    members = Member._default_manager.order_by("pk")
    if member_ids is not None:
        members = members.filter(pk__in=list(member_ids))
    ids = list(members.values_list("pk", flat=True))
    written = 0
    fields = ["id", "joined_on", "left_on", "full_on", "organization_id", "employer_id"]
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        with transaction.atomic():
            rows = {row["id"]: row for row in Member._default_manager.filter(pk__in=batch).values(*fields)}
            events = {}
            for event in (MemberEvent._default_manager.filter(member_id__in=batch).order_by("occurred_on", "id")
                          .values("id", "member_id", "kind", "occurred_on", "organization_id", "employer_id")):
                events.setdefault(event["member_id"], []).append(event)
            MemberSpan._default_manager.filter(member_id__in=batch).delete()
            new = [MemberSpan(member_id=pk, **span) for pk in batch for span in replay(rows[pk], events.get(pk, []))]
            MemberSpan._default_manager.bulk_create(new, batch_size=BATCH)
            written += len(new)
    return written


def create_initial(members):
    """Spans of members just written in bulk (bulk_create sends no signals): from joining, as the row says."""
    from .models import MemberSpan

    MemberSpan.objects.bulk_create(
        [MemberSpan(member_id=m.pk, organization_id=m.organization_id, employer_id=m.employer_id,
                    start_on=m.joined_on, end_on=m.left_on, full_on=m.full_on)
         for m in members if m.left_on is None or m.left_on > m.joined_on], batch_size=BATCH)


def split_bulk(members, on: datetime.date, *, current=None):
    """Members in the register whose facts hold from `on` (the one decision `follow_row` applies to a member;
    set-based for rows updated in bulk by imports: one read of the open spans, one bulk update, one bulk
    insert). `current`: the open spans already read, by member id."""
    from .models import MemberSpan

    members = [m for m in members if m.left_on is None]
    if current is None:
        current = {span.member_id: span for span in MemberSpan.objects.filter(
            member_id__in=[m.pk for m in members], end_on__isnull=True)}
    changed, new = [], []
    for member in members:
        span = current.get(member.pk)
        if span is None:
            new.append(MemberSpan(member_id=member.pk, organization_id=member.organization_id,
                                  employer_id=member.employer_id, start_on=on, full_on=member.full_on))
        elif (span.organization_id, span.employer_id) == _facts(member) or on <= span.start_on:
            # the same facts (the date of becoming full may have changed), or corrected the day they began
            facts = (member.organization_id, member.employer_id, member.full_on)
            if (span.organization_id, span.employer_id, span.full_on) != facts:
                span.organization_id, span.employer_id, span.full_on = facts
                changed.append(span)
        else:
            span.end_on = on
            changed.append(span)
            new.append(MemberSpan(member_id=member.pk, organization_id=member.organization_id,
                                  employer_id=member.employer_id, start_on=on, full_on=member.full_on))
    if changed:
        MemberSpan.objects.bulk_update(changed, ["organization", "employer", "full_on", "end_on"], batch_size=BATCH)
    if new:
        MemberSpan.objects.bulk_create(new, batch_size=BATCH)


def insert_select(first_member_id: int):
    """Spans of synthetic members (one stay each, as their events say), in one INSERT … SELECT."""
    from .models import Member, MemberSpan

    spans, members = MemberSpan._meta.db_table, Member._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {spans} (member_id, organization_id, employer_id, start_on, end_on, full_on) "
            f"SELECT id, organization_id, employer_id, joined_on, left_on, full_on FROM {members} "
            f"WHERE id >= %s AND (left_on IS NULL OR left_on > joined_on)", [first_member_id])
