"""Issue 18 item 12: contract and rule fixes — instructors' default region, joint branches created with one
enterprise, formation warnings counting full members, no derived full_on, closing ends instructor assignments."""

import datetime

import pytest
from django.utils import translation

from core.imports import run_import
from instructors.models import Assignment, Instructor, InstructorType
from members.models import Member
from organizations import services
from organizations.models import CoverageLink, Enterprise, PartyOrganization
from organizations.warnings import ORGANIZATION_WARNINGS
from tests.conftest import api_as
from tests.factories import cover, make_organization, make_uscc
from tests.instructors.helpers import assign, make_id_number, make_instructor
from tests.members.helpers import new_member

pytestmark = pytest.mark.django_db
D = datetime.date


def test_instructor_region_is_optional_and_defaults_to_the_callers_region(world):
    InstructorType.objects.get_or_create(code="party", defaults={"name": "党建指导员"})
    body = {"name": "李指导", "type": "party", "active_from": "2026-01-01"}
    response = api_as(world.editor_a).post("/api/v1/instructors/", dict(body, id_number=make_id_number()),
                                           format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["region"] == world.county_a.code
    response = api_as(world.admin).post("/api/v1/instructors/", dict(body, id_number=make_id_number()),
                                        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["region"] == world.city.code  # the root region
    named = api_as(world.admin).post("/api/v1/instructors/", dict(body, id_number=make_id_number(),
                                                                  region=world.county_b.code), format="json")
    assert named.json()["region"] == world.county_b.code
    assert Instructor.objects.count() == 3


def test_a_joint_branch_created_with_one_enterprise_is_refused_by_import_and_api(world):
    data = ("code,name,kind,formation_mode,region_code,established_on,covers\n"
            f"DJ7,独联支部,branch,joint,431281001,2022-01-01,{world.ent_a.uscc}\n").encode()
    with translation.override("en"):
        result = run_import("organizations", data, "o.csv", world.editor_a)
        assert not result.ok and "at least two" in " ".join(result.messages())
    body = {"code": "DJ8", "name": "联合支部", "kind": "branch", "formation_mode": "joint",
            "region": world.town_a.code, "established_on": "2022-01-01"}
    response = api_as(world.editor_a).post("/api/v1/organizations/", dict(body, covers=[world.ent_a.uscc]),
                                           format="json")
    assert response.status_code == 400 and "至少覆盖两家企业" in response.json()["covers"][0]  # the API speaks Chinese
    assert not PartyOrganization.objects.filter(code__in=["DJ7", "DJ8"]).exists()
    second = Enterprise.objects.create(uscc=make_uscc(91), name="联合乙", region=world.town_a)
    response = api_as(world.editor_a).post("/api/v1/organizations/", dict(
        body, covers=[world.ent_a.uscc, second.uscc]), format="json")
    assert response.status_code == 201, response.json()
    joint = PartyOrganization.objects.get(code="DJ8")
    assert set(joint.coverage_links.values_list("enterprise__uscc", flat=True)) == {world.ent_a.uscc, second.uscc}
    # closing one of them leaves a joint branch with one enterprise: only a warning
    services.close_enterprise(second, D(2026, 1, 1))
    under = ORGANIZATION_WARNINGS["joint_under_2"][1](PartyOrganization.objects.all(), D(2026, 6, 1))
    assert list(under) == [joint]


def test_formation_warnings_count_full_members_only(world):
    big = make_organization("DBIG", world.town_a, name="大支部")
    for i in range(51):
        new_member(big, full=False, joined_on=D(2026, 1, 1))
    day = D(2026, 6, 30)
    too_large = ORGANIZATION_WARNINGS["branch_over_50"][1]
    assert big not in too_large(PartyOrganization.objects.all(), day)
    for i in range(51):
        new_member(big, joined_on=D(2015, 1, 1))
    assert big in too_large(PartyOrganization.objects.all(), day)


def test_a_full_member_without_full_on_is_a_clear_error(world):
    response = api_as(world.editor_a).post("/api/v1/members/", {
        "name": "张三", "id_number": make_member_number(), "organization": world.org_a.code, "standing": "full",
        "joined_on": "2012-07-01"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "full_on" in response.json() and "date of becoming a full member" in response.json()["full_on"][0]
    assert not Member.objects.exists()


def make_member_number():
    from tests.members.helpers import id_number

    return id_number("19880512")


def test_closing_an_enterprise_ends_its_open_instructor_assignments(world):
    person = make_instructor(world.county_a)
    open_one = assign(person, world.ent_a, D(2026, 1, 1))
    later_end = assign(make_instructor(world.county_a, name="王指导"), world.ent_a, D(2026, 1, 1), D(2027, 1, 1))
    done = assign(make_instructor(world.county_a, name="赵指导"), world.ent_a, D(2025, 1, 1), D(2025, 6, 1))
    cover(world.org_a, world.ent_a, D(2021, 1, 1))
    services.close_enterprise(world.ent_a, D(2026, 5, 1))
    for assignment, end in ((open_one, D(2026, 5, 1)), (later_end, D(2026, 5, 1)), (done, D(2025, 6, 1))):
        assignment.refresh_from_db()
        assert assignment.end_on == end
    assert not Assignment.objects.active_on(D(2026, 6, 1)).filter(enterprise=world.ent_a).exists()
    assert CoverageLink.objects.get(enterprise=world.ent_a).valid_to == D(2026, 5, 1)
