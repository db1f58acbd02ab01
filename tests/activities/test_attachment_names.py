"""Files are what they say (issue 18.10): stored and served under a name with the extension of the detected
type, as downloads except safe images; Office files that are also archives of programs are refused."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from activities import services
from activities.models import Attachment, attachment_name
from tests.conftest import api_as

from .helpers import make_record

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_PE = b"\xff\xd8\xff\xe0" + b"\x00" * 32 + b"MZ\x90\x00\x03\x00PE\x00\x00 polyglot"
PDF = b"%PDF-1.4\n%%EOF\n"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def office(*parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for part in parts:
            archive.writestr(part, "<x/>")
    return buffer.getvalue()


def _download(user, attachment):
    client = Client()
    client.force_login(user)
    response = client.get(f"/activities/attachments/{attachment.pk}/")
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("uploaded,content,served,disposition", [
    ("report.jar", office("word/document.xml"), "report.docx", "attachment"),
    ("page.html", PNG, "page.png", "inline"),
    ("setup.exe", JPEG_PE, "setup.jpg", "inline"),
    ("会议纪要.pdf", PDF, "会议纪要.pdf", "attachment"),
    ("no-extension", PDF, "no-extension.pdf", "attachment"),
])
def test_attachments_are_stored_and_served_under_the_detected_types_extension(world, uploaded, content, served,
                                                                              disposition):
    record = make_record(world.org_a)
    attachment = services.add_attachment(record, world.secretary_a, SimpleUploadedFile(uploaded, content))
    assert attachment.original_name == served
    assert Path(attachment.file.name).suffix == Path(served).suffix  # the stored file too
    response = _download(world.secretary_a, attachment)
    header = response["Content-Disposition"]
    assert header.startswith(disposition)
    assert Path(served).suffix in header
    assert ".jar" not in header and ".html" not in header and ".exe" not in header
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_api_lists_and_serves_the_normalized_name(world):
    record = make_record(world.org_a)
    api = api_as(world.secretary_a)
    response = api.post(f"/api/v1/activities/{record.pk}/attachments/",
                        {"file": SimpleUploadedFile("page.html", PNG)}, format="multipart")
    assert response.status_code == 201 and response.json()["original_name"] == "page.png"
    download = api.get(response.json()["download"])
    assert download.status_code == 200 and "page.png" in download["Content-Disposition"]


def test_an_attachment_stored_with_a_misleading_name_before_is_served_under_a_true_one(world):
    record = make_record(world.org_a)
    attachment = services.add_attachment(record, world.secretary_a, SimpleUploadedFile("a.png", PNG))
    Attachment.objects.filter(pk=attachment.pk).update(original_name="invoice.html")  # as older uploads were kept
    attachment.refresh_from_db()
    header = _download(world.secretary_a, attachment)["Content-Disposition"]
    assert "invoice.png" in header and ".html" not in header


@pytest.mark.parametrize("parts", [
    ("word/document.xml", "META-INF/MANIFEST.MF", "Main.class"),  # a .docx that is also a Java archive
    ("xl/workbook.xml", "payload.exe"),
])
def test_office_files_carrying_programs_are_refused(world, parts):
    record = make_record(world.org_a)
    with pytest.raises(ValidationError):
        services.add_attachment(record, world.secretary_a, SimpleUploadedFile("a.docx", office(*parts)))
    assert not Attachment.objects.exists()


def test_attachment_name_strips_paths_and_control_characters():
    assert attachment_name("..\\..\\evil\x00.exe", "image/png") == "evil.png"
    assert attachment_name("", DOCX) == "file.docx"
    assert attachment_name("a.b.c", "application/pdf") == "a.b.pdf"
