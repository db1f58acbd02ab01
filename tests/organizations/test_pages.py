import datetime

import pytest
from openpyxl import load_workbook

from core.models import ExportRecord
from organizations.models import CoverageLink, Enterprise
from tests.factories import EnterpriseFactory, cover


@pytest.fixture
def client_as(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.mark.parametrize("url_name", ["enterprise", "organization", "region"])
def test_detail_pages_of_another_county_are_404(world, client_as, url_name):
    other = {"enterprise": world.ent_b, "organization": world.org_b, "region": world.town_b}[url_name]
    client = client_as(world.viewer_a)
    assert client.get(other.get_absolute_url()).status_code == 404
    assert client.get(other.get_history_url()).status_code == 404
    assert client.get(other.get_edit_url()).status_code == 403  # viewers may not edit at all


def test_edit_page_of_another_county_is_404_for_an_editor(world, client_as):
    assert client_as(world.editor_a).get(world.ent_b.get_edit_url()).status_code == 404


@pytest.mark.parametrize("path", ["/organizations/enterprises/", "/organizations/", "/organizations/regions/",
                                  "/organizations/links/"])
def test_lists_show_only_the_users_scope(world, client_as, path):
    cover(world.org_a, world.ent_a, datetime.date(2021, 1, 1))
    cover(world.org_b, world.ent_b, datetime.date(2021, 1, 1))
    body = client_as(world.viewer_a).get(path).content.decode()
    assert "鹤城乙公司" not in body and "乙公司党支部" not in body and "城中街道" not in body


def test_enterprise_list_filters_and_exports_xlsx_of_the_filtered_list(world, client_as):
    for i in range(3):
        EnterpriseFactory(region=world.town_a, name=f"洪江物流{i}公司", industry="G")
    client = client_as(world.editor_a)
    page = client.get("/organizations/enterprises/?industry=G")
    assert page.status_code == 200 and "洪江物流0公司" in page.content.decode()
    export = client.get("/organizations/enterprises/?industry=G&export=xlsx")
    assert export.status_code == 200
    import io

    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 3
    assert ExportRecord.objects.filter(user=world.editor_a, rows=3).exists()


def test_csv_export_has_a_bom_and_the_header(world, client_as):
    response = client_as(world.editor_a).get("/organizations/enterprises/?export=csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and "洪江甲公司" in body and "鹤城乙公司" not in body


def test_list_page_query_count_is_constant(world, client_as, django_assert_max_num_queries):
    for _ in range(40):
        EnterpriseFactory(region=world.town_a)
    client = client_as(world.editor_a)
    with django_assert_max_num_queries(12):
        assert client.get("/organizations/enterprises/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/organizations/").status_code == 200


def test_editor_adds_and_ends_a_link_from_the_organization_page(world, client_as):
    client = client_as(world.editor_a)
    response = client.post(f"/organizations/{world.org_a.pk}/links/add/",
                           {"enterprise": world.ent_a.uscc, "valid_from": "2021-01-01"})
    assert response.status_code == 302
    link = CoverageLink.objects.get(organization=world.org_a)
    client.post(f"/organizations/links/{link.pk}/end/", {"valid_to": "2026-01-01"})
    link.refresh_from_db()
    assert link.valid_to == datetime.date(2026, 1, 1)
    page = client.get(world.org_a.get_absolute_url()).content.decode()
    assert 'data-testid="covered-enterprises"' in page and "洪江甲公司" in page


def test_adding_a_link_to_an_enterprise_outside_scope_is_refused(world, client_as):
    client = client_as(world.editor_a)
    response = client.post(f"/organizations/{world.org_a.pk}/links/add/",
                           {"enterprise": world.ent_b.uscc, "valid_from": "2021-01-01"}, follow=True)
    assert CoverageLink.objects.count() == 0
    assert response.status_code == 200


def test_create_enterprise_form_shows_the_uscc_error_and_writes_nothing(world, client_as):
    client = client_as(world.editor_a)
    response = client.post("/organizations/enterprises/add/", {
        "uscc": "91110000600037341X", "name": "表单公司", "region": "431281001", "ownership": "private_controlled"})
    assert response.status_code == 200
    assert "18" in response.content.decode()
    assert not Enterprise.objects.filter(name="表单公司").exists()


def test_history_page_shows_who_changed_what(world, client_as):
    client = client_as(world.editor_a)
    client.post(world.ent_a.get_edit_url(), {
        "uscc": world.ent_a.uscc, "name": "洪江甲公司（更名）", "region": "431281001", "ownership": "private_controlled",
        "employees": 30})
    body = client.get(world.ent_a.get_history_url()).content.decode()
    assert "洪江甲公司（更名）" in body and world.editor_a.username in body


def test_closing_from_the_page_keeps_the_enterprise(world, client_as):
    client_as(world.editor_a).post(f"/organizations/enterprises/{world.ent_a.pk}/close/", {"closed_on": "2026-05-01"})
    world.ent_a.refresh_from_db()
    assert world.ent_a.status == "closed"


def test_warnings_page_counts_link_to_their_lists(world, client_as):
    body = client_as(world.editor_a).get("/organizations/warnings/").content.decode()
    assert "?warning=should_form" in body and "?warning=orphan" in body


def test_region_tree_page_shows_children_with_counts(world, client_as):
    body = client_as(world.editor_a).get(world.county_a.get_absolute_url()).content.decode()
    assert "黔城镇" in body
