import datetime

import pytest
from django.core.exceptions import ValidationError

from activities import services
from activities.models import ActivityRecord, Attendance, FrequencyRule
from tests.conftest import api_as
from tests.factories import make_organization, make_user

from .helpers import make_member, make_record

pytestmark = pytest.mark.django_db
D = datetime.date
Status = ActivityRecord.Status


def payload(world, **kw):
    data = {"organization": world.org_a.code, "kind": "committee_meeting", "held_on": "2026-07-10",
            "place": "活动室", "topic": "学习会议精神", "host": "张书记", "recorder": "李委员", "minutes": "……"}
    data.update(kw)
    return data


def test_seeded_frequency_rules_checklists_and_schemes_exist(db):
    from activities.models import AssessmentScheme, Checklist

    rules = {r.kind: (r.period, r.min_count) for r in FrequencyRule.objects.all()}
    assert rules == {
        "general_meeting": ("quarter", 1), "committee_meeting": ("month", 1), "group_meeting": ("month", 1),
        "party_lecture": ("quarter", 1), "theme_day": ("month", 1), "life_meeting": ("year", 1),
        "democratic_appraisal": ("year", 1),
    }
    five_ones = Checklist.objects.get(code="five_ones")
    assert [i.code for i in five_ones.items.all()] == ["activity_room", "bulletin_board", "signboard",
                                                        "party_flag", "rules"]
    schemes = {s.code: s.aspects.count() for s in AssessmentScheme.objects.all()}
    assert schemes == {"star_rating": 5, "two_strong_six_good": 8, "star_grading": 10, "five_ones": 5}


