"""Issue 15 journeys at a desk (1440×900) and on a phone (390×844): each role lands on its own home, menus hold
only what the role can use, list dates and headers do not wrap. Screenshots of both sizes go to test-artifacts/."""

import datetime

import pytest
from django.utils import timezone

from instructors.models import Visit
from tests.conftest import ARTIFACTS
from tests.e2e.conftest import PASSWORD, login
from tests.factories import EnterpriseFactory, make_user
from tests.instructors.helpers import assign, make_id_number, make_instructor

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SIZES = {"desk": (1440, 900), "phone": (390, 844)}


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def text_lines(locator):
    """How many lines the element's text takes (distinct tops of its line boxes)."""
    return locator.evaluate("el => { const r = document.createRange(); r.selectNodeContents(el); "
                            "return new Set([...r.getClientRects()].filter(b => b.width > 0)"
                            ".map(b => Math.round(b.top))).size; }")


def menu_texts(page):
    return [t.strip() for t in page.locator("[data-testid=menu-item]").all_inner_texts()]


@pytest.mark.parametrize("size", SIZES)
def test_a_stats_client_lands_on_its_statistics(page, world, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
    make_user("stats_client", region=world.county_a, username=f"stats_{size}", password=PASSWORD)
    login(page, f"stats_{size}")
    assert page.url.endswith("/reports/statistics/")
    assert "统计首页" in page.locator("[data-testid=stats-home]").inner_text()
    assert page.locator("[data-testid=stats-api]").is_visible() or size == "phone"
    assert no_horizontal_overflow(page)
    shoot(page, f"stats_home_{size}")


@pytest.mark.parametrize("size", SIZES)
def test_an_instructor_lands_on_its_enterprises_and_files_a_due_visit(page, world, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
    today = timezone.localdate()
    me = make_instructor(world.county_a, name="张指导", id_number=make_id_number(951))
    due = EnterpriseFactory(region=world.town_a, name="久未走访公司")
    fresh = EnterpriseFactory(region=world.town_a, name="刚走访公司")
    assign(me, due, start_on=today - datetime.timedelta(days=200))
    assign(me, fresh, start_on=today - datetime.timedelta(days=200))
    Visit.objects.create(instructor=me, enterprise=fresh, visited_on=today - datetime.timedelta(days=3),
                         work_done="宣讲政策")
    make_user("instructor", instructor=me, username=f"zhang_{size}", password=PASSWORD)
    login(page, f"zhang_{size}")
    assert page.url.endswith("/instructors/home/")
    assert page.locator("[data-testid=visit-due]").count() == 1
    assert "久未走访公司" in page.locator("[data-testid=visit-due]").inner_text()
    shoot(page, f"instructor_home_{size}")
    if size == "phone":
        page.click(".navbar-toggler")
    assert "区域" not in menu_texts(page) and "活动记录" not in menu_texts(page)
    if size == "phone":
        page.click(".navbar-toggler")
    page.locator("[data-testid=visit-due] a.btn").click()
    assert page.locator("input[name=enterprise]").input_value() == due.uscc


@pytest.mark.parametrize("size", SIZES)
def test_a_secretary_sees_no_region_pages_and_lists_do_not_wrap_dates(page, world, size):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES[size])))
    make_user("branch_secretary", organization=world.org_a, username=f"sec_{size}", password=PASSWORD)
    login(page, f"sec_{size}")
    page.goto(page.base_url + "/organizations/enterprises/")
    if size == "phone":
        page.click(".navbar-toggler")
    page.locator("[data-testid=menu-group]", has_text="基础信息").click()
    texts = menu_texts(page)
    assert "企业" in texts and "区域" not in texts and "覆盖关系" not in texts
    assert page.locator("[data-testid=menu-api-docs]").count() == 0
    shoot(page, f"secretary_menu_{size}")
    response = page.goto(page.base_url + "/organizations/regions/")
    assert response.status == 403 and "403" in page.content()
    editor = make_user("region_editor", region=world.county_a, username=f"ed_{size}", password=PASSWORD)
    for i in range(3):
        EnterpriseFactory(region=world.town_a, name=f"黔城物流园区管理服务有限责任公司{i}", founded_on=datetime.date(2013, 12, 18))
    page.context.clear_cookies()
    login(page, editor.username)
    page.goto(page.base_url + "/organizations/enterprises/")
    cell = page.locator("[data-testid=object-table] tbody td.text-nowrap", has_text="2013-12-18").first
    assert text_lines(cell) == 1  # one line, not “2013-12-/18”
    assert text_lines(page.locator("[data-testid=object-table] tbody td.text-nowrap").first) == 1  # the USCC
    for header in page.locator("[data-testid=object-table] th").all():
        assert text_lines(header) == 1, header.inner_text()  # not “企/业”
    shoot(page, f"enterprise_list_{size}")


def editor_on_the_enterprise_list_by_phone(page, world, username):
    page.set_viewport_size(dict(zip(("width", "height"), SIZES["phone"])))
    editor = make_user("region_editor", region=world.county_a, username=username, password=PASSWORD)
    EnterpriseFactory(region=world.town_a, name="黔城物流园区管理服务有限责任公司")
    login(page, editor.username)
    page.goto(page.base_url + "/organizations/enterprises/")


def test_on_a_phone_a_list_scrolls_sideways_under_its_name_column(page, world):
    editor_on_the_enterprise_list_by_phone(page, world, "ed_sticky")
    name = page.locator("[data-testid=object-table] tbody tr").first.locator("td").first
    uscc = page.locator("[data-testid=object-table] tbody tr").first.locator("td").nth(1)
    header = page.locator("[data-testid=object-table] thead th").first
    before = (name.bounding_box()["x"], uscc.bounding_box()["x"], header.bounding_box()["x"])
    assert page.evaluate("(() => { const t = document.querySelector('.table-responsive');"
                         " return t.scrollWidth > t.clientWidth; })()")  # wider than the phone
    page.evaluate("document.querySelector('.table-responsive').scrollLeft = 200")
    page.wait_for_timeout(100)
    after = (name.bounding_box()["x"], uscc.bounding_box()["x"], header.bounding_box()["x"])
    assert after[0] == pytest.approx(before[0], abs=1) and after[2] == pytest.approx(before[2], abs=1)
    assert after[1] < before[1] - 150  # the other columns moved under it
    assert name.locator("a").is_visible()
    shoot(page, "enterprise_list_phone_scrolled")


def test_on_a_phone_the_filters_fold_away_above_the_list_and_open_when_used(page, world):
    editor_on_the_enterprise_list_by_phone(page, world, "ed_filters")
    form, toggle = page.locator("[data-testid=filter-form]"), page.locator("[data-testid=filter-toggle]")
    assert not form.is_visible() and toggle.is_visible()
    first_row = page.locator("[data-testid=object-table] tbody tr").first
    assert first_row.bounding_box()["y"] < 400  # the list starts on the first screen, not under a dozen filters
    toggle.click()
    form.locator("input[name=q], input[type=search], input[type=text]").first.wait_for(state="visible")
    form.locator("input[type=text], input[type=search]").first.fill("物流")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=list-count]").inner_text() == "1"
    assert page.locator("[data-testid=filter-form]").is_visible()  # a filtered list shows what filters it
    assert page.locator("[data-testid=filter-toggle]").inner_text().strip() == "筛选条件 (1)"
    shoot(page, "enterprise_list_phone_filtered")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(page.base_url + "/organizations/enterprises/")
    assert page.locator("[data-testid=filter-form]").is_visible()
    assert not page.locator("[data-testid=filter-toggle]").is_visible()
