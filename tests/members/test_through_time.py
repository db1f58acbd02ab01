"""DESIGN.md "Time: every figure for a past date stays what it was": a figure for D is a function of the register
as it stood on D. Recomputing D after transfers, changes of employer, leaving and re-admission gives the same
figures to the unit — every snapshot count, Table 1 and Table 27."""

import datetime
import random

import pytest

from core.periods import parse_period
from members import services, spans
from members.models import Member, MemberEvent, MemberSpan
from organizations.models import FormationMode, OrganizationKind, Region
from reports import coverage, definitions
from tests.factories import EnterpriseFactory, cover, make_organization, make_region, make_user
from tests.members.helpers import api_as, new_member

K = MemberEvent.Kind
D = datetime.date(2025, 12, 31)  # the year-end the county handed in
AFTER = datetime.date(2026, 3, 1)  # what happened after it


@pytest.fixture
def county(db):
    city = make_region("431200", "怀化市", Region.Kind.CITY)
    county = make_region("431281", "洪江市", Region.Kind.COUNTY, parent=city)
    town_a = make_region("431281001", "黔城镇", Region.Kind.TOWNSHIP, parent=county)
    town_b = make_region("431281002", "安江镇", Region.Kind.TOWNSHIP, parent=county)
    for region in (city, county, town_a, town_b):
        region.refresh_from_db()
    e1 = EnterpriseFactory(region=town_a, name="甲公司", founded_on=datetime.date(2010, 1, 1))
    e2 = EnterpriseFactory(region=town_a, name="乙公司", founded_on=datetime.date(2010, 1, 1))
    e3 = EnterpriseFactory(region=town_b, name="丙公司", founded_on=datetime.date(2010, 1, 1))
    o1 = make_organization("O1", town_a, mode=FormationMode.INDIVIDUAL, established_on=datetime.date(2015, 1, 1))
    cover(o1, e1, datetime.date(2015, 1, 1))
    o2 = make_organization("O2", town_b, kind=OrganizationKind.BRANCH, mode=FormationMode.REGIONAL,
                           established_on=datetime.date(2015, 1, 1))
    editor = make_user("region_editor", region=county)
    joined = datetime.date(2016, 1, 1)
    # E2 has no organization and three full members employed there on D: "should form"
    at_e2 = [new_member(o1, editor, employer=e2, joined_on=joined) for _ in range(3)]
    # E3: one full member employed there: "few members"
    at_e3 = new_member(o2, editor, employer=e3, joined_on=joined)
    # left the party before D and re-admitted after it: not in the register on D
    away = new_member(o2, editor, employer=e3, joined_on=joined)
    services.record_event(away, K.LEFT_PARTY, datetime.date(2024, 5, 1), editor)
    return type("County", (), dict(city=city, region=county, town_a=town_a, town_b=town_b, e1=e1, e2=e2, e3=e3,
                                   o1=o1, o2=o2, editor=editor, at_e2=at_e2, at_e3=at_e3, away=away))


def all_figures(region, day):
    """Every count of every region of the subtree, Table 1 and Table 27 for the year of `day`."""
    snapshot = {row["code"]: figures for row, figures in coverage.compute_figures(region, day)}
    period = parse_period(str(day.year))
    table1 = definitions.get_spec("member_balance").rows(region, period, day)
    table27 = definitions.get_spec("nonpublic_enterprises").rows(region, period, day)
    return snapshot, table1, table27


def change_everything_after_d(c):
    """Moves, changes of employer, leaving and re-admission — all dated after D."""
    services.record_event(c.at_e2[0], K.MOVED_WITHIN, AFTER, c.editor, organization=c.o2)
    services.change_employer(c.at_e2[1], c.e3, c.editor, on=AFTER)
    services.change_employer(c.at_e2[2], None, c.editor, on=AFTER)
    services.record_event(c.at_e3, K.DECEASED, AFTER, c.editor)
    services.record_event(c.away, K.READMITTED, AFTER, c.editor, organization=c.o1)
    newcomer = new_member(c.o1, c.editor, employer=c.e2, joined_on=AFTER, full=False)
    return newcomer


