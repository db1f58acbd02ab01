import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from activities import services
from activities.models import ActivityRecord, Attachment, Suggestion
from tests.conftest import api_as
from tests.factories import make_user

from .helpers import make_member, make_record

pytestmark = pytest.mark.django_db
D = datetime.date

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office(part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize("name,content,expected", [
    ("a.pdf", PDF, "application/pdf"), ("a.png", PNG, "image/png"), ("a.jpg", JPEG, "image/jpeg"),
    ("a.docx", office("word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("a.xlsx", office("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("renamed.bin", PDF, "application/pdf"),  # the bytes decide, not the name
])
def test_allowed_attachment_types_are_sniffed_from_content(world, client, name, content, expected):
    record = make_record(world.org_a)
    attachment = services.add_attachment(record, world.secretary_a, SimpleUploadedFile(name, content,
                                                                                        "application/octet-stream"))
    assert attachment.content_type == expected and attachment.size == len(content)
    path = Path(attachment.file.path).resolve()
    assert path.read_bytes() == content
    # stored in the private part of MEDIA_ROOT (backed up with it), never under STATIC_ROOT, and no URL
    # serves it except the scoped download view
    media = Path(settings.MEDIA_ROOT).resolve()
    assert str(path).startswith(str(media / "private")) and not str(path).startswith(
        str(Path(settings.STATIC_ROOT).resolve()))
    client.force_login(world.admin)
    assert client.get(settings.MEDIA_URL + str(path.relative_to(media))).status_code == 404


@pytest.mark.parametrize("name,content", [
    ("evil.pdf", b"MZ\x90\x00 this is an executable"),
    ("page.png", b"<html><script>alert(1)</script></html>"),
    ("macro.docx", office("word/vbaProject.bin")),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20),
    ("broken.xlsx", b"PK\x03\x04not really a zip"),
])
def test_other_types_are_refused_whatever_their_name(world, name, content):
    record = make_record(world.org_a)
    with pytest.raises(ValidationError) as error:
        services.add_attachment(record, world.secretary_a, SimpleUploadedFile(name, content))
    assert "Only JPEG, PNG, PDF" in str(error.value)
    assert not Attachment.objects.exists()


def test_attachment_size_limit_is_10_mb(world):
    record = make_record(world.org_a)
    limit = 10 * 1024 * 1024
    services.add_attachment(record, world.secretary_a, SimpleUploadedFile("ok.pdf", PDF + b"0" * (limit - len(PDF))))
    with pytest.raises(ValidationError) as error:
        services.add_attachment(record, world.secretary_a, SimpleUploadedFile("big.pdf", PDF + b"0" * limit))
    assert "10 MB" in str(error.value)
    assert Attachment.objects.count() == 1


def test_no_attachments_on_an_accepted_record(world):
    record = make_record(world.org_a, status=ActivityRecord.Status.ACCEPTED)
    with pytest.raises(ValidationError):
        services.add_attachment(record, world.secretary_a, SimpleUploadedFile("a.pdf", PDF))


def test_attachment_upload_page_and_scoped_download(world, client):
    record = make_record(world.org_a)
    client.force_login(world.secretary_a)
    response = client.post(f"/activities/records/{record.pk}/attachments/",
                           {"file": SimpleUploadedFile("记录.pdf", PDF, "application/pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    url = f"/activities/attachments/{attachment.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    # a refused upload shows a message and stores nothing
    response = client.post(f"/activities/records/{record.pk}/attachments/",
                           {"file": SimpleUploadedFile("x.pdf", b"MZ not a pdf")}, follow=True)
    assert "Only JPEG, PNG, PDF" in response.content.decode()
    assert Attachment.objects.count() == 1
    # out of scope: 404 for the other county's staff and for another organization's secretary
    editor_b = make_user("region_editor", region=world.county_b)
    secretary_b = make_user("branch_secretary", organization=world.org_b)
    for user in (editor_b, secretary_b):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(world.viewer_a)
    assert client.get(url).status_code == 200


def test_pages_render_for_secretary_and_editor(world, client):
    member = make_member(world.org_a)
    record = make_record(world.org_a)
    Suggestion.objects.create(organization=world.org_a, raised_on=D(2026, 3, 1), content="建议", accepted=True,
                              benefit_yuan="1200.50")
    for user in (world.secretary_a, world.editor_a):
        client.force_login(user)
        for url in ("/activities/", "/activities/records/", f"/activities/records/{record.pk}/",
                    f"/activities/records/{record.pk}/edit/", f"/activities/records/{record.pk}/history/",
                    "/activities/records/add/", "/activities/compliance/?period=2026Q3",
                    "/activities/suggestions/", "/activities/suggestions/add/", "/activities/checklists/",
                    "/activities/assessments/", "/activities/records/?period=2026Q3&kind=committee_meeting"):
            response = client.get(url)
            assert response.status_code == 200, (user.role, url, response.status_code)
    client.force_login(world.secretary_a)
    page = client.get(f"/activities/records/{record.pk}/edit/").content.decode()
    assert f'name="present_{member.pk}"' in page
    assert "1200.50" in client.get("/activities/suggestions/").content.decode()


def test_secretary_files_and_submits_through_the_pages(world, client):
    present, absent = make_member(world.org_a), make_member(world.org_a)
    client.force_login(world.secretary_a)
    response = client.post("/activities/records/add/", {
        "organization": world.org_a.code, "kind": "committee_meeting", "held_on": "2026-07-10", "topic": "支委会",
        f"present_{present.pk}": "on", f"reason_{absent.pk}": "病假"})
    assert response.status_code == 302, response.content.decode()[:2000]
    record = ActivityRecord.objects.get()
    assert {(a.member_id, a.present, a.absence_reason) for a in record.attendance.all()} == {
        (present.pk, True, ""), (absent.pk, False, "病假")}
    client.post(f"/activities/records/{record.pk}/submit/")
    record.refresh_from_db()
    assert record.status == "submitted"
    client.force_login(world.editor_a)
    client.post(f"/activities/records/{record.pk}/return/", {"reason": ""})
    record.refresh_from_db()
    assert record.status == "submitted"
    client.post(f"/activities/records/{record.pk}/accept/")
    record.refresh_from_db()
    assert record.status == "accepted"
    # the edit page of a locked record sends back to the record with a message
    response = client.get(f"/activities/records/{record.pk}/edit/", follow=True)
    assert "no longer be edited" in response.content.decode()


def test_secretary_reminders_name_what_is_still_due(world, client):
    from activities.views import reminders_for

    make_record(world.org_a, kind="committee_meeting", held_on=D(2026, 7, 3))
    texts = [r["text"] for r in reminders_for([world.org_a], D(2026, 7, 20))]
    assert "No Committee meeting yet this month." not in texts
    assert "No Theme party day yet this month." in texts
    assert "No Organizational-life meeting yet this year." in texts


def test_compliance_page_drills_down_to_child_regions(world, client):
    client.force_login(world.admin)
    page = client.get("/activities/compliance/", {"region": world.city.code, "period": "2026Q3"}).content.decode()
    assert world.county_a.name in page and world.county_b.name in page
    page = client.get("/activities/compliance/", {"region": world.town_a.code, "period": "2026Q3"}).content.decode()
    assert world.org_a.code in page and world.org_b.code not in page
    client.force_login(world.viewer_a)
    assert client.get("/activities/compliance/", {"region": world.county_b.code}).status_code == 404


def test_suggestions_api_and_yearly_totals(world):
    from tests.factories import cover

    cover(world.org_a, world.ent_a)  # a secretary reaches the enterprises their organization covers
    api = api_as(world.secretary_a)
    response = api.post("/api/v1/suggestions/", {"organization": world.org_a.code, "enterprise": world.ent_a.uscc,
                                                 "raised_on": "2026-05-01", "content": "优化流程", "accepted": True,
                                                 "benefit_yuan": "5000.00"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["enterprise"] == world.ent_a.uscc
    response = api.post("/api/v1/suggestions/", {"organization": world.org_b.code, "raised_on": "2026-05-01",
                                                 "content": "x"}, format="json")
    assert response.status_code == 400
    assert api.get("/api/v1/suggestions/?year=2026").json()["count"] == 1
    assert api.get("/api/v1/suggestions/?year=2025").json()["count"] == 0


def test_attachment_upload_through_the_api(world):
    record = make_record(world.org_a)
    api = api_as(world.secretary_a)
    url = f"/api/v1/activities/{record.pk}/attachments/"
    response = api.post(url, {"file": SimpleUploadedFile("photo.png", PNG)}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/png"
    response = api.post(url, {"file": SimpleUploadedFile("x.pdf", b"<?php echo 1;")}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
    detail = api.get(f"/api/v1/activities/{record.pk}/").json()
    assert [a["original_name"] for a in detail["attachments"]] == ["photo.png"]
    # another organization's secretary cannot reach the record at all
    other = make_user("branch_secretary", organization=world.org_b)
    assert api_as(other).post(url, {"file": SimpleUploadedFile("p.png", PNG)}, format="multipart").status_code == 404
    assert api_as(world.viewer_a).post(url, {"file": SimpleUploadedFile("p.png", PNG)},
                                       format="multipart").status_code == 403


def test_attachment_download_through_the_api_is_scoped(world):
    record = make_record(world.org_a)
    attachment = services.add_attachment(record, world.secretary_a, SimpleUploadedFile("a.pdf", PDF))
    url = f"/api/v1/activities/{record.pk}/attachments/{attachment.pk}/"
    response = api_as(world.viewer_a).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    editor_b = make_user("region_editor", region=world.county_b)
    assert api_as(editor_b).get(url).status_code == 404
    other = make_record(world.org_a)
    assert api_as(world.viewer_a).get(f"/api/v1/activities/{other.pk}/attachments/{attachment.pk}/").status_code == 404


def test_record_pages_of_another_scope_are_404(world, client):
    record = make_record(world.org_b, status=ActivityRecord.Status.SUBMITTED, topic="乙支部的秘密议题")
    suggestion = Suggestion.objects.create(organization=world.org_b, raised_on=D(2026, 3, 1), content="建议")
    for user in (world.viewer_a, world.editor_a, world.secretary_a):
        client.force_login(user)
        for url in (f"/activities/records/{record.pk}/", f"/activities/records/{record.pk}/history/",
                    f"/activities/suggestions/{suggestion.pk}/edit/"):
            assert client.get(url).status_code in (403, 404), (user.role, url)
        for action in ("submit", "accept", "return"):
            response = client.post(f"/activities/records/{record.pk}/{action}/", {"reason": "x"})
            assert response.status_code in (403, 404), (user.role, action)
        assert record.topic not in client.get("/activities/records/").content.decode()
    client.force_login(world.editor_a)
    assert client.get(f"/activities/records/{record.pk}/").status_code == 404
    record.refresh_from_db()
    assert record.status == ActivityRecord.Status.SUBMITTED


def test_compliance_drill_down_lines_agree_with_the_organization_rows(world, client):
    """The per-child-region summary is computed in SQL; it must say what the rows of the API say."""
    import datetime

    from tests.activities.helpers import accepted
    from tests.conftest import api_as
    from tests.factories import make_organization

    late = make_organization("DA9", world.town_a, name="新建支部", established_on=datetime.date(2026, 9, 10))
    for month in (7, 8, 9):
        for kind in ("committee_meeting", "group_meeting", "theme_day"):
            accepted(world.org_a, kind, datetime.date(2026, month, 12))
    for kind in ("general_meeting", "party_lecture", "life_meeting", "democratic_appraisal"):
        accepted(world.org_a, kind, datetime.date(2026, 8, 20))
    for kind in ("committee_meeting", "group_meeting", "theme_day", "general_meeting", "party_lecture"):
        accepted(late, kind, datetime.date(2026, 9, 20))
    rows = api_as(world.admin).get("/api/v1/statistics/activities/compliance/", {
        "region": world.county_a.code, "period": "2026Q3", "page_size": 1000}).json()["results"]
    client.force_login(world.admin)
    response = client.get("/activities/compliance/", {"region": world.city.code, "period": "2026Q3"})
    line = next(line for line in response.context["children"] if line["region"].pk == world.county_a.pk)
    assert line["organizations"] == len(rows) == 2
    assert line["compliant"] == sum(1 for r in rows if r["compliant"])
    assert line["overdue"] == sum(1 for r in rows if r["overdue"])
    assert line["compliant"] >= 1
