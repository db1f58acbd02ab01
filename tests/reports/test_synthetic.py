"""`generate_synthetic`: shape, valid codes, valid trees, determinism, no collisions."""

import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from stdnum.cn import ric

from instructors.models import Assignment
from members.models import Member
from organizations.models import CoverageLink, Enterprise, PartyOrganization, Region
from organizations.validators import validate_uscc
from reports.models import CoverageSnapshot
from reports.services import compute_snapshots
from reports.synthetic import SyntheticProvince, shape_for

N = 1500


def load(seed=7, n=N):
    out = io.StringIO()
    call_command("generate_synthetic", enterprises=n, seed=seed, verbosity=0, stdout=out)
    return json.loads(out.getvalue())


class Rollback(Exception):
    pass


def fingerprint():
    return (
        list(Enterprise.objects.order_by("uscc").values_list("uscc", "region__code", "closed_on")),
        list(CoverageLink.objects.order_by("enterprise__uscc", "organization__code")
             .values_list("enterprise__uscc", "organization__code", "valid_from")),
        sorted(Member.objects.values_list("id_number", "employer__uscc", "full_on")),
    )


def test_loads_the_scale_tier_shape_with_valid_trees_and_codes(db):
    counts = load()
    assert counts["enterprises"] == N == Enterprise.objects.count()
    assert counts["members"] == Member.objects.count() == shape_for(N)["members"]
    assert Region.objects.find_problems() == ([], [], [], [], [])
    assert PartyOrganization.objects.find_problems() == ([], [], [], [], [])
    for uscc in Enterprise.objects.values_list("uscc", flat=True):
        validate_uscc(uscc)
    assert all(ric.is_valid(number) for number in Member.objects.values_list("id_number", flat=True))
    root = Region.objects.get(code="SYN7")
    compute_snapshots(root, datetime.date(2026, 1, 1))
    snapshot = CoverageSnapshot.objects.get(region=root)
    assert 0.9 < snapshot.enterprises / N < 0.995  # a few percent closed
    assert 0.25 < snapshot.org_covered / snapshot.enterprises < 0.40  # ~31 %
    assert 0.2 < snapshot.org_individual / snapshot.org_covered < 0.45  # about a third individually
    assert 0.5 < snapshot.instructor_covered / snapshot.no_org < 0.7  # instructors reach ~60 % of the rest
    assert Assignment.objects.count() > 0 and snapshot.should_form > 0 and snapshot.few_members > 0


def test_same_seed_gives_the_same_data(db):
    prints = []
    for _ in range(2):
        with pytest.raises(Rollback), transaction.atomic():
            load(seed=9, n=400)
            prints.append(fingerprint())
            raise Rollback
    assert prints[0] == prints[1] and prints[0][0]


def test_a_second_seed_does_not_collide_and_the_same_seed_is_refused(db):
    load(seed=1, n=300)
    load(seed=2, n=300)
    assert Enterprise.objects.count() == 600
    with pytest.raises(CommandError, match="already loaded"):
        load(seed=1, n=300)


def test_shape_of_named_tiers_follows_api_md():
    assert shape_for(100_000)["leaves"] == 400 and shape_for(1_000_000)["members"] == 1_200_000
    assert SyntheticProvince(30_000).shape["members"] == 40_000