def test_a_past_date_recomputed_after_later_changes_gives_the_same_figures(county):
    before = all_figures(county.region, D)
    snapshot = before[0]["431281"]
    assert (snapshot["enterprises"], snapshot["org_covered"], snapshot["no_org"]) == (3, 1, 2)
    assert (snapshot["should_form"], snapshot["few_members"], snapshot["no_members"]) == (1, 1, 0)
    assert snapshot["members"] == 4  # three in O1, one in O2; the one who left is not counted
    assert before[0]["431281001"]["members"] == 3 and before[0]["431281002"]["members"] == 1

    change_everything_after_d(county)

    assert all_figures(county.region, D) == before
    # ... while today's figures show what changed
    today = {row["code"]: f for row, f in coverage.compute_figures(county.region, datetime.date(2026, 6, 30))}
    now = today["431281"]
    assert (now["should_form"], now["few_members"], now["no_members"]) == (0, 2, 0)  # E2: 1 left + newcomer; E3: 1
    assert today["431281001"]["members"] == 4  # O1: at_e2[1], at_e2[2], the re-admitted, the newcomer
    assert today["431281002"]["members"] == 1  # O2: the one who moved in (the deceased is gone)


def test_a_member_who_left_and_was_readmitted_is_not_in_the_register_in_between(county):
    services.record_event(county.away, K.READMITTED, AFTER, county.editor)
    gap = datetime.date(2025, 6, 1)
    assert not Member.objects.active_on(gap).filter(pk=county.away.pk).exists()
    assert Member.objects.active_on(datetime.date(2024, 4, 30)).filter(pk=county.away.pk).exists()
    assert Member.objects.active_on(AFTER).filter(pk=county.away.pk).exists()
    figures = {row["code"]: f for row, f in coverage.compute_figures(county.region, gap)}
    assert figures["431281002"]["members"] == 1


def test_a_move_leaves_the_member_in_the_old_organization_for_earlier_dates(county):
    member = county.at_e2[0]
    services.record_event(member, K.MOVED_WITHIN, AFTER, county.editor, organization=county.o2)
    assert list(Member.objects.held_in_on(county.o1.pk, D).filter(pk=member.pk)) == [member]
    assert not Member.objects.held_in_on(county.o2.pk, D).filter(pk=member.pk).exists()
    assert Member.objects.held_in_on(county.o2.pk, AFTER).filter(pk=member.pk).exists()


def test_the_drill_down_behind_a_past_count_stays_the_list_behind_it(county):
    before = coverage.enterprises_behind(county.region, D, "should_form")
    assert [e.name for e in before] == ["乙公司"]
    change_everything_after_d(county)
    assert [e.name for e in coverage.enterprises_behind(county.region, D, "should_form")] == ["乙公司"]
    assert list(coverage.enterprises_behind(county.region, datetime.date(2026, 6, 30), "should_form")) == []


# --- employer changes through the API and the page ------------------------------------------------------

