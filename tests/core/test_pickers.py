"""Searchable pickers instead of typed codes (core.forms.PickerInput + core:pick), scoped to the user;
pre-filled when the user has one choice; month fields as YYYY-MM; the applicant's next stage and
introducers told apart by ID tail and organization."""

import datetime

import pytest
from django.utils import timezone

from core.forms import MonthField, PICKABLE
from members.models import Applicant
from tests.factories import make_organization, make_user
from tests.members.helpers import id_number, new_member

pytestmark = pytest.mark.django_db
ORG_PICK = "/pick/organizations.partyorganization.code/"
ENT_PICK = "/pick/organizations.enterprise.uscc/"


def keys(response):
    assert response.status_code == 200
    return [item["key"] for item in response.json()["results"]]


def test_the_picker_search_answers_only_what_the_user_may_see(world, client, django_assert_max_num_queries):
    client.force_login(world.editor_a)
    assert keys(client.get(ORG_PICK)) == [world.org_a.code]
    assert keys(client.get(ORG_PICK, {"q": "甲公司"})) == [world.org_a.code]
    assert keys(client.get(ORG_PICK, {"q": world.org_b.code})) == []  # out of scope, even by its code
    assert keys(client.get(ORG_PICK, {"q": "乙公司"})) == []
    assert keys(client.get(ENT_PICK, {"q": "洪江"})) == [world.ent_a.uscc]
    labels = client.get(ENT_PICK, {"q": world.ent_a.uscc[:6]}).json()["results"]
    assert labels == [{"key": world.ent_a.uscc, "label": f"{world.ent_a} ({world.ent_a.uscc})"}]
    client.force_login(world.admin)
    with django_assert_max_num_queries(3):  # session, user, one search
        assert sorted(keys(client.get(ORG_PICK, {"q": "公司"}))) == sorted([world.org_a.code, world.org_b.code])


def test_only_the_natural_keys_forms_offer_are_searchable(world, client):
    client.force_login(world.admin)
    assert "organizations.partyorganization.code" in PICKABLE
    assert client.get("/pick/members.member.id_number/").status_code == 404
    assert client.get("/pick/core.user.username/").status_code == 404
    client.logout()
    assert client.get(ORG_PICK).status_code == 302  # to the login page


def test_forms_render_pickers_not_bare_code_boxes(world, client):
    client.force_login(world.editor_a)
    page = client.get("/organizations/enterprises/add/").content.decode()
    assert 'data-picker="/pick/organizations.region.code/"' in page
    page = client.get("/activities/suggestions/add/").content.decode()
    assert f'data-picker="{ORG_PICK}"' in page and f'data-picker="{ENT_PICK}"' in page


def test_a_single_choice_is_pre_filled(world, client):
    client.force_login(world.secretary_a)  # one organization in scope
    page = client.get("/activities/suggestions/add/").content.decode()
    assert f'name="organization" value="{world.org_a.code}"' in page
    client.force_login(world.editor_a)  # one organization in the county too, but an editor of a region …
    page = client.get("/activities/suggestions/add/").content.decode()
    assert f'name="organization" value="{world.org_a.code}"' in page
    make_organization("DA2", world.town_a, name="甲二支部")
    page = client.get("/activities/suggestions/add/").content.decode()
    assert f'name="organization" value="' not in page  # … with two choices, nothing is chosen for them


def test_an_instructor_finds_their_own_record_chosen_on_the_visit_form(world, client):
    from tests.instructors.helpers import make_id_number, make_instructor

    # explicit ID numbers: the helper's shared counter is left alone (other tests pick fixed numbers)
    me = make_instructor(world.county_a, name="王指导", id_number=make_id_number(901))
    make_instructor(world.county_a, name="李指导", id_number=make_id_number(902))
    client.force_login(make_user("instructor", instructor=me))
    page = client.get("/instructors/visits/add/").content.decode()
    assert f'<option value="{me.pk}" selected>' in page


def test_month_fields_take_and_keep_yyyy_mm():
    field = MonthField()
    assert field.clean("2026-12") == datetime.date(2026, 12, 1)
    assert field.clean("2026-12-15") == datetime.date(2026, 12, 1)
    html = field.widget.render("month", datetime.date(2026, 12, 1))
    assert 'type="month"' in html and 'value="2026-12"' in html and 'type="date"' not in html


