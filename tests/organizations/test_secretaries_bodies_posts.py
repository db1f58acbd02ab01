"""Secretaries (书记队伍), leadership bodies (seed 003) and two-way entry / 双培双推 (seed 004).
Figures are worked out by hand in each test's comments."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.imports import run_import
from members.models import Applicant, Member
from organizations import figures, services
from organizations.models import (DualTraining, EnterprisePost, FormationMode, LeadershipBody, LeadershipBodyUnit,
                                  PartyOrganization, Secretary, SecretaryAppointment, SecretaryTraining)
from tests.conftest import api_as
from tests.factories import EnterpriseFactory, cover, make_organization, make_uscc
from tests.scope_world import id_number

D = datetime.date


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def appoint(org, person, role="secretary", start=D(2024, 1, 1), end=None):
    return services.save_appointment(SecretaryAppointment(organization=org, secretary=person, role=role,
                                                          appointed_on=start, ended_on=end))


@pytest.fixture
def secretaries(world, today):
    """County A: org_a (secretary 张三, owner; deputy 李四, selected cadre), org_a2 (its manager secretary
    王五 left on 2025-01-01: vacant), org_a3 (no records, free-text source union chair). County B: org_b
    with secretary 赵六 (manager)."""
    org_a2 = make_organization("DA2", world.town_a, name="甲二支部")
    org_a3 = make_organization("DA3", world.town_a, name="甲三支部", secretary_name="工会主席某", secretary_source="union_chair")
    zhang = Secretary.objects.create(region=world.county_a, name="张三", source="owner")
    li = Secretary.objects.create(region=world.county_a, name="李四", source="party_cadre")
    wang = Secretary.objects.create(region=world.county_a, name="王五", source="manager")
    zhao = Secretary.objects.create(region=world.county_b, name="赵六", source="manager")
    appoint(world.org_a, zhang)
    appoint(world.org_a, li, role="deputy")
    appoint(org_a2, wang, start=D(2023, 1, 1), end=D(2025, 1, 1))
    appoint(world.org_b, zhao)
    # This year: 张三 twice (8 + 16 hours); last year: 李四 once.
    SecretaryTraining.objects.create(secretary=zhang, course="党校春季班", provider="municipal_party_school",
                                     held_on=D(today.year, 1, 1), hours=Decimal("8"))
    SecretaryTraining.objects.create(secretary=zhang, course="党校秋季班", provider="municipal_party_school",
                                     held_on=D(today.year, 1, 2), hours=Decimal("16"))
    SecretaryTraining.objects.create(secretary=li, course="网络课程", provider="online", held_on=D(today.year - 1, 6, 1),
                                     hours=Decimal("4"))
    return {"org_a2": org_a2, "org_a3": org_a3, "zhang": zhang, "li": li, "wang": wang, "zhao": zhao}


def test_secretary_name_follows_the_current_secretary(world, secretaries):
    assert PartyOrganization.objects.get(pk=world.org_a.pk).secretary_name == "张三"
    assert PartyOrganization.objects.get(pk=world.org_a.pk).secretary_source == "owner"
    assert PartyOrganization.objects.get(pk=secretaries["org_a2"].pk).secretary_name == ""  # vacant since 2025
    assert PartyOrganization.objects.get(pk=secretaries["org_a3"].pk).secretary_name == "工会主席某"  # no records
    assert api_as(world.viewer_a).get(f"/api/v1/organizations/{world.org_a.pk}/").json()["secretary_name"] == "张三"


def test_a_second_secretary_at_the_same_time_is_refused(world, secretaries):
    other = Secretary.objects.create(region=world.county_a, name="钱七", source="manager")
    with pytest.raises(ValidationError) as error:
        appoint(world.org_a, other, start=D(2025, 6, 1))
    assert "已有书记" in error.value.messages[0] and "张三" in error.value.messages[0]
    appoint(world.org_a, other, role="deputy", start=D(2025, 6, 1))  # deputies: any number


def test_appointment_before_the_organization_existed_is_refused(world):
    person = Secretary.objects.create(region=world.county_a, name="孙八", source="other")
    with pytest.raises(ValidationError) as error:
        appoint(world.org_a, person, start=D(2019, 1, 1))
    assert "appointed_on" in error.value.message_dict


def test_secretary_figures_by_source_and_trained_this_year(world, secretaries, today):
    result = figures.secretary_figures(world.editor_a, world.county_a, today)
    by_source = {row["source"]: row["count"] for row in result["by_source"]}
    # Active organizations in county A: org_a (owner), org_a2 (vacant → none), org_a3 (free text: union chair).
    assert result["organizations"] == 3
    assert by_source["owner"] == 1 and by_source["union_chair"] == 1 and by_source["none"] == 1
    assert by_source["manager"] == 0  # 赵六 is in county B, 王五 left
    # Trained this year: 张三 only (2 sessions, 8 + 16 = 24 hours); 李四's course was last year.
    assert (result["trained_this_year"], result["training_sessions"], result["training_hours"]) == (1, 2, Decimal("24"))
    assert (result["secretaries_serving"], result["deputies_serving"]) == (1, 1)


def test_figures_drill_down_to_the_lists(world, secretaries, client_as, today):
    client = client_as(world.editor_a)
    page = client.get("/organizations/secretaries/figures/", {"region": "431281"}).content.decode()
    assert f"trained_in={today.year}" in page
    listing = client.get("/organizations/secretaries/", {"region": "431281", "trained_in": today.year}).content.decode()
    assert "张三" in listing and "李四" not in listing
    orgs = client.get("/organizations/", {"region": "431281", "active": "true", "secretary_source": "none"})
    body = orgs.content.decode()
    assert "甲二支部</a>" in body and "甲公司党支部</a>" not in body


def test_secretary_pages_record_an_appointment_and_training(world, client_as, today):
    client = client_as(world.editor_a)
    response = client.post("/organizations/secretaries/add/", {"region": "431281", "name": "周九", "source": "manager"})
    assert response.status_code == 302
    person = Secretary.objects.get(name="周九")
    client.post(f"/organizations/secretaries/{person.pk}/appointments/add/",
                {"organization": "DA1", "role": "secretary", "appointed_on": "2024-01-01"})
    client.post(f"/organizations/secretaries/{person.pk}/trainings/add/",
                {"course": "党校培训", "provider": "county_party_school", "held_on": today.isoformat(), "hours": "12"})
    page = client.get(person.get_absolute_url()).content.decode()
    assert "甲公司党支部" in page and "党校培训" in page
    assert PartyOrganization.objects.get(pk=world.org_a.pk).secretary_name == "周九"


def test_secretary_pages_and_api_out_of_scope_are_404(world, secretaries, client_as):
    zhao = secretaries["zhao"]
    client = client_as(world.viewer_a)
    assert client.get(zhao.get_absolute_url()).status_code == 404
    assert client.get(zhao.get_history_url()).status_code == 404
    assert client.get(zhao.get_edit_url()).status_code == 403
    assert client_as(world.editor_a).get(zhao.get_edit_url()).status_code == 404
    assert api_as(world.viewer_a).get(f"/api/v1/secretaries/{zhao.pk}/").status_code == 404
    assert api_as(world.viewer_a).get("/api/v1/statistics/secretaries/", {"region": "431202"}).status_code == 404
    own = api_as(world.viewer_a).get("/api/v1/statistics/secretaries/", {"region": "431281"}).json()
    assert own["trained_this_year"] == 1 and own["organizations"] == 3


def test_secretary_list_query_count_is_constant(world, secretaries, client_as, django_assert_max_num_queries):
    client = client_as(world.editor_a)
    client.get("/organizations/secretaries/")
    for i in range(5):
        Secretary.objects.create(region=world.county_a, name=f"书记{i}", source="manager")
    with django_assert_max_num_queries(12):
        assert client.get("/organizations/secretaries/").status_code == 200


def test_secretary_import_creates_people_and_appointments_and_is_idempotent(world, admin_user):
    csv = ("姓名,管理区域代码,书记来源,任职党组织代码,职务,任职日期\n"
           "吴十,431281,选派的党员干部,DA1,书记,2024-02-01\n"
           "郑一,431281,manager,DA1,deputy,2024-02-01\n").encode()
    result = run_import("secretaries", csv, "s.csv", admin_user)
    assert result.ok, result.messages()
    assert PartyOrganization.objects.get(pk=world.org_a.pk).secretary_name == "吴十"
    assert SecretaryAppointment.objects.filter(organization=world.org_a).count() == 2
    again = run_import("secretaries", csv, "s.csv", admin_user)
    assert again.ok and SecretaryAppointment.objects.count() == 2 and Secretary.objects.count() == 2
    clash = "姓名,管理区域代码,书记来源,任职党组织代码,职务,任职日期\n冯二,431281,other,DA1,secretary,2025-01-01\n"
    refused = run_import("secretaries", clash.encode(), "c.csv", admin_user)
    assert not refused.ok and "吴十" in " ".join(refused.messages())
    assert not Secretary.objects.filter(name="冯二").exists()


# --- leadership bodies -----------------------------------------------------------------------

def member(org, n, employer=None):
    return Member.objects.create(name=f"党员{n}", gender="male", id_number=id_number(500 + n), organization=org,
                                 employer=employer, joined_on="2015-01-01", full_on="2016-01-01")


@pytest.fixture
def body(world):
    """非公党工委 of county A supervises org_a (individual, covers ent_a; 2 members) and a joint branch
    covering ent_a2 and ent_a (1 member); org_b is not supervised. Expected: 2 organizations, 2 enterprises
    (ent_a once), 3 members."""
    body = LeadershipBody.objects.create(region=world.county_a, name="洪江市非公党工委", kind="nonpublic_working_committee")
    LeadershipBodyUnit.objects.create(body=body, kind="united_front", name="市委统战部")
    LeadershipBodyUnit.objects.create(body=body, kind="market_regulation", name="市场监督管理局")
    joint = make_organization("DJ1", world.town_a, mode=FormationMode.JOINT, name="联合支部", supervising_body=body)
    ent_a2 = EnterpriseFactory(region=world.town_a, name="洪江丙公司")
    cover(world.org_a, world.ent_a)
    cover(joint, ent_a2)
    cover(joint, world.ent_a)
    PartyOrganization.objects.filter(pk=world.org_a.pk).update(supervising_body=body)
    member(world.org_a, 1)
    member(world.org_a, 2)
    member(joint, 3)
    member(world.org_b, 4)
    return body


def test_per_body_counts(world, body, today):
    counted = figures.annotate_body_counts(LeadershipBody.objects.filter(pk=body.pk), today).get()
    assert (counted.organization_count, counted.enterprise_count, counted.member_count) == (2, 2, 3)


def test_organizations_filter_by_supervising_body_in_page_and_api(world, body, client_as):
    rows = api_as(world.editor_a).get("/api/v1/organizations/", {"supervising_body": body.pk}).json()["results"]
    assert sorted(r["code"] for r in rows) == ["DA1", "DJ1"] and rows[0]["supervising_body"] == body.pk
    page = client_as(world.editor_a).get("/organizations/", {"supervising_body": body.pk}).content.decode()
    assert "联合支部</a>" in page and "乙公司党支部</a>" not in page
    api_body = api_as(world.editor_a).get(f"/api/v1/leadership-bodies/{body.pk}/").json()
    assert (api_body["organization_count"], api_body["enterprise_count"], api_body["member_count"]) == (2, 2, 3)


def test_body_page_shows_counts_and_units_and_out_of_scope_is_404(world, body, client_as):
    page = client_as(world.viewer_a).get(body.get_absolute_url()).content.decode()
    assert "市委统战部" in page and "市场监督管理局" in page
    other = LeadershipBody.objects.create(region=world.county_b, name="鹤城区非公党工委", kind="joint_meeting")
    assert client_as(world.viewer_a).get(other.get_absolute_url()).status_code == 404
    assert api_as(world.viewer_a).get(f"/api/v1/leadership-bodies/{other.pk}/").status_code == 404
    listing = client_as(world.viewer_a).get("/organizations/leadership-bodies/").content.decode()
    assert "洪江市非公党工委" in listing and "鹤城区非公党工委" not in listing


def test_an_industry_committee_names_its_industry(world):
    with pytest.raises(ValidationError) as error:
        LeadershipBody(region=world.county_a, name="物流行业党委", kind="industry_committee").full_clean()
    assert "industry" in error.value.message_dict


# --- two-way entry and 双培双推 ------------------------------------------------------------------

@pytest.fixture
def posts(world):
    """ent_a: 4 management posts, 3 held by members (75 %, seed 004), 1 backbone (non-member), 1 former
    manager (ended, not counted). ent_b (county B): 1 management post held by a member."""
    make = EnterprisePost.objects.create
    make(enterprise=world.ent_a, person_name="甲", post="董事长", level="management", is_member=True, on_party_committee=True)
    make(enterprise=world.ent_a, person_name="乙", post="总经理", level="management", is_member=True)
    make(enterprise=world.ent_a, person_name="丙", post="副总经理", level="management", is_member=True)
    make(enterprise=world.ent_a, person_name="丁", post="财务总监", level="management", is_member=False)
    make(enterprise=world.ent_a, person_name="戊", post="技术骨干", level="backbone", is_member=False)
    make(enterprise=world.ent_a, person_name="己", post="原副总", level="management", is_member=False,
         started_on=D(2020, 1, 1), ended_on=D(2023, 1, 1))
    make(enterprise=world.ent_b, person_name="庚", post="总经理", level="management", is_member=True)


def test_share_of_members_among_management_per_enterprise_and_region(world, posts, today):
    result = figures.two_way_figures(world.editor_a, world.county_a, today)
    assert (result["management"], result["management_members"]) == (4, 3)
    assert result["management_member_rate"] == Decimal("0.7500")
    assert (result["backbone"], result["backbone_members"], result["cross_appointed"]) == (1, 0, 1)
    assert [(c["region"].code, c["management"], c["management_members"]) for c in result["children"]] == [
        ("431281001", 4, 3)]
    # The city: 5 management posts, 4 members = 0.8 (sum over sum, not the mean of 0.75 and 1.0).
    city = figures.two_way_figures(world.admin, world.city, today)
    assert city["management_member_rate"] == Decimal("0.8000")
    enterprise = figures.annotate_enterprise_posts(type(world.ent_a).objects.filter(pk=world.ent_a.pk), today).get()
    assert (enterprise.management_posts, enterprise.management_members) == (4, 3)


def test_two_way_page_and_api(world, posts, client_as):
    page = client_as(world.viewer_a).get("/organizations/enterprise-posts/figures/", {"region": "431281"})
    assert page.status_code == 200 and "75%" in page.content.decode()
    assert client_as(world.viewer_a).get("/organizations/enterprise-posts/figures/",
                                         {"region": "431202"}).status_code == 404
    data = api_as(world.viewer_a).get("/api/v1/statistics/two-way-entry/", {"region": "431281"}).json()
    assert data["management_member_rate"] == "0.7500" and data["children"][0]["region"] == "431281001"
    detail = client_as(world.viewer_a).get(world.ent_a.get_absolute_url()).content.decode()
    assert "3 / 4 = 75%" in detail


def test_committee_seat_needs_membership_and_member_link_implies_it(world):
    post = EnterprisePost(enterprise=world.ent_a, person_name="辛", post="经理", level="management",
                          on_party_committee=True)
    with pytest.raises(ValidationError) as error:
        post.full_clean()
    assert "on_party_committee" in error.value.message_dict
    linked = EnterprisePost(enterprise=world.ent_a, person_name="壬", post="经理", level="management",
                            member=member(world.org_a, 9))
    linked.full_clean()
    assert linked.is_member


def test_dual_training_links_to_the_applicant_pipeline(world, today):
    applicant = Applicant.objects.create(name="骨干甲", id_number=id_number(700), gender="male",
                                         organization=world.org_a, applied_on="2026-03-01")
    training = DualTraining(enterprise=world.ent_a, person_name="骨干甲", track="backbone_to_member",
                            started_on=D(2026, 1, 1), applicant=applicant)
    training.full_clean()
    training.save()
    stray = DualTraining(enterprise=world.ent_a, person_name="党员乙", track="member_to_backbone",
                         started_on=D(2026, 1, 1), applicant=applicant)
    with pytest.raises(ValidationError) as error:
        stray.full_clean()
    assert "applicant" in error.value.message_dict
    result = figures.two_way_figures(world.editor_a, world.county_a, today)
    assert result["dual_training"]["backbone_to_member"]["in_progress"] == 1
    # An applicant of another county is not offered (reads as unknown).
    response = api_as(world.editor_a).post("/api/v1/dual-trainings/", {
        "enterprise": world.ent_a.uscc, "person_name": "X", "track": "backbone_to_member", "started_on": "2026-01-01",
        "applicant": Applicant.objects.create(name="外县", id_number=id_number(701), gender="male",
                                              organization=world.org_b, applied_on="2026-03-01").pk}, format="json")
    assert response.status_code == 400 and "applicant" in response.json()


def test_posts_from_the_enterprise_page_and_import(world, client_as, admin_user):
    client = client_as(world.editor_a)
    response = client.post(f"/organizations/enterprises/{world.ent_a.pk}/posts/add/",
                           {"person_name": "甲", "post": "董事长", "level": "management", "is_member": "on"})
    assert response.status_code == 302 and EnterprisePost.objects.filter(enterprise=world.ent_a).count() == 1
    csv = (f"统一社会信用代码,姓名,职务,层级,是否党员\n{world.ent_a.uscc},甲,董事长,management,是\n"
           f"{world.ent_a.uscc},乙,生产骨干,业务骨干,否\n").encode()
    result = run_import("enterprise-posts", csv, "p.csv", admin_user)
    assert result.ok, result.messages()
    assert EnterprisePost.objects.filter(enterprise=world.ent_a).count() == 2  # 甲 updated in place, 乙 added
    assert run_import("enterprise-posts", csv, "p.csv", admin_user).count("unchanged") == 2
    bad = f"统一社会信用代码,姓名,职务,层级\n{make_uscc(99999)},甲,董事长,management\n".encode()
    refused = run_import("enterprise-posts", bad, "b.csv", admin_user)
    assert not refused.ok


def test_posts_out_of_scope_are_invisible(world, posts, client_as):
    other = EnterprisePost.objects.get(enterprise=world.ent_b)
    assert api_as(world.viewer_a).get(f"/api/v1/enterprise-posts/{other.pk}/").status_code == 404
    listing = client_as(world.viewer_a).get("/organizations/enterprise-posts/").content.decode()
    assert "庚" not in listing and "乙" in listing
