import pytest

from instructors.models import Assignment
from tests.e2e.conftest import PASSWORD, login
from tests.factories import EnterpriseFactory, make_user

from .helpers import make_instructor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_editor_bulk_assigns_a_towns_enterprises_and_sees_them_on_the_instructor_page(page, world):
    person = make_instructor(world.county_a, name="刘指导员", source_unit="洪江市财政局")
    for i in range(3):
        EnterpriseFactory(region=world.town_a, name=f"黔城新材料{i}有限公司")
    make_user("region_editor", region=world.county_a, username="bulk_editor", password=PASSWORD)
    login(page, "bulk_editor")
    page.goto(page.base_url + f"/instructors/assignments/bulk/?region={world.town_a.code}")
    assert page.locator("[data-testid=bulk-count]").inner_text().startswith("4")
    page.select_option("select[name=instructor]", str(person.pk))
    page.fill("input[name=batch]", "第3批")
    page.fill("input[name=start_on]", "2026-03-01")
    page.click("[data-testid=bulk-form] button[type=submit]")
    page.wait_for_load_state()
    assert Assignment.objects.filter(instructor=person, batch__name="第3批").count() == 4
    page.goto(page.base_url + f"/instructors/{person.pk}/")
    assert page.locator("[data-testid=instructor-assignments] tbody tr").count() == 4


def test_staff_see_demonstration_sites_by_level_in_chinese(page, world, settings):
    import datetime

    from instructors.models import DemonstrationSite

    settings.LANGUAGE_CODE = "zh-hans"
    DemonstrationSite.objects.create(organization=world.org_a, level="county", designated_on=datetime.date(2024, 7, 1),
                                     theme="党建引领发展", designating_body="洪江市委组织部")
    DemonstrationSite.objects.create(enterprise=world.ent_a, level="city", designated_on=datetime.date(2023, 7, 1),
                                     designating_body="怀化市委组织部")
    make_user("region_viewer", region=world.county_a, username="site_viewer", password=PASSWORD)
    login(page, "site_viewer")
    page.goto(page.base_url + "/instructors/sites/")
    assert "示范点" in page.locator("h1").inner_text()
    assert page.locator("[data-testid=list-count]").inner_text() == "2"
