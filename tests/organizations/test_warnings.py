import datetime

from members.models import Member
from organizations.models import Enterprise, FormationMode, OrganizationKind, PartyOrganization
from organizations.warnings import (enterprises_should_form, organizations_branch_too_large,
                                    organizations_joint_units, organizations_kind_mismatch, orphan_links)
from tests.factories import EnterpriseFactory, cover, make_organization
from tests.scope_world import id_number

DAY = datetime.date(2026, 6, 30)


def add_members(org, employer, full=0, probationary=0, start=0):
    for i in range(full + probationary):
        Member.objects.create(name=f"党员{start + i}", gender="male", id_number=id_number(start + i), organization=org,
                              employer=employer, joined_on="2015-01-01",
                              full_on="2016-01-01" if i < full else None,
                              standing="full" if i < full else "probationary")


def test_should_form_counts_only_full_members_of_enterprises_without_their_own_organization(world):
    add_members(world.org_a, world.ent_a, full=3)
    two_full = EnterpriseFactory(region=world.town_a)
    add_members(world.org_a, two_full, full=2, probationary=2, start=10)
    found = set(enterprises_should_form(Enterprise.objects.all(), DAY))
    assert found == {world.ent_a}
    cover(world.org_a, world.ent_a, datetime.date(2021, 1, 1))  # forms its own → no longer a warning
    assert not enterprises_should_form(Enterprise.objects.all(), DAY).exists()


def test_large_branch_and_kind_mismatch(world):
    big = make_organization("DBIG", world.town_a, kind=OrganizationKind.BRANCH)
    add_members(big, None, full=51, start=100)
    committee = make_organization("DCOM", world.town_a, kind=OrganizationKind.COMMITTEE)
    add_members(committee, None, full=5, start=200)
    qs = PartyOrganization.objects.all()
    assert set(organizations_branch_too_large(qs, DAY)) == {big}
    assert committee in set(organizations_kind_mismatch(qs, DAY))
    assert big not in set(organizations_kind_mismatch(qs, DAY))


def test_joint_branch_unit_counts_and_orphan_links(world):
    joint = make_organization("DJ", world.town_a, mode=FormationMode.JOINT)
    for _ in range(6):
        cover(joint, EnterpriseFactory(region=world.town_a), datetime.date(2021, 1, 1))
    qs = PartyOrganization.objects.all()
    assert set(organizations_joint_units(qs, DAY, too_many=True)) == {joint}
    link = cover(world.org_a, world.ent_a, datetime.date(2021, 1, 1))
    Enterprise.objects.filter(pk=world.ent_a.pk).update(closed_on=datetime.date(2026, 1, 1), status="closed")
    assert list(orphan_links(type(link).objects.all(), DAY)) == [link]
