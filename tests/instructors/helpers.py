import datetime
import itertools

from stdnum.cn import ric

from instructors.models import Assignment, Instructor, InstructorType

_n = itertools.count(1)


def make_id_number(n=None):
    n = next(_n) if n is None else n
    body = f"430124199001{n % 28 + 1:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # expects the number with a placeholder check digit


def make_instructor(region, name="张指导", *, active_from=datetime.date(2025, 1, 1), active_to=None, **kw):
    kind = InstructorType.objects.get_or_create(code="party", defaults={"name": "党建指导员"})[0]
    return Instructor.objects.create(name=name, id_number=kw.pop("id_number", None) or make_id_number(),
                                     type=kw.pop("type", kind), region=region, active_from=active_from,
                                     active_to=active_to, **kw)


def assign(instructor, enterprise, start_on=datetime.date(2026, 1, 1), end_on=None, batch=None):
    return Assignment.objects.create(instructor=instructor, enterprise=enterprise, start_on=start_on,
                                     end_on=end_on, batch=batch)
