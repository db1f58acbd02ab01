import datetime
import itertools

from stdnum.cn import ric

from members.models import Member
from members.services import register_member

_serial = itertools.count(1)


def id_number(birth="19900101", male=True) -> str:
    """A valid ID number born on `birth` (YYYYMMDD), of the given gender, distinct each call."""
    n = next(_serial)
    seq = (n * 2 + (1 if male else 0)) % 1000
    body = f"431281{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def new_member(organization, user=None, *, employer=None, joined_on=datetime.date(2015, 1, 1), full=True,
               birth="19900101", **kw):
    member = Member(name=kw.pop("name", f"党员{next(_serial)}"), gender="male", id_number=id_number(birth),
                    organization=organization, employer=employer, joined_on=joined_on,
                    standing="full" if full else "probationary", **kw)
    if full and "full_on" not in kw:
        member.full_on = joined_on.replace(year=joined_on.year + 1)
    return register_member(member, user)


def api_as(user, language="en"):
    """An API client for `user` asking for messages in `language` (the API default is Chinese)."""
    from tests.conftest import api_as as base

    client = base(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE=language)
    return client
