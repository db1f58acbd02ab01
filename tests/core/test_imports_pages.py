"""The import pages: who may use them, the per-kind page, preview counts, confirm re-validating."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.models import Enterprise, Region
from tests.factories import make_user, make_uscc


def upload(name, *lines):
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), content_type="text/csv")


@pytest.mark.parametrize("role", ["region_viewer", "branch_secretary"])
def test_only_admins_and_region_editors_reach_any_import_page(world, client, role):
    user = world.viewer_a if role == "region_viewer" else world.secretary_a
    client.force_login(user)
    assert client.get("/imports/").status_code == 403
    assert client.get("/imports/enterprises/").status_code == 403
    assert client.get("/imports/templates/enterprises.xlsx").status_code == 403
    response = client.post("/imports/", {"kind": "enterprises",
                                         "file": upload("e.csv", "uscc,name,region_code",
                                                        f"{make_uscc(8001)},越权,431281001")})
    assert response.status_code == 403 and not Enterprise.objects.filter(name="越权").exists()
    assert client.post("/imports/confirm/", {"token": "abc"}).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get("/imports/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_index_lists_every_kind_with_its_templates(world, client):
    client.force_login(world.editor_a)
    body = client.get("/imports/").content.decode()
    for key in ("regions", "enterprises", "organizations", "coverage-links"):
        assert f"/imports/{key}/" in body and f"/imports/templates/{key}.xlsx" in body


def test_kind_page_documents_its_columns_and_accepts_a_file(world, client):
    client.force_login(world.editor_a)
    page = client.get("/imports/enterprises/")
    body = page.content.decode()
    assert page.status_code == 200 and "统一社会信用代码" in body and "<code>uscc</code>" in body
    assert "private_controlled" in body  # accepted choice codes are listed
    preview = client.post("/imports/enterprises/", {"file": upload(
        "e.csv", "uscc,name,region_code", f"{make_uscc(8002)},新企业,431281001",
        f"{world.ent_a.uscc},洪江甲公司（改）,431281001")})
    assert preview.status_code == 200
    assert preview.context["summary"] == {"created": 1, "updated": 1, "unchanged": 0, "errors": 0}
    assert not Enterprise.objects.filter(name="新企业").exists()


def test_unknown_kind_page_is_404(world, client):
    client.force_login(world.editor_a)
    assert client.get("/imports/weather/").status_code == 404
    assert client.get("/imports/templates/weather.csv").status_code == 404


def test_confirm_validates_again_and_writes_nothing_when_the_data_changed_meanwhile(world, client):
    client.force_login(world.editor_a)
    uscc = make_uscc(8003)
    preview = client.post("/imports/", {"kind": "enterprises",
                                        "file": upload("e.csv", "uscc,name,region_code", f"{uscc},先到,431281001")})
    token = preview.context["token"]
    # Meanwhile another county registers the same enterprise.
    Enterprise.objects.create(uscc=uscc, name="别处登记", region=world.town_b)
    done = client.post("/imports/confirm/", {"token": token})
    assert done.status_code == 400 and "import-errors" in done.content.decode()
    assert not Enterprise.objects.filter(name="先到").exists()


def test_an_admin_may_import_into_any_region(world, client):
    client.force_login(world.admin)
    preview = client.post("/imports/regions/", {"file": upload(
        "r.csv", "区域代码,名称,类型,上级区域代码", "431202009,新街道,township,431202")})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    client.post("/imports/confirm/", {"token": preview.context["token"]})
    assert Region.objects.get_children(world.county_b).filter(code="431202009").exists()


def test_a_file_with_errors_cannot_be_confirmed(world, client):
    client.force_login(world.editor_a)
    preview = client.post("/imports/", {"kind": "enterprises",
                                        "file": upload("e.csv", "uscc,name,region_code", "123,坏,431281001")})
    assert preview.status_code == 400 and preview.context["token"] == ""
    assert "第 2 行" in preview.content.decode()


def test_a_wrong_file_type_is_a_form_error(world, client):
    client.force_login(world.editor_a)
    response = client.post("/imports/", {"kind": "enterprises",
                                         "file": SimpleUploadedFile("e.txt", b"hello")})
    assert response.status_code == 400 and not response.context["form"].is_valid()


def test_an_editor_demoted_to_viewer_cannot_confirm_their_pending_upload(world, client):
    editor = make_user("region_editor", region=world.county_a)
    client.force_login(editor)
    preview = client.post("/imports/", {"kind": "enterprises",
                                        "file": upload("e.csv", "uscc,name,region_code",
                                                       f"{make_uscc(8004)},待确认,431281001")})
    token = preview.context["token"]
    editor.role = "region_viewer"
    editor.save()
    assert client.post("/imports/confirm/", {"token": token}).status_code == 403
    assert not Enterprise.objects.filter(name="待确认").exists()


def test_preview_shows_the_rows_as_written_in_the_file(world, client):
    client.force_login(world.editor_a)
    other = make_uscc(8010)
    Enterprise.objects.create(uscc=other, name="联合成员", region=world.town_a)
    preview = client.post("/imports/organizations/", {"file": upload(
        "o.csv", "code,name,kind,formation_mode,region_code,established_on,covers",
        f"DP1,预览联合支部,branch,joint,431281001,2022-03-01,{world.ent_a.uscc};{other}")})
    assert preview.status_code == 200
    row = preview.context["preview_rows"][0]
    assert row["row"] == 2 and "2022-03-01" in row["cells"] and f"{world.ent_a.uscc}; {other}" in row["cells"]
