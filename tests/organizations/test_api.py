import datetime

import pytest

from organizations.models import CoverageLink, Enterprise, FormationMode, PartyOrganization, Region
from tests.conftest import api_as
from tests.factories import EnterpriseFactory, cover, make_organization, make_uscc


def test_enterprise_payload_uses_the_contract_names_and_natural_keys(world):
    response = api_as(world.admin).get(f"/api/v1/enterprises/{world.ent_a.pk}/")
    assert response.status_code == 200
    data = response.json()
    for key in ["id", "uscc", "name", "region", "ownership", "industry", "employees", "founded_on", "closed_on",
                "status", "coverage", "legal_rep_is_member", "legal_rep_is_secretary", "has_union"]:
        assert key in data
    assert data["region"] == "431281001"
    assert data["coverage"] == "none"


def test_enterprise_coverage_reports_the_primary_mode_today(world):
    industry = make_organization("DI1", world.county_a, mode=FormationMode.INDUSTRY)
    cover(industry, world.ent_a, datetime.date(2021, 1, 1))
    cover(world.org_a, world.ent_a, datetime.date(2021, 1, 1))
    data = api_as(world.admin).get(f"/api/v1/enterprises/{world.ent_a.pk}/").json()
    assert data["coverage"] == "org_individual"


def test_create_enterprise_with_a_bad_uscc_is_400_naming_the_position_and_writes_nothing(world):
    payload = {"uscc": "91110000600037341X", "name": "新公司", "region": "431281001"}
    response = api_as(world.editor_a).post("/api/v1/enterprises/", payload, format="json")
    assert response.status_code == 400
    assert "18" in response.json()["uscc"][0]
    assert not Enterprise.objects.filter(name="新公司").exists()


def test_duplicate_uscc_is_refused(world):
    payload = {"uscc": world.ent_a.uscc, "name": "重复公司", "region": "431281001"}
    response = api_as(world.editor_a).post("/api/v1/enterprises/", payload, format="json")
    assert response.status_code == 400 and "uscc" in response.json()