def test_secretary_files_a_record_with_attendance_for_own_organization(world):
    present, absent = make_member(world.org_a), make_member(world.org_a)
    response = api_as(world.secretary_a).post("/api/v1/activities/", payload(world, attendance=[
        {"member": present.pk, "present": True},
        {"member": absent.pk, "present": False, "absence_reason": "出差"},
    ]), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["organization"] == world.org_a.code
    assert sorted((a["member"], a["present"], a["absence_reason"]) for a in body["attendance"]) == sorted(
        [(present.pk, True, ""), (absent.pk, False, "出差")])
    record = ActivityRecord.objects.get()
    assert record.created_by == world.secretary_a
    assert record.history.first().history_user == world.secretary_a


def test_secretary_cannot_file_or_see_records_of_another_organization(world):
    api = api_as(world.secretary_a)
    response = api.post("/api/v1/activities/", payload(world, organization=world.org_b.code), format="json")
    assert response.status_code == 400 and "organization" in response.json()
    other = make_record(world.org_b)
    assert api.get(f"/api/v1/activities/{other.pk}/").status_code == 404
    assert api.patch(f"/api/v1/activities/{other.pk}/", {"topic": "x"}, format="json").status_code == 404
    assert api.post(f"/api/v1/activities/{other.pk}/submit/").status_code == 404
    assert api.get("/api/v1/activities/").json()["count"] == 0
    other.refresh_from_db()
    assert other.status == Status.DRAFT


def test_secretary_may_not_file_for_a_sub_organization_they_can_see(world):
    sub = make_organization("DA1-1", world.town_a, parent=world.org_a)
    response = api_as(world.secretary_a).post("/api/v1/activities/", payload(world, organization=sub.code),
                                              format="json")
    assert response.status_code == 403
    assert not ActivityRecord.objects.exists()


def test_attendance_only_of_members_of_the_organization_active_on_the_day(world):
    outsider = make_member(world.org_b)
    newcomer = make_member(world.org_a, joined_on=D(2026, 8, 1))
    api = api_as(world.secretary_a)
    for member in (outsider, newcomer):
        response = api.post("/api/v1/activities/", payload(world, attendance=[{"member": member.pk,
                                                                               "present": True}]), format="json")
        assert response.status_code == 400, response.json()
        assert "attendance" in response.json()
    assert not ActivityRecord.objects.exists()  # atomic: nothing half-written


def test_full_workflow_submit_return_resubmit_accept(world):
    record = make_record(world.org_a)
    secretary, editor = api_as(world.secretary_a), api_as(world.editor_a)
    response = secretary.post(f"/api/v1/activities/{record.pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    response = editor.post(f"/api/v1/activities/{record.pk}/return/", {"reason": "缺少会议记录"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "returned" and response.json()["return_reason"] == "缺少会议记录"
    # a returned record is corrected and resubmitted
    assert secretary.patch(f"/api/v1/activities/{record.pk}/", {"minutes": "补充记录"},
                           format="json").status_code == 200
    assert secretary.post(f"/api/v1/activities/{record.pk}/submit/").status_code == 200
    response = editor.post(f"/api/v1/activities/{record.pk}/accept/")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    record.refresh_from_db()
    assert record.decided_by == world.editor_a and record.submitted_by == world.secretary_a
    assert record.decided_at and record.submitted_at
    statuses = [h.status for h in record.history.order_by("history_id")]
    assert statuses == ["draft", "submitted", "returned", "returned", "submitted", "accepted"]


@pytest.mark.parametrize("status,action", [
    (Status.DRAFT, "accept"), (Status.DRAFT, "return"), (Status.ACCEPTED, "accept"), (Status.ACCEPTED, "submit"),
    (Status.ACCEPTED, "return"), (Status.SUBMITTED, "submit"), (Status.RETURNED, "accept"),
])
def test_refused_transitions_answer_400_with_a_message(world, status, action):
    record = make_record(world.org_a, status=status)
    client = api_as(world.secretary_a if action == "submit" else world.editor_a)
    response = client.post(f"/api/v1/activities/{record.pk}/{action}/", {"reason": "理由"}, format="json")
    assert response.status_code == 400, response.json()
    assert "non_field_errors" in response.json()
    record.refresh_from_db()
    assert record.status == status


def test_return_needs_a_reason(world):
    record = make_record(world.org_a, status=Status.SUBMITTED)
    for body in ({}, {"reason": "   "}):
        response = api_as(world.editor_a).post(f"/api/v1/activities/{record.pk}/return/", body, format="json")
        assert response.status_code == 400 and "reason" in response.json()
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


def test_only_region_staff_accept_and_return(world):
    record = make_record(world.org_a, status=Status.SUBMITTED)
    assert api_as(world.secretary_a).post(f"/api/v1/activities/{record.pk}/accept/").status_code == 403
    assert api_as(world.viewer_a).post(f"/api/v1/activities/{record.pk}/accept/").status_code == 403
    assert api_as(world.viewer_a).post(f"/api/v1/activities/{record.pk}/submit/").status_code == 403
    # an editor of the other county does not even see it
    editor_b = make_user("region_editor", region=world.county_b)
    assert api_as(editor_b).post(f"/api/v1/activities/{record.pk}/accept/").status_code == 404
    record.refresh_from_db()
    assert record.status == Status.SUBMITTED


def test_accepted_record_is_locked(world):
    member = make_member(world.org_a)
    record = make_record(world.org_a, status=Status.ACCEPTED)
    response = api_as(world.secretary_a).patch(f"/api/v1/activities/{record.pk}/", {"topic": "改"}, format="json")
    assert response.status_code == 400
    assert "locked" in response.json()["non_field_errors"][0]
    response = api_as(world.editor_a).put(f"/api/v1/activities/{record.pk}/", payload(world, attendance=[
        {"member": member.pk, "present": True}]), format="json")
    assert response.status_code == 400
    record.refresh_from_db()
    assert record.topic == "学习会议精神" and not Attendance.objects.exists()
    # the model itself refuses, whoever calls save()
    record.topic = "改"
    with pytest.raises(ValidationError):
        record.save()


def test_submitted_record_cannot_be_edited_until_returned(world):
    record = make_record(world.org_a, status=Status.SUBMITTED)
    response = api_as(world.secretary_a).patch(f"/api/v1/activities/{record.pk}/", {"topic": "改"}, format="json")
    assert response.status_code == 400
    assert "under review" in response.json()["non_field_errors"][0]


def test_record_must_fall_within_the_organizations_life(world):
    response = api_as(world.secretary_a).post("/api/v1/activities/", payload(world, held_on="2019-12-31"),
                                              format="json")
    assert response.status_code == 400 and "held_on" in response.json()


def test_service_refuses_secretary_of_another_organization(world):
    from django.core.exceptions import PermissionDenied

    record = make_record(world.org_b)
    with pytest.raises(PermissionDenied):
        services.submit(record, world.secretary_a)


def test_messages_are_in_chinese_by_default(world, settings):
    from django.utils import translation

    from activities.models import ActivityKind

    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        assert str(ActivityKind.COMMITTEE_MEETING.label) == "支委会"
    record = make_record(world.org_a, status=Status.ACCEPTED)
    response = api_as(world.secretary_a).patch(f"/api/v1/activities/{record.pk}/", {"topic": "改"}, format="json",
                                               HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "已审核通过并锁定" in response.json()["non_field_errors"][0]


def test_accepting_a_record_counts_as_organization_life_for_a_floating_member(world):
    import datetime

    from activities import services
    from activities.models import ActivityRecord, Attendance
    from members.models import FloatingRecord
    from tests.activities.helpers import make_member, make_record

    member = make_member(world.org_a)
    floating = FloatingRecord.objects.create(member=member, organization=world.org_a, destination="深圳",
                                             left_on=datetime.date(2025, 1, 1), document_kind="activity_certificate")
    assert FloatingRecord.objects.filter(pk=floating.pk).with_flag().get().flagged
    today = datetime.date.today()
    record = make_record(world.org_a, held_on=today, status=ActivityRecord.Status.SUBMITTED)
    Attendance.objects.create(record=record, member=member, present=True)
    services.accept(record, world.editor_a)
    floating.refresh_from_db()
    assert floating.last_contact_on == today
    assert not FloatingRecord.objects.filter(pk=floating.pk).with_flag().get().flagged


def test_attendance_follows_where_the_member_was_held_on_the_day(world):
    import datetime

    from activities import services
    from members.models import Member
    from members.services import record_event
    from tests.activities.helpers import make_record
    from tests.factories import make_organization
    from tests.members.helpers import new_member

    other = make_organization("DA8", world.town_a, name="另一支部")
    member = new_member(world.org_a, joined_on=datetime.date(2015, 1, 1))
    record_event(member, "moved_within", datetime.date(2026, 8, 1), None, organization=other)
    assert Member.objects.held_in_on(world.org_a.pk, datetime.date(2026, 7, 10)).filter(pk=member.pk).exists()
    assert not Member.objects.held_in_on(other.pk, datetime.date(2026, 7, 10)).filter(pk=member.pk).exists()
    assert Member.objects.held_in_on(other.pk, datetime.date(2026, 8, 10)).filter(pk=member.pk).exists()
    record = make_record(world.org_a, held_on=datetime.date(2026, 7, 10))
    services.save_record(world.editor_a, record, attendance=[{"member": member.pk, "present": True}])
    assert record.attendance.get().member == member
