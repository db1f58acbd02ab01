"""No heavy work in a web request (issue 18.8): confirming an import and large exports are jobs with progress
and a file for the requester; XLSX decompression bombs are refused before parsing."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from core.imports import ImportFileError, read_table, run_import
from core.jobs import set_progress
from core.models import ExportRecord, Job
from organizations.models import Enterprise
from tests.factories import EnterpriseFactory, make_user

from .test_imports import enterprise_file
from .test_jobs import real_worker  # noqa: F401 (fixture)


def _client(user):
    client = Client()
    client.force_login(user)
    return client


# --- imports --------------------------------------------------------------------------------------------

def test_confirming_an_import_runs_it_as_a_job_of_the_requester(world):
    client = _client(world.editor_a)
    preview = client.post("/imports/", {"kind": "enterprises",
                                        "file": SimpleUploadedFile("e.csv", enterprise_file(3, start=7100))})
    assert preview.status_code == 200
    done = client.post("/imports/confirm/", {"token": preview.context["token"]})
    assert done.status_code == 200 and "import-done" in done.content.decode()  # eager: done at once
    job = Job.objects.get(kind="core.import")
    assert job.status == Job.Status.DONE and job.created_by == world.editor_a
    assert job.result["written"] and job.result["summary"]["created"] == 3
    assert Enterprise.objects.filter(name__startswith="导入企业").count() == 3
    # the job's page shows the result again, for the requester only
    page = client.get(f"/imports/jobs/{job.pk}/")
    assert page.status_code == 200 and "import-done" in page.content.decode()
    assert _client(world.admin).get(f"/imports/jobs/{job.pk}/").status_code == 404


def test_a_queued_import_shows_a_progress_bar_that_polls(world):
    job = Job.objects.create(kind="core.import", status=Job.Status.RUNNING, created_by=world.editor_a,
                             params={"kind": "enterprises", "filename": "e.csv", "token": "x"})
    set_progress(job, 40)
    client = _client(world.editor_a)
    body = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert 'hx-get="/jobs/%d/progress/"' % job.pk in body and 'value="40"' in body
    fragment = client.get(f"/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and 'value="40"' in fragment.content.decode()
    assert "HX-Refresh" not in fragment
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    assert client.get(f"/jobs/{job.pk}/progress/")["HX-Refresh"] == "true"  # the page reloads into the result


def test_run_import_reports_progress(world):
    seen = []
    result = run_import("enterprises", enterprise_file(2, start=7200), "e.csv", world.editor_a, progress=seen.append)
    assert result.written and seen == sorted(seen) and seen[0] == 10 and seen[-1] == 90


# --- exports --------------------------------------------------------------------------------------------

@pytest.fixture
def many(world, settings):
    settings.EXPORT_SYNC_MAX_ROWS = {"csv": 3, "xlsx": 3}
    EnterpriseFactory.create_batch(5, region=world.town_a)
    return world


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_large_export_is_a_job_with_a_file_for_the_requester_only(many, fmt):
    w = many
    client = _client(w.editor_a)
    response = client.get(f"/organizations/enterprises/?export={fmt}")
    assert response.status_code == 302
    job = Job.objects.get(kind="core.export")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == Job.Status.DONE and job.result["rows"] == 6  # ent_a and five more, county A only
    assert ExportRecord.objects.filter(user=w.editor_a, format=fmt, rows=6).exists()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="job-download"' in page
    download = client.get(f"/jobs/{job.pk}/file/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    content = b"".join(download.streaming_content)
    if fmt == "xlsx":
        rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    else:
        rows = [line for line in content.decode("utf-8-sig").splitlines() if line]
    assert len(rows) == 7  # header + six, and nothing of county B
    assert w.ent_b.name not in str(rows)
    # nobody else gets the file, not even an administrator or a colleague who may see the job
    for other in (w.admin, make_user("region_editor", region=w.county_a)):
        assert _client(other).get(f"/jobs/{job.pk}/file/").status_code == 404


def test_a_small_export_still_answers_directly(many, settings):
    settings.EXPORT_SYNC_MAX_ROWS = {"csv": 100, "xlsx": 100}
    response = _client(many.editor_a).get("/organizations/enterprises/?export=csv")
    assert response.status_code == 200 and response.streaming
    assert not Job.objects.filter(kind="core.export").exists()


def test_the_export_job_keeps_the_filters_and_the_sort(many):
    w = many
    EnterpriseFactory(region=w.town_a, name="洪江物流甲公司", industry="G")
    EnterpriseFactory(region=w.town_a, name="洪江物流乙公司", industry="G")
    EnterpriseFactory(region=w.town_a, name="洪江物流丙公司", industry="G")
    EnterpriseFactory(region=w.town_a, name="洪江物流丁公司", industry="G")
    client = _client(w.editor_a)
    client.get("/organizations/enterprises/?industry=G&sort=name&export=csv")
    job = Job.objects.get(kind="core.export")
    lines = b"".join(client.get(f"/jobs/{job.pk}/file/").streaming_content).decode("utf-8-sig").splitlines()
    names = [line.split(",")[0] for line in lines[1:]]
    assert names == sorted(names) and len(names) == 4 and all("物流" in n for n in names)


# --- decompression bombs ----------------------------------------------------------------------------

def _xlsx_with(shared_strings: bytes = b"", sheet: bytes = b"<worksheet/>"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared_strings:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def test_an_xlsx_that_unpacks_to_gigabytes_is_refused_before_parsing(settings):
    bomb = _xlsx_with(sheet=b"<worksheet>" + b"0" * (60 * 1024 * 1024) + b"</worksheet>")
    assert len(bomb) < 1024 * 1024  # small on the wire
    with pytest.raises(ImportFileError, match="unpacks|解压|数据"):
        read_table(bomb, "bomb.xlsx")


def test_an_xlsx_with_millions_of_shared_strings_is_refused_before_parsing(settings):
    settings.IMPORT_XLSX_MAX_SHARED_STRINGS = 1000
    strings = b'<sst count="3000000" uniqueCount="3000000">' + b"".join(
        b"<si><t>%d</t></si>" % i for i in range(5000)) + b"</sst>"
    with pytest.raises(ImportFileError, match="1000"):
        read_table(_xlsx_with(shared_strings=strings), "strings.xlsx")


def test_the_import_page_names_the_bomb_and_stores_nothing(world):
    bomb = _xlsx_with(sheet=b"<worksheet>" + b"0" * (60 * 1024 * 1024) + b"</worksheet>")
    response = _client(world.editor_a).post("/imports/", {"kind": "enterprises",
                                                          "file": SimpleUploadedFile("bomb.xlsx", bomb)})
    assert response.status_code == 400
    assert re.search("import-errors", response.content.decode())
    assert response.context["token"] == ""


def test_an_ordinary_xlsx_still_reads(world):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["uscc", "name"])
    workbook.active.append(["x", "y"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    header, rows = read_table(buffer.getvalue(), "ok.xlsx")
    assert header == ["uscc", "name"] and rows == [["x", "y"]]


# --- through a real worker (PostgreSQL and Redis; skipped locally without them, required on CI) --------------

@pytest.fixture
def shared_media(settings, monkeypatch):
    """The worker process writes where the test reads: the same MEDIA_ROOT."""
    monkeypatch.setenv("MEDIA_ROOT", str(settings.MEDIA_ROOT))


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_a_confirmed_import_and_a_large_export_run_on_a_real_worker(world, settings, shared_media, real_worker):
    from .test_jobs import wait_for

    settings.EXPORT_SYNC_MAX_ROWS = {"csv": 1, "xlsx": 1}
    client = _client(world.editor_a)
    upload = client.post("/imports/", {"kind": "enterprises",
                                       "file": SimpleUploadedFile("e.csv", enterprise_file(4, start=7300))})
    check = Job.objects.get(kind="core.import_preview")
    assert upload.status_code == 302 and upload["Location"] == f"/imports/jobs/{check.pk}/"
    check = wait_for(check, {Job.Status.DONE, Job.Status.FAILED})
    assert check.status == Job.Status.DONE and check.result["ok"], (check.error, check.result)
    assert 'data-testid="import-confirm"' in client.get(f"/imports/jobs/{check.pk}/").content.decode()
    confirm = client.post("/imports/confirm/", {"token": check.result["token"]})
    job = Job.objects.get(kind="core.import")
    assert confirm.status_code == 302 and confirm["Location"] == f"/imports/jobs/{job.pk}/"  # not run in the request
    job = wait_for(job, {Job.Status.DONE, Job.Status.FAILED})
    assert job.status == Job.Status.DONE and job.result["written"], (job.error, job.result)
    assert "import-done" in client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert Enterprise.objects.filter(name__startswith="导入企业").count() == 4

    response = client.get("/organizations/enterprises/?export=xlsx")
    job = Job.objects.get(kind="core.export")
    assert response.status_code == 302
    job = wait_for(job, {Job.Status.DONE, Job.Status.FAILED})
    assert job.status == Job.Status.DONE, job.error
    content = b"".join(client.get(f"/jobs/{job.pk}/file/").streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 5  # header, ent_a and the four imported


def test_checking_an_upload_is_a_job_too_and_its_page_offers_the_confirm_once(world):
    client = _client(world.editor_a)
    preview = client.post("/imports/", {"kind": "enterprises",
                                        "file": SimpleUploadedFile("e.csv", enterprise_file(2, start=7400))})
    assert preview.status_code == 200 and preview.context["token"]
    job = Job.objects.get(kind="core.import_preview")
    assert job.status == Job.Status.DONE and job.result["summary"]["created"] == 2
    assert job.result["preview_rows"][0]["action"] == "create"
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert 'data-testid="import-confirm"' in page
    client.post("/imports/confirm/", {"token": preview.context["token"]})
    page = client.get(f"/imports/jobs/{job.pk}/").content.decode()
    assert 'data-testid="import-confirm"' not in page  # used up
    assert Enterprise.objects.filter(name="导入企业0").exists()


def test_a_preview_with_errors_keeps_no_upload(world):
    from core.import_views import pending_dir

    client = _client(world.editor_a)
    bad = SimpleUploadedFile("e.csv", "uscc,name,region_code\n123,坏,431281001\n".encode())
    response = client.post("/imports/", {"kind": "enterprises", "file": bad})
    assert response.status_code == 400 and response.context["token"] == ""
    assert not list(pending_dir().iterdir())
