"""A province computed in parts (one Celery task per city subtree, the province row at the end: a chord,
eager here) stores exactly the figures of one computation of the whole province."""

import datetime
import io

import pytest
from django.core.management import call_command

from organizations.models import Enterprise, Region
from reports.models import COUNT_FIELDS, CoverageSnapshot
from reports.services import compute_snapshots
from reports.tasks import compute_partitioned
from tests.factories import EnterpriseFactory, make_organization, make_region
from tests.instructors.helpers import assign, make_instructor
from tests.members.helpers import new_member

pytestmark = pytest.mark.django_db
D = datetime.date(2026, 1, 1)


def stored(root):
    return {
        s.region_id: ({name: getattr(s, name) for name in COUNT_FIELDS}, s.organizations_by_kind,
                      s.demonstration_sites_by_level)
        for s in CoverageSnapshot.objects.filter(as_of=D, region__path__startswith=root.path)
    }


def test_partitioned_by_city_equals_one_computation_to_the_unit():
    call_command("generate_synthetic", enterprises=1500, seed=5, verbosity=0, stdout=io.StringIO())
    root = Region.objects.get(code="SYN5")
    # a second city, with a county, enterprises and an employing member of their own
    city2 = make_region("SYN5C2", parent=root, kind=Region.Kind.CITY)
    county2 = make_region("SYN5C2K", parent=city2)
    others = [EnterpriseFactory(region=county2, founded_on=datetime.date(2010, 1, 1)) for _ in range(3)]
    new_member(make_organization("SYN5C2O", county2), employer=others[0])
    root.refresh_from_db()
    cities = list(Region.objects.filter(path__startswith=root.path, depth=root.depth + 1))
    assert len(cities) == 2
    # registered at the province itself, and an instructor working in two cities (one instructor of the province)
    at_root = EnterpriseFactory(region=root, founded_on=datetime.date(2010, 1, 1))
    organization = make_organization("SYNROOT1", root, established_on=datetime.date(2015, 1, 1))
    new_member(organization, employer=at_root)
    person = make_instructor(root, name="跨市指导员")
    for city in cities[:2]:
        enterprise = Enterprise.objects.filter(region__path__startswith=city.path, closed_on__isnull=True).first()
        assign(person, enterprise, datetime.date(2025, 6, 1))

    compute_snapshots(root, D)
    whole = stored(root)
    CoverageSnapshot.objects.all().delete()

    compute_partitioned(root, D)
    parts = stored(root)
    assert parts.keys() == whole.keys()
    assert parts == whole
    province = CoverageSnapshot.objects.get(region=root, as_of=D)
    assert province.enterprises == sum(CoverageSnapshot.objects.get(region=c, as_of=D).enterprises for c in cities) + 1
    assert province.instructors < sum(CoverageSnapshot.objects.get(region=c, as_of=D).instructors for c in cities)
