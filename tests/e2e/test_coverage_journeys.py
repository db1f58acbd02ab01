import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from members.models import Member
from tests.e2e.conftest import PASSWORD, login
from tests.factories import EnterpriseFactory, cover, make_user
from tests.scope_world import id_number

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_drill_from_a_coverage_figure_to_the_enterprises_and_export_them(page, world):
    """Dashboard → a child region's "should form" count → the list behind it (same length) → XLSX."""
    for i in range(2):
        ent = EnterpriseFactory(region=world.town_a, name=f"应建企业{i}")
        for k in range(3):
            Member.objects.create(name=f"党员{i}{k}", gender="male", id_number=id_number(10 * i + k),
                                  organization=world.org_a, employer=ent, joined_on="2015-01-01",
                                  full_on="2016-01-01")
    cover(world.org_a, world.ent_a, datetime.date(2021, 1, 1))
    call_command("compute_coverage", verbosity=0, stdout=io.StringIO())
    make_user("region_editor", region=world.city, username="city_staff", password=PASSWORD)
    login(page, "city_staff")
    page.goto(page.base_url + "/reports/")
    table = page.locator("[data-testid=children-table]")
    row = table.locator("tr", has_text=world.county_a.name)
    link = row.locator("a[href*='category=should_form']")
    assert link.inner_text().strip() == "2"
    link.click()
    page.wait_for_url("**/reports/coverage/enterprises/**")
    assert page.locator("[data-testid=list-count]").inner_text().strip() == "2"
    assert "应建企业0" in page.content() and "应建企业1" in page.content()
    with page.expect_download() as download_info:
        page.click("[data-testid=export-xlsx]")
    rows = list(load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read())).active.iter_rows(
        values_only=True))
    assert len(rows) == 3