def test_dues_and_income_forms_show_this_month_and_accept_a_month(world, client):
    member = new_member(world.org_a)
    client.force_login(world.editor_a)
    page = client.get(member.get_absolute_url()).content.decode()
    this_month = timezone.localdate().strftime("%Y-%m")
    assert f'type="month" name="month" value="{this_month}"' in page
    assert f'type="month" name="effective_month" value="{this_month}"' in page
    response = client.post(f"/members/{member.pk}/income/", {"effective_month": "2026-01", "monthly_income": "5000"})
    assert response.status_code == 302
    assert member.income_bases.get().effective_month == datetime.date(2026, 1, 1)


def test_the_applicant_page_offers_the_next_stage_and_tells_namesake_introducers_apart(world, client):
    person = Applicant.objects.create(name="赵六", id_number=id_number("19960101"), gender="male",
                                      birth_date=datetime.date(1996, 1, 1), organization=world.org_a,
                                      applied_on=datetime.date(2023, 3, 1), stage=Applicant.Stage.ACTIVIST)
    one = new_member(world.org_a, name="王芳", birth="19800101")
    two = new_member(world.org_a, name="王芳", birth="19810101")
    client.force_login(world.editor_a)
    page = client.get(f"/members/applicants/{person.pk}/").content.decode()
    assert '<option value="target" selected>' in page
    assert f"王芳（身份证号尾号 {one.id_number[-4:]}）· {world.org_a.name}" in page
    assert f"王芳（身份证号尾号 {two.id_number[-4:]}）· {world.org_a.name}" in page
    assert 'data-searchable="true"' in page
    assert one.id_number not in page  # the tail only


def test_the_transfer_letter_picks_an_organization_of_the_region_and_takes_a_code_from_elsewhere(world, client):
    from members.models import Transfer  # noqa: PLC0415

    client.force_login(world.editor_a)
    member = new_member(world.org_a)
    page = client.get(f"/members/{member.pk}/").content.decode()
    form = page[page.index('data-testid="transfer-form"'):]
    assert 'name="to_organization"' in form and f'data-picker="{ORG_PICK}"' in form[:form.index("</form>")]
    # the picker suggests only what the editor may see; the receiving organization elsewhere is typed by code
    assert keys(client.get(ORG_PICK, {"q": world.org_b.code})) == []
    response = client.post(f"/members/{member.pk}/transfer/", {"to_organization": world.org_b.code,
                                                                "issued_on": "2026-05-01"})
    assert response.status_code == 302
    assert Transfer.objects.get(member=member).to_organization == world.org_b


def test_list_filters_pick_regions_organizations_and_enterprises_instead_of_listing_them(world, client):
    """A province holds a million enterprises and 150,000 organizations: a filter dropdown of them was a page of
    90 MB at tier L. The filters are pickers; filtering by the picked key works as before."""
    from organizations.models import Enterprise  # noqa: PLC0415
    from tests.factories import EnterpriseFactory  # noqa: PLC0415

    for _ in range(5):
        EnterpriseFactory(region=world.town_a)
    employer = new_member(world.org_a, employer=world.ent_a)
    new_member(world.org_a)
    client.force_login(world.editor_a)
    for url, names in (("/members/", ("organization", "employer", "region", "employer_region")),
                       ("/organizations/links/", ("organization", "enterprise", "region")),
                       ("/organizations/enterprises/", ("region",))):
        page = client.get(url).content.decode()
        form = page[page.index('data-testid="filter-form"'):]
        form = form[:form.index("</form>")]
        for name in names:
            if f'name="{name}"' not in form:
                continue
            tag = form[form.rindex("<", 0, form.index(f'name="{name}"')):]
            assert tag.startswith("<input") and "data-picker=" in tag[:tag.index(">")], (url, name)
        assert not any(f'value="{e.uscc}"' in form for e in Enterprise.objects.all()), url
    listed = client.get("/members/", {"employer": world.ent_a.uscc}).content.decode()
    assert employer.name in listed and 'data-testid="list-count">1<' in listed

