"""Typed events keep the register right; transfers, floating records and dues follow DESIGN.md's rules."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from members.models import DuesPayment, IncomeBase, Member, Transfer
from members.services import expire_transfers, record_event
from .helpers import api_as
from tests.factories import make_organization

from .helpers import new_member

pytestmark = pytest.mark.django_db
D = datetime.date


def post_event(world, member, **data):
    return api_as(world.editor_a).post(f"/api/v1/members/{member.pk}/events/", data, format="json")


def test_death_takes_the_member_out_of_the_register_from_that_day(world):
    member = new_member(world.org_a, employer=world.ent_a)
    response = post_event(world, member, kind="deceased", occurred_on="2026-03-01")
    assert response.status_code == 201, response.json()
    member.refresh_from_db()
    assert member.left_on == D(2026, 3, 1) and member.status == "left"
    assert Member.objects.active_on(D(2026, 2, 28)).filter(pk=member.pk).exists()
    assert not Member.objects.active_on(D(2026, 3, 1)).filter(pk=member.pk).exists()
    # nothing else can happen to them now, and the message says why
    response = post_event(world, member, kind="retired", occurred_on="2026-04-01")
    assert response.status_code == 400
    assert "no longer in the register" in response.json()["kind"][0]
    events = api_as(world.viewer_a).get(f"/api/v1/members/{member.pk}/events/").json()
    assert [e["kind"] for e in events] == ["admitted", "deceased"]


def test_events_are_recorded_in_date_order(world):
    member = new_member(world.org_a)
    assert post_event(world, member, kind="retired", occurred_on="2026-03-01").status_code == 201
    response = post_event(world, member, kind="floating_out", occurred_on="2026-02-01")
    assert response.status_code == 400 and "2026-03-01" in response.json()["occurred_on"][0]
    assert post_event(world, member, kind="retired", occurred_on="2031-01-01").status_code == 400  # future


def test_probation_conversion_extension_and_cancellation(world):
    probationary = new_member(world.org_a, joined_on=D(2025, 6, 1), full=False)
    assert probationary.probation_ends_on == D(2026, 6, 1)
    early = post_event(world, probationary, kind="converted_to_full", occurred_on="2026-05-01")
    assert early.status_code == 400 and "2026-06-01" in early.json()["occurred_on"][0]
    too_long = post_event(world, probationary, kind="probation_extended", occurred_on="2026-05-20",
                          probation_ends_on="2027-08-01")
    assert too_long.status_code == 400
    ok = post_event(world, probationary, kind="probation_extended", occurred_on="2026-05-20",
                    probation_ends_on="2027-01-15")
    assert ok.status_code == 201, ok.json()
    again = post_event(world, probationary, kind="probation_extended", occurred_on="2026-05-21",
                       probation_ends_on="2027-02-01")
    assert again.status_code == 400 and "already been extended" in again.json()["kind"][0]
    assert post_event(world, probationary, kind="converted_to_full", occurred_on="2026-07-01").status_code == 400
    other = new_member(world.org_a, joined_on=D(2025, 1, 10), full=False)
    assert post_event(world, other, kind="converted_to_full", occurred_on="2026-01-10").status_code == 201
    other.refresh_from_db()
    assert other.standing == "full" and other.full_on == D(2026, 1, 10)
    third = new_member(world.org_a, joined_on=D(2025, 1, 10), full=False)
    assert post_event(world, third, kind="probation_cancelled", occurred_on="2025-12-01").status_code == 201
    third.refresh_from_db()
    assert third.left_on == D(2025, 12, 1)
    full = new_member(world.org_a)
    assert post_event(world, full, kind="probation_cancelled", occurred_on="2026-01-01").status_code == 400


def test_readmission_brings_a_member_back(world):
    member = new_member(world.org_a)
    assert post_event(world, member, kind="suspended", occurred_on="2025-01-01").status_code == 201
    response = post_event(world, member, kind="restored_after_suspension", occurred_on="2026-01-01")
    assert response.status_code == 201
    member.refresh_from_db()
    assert member.left_on is None and member.status == "active"


# --- transfers --------------------------------------------------------------------------------------------

def test_member_stays_in_sending_organization_until_the_receipt(world):
    target = make_organization("DA2", world.town_a, name="另一支部")
    member = new_member(world.org_a)
    client = api_as(world.editor_a)
    response = client.post("/api/v1/transfers/", {"member": member.pk, "to_organization": target.code,
                                                   "issued_on": "2026-05-01"}, format="json")
    assert response.status_code == 201, response.json()
    letter = response.json()
    assert letter["valid_until"] == "2026-08-01" and letter["status"] == "issued"
    assert letter["letter_number"].startswith(f"{world.org_a.code}-2026-")
    member.refresh_from_db()
    assert member.organization == world.org_a
    # a second open letter for the same member is refused
    again = client.post("/api/v1/transfers/", {"member": member.pk, "to_external": "外省某党支部",
                                               "issued_on": "2026-05-02"}, format="json")
    assert again.status_code == 400
    received = client.post(f"/api/v1/transfers/{letter['id']}/receive/", {"received_on": "2026-05-20"},
                           format="json")
    assert received.status_code == 200, received.json()
    member.refresh_from_db()
    assert member.organization == target and member.left_on is None
    kinds = list(member.events.values_list("kind", "organization__code"))
    assert kinds[-2:] == [("transferred_out", world.org_a.code), ("transferred_in", target.code)]


def test_transfer_out_of_the_system_by_name_and_expiry(world):
    member = new_member(world.org_a)
    client = api_as(world.editor_a)
    letter = client.post("/api/v1/transfers/", {"member": member.pk, "to_external": "广东省某企业党支部",
                                                "issued_on": "2026-01-05"}, format="json").json()
    late = client.post(f"/api/v1/transfers/{letter['id']}/receive/", {"received_on": "2026-04-06"}, format="json")
    assert late.status_code == 400 and "expired" in late.json()["received_on"][0]
    ok = client.post(f"/api/v1/transfers/{letter['id']}/receive/", {"received_on": "2026-04-05"}, format="json")
    assert ok.status_code == 200
    member.refresh_from_db()
    assert member.left_on == D(2026, 4, 5)
    other = new_member(world.org_a)
    stale = client.post("/api/v1/transfers/", {"member": other.pk, "to_external": "X", "issued_on": "2025-01-01"},
                        format="json").json()
    assert expire_transfers(D(2025, 4, 2)) == 1
    assert Transfer.objects.get(pk=stale["id"]).status == "expired"


def test_transfer_is_visible_to_both_ends_and_nobody_else(world):
    from tests.factories import make_user

    member = new_member(world.org_a)
    letter = api_as(world.editor_a).post("/api/v1/transfers/", {
        "member": member.pk, "to_organization": world.org_b.code, "issued_on": "2026-05-01"}, format="json").json()
    receiver = make_user("region_viewer", region=world.county_b)
    assert api_as(receiver).get(f"/api/v1/transfers/{letter['id']}/").status_code == 200
    other_city = make_user("branch_secretary", organization=make_organization("DX9", world.town_b, name="别的"))
    assert api_as(other_city).get(f"/api/v1/transfers/{letter['id']}/").status_code == 404


def test_transfer_in_from_outside_the_system(world):
    from tests.members.helpers import id_number

    response = api_as(world.editor_a).post("/api/v1/members/", {
        "name": "王五", "id_number": id_number("19850101"), "organization": world.org_a.code,
        "joined_on": "2010-01-01", "full_on": "2011-01-01", "entry_kind": "transferred_in",
        "entry_on": "2026-02-01", "entry_counterpart": "湖北省某支部"}, format="json")
    assert response.status_code == 201, response.json()
    member = Member.objects.get(pk=response.json()["id"])
    assert list(member.events.values_list("kind", "occurred_on")) == [("transferred_in", D(2026, 2, 1))]
    assert member.transfers.get().from_external == "湖北省某支部"


# --- floating ----------------------------------------------------------------------------------------------

def test_floating_document_must_fit_the_time_away_and_the_flag(world):
    member = new_member(world.org_a)
    client = api_as(world.editor_a)
    wrong = client.post("/api/v1/floating-records/", {
        "member": member.pk, "destination": "深圳", "left_on": "2025-01-01", "expected_return_on": "2025-12-31",
        "document_kind": "proof_letter"}, format="json")
    assert wrong.status_code == 400 and "document_kind" in wrong.json()
    ok = client.post("/api/v1/floating-records/", {
        "member": member.pk, "destination": "深圳", "left_on": "2025-01-01", "expected_return_on": "2025-12-31",
        "host_organization": "深圳某流动党员党支部"}, format="json")
    assert ok.status_code == 201, ok.json()
    record = ok.json()
    assert record["document_kind"] == "activity_certificate"
    assert record["flagged"] is True  # away since 2025-01 with no organizational life and no dues
    member.refresh_from_db()
    assert member.status == "floating"
    DuesPayment.objects.create(member=member, organization=world.org_a, month=D(2026, 10, 1), amount=Decimal("5"),
                               paid_on=D.today() if hasattr(D, "today") else None)
    assert client.get(f"/api/v1/floating-records/{record['id']}/").json()["flagged"] is False
    back = client.post(f"/api/v1/floating-records/{record['id']}/return/", {"returned_on": "2026-01-15"},
                       format="json")
    assert back.status_code == 200 and back.json()["returned_on"] == "2026-01-15"
    member.refresh_from_db()
    assert member.status == "active"


# --- dues --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("category,income,expected", [
    ("employee", "3000", "15.00"), ("employee", "4000", "40.00"), ("employee", "8000", "120.00"),
    ("employee", "12000", "240.00"), ("retired", "4000", "20.00"), ("retired", "6000", "60.00"),
    ("student", None, "0.20"), ("laid_off", None, "0.20"),
])
def test_dues_follow_the_default_band_table(world, category, income, expected):
    member = new_member(world.org_a, category=category)
    if income:
        IncomeBase.objects.create(member=member, effective_month=D(2026, 1, 1), monthly_income=Decimal(income))
    response = api_as(world.editor_a).post("/api/v1/dues-payments/", {
        "member": member.pk, "month": "2026-03", "paid_on": "2026-03-10"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == expected and response.json()["month"] == "2026-03-01"


def test_a_month_is_paid_once_and_an_unknown_income_needs_an_amount(world):
    member = new_member(world.org_a)
    client = api_as(world.editor_a)
    missing = client.post("/api/v1/dues-payments/", {"member": member.pk, "month": "2026-03"}, format="json")
    assert missing.status_code == 400 and "income base" in missing.json()["amount"][0]
    assert client.post("/api/v1/dues-payments/", {"member": member.pk, "month": "2026-03", "amount": "12.50"},
                       format="json").status_code == 201
    twice = client.post("/api/v1/dues-payments/", {"member": member.pk, "month": "2026-03-15", "amount": "1"},
                        format="json")
    assert twice.status_code == 400 and "2026-03" in twice.json()["month"][0]


def test_service_refuses_an_addition_for_someone_in_the_register(world):
    member = new_member(world.org_a)
    with pytest.raises(ValidationError):
        record_event(member, "admitted", D(2026, 1, 1), None)


def test_joined_is_accepted_for_admitted_and_a_transfer_out_may_leave_the_destination_unnamed(world):
    member = new_member(world.org_a)
    assert post_event(world, member, kind="left_party", occurred_on="2024-01-01").status_code == 201
    back = post_event(world, member, kind="joined", occurred_on="2025-01-01")
    assert back.status_code == 201 and back.json()["kind"] == "admitted"
    out = post_event(world, member, kind="transferred_out", occurred_on="2026-01-01")
    assert out.status_code == 201
    member.refresh_from_db()
    assert member.left_on == D(2026, 1, 1)


def test_rest_clients_may_patch_the_status_of_a_letter_and_the_return_of_a_floating_member(world):
    member = new_member(world.org_a)
    client = api_as(world.editor_a)
    letter = client.post("/api/v1/transfers/", {"member": member.pk, "to_external": "外省某支部",
                                                "issued_on": "2026-05-01"}, format="json").json()
    bad = client.patch(f"/api/v1/transfers/{letter['id']}/", {"status": "expired"}, format="json")
    assert bad.status_code == 400
    done = client.patch(f"/api/v1/transfers/{letter['id']}/", {"status": "received", "received_on": "2026-05-09"},
                        format="json")
    assert done.status_code == 200 and done.json()["status"] == "received" and done.json()["received_on"] == "2026-05-09"
    member.refresh_from_db()
    assert member.left_on == D(2026, 5, 9)
    other = new_member(world.org_a)
    record = client.post("/api/v1/floating-records/", {"member": other.pk, "destination": "深圳",
                                                       "left_on": "2026-01-01", "expected_return_on": "2026-03-01"},
                         format="json").json()
    back = client.patch(f"/api/v1/floating-records/{record['id']}/", {"returned_on": "2026-03-02"}, format="json")
    assert back.status_code == 200 and back.json()["returned_on"] == "2026-03-02"
    other.refresh_from_db()
    assert other.status == "active"
