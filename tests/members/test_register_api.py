"""The register through the API: ID checks, masking, no delete, events, scope."""

import datetime

import pytest

from members.models import Member, MemberEvent
from tests.factories import make_user

from .helpers import api_as, id_number, new_member

pytestmark = pytest.mark.django_db
D = datetime.date


def payload(world, **kw):
    data = {"name": "张三", "id_number": id_number("19880512", male=True), "gender": "male",
            "organization": world.org_a.code, "employer": world.ent_a.uscc, "standing": "full",
            "category": "employee", "joined_on": "2012-07-01", "full_on": "2013-07-01"}
    data.update(kw)
    return data


def test_editor_registers_a_member_and_the_birth_date_is_derived(world):
    response = api_as(world.editor_a).post("/api/v1/members/", payload(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["organization"] == world.org_a.code and body["employer"] == world.ent_a.uscc
    assert body["birth_date"] is None  # masked with the ID number it is part of (editor_a sees no ID numbers)
    member = Member.objects.get(pk=body["id"])
    assert member.birth_date == D(1988, 5, 12)
    assert [(e.kind, e.occurred_on) for e in member.events.all()] == [("admitted", D(2012, 7, 1))]


def test_wrong_check_digit_is_refused_with_the_expected_character(world):
    good = id_number("19880512")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = api_as(world.editor_a).post("/api/v1/members/", payload(world, id_number=bad), format="json")
    assert response.status_code == 400
    assert good[17] in response.json()["id_number"][0]
    assert not Member.objects.exists()


def test_gender_and_birth_date_must_agree_with_the_id_number(world):
    response = api_as(world.editor_a).post("/api/v1/members/", payload(
        world, id_number=id_number("19880512", male=False), gender="male", birth_date="1988-05-13"), format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "female" in errors["gender"][0]
    assert "1988-05-12" in errors["birth_date"][0]


def test_impossible_birth_date_in_the_id_number(world):
    from stdnum.cn import ric

    body = "43128119881332001"
    response = api_as(world.editor_a).post("/api/v1/members/", payload(
        world, id_number=body + ric.calc_check_digit(body + "0")), format="json")
    assert response.status_code == 400
    assert "19881332" in response.json()["id_number"][0]


def test_duplicate_id_number_is_refused(world):
    data = payload(world)
    assert api_as(world.editor_a).post("/api/v1/members/", data, format="json").status_code == 201
    response = api_as(world.editor_a).post("/api/v1/members/", dict(data, name="李四"), format="json")
    assert response.status_code == 400
    # editor_a may not see ID numbers: the answer does not confirm that the person is registered
    assert "cannot be registered here" in response.json()["id_number"][0]
    assert Member.objects.count() == 1


def test_chinese_error_messages_by_default(world):
    from tests.conftest import api_as as plain_client  # no Accept-Language: the API answers in Chinese

    response = plain_client(world.editor_a).post("/api/v1/members/", payload(world, id_number="123"), format="json")
    assert response.status_code == 400
    assert "18" in response.json()["id_number"][0] and "身份证" in response.json()["id_number"][0]


def test_id_and_phone_are_masked_without_the_sensitive_permission(world):
    member = new_member(world.org_a, phone="13912345678")
    plain = api_as(world.viewer_a).get(f"/api/v1/members/{member.pk}/").json()
    assert plain["id_number"] == member.id_number[:4] + "********" + member.id_number[-4:]
    assert plain["phone"] == "139****5678"  # the phone number keeps its length
    assert plain["birth_date"] is None
    assert member.id_number not in str(api_as(world.viewer_a).get("/api/v1/members/").json())
    trusted = make_user("region_viewer", region=world.county_a, can_view_sensitive=True)
    assert api_as(trusted).get(f"/api/v1/members/{member.pk}/").json()["id_number"] == member.id_number


def test_delete_is_refused_everywhere(world):
    member = new_member(world.org_a)
    response = api_as(world.admin).delete(f"/api/v1/members/{member.pk}/")
    assert response.status_code == 405
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        member.delete()
    with pytest.raises(ValidationError):
        Member.objects.all().delete()
    with pytest.raises(ValidationError):
        MemberEvent.objects.all().delete()
    assert Member.objects.filter(pk=member.pk).exists()


def test_out_of_scope_member_is_404_and_absent_from_lists(world):
    theirs = new_member(world.org_b)
    client = api_as(world.editor_a)
    assert client.get(f"/api/v1/members/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/members/{theirs.pk}/events/", {"kind": "deceased", "occurred_on": "2026-01-01"},
                       format="json").status_code == 404
    assert client.get("/api/v1/members/").json()["count"] == 0
    # and a member cannot be registered into an organization outside the scope
    response = client.post("/api/v1/members/", payload(world, organization=world.org_b.code), format="json")
    assert response.status_code == 400


def test_lists_filter_on_organization_and_employer_separately(world):
    held_here_works_there = new_member(world.org_a, employer=world.ent_b)
    new_member(world.org_a, employer=world.ent_a)
    client = api_as(world.admin)
    assert client.get(f"/api/v1/members/?organization={world.org_a.code}").json()["count"] == 2
    by_employer = client.get(f"/api/v1/members/?employer={world.ent_b.uscc}").json()
    assert [m["id"] for m in by_employer["results"]] == [held_here_works_there.pk]


def test_secretary_keeps_own_register_only(world):
    from tests.factories import cover

    cover(world.org_a, world.ent_a)  # the secretary sees the enterprises their organization covers
    client = api_as(world.secretary_a)
    assert client.post("/api/v1/members/", payload(world), format="json").status_code == 201
    assert client.post("/api/v1/members/", payload(world, organization=world.org_b.code,
                                                    id_number=id_number()), format="json").status_code == 400
    assert api_as(world.viewer_a).post("/api/v1/members/", payload(world, id_number=id_number()),
                                       format="json").status_code == 403


def test_organization_and_standing_change_only_by_events(world):
    member = new_member(world.org_a)
    response = api_as(world.admin).patch(f"/api/v1/members/{member.pk}/", {"organization": world.org_b.code},
                                         format="json")
    assert response.status_code == 400
    assert "events" in response.json()["organization"][0]
    response = api_as(world.admin).patch(f"/api/v1/members/{member.pk}/", {"education": "本科"}, format="json")
    assert response.status_code == 200


def test_list_is_a_constant_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(15):
        new_member(world.org_a, employer=world.ent_a)
    client = api_as(world.editor_a)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/members/?page_size=100").json()["count"] == 15


@pytest.mark.parametrize("role,scope", [("admin", None), ("region_editor", "region"), ("region_viewer", "region"),
                                        ("branch_secretary", "organization")])
def test_masking_for_each_role_unless_granted(world, role, scope):
    member = new_member(world.org_a, phone="13912345678")
    kwargs = {"region": world.county_a} if scope == "region" else (
        {"organization": world.org_a} if scope == "organization" else {})
    for granted in (False, True):
        user = make_user(role, can_view_sensitive=granted, **kwargs)
        body = api_as(user).get(f"/api/v1/members/{member.pk}/").json()
        if granted:
            assert body["id_number"] == member.id_number and body["phone"] == "13912345678"
        else:
            assert body["id_number"] == f"{member.id_number[:4]}********{member.id_number[-4:]}"
            assert "12345678" not in body["phone"]
        history = [h for h in api_as(user).get(f"/api/v1/members/{member.pk}/events/").json()]
        assert member.id_number not in str(history) or granted


def test_statistics_clients_and_instructors_do_not_read_the_register(world):
    member = new_member(world.org_a)
    stats = make_user("stats_client", region=world.county_a)
    assert api_as(stats).get(f"/api/v1/members/{member.pk}/").status_code == 403


def test_sending_back_the_masked_record_changes_nothing_but_what_was_edited(world):
    member = new_member(world.org_a, phone="13912345678")
    client = api_as(world.editor_a)
    body = client.get(f"/api/v1/members/{member.pk}/").json()
    assert "*" in body["id_number"]
    body.update(education="研究生")
    response = client.put(f"/api/v1/members/{member.pk}/", body, format="json")
    assert response.status_code == 200, response.json()
    member.refresh_from_db()
    assert member.education == "研究生" and "*" not in member.id_number and member.phone == "13912345678"
