"""The worked example of DESIGN.md ("Coverage definitions"), built by hand, as a fixture."""

import datetime
import itertools
from types import SimpleNamespace

import pytest

from instructors.models import Assignment, Instructor, InstructorType
from members.models import Member
from organizations.models import FormationMode, OrganizationKind, Region
from tests.factories import EnterpriseFactory, cover, make_organization, make_region

D = datetime.date(2026, 6, 30)
D0 = datetime.date(2025, 12, 31)

_ids = itertools.count(1)


def make_id_number() -> str:
    """A valid 18-digit ID number (GB 11643 check digit), distinct each call."""
    from stdnum.cn import ric  # noqa: PLC0415

    n = next(_ids)
    body = f"110101198001{n % 28 + 1:02d}{n % 1000:03d}"
    number = body + ric.calc_check_digit(body + "0")  # the function ignores the last character
    assert ric.is_valid(number)
    return number


def make_member(organization, employer=None, *, joined_on=datetime.date(2010, 1, 1), full=True, **kw):
    return Member.objects.create(
        name=f"党员{next(_ids)}", gender="male", id_number=make_id_number(), organization=organization,
        employer=employer, joined_on=joined_on,
        full_on=(joined_on + datetime.timedelta(days=366)) if full else None,
        standing="full" if full else "probationary", **kw,
    )


def make_instructor(region, **kw):
    kind, _ = InstructorType.objects.get_or_create(code="party_building", defaults={"name": "党建工作指导员"})
    return Instructor.objects.create(name=f"指导员{next(_ids)}", id_number=make_id_number(), type=kind,
                                     region=region, active_from=datetime.date(2020, 1, 1), **kw)


def assign(instructor, enterprise, start_on, end_on=None):
    return Assignment.objects.create(instructor=instructor, enterprise=enterprise, start_on=start_on, end_on=end_on)


@pytest.fixture
def worked_example(db):
    county = make_region("431281", "County", Region.Kind.COUNTY)
    t1 = make_region("431281001", "T1", Region.Kind.TOWNSHIP, parent=county)
    t2 = make_region("431281002", "T2", Region.Kind.TOWNSHIP, parent=county)
    county.refresh_from_db()
    z = make_region("431281Z01", "Z", Region.Kind.ZONE, parent=county, zone_type="industrial_park")
    for r in (county, t1, t2, z):
        r.refresh_from_db()

    def ent(name, region, **kw):
        return EnterpriseFactory(name=name, region=region, **kw)

    e = SimpleNamespace()
    e.E1, e.E2, e.E3, e.E11 = (ent(n, t1) for n in ("E1", "E2", "E3", "E11"))
    e.E6, e.E7 = ent("E6", t2), ent("E7", t2)
    e.E8 = ent("E8", t2, closed_on=datetime.date(2026, 5, 1), status="closed")
    e.E9 = ent("E9", t2, founded_on=datetime.date(2026, 8, 1))
    e.E4, e.E5, e.E10 = ent("E4", z), ent("E5", z), ent("E10", z)

    o1 = make_organization("O1", t1, mode=FormationMode.INDIVIDUAL, established_on=datetime.date(2020, 1, 1))
    o2 = make_organization("O2", t1, mode=FormationMode.JOINT, established_on=datetime.date(2021, 3, 1))
    o3 = make_organization("O3", z, kind=OrganizationKind.GENERAL_BRANCH, mode=FormationMode.REGIONAL,
                           established_on=datetime.date(2019, 5, 1))
    o4 = make_organization("O4", z, mode=FormationMode.INDIVIDUAL, established_on=datetime.date(2025, 1, 1))
    cover(o1, e.E1)
    cover(o2, e.E2)
    cover(o2, e.E3)
    cover(o2, e.E6, valid_to=datetime.date(2026, 3, 31))
    cover(o2, e.E11, valid_from=datetime.date(2026, 7, 1))
    cover(o3, e.E4)
    cover(o3, e.E5)
    cover(o4, e.E5)

    instructor = make_instructor(county)
    assign(instructor, e.E6, datetime.date(2025, 9, 1))
    assign(instructor, e.E10, datetime.date(2024, 1, 1), datetime.date(2026, 6, 30))

    # E6: 3 full members (relationship held in O2); E7: 2 full + 1 probationary (held in O2 as well).
    for _ in range(3):
        make_member(o2, e.E6, joined_on=datetime.date(2015, 1, 1))
    for _ in range(2):
        make_member(o2, e.E7, joined_on=datetime.date(2015, 1, 1))
    make_member(o2, e.E7, joined_on=datetime.date(2025, 10, 1), full=False)

    return SimpleNamespace(county=county, t1=t1, t2=t2, z=z, o1=o1, o2=o2, o3=o3, o4=o4,
                           instructor=instructor, e=e)
