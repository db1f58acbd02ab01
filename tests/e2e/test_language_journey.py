"""A user switches the interface to English on the members list (menu, title, column headings), the choice
sticks from page to page, and switches back to Chinese.

test_platform_journeys.py checks one page title in English; this journey covers the menu and the way back."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, login
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def open_members_menu(page, label):
    page.locator("[data-testid=main-menu] [data-testid=menu-group]", has_text=label).click()
    return page.locator("[data-testid=main-menu] .dropdown-menu.show [data-testid=menu-item]")


def test_a_user_switches_the_members_list_to_english_and_back_to_chinese(page, world):
    make_user("region_viewer", region=world.county_a, username="viewer_en", password=PASSWORD)
    login(page, "viewer_en")
    page.goto(page.base_url + "/members/")
    expect(page.locator("h1")).to_contain_text("党员")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    items = open_members_menu(page, "党员")
    expect(items.first).to_be_visible()
    assert {"党员", "组织关系转接", "流动党员"} <= set(items.all_inner_texts())

    page.click("[data-testid=language-switcher] button[value=en]")
    expect(page.locator("h1")).to_contain_text("Party members")
    assert page.url.rstrip("/").endswith("/members")  # back on the same page
    assert page.locator("html").get_attribute("lang") == "en"
    items = open_members_menu(page, "Members")
    expect(items.first).to_be_visible()
    labels = set(items.all_inner_texts())
    assert {"Party members", "Transfers", "Floating members"} <= labels
    assert not {"党员", "组织关系转接", "流动党员"} & labels
    headings = page.locator("[data-testid=object-table] thead").inner_text()
    assert "Name" in headings and "ID number" in headings
    # The choice holds on the next page.
    items.filter(has_text="Transfers").click()
    page.wait_for_url("**/members/transfers/")
    expect(page.locator("h1")).to_contain_text("Transfers")

    page.goto(page.base_url + "/members/")
    page.click("[data-testid=language-switcher] button[value=zh-hans]")
    expect(page.locator("h1")).to_contain_text("党员")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    items = open_members_menu(page, "党员")
    expect(items.first).to_be_visible()
    labels = set(items.all_inner_texts())
    assert {"党员", "组织关系转接", "流动党员"} <= labels and "Party members" not in labels
