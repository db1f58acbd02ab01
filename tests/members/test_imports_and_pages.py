"""Members import (all-or-nothing, row errors) and the pages a cadre uses, with scope and masking."""

import datetime

import pytest
from django.test import Client

from core.imports import run_import
from members.balance import balances
from members.models import Applicant, Member, MemberEvent, Transfer
from organizations.models import PartyOrganization
from tests.factories import make_organization

from .helpers import id_number, new_member

pytestmark = pytest.mark.django_db
D = datetime.date
PASSWORD = "Pass-word-123"


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def browser(user):
    client = Client()
    client.force_login(user)
    return client


def test_import_creates_members_with_their_entry_event_and_reimport_changes_nothing(world):
    one, two = id_number("19900101", male=True), id_number("19920202", male=False)
    data = csv_bytes("name,id_number,gender,organization_code,employer_uscc,standing,category,joined_on,full_on",
                     f"张三,{one},male,{world.org_a.code},{world.ent_a.uscc},full,employee,2015-01-01,2016-01-01",
                     f"李四,{two},女,{world.org_a.code},,预备党员,,2026-03-01,")
    result = run_import("members", data, "m.csv", world.editor_a)
    assert result.ok, result.messages()
    assert result.summary["created"] == 2
    li = Member.objects.get(id_number=two)
    assert li.gender == "female" and li.standing == "probationary" and li.birth_date == D(1992, 2, 2)
    assert MemberEvent.objects.filter(kind="admitted").count() == 2
    table = balances(PartyOrganization.objects.filter(pk=world.org_a.pk), D(2026, 1, 1), D(2026, 12, 31))
    assert table[world.org_a.pk]["difference"] == 0 and table[world.org_a.pk]["admitted"] == 1
    again = run_import("members", data, "m.csv", world.editor_a)
    assert again.summary == {"created": 0, "updated": 0, "unchanged": 2, "errors": 0}


def test_import_lists_every_bad_row_and_writes_nothing(world):
    good = id_number("19900101")
    bad_digit = good[:-1] + ("1" if good[-1] != "1" else "2")
    data = csv_bytes("姓名,身份证号,性别,党组织代码,工作单位统一社会信用代码,党员类别,人员类别,入党日期,转正日期",
                     f"张三,{good},,{world.org_a.code},,,,2015-01-01,2016-01-01",
                     f"李四,{bad_digit},,{world.org_a.code},,,,2015-01-01,",
                     f"王五,{id_number()},,{world.org_b.code},,,,2015-01-01,",
                     f"赵六,{id_number(male=False)},male,{world.org_a.code},,,,2015-01-01,")
    from django.utils import translation

    with translation.override("en"):
        result = run_import("members", data, "m.csv", world.editor_a)
        text = " ".join(result.messages())
    assert not result.ok
    assert [e.row for e in result.errors] == [3, 4, 5]
    assert "check character" in text and "No organization" in text and "female" in text
    assert not Member.objects.exists() and not MemberEvent.objects.exists()


def test_member_pages_mask_ids_and_hide_other_counties(world):
    mine = new_member(world.org_a, phone="13912345678")
    theirs = new_member(world.org_b)
    client = browser(world.viewer_a)
    page = client.get("/members/").content.decode()
    assert mine.name in page and theirs.name not in page
    assert mine.id_number not in page and mine.id_number[-4:] in page
    detail = client.get(f"/members/{mine.pk}/").content.decode()
    assert mine.id_number not in detail and "13912345678" not in detail
    assert client.get(f"/members/{theirs.pk}/").status_code == 404
    export = client.get("/members/?export=csv")
    body = b"".join(export.streaming_content).decode("utf-8")
    assert mine.name in body and mine.id_number not in body and theirs.name not in body


def test_cadre_records_events_transfers_and_dues_from_the_member_page(world):
    member = new_member(world.org_a)
    target = make_organization("DA7", world.town_a, name="新支部")
    client = browser(world.editor_a)
    response = client.post(f"/members/{member.pk}/transfer/", {"to_organization": target.code,
                                                                "issued_on": "2026-05-01"})
    transfer = Transfer.objects.get(member=member)
    assert response.status_code == 302 and response["Location"] == f"/members/transfers/{transfer.pk}/"
    letter = client.get(f"/members/transfers/{transfer.pk}/letter/").content.decode()
    assert transfer.letter_number in letter and target.name in letter
    client.post(f"/members/transfers/{transfer.pk}/receive/", {"day": "2026-05-10"})
    member.refresh_from_db()
    assert member.organization == target
    response = client.post(f"/members/{member.pk}/events/add/", {"kind": "retired", "occurred_on": "2026-06-01"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == "retired"
    client.post(f"/members/{member.pk}/dues/", {"month": "2026-06", "amount": "10.00", "paid_on": "2026-06-05"})
    assert member.dues_payments.get().amount == 10
    bad = client.post(f"/members/{member.pk}/events/add/", {"kind": "retired", "occurred_on": "2026-07-01"},
                      follow=True)
    assert "已离退休" in bad.content.decode()
    page = client.get(f"/members/{member.pk}/").content.decode()
    assert "2026-06" in page


def test_every_member_page_renders_for_staff(world, django_assert_max_num_queries):
    for _ in range(5):
        new_member(world.org_a, employer=world.ent_a)
    Applicant.objects.create(name="申请人", id_number=id_number("19990101"), gender="male",
                             birth_date=D(1999, 1, 1), organization=world.org_a, applied_on=D(2026, 10, 1))
    client = browser(world.editor_a)
    for url in ["/members/", "/members/add/", "/members/transfers/", "/members/floating/", "/members/dues/",
                "/members/dues/arrears/", "/members/dues/totals/", "/members/dues/bands/", "/members/balance/",
                "/members/balance/?period=2026Q3", "/members/applicants/", "/members/applicants/add/",
                "/members/reminders/", f"/members/applicants/{Applicant.objects.get().pk}/"]:
        response = client.get(url)
        assert response.status_code == 200, url
    with django_assert_max_num_queries(20):
        client.get("/members/?page_size=50")


def test_member_list_query_count_does_not_grow(world, django_assert_max_num_queries):
    for _ in range(30):
        new_member(world.org_a, employer=world.ent_a)
    client = browser(world.editor_a)
    with django_assert_max_num_queries(20):
        assert client.get("/members/dues/arrears/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/members/balance/").status_code == 200


def test_add_member_page_validates_the_id_number(world):
    client = browser(world.editor_a)
    response = client.post("/members/add/", {"name": "错号", "id_number": "430124199001011230",
                                             "organization": world.org_a.code, "standing": "full",
                                             "category": "employee", "joined_on": "2015-01-01"})
    assert response.status_code == 200
    assert "校验码" in response.content.decode()  # the portal speaks Chinese by default
    good = id_number("19900101")
    response = client.post("/members/add/", {"name": "对号", "id_number": good, "organization": world.org_a.code,
                                             "standing": "full", "category": "employee", "joined_on": "2015-01-01",
                                             "full_on": "2016-01-01"})  # a full member names the date (issue 18)
    assert response.status_code == 302
    assert Member.objects.get(id_number=good).events.get().kind == "admitted"
