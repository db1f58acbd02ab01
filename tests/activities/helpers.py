import datetime
import itertools

from activities.models import ActivityRecord
from members.models import Member
from tests.scope_world import id_number

_n = itertools.count(500)


def make_member(organization, joined_on=datetime.date(2015, 1, 1), name=None, **kw):
    n = next(_n)
    return Member.objects.create(name=name or f"党员{n}", gender="male", id_number=id_number(n),
                                 organization=organization, joined_on=joined_on, **kw)


def make_record(organization, kind="committee_meeting", held_on=datetime.date(2026, 7, 10), status=None,
                **kw):
    record = ActivityRecord.objects.create(organization=organization, kind=kind, held_on=held_on,
                                           topic=kw.pop("topic", "学习会议精神"), **kw)
    if status is not None and status != ActivityRecord.Status.DRAFT:
        ActivityRecord.objects.filter(pk=record.pk).update(status=status)
        record.refresh_from_db()
    return record


def accepted(organization, kind, held_on):
    return make_record(organization, kind=kind, held_on=held_on, status=ActivityRecord.Status.ACCEPTED)

