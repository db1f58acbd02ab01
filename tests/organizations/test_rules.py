import datetime

import pytest
from django.core.exceptions import ValidationError

from organizations import services
from organizations.models import CoverageLink, Enterprise, FormationMode, OrganizationKind, PartyOrganization, Region
from organizations.terms import annotate_terms, term_due_condition, term_overdue_condition
from organizations.validators import validate_uscc
from tests.factories import EnterpriseFactory, make_organization, make_uscc

D = datetime.date


def test_valid_uscc_passes():
    validate_uscc("91110000600037341L")


def test_uscc_with_wrong_check_character_names_position_18_and_the_expected_character():
    with pytest.raises(ValidationError) as err:
        validate_uscc("91110000600037341X")
    message = err.value.messages[0]
    assert "18" in message and "“L”" in message and "“X”" in message


def test_uscc_with_forbidden_letter_names_its_position():
    with pytest.raises(ValidationError) as err:
        validate_uscc("9111000060003734IL")
    assert "17" in err.value.messages[0]


def test_uscc_of_wrong_length_says_how_long_it_is():
    with pytest.raises(ValidationError) as err:
        validate_uscc("9111000060003")
    assert "13" in err.value.messages[0]


def test_scale_is_derived_from_employees_unless_overridden(world):
    ent = EnterpriseFactory(region=world.town_a, employees=350)
    assert ent.scale == "medium"
    ent.employees = 5
    ent.save()
    assert ent.scale == "micro"
    ent.scale, ent.scale_overridden = "large", True
    ent.save()
    assert Enterprise.objects.get(pk=ent.pk).scale == "large"


def test_subtree_is_one_path_prefix_and_includes_zones(world):
    zone = Region.objects.add_child(world.county_a, {"code": "431281Z1", "name": "工业园", "kind": Region.Kind.ZONE})
    EnterpriseFactory(region=zone)
    in_county = Enterprise.objects.filter(region__path__startswith=world.county_a.path)
    assert in_county.count() == 2
    assert world.ent_b not in in_county


def test_individual_organization_cannot_cover_a_second_enterprise_at_the_same_time(world):
    services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=world.ent_a, valid_from=D(2021, 1, 1)))
    other = EnterpriseFactory(region=world.town_a)
    with pytest.raises(ValidationError) as err:
        services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=other, valid_from=D(2022, 1, 1)))
    assert "organization" in err.value.message_dict
    assert CoverageLink.objects.filter(organization=world.org_a).count() == 1


def test_individual_organization_may_cover_another_enterprise_after_the_first_link_ended(world):
    services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=world.ent_a, valid_from=D(2021, 1, 1),
                                             valid_to=D(2022, 1, 1)))
    other = EnterpriseFactory(region=world.town_a)
    services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=other, valid_from=D(2022, 1, 1)))
    assert CoverageLink.objects.filter(organization=world.org_a).count() == 2


def test_enterprise_cannot_have_two_individual_organizations_at_once(world):
    services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=world.ent_a, valid_from=D(2021, 1, 1)))
    second = make_organization("DA2", world.town_a, mode=FormationMode.INDIVIDUAL)
    with pytest.raises(ValidationError) as err:
        services.save_coverage_link(CoverageLink(organization=second, enterprise=world.ent_a, valid_from=D(2023, 1, 1)))
    assert "enterprise" in err.value.message_dict


def test_enterprise_can_be_covered_by_its_own_and_an_industry_organization(world):
    industry = make_organization("DI1", world.county_a, mode=FormationMode.INDUSTRY)
    services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=world.ent_a, valid_from=D(2021, 1, 1)))
    services.save_coverage_link(CoverageLink(organization=industry, enterprise=world.ent_a, valid_from=D(2021, 1, 1)))
    assert CoverageLink.objects.filter(enterprise=world.ent_a).count() == 2


def test_link_cannot_start_before_the_organization_was_established(world):
    with pytest.raises(ValidationError) as err:
        services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=world.ent_a, valid_from=D(2019, 1, 1)))
    assert "valid_from" in err.value.message_dict


def test_link_must_end_after_it_starts(world):
    with pytest.raises(ValidationError) as err:
        services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=world.ent_a, valid_from=D(2021, 1, 1),
                                                 valid_to=D(2021, 1, 1)))
    assert "valid_to" in err.value.message_dict


def test_overlapping_duplicate_link_is_refused(world):
    joint = make_organization("DJ1", world.town_a, mode=FormationMode.JOINT)
    services.save_coverage_link(CoverageLink(organization=joint, enterprise=world.ent_a, valid_from=D(2021, 1, 1)))
    with pytest.raises(ValidationError):
        services.save_coverage_link(CoverageLink(organization=joint, enterprise=world.ent_a, valid_from=D(2024, 1, 1)))


def test_closing_an_enterprise_keeps_it_and_ends_its_open_links(world):
    link = services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=world.ent_a,
                                                    valid_from=D(2021, 1, 1)))
    services.close_enterprise(world.ent_a, D(2026, 5, 1))
    world.ent_a.refresh_from_db()
    link.refresh_from_db()
    assert world.ent_a.status == Enterprise.Status.CLOSED and world.ent_a.closed_on == D(2026, 5, 1)
    assert link.valid_to == D(2026, 5, 1)
    assert world.ent_a.history.count() >= 2


def test_dissolving_an_organization_keeps_it_and_ends_its_links(world):
    link = services.save_coverage_link(CoverageLink(organization=world.org_a, enterprise=world.ent_a,
                                                    valid_from=D(2021, 1, 1)))
    services.dissolve_organization(world.org_a, D(2026, 1, 1))
    link.refresh_from_db()
    assert PartyOrganization.objects.filter(pk=world.org_a.pk, dissolved_on=D(2026, 1, 1)).exists()
    assert link.valid_to == D(2026, 1, 1)


def test_moving_a_region_changes_its_subtree_and_is_recorded(world):
    region = world.town_a
    region.name = "黔城镇（新）"
    moved = services.save_region(region, world.county_b)
    assert moved.path.startswith(world.county_b.path)
    assert Enterprise.objects.filter(region__path__startswith=world.county_b.path).count() == 2
    assert moved.history.count() >= 2


def test_region_cannot_move_under_its_own_descendant(world):
    with pytest.raises(ValidationError):
        services.save_region(Region.objects.get(pk=world.county_a.pk), world.town_a)


def test_term_due_and_overdue_flags(world):
    today = D(2026, 6, 30)
    due = make_organization("DT1", world.town_a, kind=OrganizationKind.BRANCH, established_on=D(2023, 8, 1))
    overdue = make_organization("DT2", world.town_a, kind=OrganizationKind.BRANCH, established_on=D(2023, 1, 1))
    committee = make_organization("DT3", world.town_a, kind=OrganizationKind.COMMITTEE, established_on=D(2023, 1, 1))
    recent = make_organization("DT4", world.town_a, kind=OrganizationKind.BRANCH, established_on=D(2019, 1, 1))
    recent.elections.create(held_on=D(2025, 1, 1), term_years=3)
    qs = annotate_terms(PartyOrganization.objects.filter(code__startswith="DT"))
    assert set(qs.filter(term_due_condition(today)).values_list("code", flat=True)) == {due.code}
    assert set(qs.filter(term_overdue_condition(today)).values_list("code", flat=True)) == {overdue.code}
    assert committee.code not in set(qs.filter(term_overdue_condition(today)).values_list("code", flat=True))


def test_make_uscc_factory_is_valid():
    validate_uscc(make_uscc(12345))
