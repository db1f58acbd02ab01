import io

import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import PASSWORD, login
from tests.factories import EnterpriseFactory, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_find_a_region_open_its_enterprises_filter_and_export(page, world):
    for i in range(3):
        EnterpriseFactory(region=world.town_a, name=f"黔城物流{i}有限公司", industry="G")
    editor = make_user("region_editor", region=world.county_a, username="county_editor", password=PASSWORD)
    login(page, editor.username)
    page.goto(page.base_url + "/organizations/regions/")
    page.click("[data-testid=region-roots] >> text=洪江市")
    page.click("[data-testid=children-table] >> text=黔城镇")
    page.click("[data-testid=region-enterprises]")
    page.select_option("select[name=industry]", "G")
    page.click("[data-testid=filter-form] button[type=submit]")
    assert page.locator("[data-testid=list-count]").inner_text() == "3"
    with page.expect_download() as download_info:
        page.click("[data-testid=export-xlsx]")
    path = download_info.value.path()
    rows = list(load_workbook(io.BytesIO(open(path, "rb").read())).active.iter_rows(values_only=True))
    assert len(rows) == 4 and any("黔城物流0有限公司" in str(cell) for cell in rows[1] + rows[2] + rows[3])


def test_the_ui_speaks_chinese_by_default_and_english_on_request(page, world):
    make_user("region_viewer", region=world.county_a, username="viewer_lang", password=PASSWORD)
    login(page, "viewer_lang")
    page.goto(page.base_url + "/organizations/enterprises/")
    assert "企业" in page.locator("h1").inner_text()
    page.click("[data-testid=language-switcher] button[value=en]")
    page.goto(page.base_url + "/organizations/enterprises/")
    assert "Enterprises" in page.locator("h1").inner_text()


def test_an_out_of_scope_page_is_a_friendly_404(page, world):
    make_user("region_viewer", region=world.county_a, username="viewer_scope", password=PASSWORD)
    login(page, "viewer_scope")
    response = page.goto(page.base_url + world.ent_b.get_absolute_url())
    assert response.status == 404
    assert "404" in page.content()
