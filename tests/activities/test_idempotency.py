"""An optional idempotency key (`Idempotency-Key` header or `client_key` field) makes filing safe to resend:
the phone's offline outbox may POST the same record twice (the answer was lost), and exactly one is stored."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from activities.models import ActivityRecord, Attachment
from tests.conftest import api_as
from tests.factories import make_user

from .helpers import make_member

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def payload(world, **kw):
    data = {"organization": world.org_a.code, "kind": "committee_meeting", "held_on": "2026-07-10",
            "topic": "学习会议精神"}
    data.update(kw)
    return data


def test_a_repeat_with_the_same_key_answers_the_first_record_and_stores_one(world):
    member = make_member(world.org_a)
    api = api_as(world.secretary_a)
    key = str(uuid.uuid4())
    data = payload(world, attendance=[{"member": member.pk, "present": True}])
    first = api.post("/api/v1/activities/", data, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201, first.json()
    again = api.post("/api/v1/activities/", data, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert ActivityRecord.objects.count() == 1
    assert str(ActivityRecord.objects.get().client_key) == key


def test_the_key_may_come_as_a_field_and_a_repeat_is_answered_even_once_the_record_moved_on(world):
    api = api_as(world.secretary_a)
    key = str(uuid.uuid4())
    first = api.post("/api/v1/activities/", payload(world, client_key=key), format="json")
    assert first.status_code == 201
    record_id = first.json()["id"]
    assert api.post(f"/api/v1/activities/{record_id}/submit/").status_code == 200
    # a late resend of the original POST (even one the record would now refuse) files nothing new
    again = api.post("/api/v1/activities/", payload(world, client_key=key, topic=""), format="json")
    assert again.status_code == 201 and again.json()["id"] == record_id and again.json()["status"] == "submitted"
    assert ActivityRecord.objects.count() == 1


def test_the_key_is_optional_and_different_keys_file_different_records(world):
    api = api_as(world.secretary_a)
    assert api.post("/api/v1/activities/", payload(world), format="json").status_code == 201
    assert api.post("/api/v1/activities/", payload(world), format="json").status_code == 201
    for _ in range(2):
        assert api.post("/api/v1/activities/", payload(world), format="json",
                        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())).status_code == 201
    assert ActivityRecord.objects.count() == 4
    assert ActivityRecord.objects.filter(client_key__isnull=True).count() == 2


def test_a_malformed_key_is_a_clear_400_and_nothing_is_filed(world):
    response = api_as(world.secretary_a).post("/api/v1/activities/", payload(world), format="json",
                                              HTTP_IDEMPOTENCY_KEY="not-a-uuid")
    assert response.status_code == 400 and "UUID" in response.json()["client_key"][0]
    assert ActivityRecord.objects.count() == 0


def test_a_refused_record_is_not_stored_and_the_key_can_be_used_after_correcting(world):
    api = api_as(world.secretary_a)
    key = str(uuid.uuid4())
    refused = api.post("/api/v1/activities/", payload(world, topic=""), format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert refused.status_code == 400 and "topic" in refused.json()
    assert api.post("/api/v1/activities/", payload(world), format="json",
                    HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    assert ActivityRecord.objects.count() == 1


def test_another_users_key_is_a_conflict_and_reveals_nothing(world):
    key = str(uuid.uuid4())
    assert api_as(world.secretary_a).post("/api/v1/activities/", payload(world), format="json",
                                          HTTP_IDEMPOTENCY_KEY=key).status_code == 201
    other = make_user("branch_secretary", organization=world.org_b)
    response = api_as(other).post("/api/v1/activities/", payload(world, organization=world.org_b.code),
                                  format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 409 and "client_key" in response.json()
    assert "id" not in response.json()
    # an editor in scope who reuses the secretary's key does not get the secretary's record either
    response = api_as(world.editor_a).post("/api/v1/activities/", payload(world), format="json",
                                           HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 409
    assert ActivityRecord.objects.count() == 1


def test_a_photo_resent_with_its_key_is_stored_once(world):
    api = api_as(world.secretary_a)
    record_id = api.post("/api/v1/activities/", payload(world), format="json").json()["id"]
    url = f"/api/v1/activities/{record_id}/attachments/"
    key = str(uuid.uuid4())
    first = api.post(url, {"file": SimpleUploadedFile("p.png", PNG)}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    again = api.post(url, {"file": SimpleUploadedFile("p.png", PNG)}, format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert Attachment.objects.count() == 1
    # the same key on another record is a conflict
    other_id = api.post("/api/v1/activities/", payload(world), format="json").json()["id"]
    response = api.post(f"/api/v1/activities/{other_id}/attachments/", {"file": SimpleUploadedFile("p.png", PNG)},
                        format="multipart", HTTP_IDEMPOTENCY_KEY=key)
    assert response.status_code == 409 and Attachment.objects.count() == 1
