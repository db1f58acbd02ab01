import pytest

from organizations.models import Enterprise, Region, RegionChange
from tests.e2e.conftest import PASSWORD, login
from tests.factories import EnterpriseFactory, make_region, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_county_editor_merges_a_township_and_reads_its_history(page, world):
    """Region page → closing is refused (enterprises still operate) → merge into the neighbour → the
    enterprise is now in the surviving township → the merged township's history shows the change."""
    county = Region.objects.get(pk=world.county_a.pk)
    old_town = make_region("431281005", "岔头乡", Region.Kind.TOWNSHIP, parent=county)
    EnterpriseFactory(region=old_town, name="岔头公司")
    make_user("region_editor", region=county, username="county_staff", password=PASSWORD)
    login(page, "county_staff")
    page.goto(page.base_url + old_town.get_absolute_url())
    page.click("[data-testid=change-close] summary")
    page.click("[data-testid=change-close] button[type=submit]")
    assert "不能撤销" in page.locator(".alert").first.inner_text()
    page.click("[data-testid=change-merge] summary")
    page.fill("#id_merge-into", world.town_a.code)
    page.fill("#id_merge-note", "撤乡并镇批复")
    page.click("[data-testid=change-merge] button[type=submit]")
    assert "已记录" in page.locator(".alert").first.inner_text()
    assert Enterprise.objects.get(name="岔头公司").region_id == world.town_a.pk
    assert RegionChange.objects.get().merged_into_id == world.town_a.pk
    page.goto(page.base_url + old_town.get_history_url())
    table = page.locator("[data-testid=region-changes-table]").inner_text()
    assert "黔城镇" in table and "撤乡并镇批复" in table
