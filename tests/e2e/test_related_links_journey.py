"""Related things one click apart, on a desk and on a phone: from an organization to its member, from the
member to the employer, from the employer to the members employed there; from a compliance cell to the records
behind it."""

import datetime

import pytest
from playwright.sync_api import expect

from activities.models import ActivityRecord, FrequencyRule
from tests.activities.helpers import make_record
from tests.conftest import ARTIFACTS, PASSWORD
from tests.e2e.conftest import login
from tests.factories import make_user
from tests.members.helpers import new_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_an_editor_walks_from_organization_to_member_to_employer_and_back(page, world, width, height):
    page.set_viewport_size({"width": width, "height": height})
    # the seeded rules (migration 0002) do not survive the flush of an earlier transactional test
    FrequencyRule.objects.get_or_create(kind="committee_meeting", defaults={"period": "month", "min_count": 1})
    member = new_member(world.org_a, name="甲支部王强", employer=world.ent_a)
    new_member(world.org_b, name="乙支部李明", employer=world.ent_a)  # the other county: not for this editor
    make_record(world.org_a, held_on=datetime.date(2026, 7, 10), topic="七月支委会",
                status=ActivityRecord.Status.ACCEPTED)
    make_user("region_editor", region=world.county_a, username="county_ed", password=PASSWORD)
    login(page, "county_ed")

    page.goto(page.base_url + world.org_a.get_absolute_url())
    related = page.locator("[data-testid=organization-related]")
    expect(related.locator("[data-testid=related-members]")).to_contain_text("甲支部王强")
    expect(related.locator("[data-testid=related-records]")).to_contain_text("七月支委会")
    expect(related.locator("[data-testid=related-compliance]")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / f"related_organization_{width}.png"), full_page=True)
    related.locator("[data-testid=related-members] a", has_text="甲支部王强").click()
    page.wait_for_url(f"**{member.get_absolute_url()}")
    page.locator("[data-testid=detail-fields] [data-testid=related-link]", has_text=world.ent_a.name).click()
    page.wait_for_url(f"**{world.ent_a.get_absolute_url()}")
    employed = page.locator("[data-testid=enterprise-members]")
    expect(employed).to_contain_text("甲支部王强")
    assert "乙支部李明" not in employed.inner_text()
    expect(page.locator("[data-testid=employed-member-count]")).to_have_text("1")
    page.screenshot(path=str(ARTIFACTS / f"related_enterprise_{width}.png"), full_page=True)

    page.goto(page.base_url + f"/activities/compliance/?region={world.town_a.code}&period=2026Q3")
    cell = page.locator("[data-testid=compliance-records-link][href*='kind=committee_meeting']")
    cell.click()
    page.wait_for_url("**/activities/records/?organization=DA1&kind=committee_meeting&period=2026Q3")
    records = page.locator("[data-testid=record-card]" if width < 768 else "[data-testid=object-table] tbody tr")
    expect(records).to_have_count(1)
    expect(records.first).to_contain_text("七月支委会")
