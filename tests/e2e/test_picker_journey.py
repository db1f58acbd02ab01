"""Pickers, not typed codes: an editor finds an organization and an enterprise by name on the suggestion form
(desk and phone); on an applicant's page the next stage is offered and a namesake introducer is found by the
ID tail."""

import datetime

import pytest
from playwright.sync_api import expect

from activities.models import Suggestion
from members.models import Applicant
from tests.conftest import ARTIFACTS, PASSWORD
from tests.e2e.conftest import login
from tests.factories import make_user
from tests.members.helpers import id_number, new_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width,height", [(1440, 900), (390, 844)])
def test_an_editor_picks_the_organization_and_enterprise_by_name(page, world, width, height):
    page.set_viewport_size({"width": width, "height": height})
    make_user("region_editor", region=world.county_a, username="county_ed", password=PASSWORD)
    login(page, "county_ed")
    page.goto(page.base_url + "/activities/suggestions/add/")
    organization = page.locator("#id_organization")
    organization.fill("")
    organization.click()
    organization.type("甲公司")
    options = page.locator("[data-testid=picker-option]")
    expect(options).to_have_count(1)  # the other county's 乙公司党支部 is out of scope
    expect(options.first).to_contain_text("甲公司党支部")
    options.first.click()
    expect(organization).to_have_value(world.org_a.code)
    expect(page.locator("[data-testid=picker-label]").first).to_contain_text("甲公司党支部")
    enterprise = page.locator("#id_enterprise")
    enterprise.click()
    enterprise.type("洪江")
    page.locator("[data-testid=picker-option]", has_text="洪江甲公司").click()
    expect(enterprise).to_have_value(world.ent_a.uscc)
    page.fill("#id_raised_on", "2026-03-01")
    page.fill("#id_content", "优化排班，节约能耗")
    page.screenshot(path=str(ARTIFACTS / f"picker_suggestion_{width}.png"), full_page=True)
    page.locator("[data-testid=object-form] button[type=submit]").click()
    page.wait_for_url("**/activities/suggestions/")
    suggestion = Suggestion.objects.get()
    assert suggestion.organization == world.org_a and suggestion.enterprise == world.ent_a


def test_the_applicant_page_offers_the_next_stage_and_finds_a_namesake_introducer_by_id_tail(page, world):
    person = Applicant.objects.create(name="赵六", id_number=id_number("19960101"), gender="male",
                                      birth_date=datetime.date(1996, 1, 1), organization=world.org_a,
                                      applied_on=datetime.date(2023, 3, 1), stage=Applicant.Stage.TARGET,
                                      talked_on=datetime.date(2023, 3, 20), activist_on=datetime.date(2023, 4, 1),
                                      target_on=datetime.date(2024, 4, 10))
    new_member(world.org_a, name="王芳", birth="19800101")
    second = new_member(world.org_a, name="王芳", birth="19810101")
    make_user("region_editor", region=world.county_a, username="county_ed", password=PASSWORD)
    login(page, "county_ed")
    page.goto(page.base_url + f"/members/applicants/{person.pk}/")
    assert page.locator("select[name=stage]").input_value() == "probationary"  # the stage after 发展对象
    select = page.locator("select[name=introducer_1]")
    search = select.locator("xpath=preceding-sibling::input[@data-testid='select-search']")
    search.fill(second.id_number[-4:])
    assert select.input_value() == str(second.pk)  # one match: chosen
    labels = select.locator("option").all_inner_texts()
    assert [label for label in labels if "王芳" in label] == [
        f"王芳（身份证号尾号 {second.id_number[-4:]}）· {world.org_a.name}"]
    page.screenshot(path=str(ARTIFACTS / "applicant_introducer_1440.png"), full_page=True)


def test_an_editor_of_many_instructors_picks_a_meetings_attendees_one_after_another(page, world, monkeypatch):
    from core import views as core_views  # noqa: PLC0415
    from instructors.models import Meeting  # noqa: PLC0415
    from tests.instructors.helpers import make_instructor  # noqa: PLC0415

    monkeypatch.setattr(core_views, "MAX_LISTED_CHOICES", 2)  # as with a province's instructors
    first, _other, second = (make_instructor(world.county_a, name=name) for name in ("黄明", "黄亮", "周红"))
    make_user("region_editor", region=world.county_a, username="county_ed", password=PASSWORD)
    login(page, "county_ed")
    page.goto(page.base_url + "/instructors/meetings/add/")
    page.fill("#id_region", world.county_a.code)
    page.fill("#id_held_on", "2026-10-15")
    page.fill("#id_topic", "十月指导员例会")
    attendees = page.locator("#id_attendees")
    attendees.click()
    attendees.type("黄明")
    page.locator("[data-testid=picker-option]", has_text="黄明").click()
    expect(attendees).to_have_value(f"{first.pk}, ")
    attendees.type("周")
    page.locator("[data-testid=picker-option]", has_text="周红").click()
    expect(attendees).to_have_value(f"{first.pk}, {second.pk}, ")
    page.screenshot(path=str(ARTIFACTS / "picker_meeting_attendees.png"), full_page=True)
    page.locator("[data-testid=object-form] button[type=submit]").click()
    page.wait_for_url("**/instructors/meetings/**")
    assert set(Meeting.objects.get(topic="十月指导员例会").attendees.all()) == {first, second}