def test_an_employer_changed_event_through_the_api(county):
    client = api_as(county.editor)
    member = county.at_e2[0]
    response = client.post(f"/api/v1/members/{member.pk}/events/",
                           {"kind": "employer_changed", "occurred_on": AFTER.isoformat(), "employer": county.e3.uscc},
                           format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["employer"] == county.e3.uscc
    member.refresh_from_db()
    assert member.employer == county.e3
    assert Member.objects.employed_on(county.e2.pk, D).filter(pk=member.pk).exists()
    assert Member.objects.employed_on(county.e3.pk, AFTER).filter(pk=member.pk).exists()
    # to no employer at all
    response = client.post(f"/api/v1/members/{member.pk}/events/",
                           {"kind": "employer_changed", "occurred_on": AFTER.isoformat(), "employer": None},
                           format="json")
    assert response.status_code == 201
    member.refresh_from_db()
    assert member.employer is None


def test_an_employer_changed_event_needs_the_employer_and_a_change(county):
    client = api_as(county.editor)
    member = county.at_e2[0]
    url = f"/api/v1/members/{member.pk}/events/"
    missing = client.post(url, {"kind": "employer_changed", "occurred_on": AFTER.isoformat()}, format="json")
    assert missing.status_code == 400 and "employer" in missing.json()
    same = client.post(url, {"kind": "employer_changed", "occurred_on": AFTER.isoformat(),
                             "employer": county.e2.uscc}, format="json")
    assert same.status_code == 400 and "employer" in same.json()
    assert not member.events.filter(kind=K.EMPLOYER_CHANGED).exists()


def test_a_patch_of_the_employer_is_an_event_dated_today(county):
    from django.utils import timezone

    client = api_as(county.editor)
    member = county.at_e2[0]
    before = all_figures(county.region, D)
    response = client.patch(f"/api/v1/members/{member.pk}/", {"employer": county.e3.uscc, "education": "本科"},
                            format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["employer"] == county.e3.uscc and response.json()["education"] == "本科"
    event = member.events.get(kind=K.EMPLOYER_CHANGED)
    assert event.occurred_on == timezone.localdate() and event.employer == county.e3
    assert all_figures(county.region, D) == before
    # a PATCH that sends the same employer records nothing
    client.patch(f"/api/v1/members/{member.pk}/", {"employer": county.e3.uscc}, format="json")
    assert member.events.filter(kind=K.EMPLOYER_CHANGED).count() == 1


def test_the_member_page_records_a_new_employer_as_an_event(county, client):
    member = county.at_e2[0]
    client.force_login(county.editor)
    response = client.post(f"/members/{member.pk}/edit/", {
        "name": member.name, "gender": member.gender, "birth_date": member.birth_date.isoformat(),
        "id_number": member.id_number, "ethnicity": "", "phone": "", "education": "",
        "employer": county.e3.uscc, "category": member.category, "joined_on": member.joined_on.isoformat(),
        "full_on": member.full_on.isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert member.events.filter(kind=K.EMPLOYER_CHANGED, employer=county.e3).exists()
    assert Member.objects.employed_on(county.e2.pk, D).filter(pk=member.pk).exists()


# --- the spans kept by each write agree with a replay of the events -------------------------------------

def facts_on(day):
    return sorted(MemberSpan.objects.active_on(day).values_list("member_id", "organization_id", "employer_id"))


def full_on(day):
    return sorted(MemberSpan.objects.active_on(day).full_on(day).values_list("member_id", flat=True))


def test_random_histories_kept_step_by_step_equal_a_replay_of_the_events(county):
    rng = random.Random(14)
    organizations = [county.o1, county.o2]
    enterprises = [county.e1, county.e2, county.e3, None]
    members = [new_member(rng.choice(organizations), county.editor, employer=rng.choice(enterprises),
                          joined_on=datetime.date(2018, 1, 1), full=rng.random() < 0.7) for _ in range(12)]
    day = datetime.date(2019, 6, 1)
    for _step in range(120):
        member = Member.objects.get(pk=rng.choice(members).pk)
        day = min(day + datetime.timedelta(days=rng.randint(0, 20)), datetime.date(2026, 11, 1))
        try:
            if member.left_on is not None:
                services.record_event(member, rng.choice([K.READMITTED, K.RESTORED]), day, county.editor,
                                      organization=rng.choice(organizations))
            else:
                choice = rng.random()
                if choice < 0.3:
                    services.change_employer(member, rng.choice(enterprises), county.editor, on=day)
                elif choice < 0.5:
                    target = next(o for o in organizations if o.pk != member.organization_id)
                    services.record_event(member, K.MOVED_WITHIN, day, county.editor, organization=target)
                elif choice < 0.65:
                    services.record_event(member, rng.choice([K.LEFT_PARTY, K.TRANSFERRED_OUT]), day,
                                          county.editor, counterpart="外省某党支部")
                elif choice < 0.8 and member.standing == "probationary":
                    services.record_event(member, K.CONVERTED_TO_FULL, max(day, member.probation_ends_on),
                                          county.editor)
                    day = max(day, member.probation_ends_on)
                else:
                    services.record_event(member, K.FLOATING_OUT if member.status != "floating" else K.FLOATING_BACK,
                                          day, county.editor)
        except Exception as error:  # noqa: BLE001 — a refused step (the rules say no) changes nothing
            from django.core.exceptions import ValidationError

            assert isinstance(error, ValidationError), error
    days = [datetime.date(2017, 12, 31)] + [datetime.date(y, m, 1) for y in range(2018, 2027) for m in (1, 4, 7, 10)]
    kept = {d: (facts_on(d), full_on(d)) for d in days}
    assert any(kept[d][0] != kept[days[-1]][0] for d in days), "the histories changed something"
    spans.rebuild()
    assert {d: (facts_on(d), full_on(d)) for d in days} == kept


def test_members_written_directly_are_in_the_register_from_joining(county):
    from tests.members.helpers import id_number

    member = Member.objects.create(name="直接录入", gender="male", id_number=id_number(), organization=county.o1,
                                   employer=county.e1,
                                   joined_on=datetime.date(2012, 3, 1), standing="full",
                                   full_on=datetime.date(2013, 3, 1))
    assert list(member.spans.values_list("start_on", "end_on", "organization_id", "employer_id")) == [
        (datetime.date(2012, 3, 1), None, county.o1.pk, county.e1.pk)]
    assert Member.objects.active_on(datetime.date(2012, 2, 28)).filter(pk=member.pk).exists() is False