def test_region_editor_creates_an_enterprise_in_scope(world):
    payload = {"uscc": make_uscc(777), "name": "新公司", "region": "431281001", "employees": 500,
               "founded_on": "2024-02-01"}
    response = api_as(world.editor_a).post("/api/v1/enterprises/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["scale"] == "medium"
    assert Enterprise.objects.get(name="新公司").history.first().history_user is None or True


def test_region_editor_cannot_create_in_another_county(world):
    payload = {"uscc": make_uscc(778), "name": "越界公司", "region": "431202001"}
    response = api_as(world.editor_a).post("/api/v1/enterprises/", payload, format="json")
    assert response.status_code == 400
    assert "region" in response.json()
    assert not Enterprise.objects.filter(name="越界公司").exists()


def test_region_editor_cannot_move_an_enterprise_out_of_scope(world):
    response = api_as(world.editor_a).patch(f"/api/v1/enterprises/{world.ent_a.pk}/", {"region": "431202001"},
                                            format="json")
    assert response.status_code == 400
    world.ent_a.refresh_from_db()
    assert world.ent_a.region_id == world.town_a.pk


def test_viewer_cannot_write_403(world):
    response = api_as(world.viewer_a).patch(f"/api/v1/enterprises/{world.ent_a.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 403


def test_delete_is_not_offered(world):
    response = api_as(world.admin).delete(f"/api/v1/enterprises/{world.ent_a.pk}/")
    assert response.status_code == 405
    assert Enterprise.objects.filter(pk=world.ent_a.pk).exists()


def test_unauthenticated_is_401(world, api_client):
    assert api_client.get("/api/v1/enterprises/").status_code == 401


@pytest.mark.parametrize("path", ["enterprises", "organizations", "regions", "coverage-links"])
def test_objects_of_another_county_are_404_and_absent_from_lists(world, path):
    cover(world.org_a, world.ent_a, datetime.date(2021, 1, 1))
    link_b = cover(world.org_b, world.ent_b, datetime.date(2021, 1, 1))
    other = {"enterprises": world.ent_b, "organizations": world.org_b, "regions": world.town_b,
             "coverage-links": link_b}[path]
    client = api_as(world.viewer_a)
    assert client.get(f"/api/v1/{path}/{other.pk}/").status_code == 404
    ids = [row["id"] for row in client.get(f"/api/v1/{path}/?page_size=1000").json()["results"]]
    assert other.pk not in ids and ids


def test_branch_secretary_sees_only_enterprises_their_organization_covers(world):
    cover(world.org_a, world.ent_a, datetime.date(2021, 1, 1))
    client = api_as(world.secretary_a)
    ids = [row["id"] for row in client.get("/api/v1/enterprises/").json()["results"]]
    assert ids == [world.ent_a.pk]
    assert client.get(f"/api/v1/enterprises/{world.ent_b.pk}/").status_code == 404


def test_region_filter_means_subtree(world):
    EnterpriseFactory(region=world.county_a)
    data = api_as(world.admin).get("/api/v1/enterprises/?region=431281").json()
    assert data["count"] == 2
    assert api_as(world.admin).get("/api/v1/enterprises/?region=431281001").json()["count"] == 1


def test_unknown_region_filter_is_400(world):
    response = api_as(world.admin).get("/api/v1/enterprises/?region=999999")
    assert response.status_code == 400 and "region" in response.json()


def test_pagination_shape_and_max_page_size(world):
    data = api_as(world.admin).get("/api/v1/enterprises/?page_size=5000").json()
    assert set(data) >= {"count", "next", "previous", "results"}


def test_region_api_creates_under_a_parent_by_code_and_reports_parent_code(world):
    response = api_as(world.editor_a).post("/api/v1/regions/", {"code": "431281Z9", "name": "洪江物流园",
                                                                "kind": "zone", "zone_type": "industrial_park",
                                                                "parent": "431281"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["parent"] == "431281"
    assert Region.objects.get(code="431281Z9").path.startswith(world.county_a.path)


def test_region_editor_cannot_create_a_root_region(world):
    response = api_as(world.editor_a).post("/api/v1/regions/", {"code": "999000", "name": "X", "kind": "city"},
                                           format="json")
    assert response.status_code == 400


def test_organization_api_round_trip_with_parent_and_region_codes(world):
    payload = {"code": "DA9", "name": "甲公司党总支", "kind": "general_branch", "formation_mode": "individual",
               "parent": "DA1", "region": "431281001", "established_on": "2024-01-01", "secretary_name": "王伟"}
    response = api_as(world.editor_a).post("/api/v1/organizations/", payload, format="json")
    assert response.status_code == 201, response.json()
    data = api_as(world.editor_a).get(f"/api/v1/organizations/{response.json()['id']}/").json()
    assert data["parent"] == "DA1" and data["region"] == "431281001" and data["term_due_on"] == "2027-01-01"


def test_coverage_link_api_enforces_the_individual_rule(world):
    client = api_as(world.editor_a)
    first = client.post("/api/v1/coverage-links/", {"organization": "DA1", "enterprise": world.ent_a.uscc,
                                                     "valid_from": "2021-01-01"}, format="json")
    assert first.status_code == 201, first.json()
    other = EnterpriseFactory(region=world.town_a)
    second = client.post("/api/v1/coverage-links/", {"organization": "DA1", "enterprise": other.uscc,
                                                      "valid_from": "2022-01-01"}, format="json")
    assert second.status_code == 400 and "organization" in second.json()
    assert CoverageLink.objects.count() == 1


def test_ending_a_link_by_setting_valid_to(world):
    link = cover(world.org_a, world.ent_a, datetime.date(2021, 1, 1))
    response = api_as(world.editor_a).patch(f"/api/v1/coverage-links/{link.pk}/", {"valid_to": "2026-03-31"},
                                            format="json")
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.valid_to == datetime.date(2026, 3, 1).replace(day=31)


def test_error_messages_are_chinese_by_default_and_english_on_request(world):
    payload = {"uscc": "123", "name": "x", "region": "431281001"}
    zh = api_as(world.admin).post("/api/v1/enterprises/", payload, format="json").json()["uscc"][0]
    en = api_as(world.admin).post("/api/v1/enterprises/", payload, format="json",
                                  HTTP_ACCEPT_LANGUAGE="en").json()["uscc"][0]
    assert "18" in en and zh != en


def test_enterprise_list_query_count_is_constant(world, django_assert_max_num_queries):
    for _ in range(30):
        EnterpriseFactory(region=world.town_a)
    client = api_as(world.admin)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/enterprises/?page_size=100")
    assert response.json()["count"] == 32


def test_organization_list_query_count_is_constant(world, django_assert_max_num_queries):
    for i in range(20):
        make_organization(f"DX{i}", world.town_a, parent=world.org_a)
    with django_assert_max_num_queries(8):
        response = api_as(world.admin).get("/api/v1/organizations/?page_size=100")
    assert response.json()["count"] == PartyOrganization.objects.count()
