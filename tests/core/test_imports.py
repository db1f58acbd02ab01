import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from openpyxl import Workbook

from core.imports import run_import
from organizations.models import CoverageLink, Enterprise, PartyOrganization, Region
from tests.factories import make_uscc


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def enterprise_file(n, start=1000, region="431281001"):
    lines = ["uscc,name,region_code,ownership,industry,employees,founded_on,closed_on,status"]
    for i in range(n):
        lines.append(f"{make_uscc(start + i)},导入企业{i},{region},private_controlled,C,{10 + i},2020-01-0{1 + i % 9},,")
    return csv_bytes(*lines)


def test_good_file_creates_rows_with_history_and_derived_scale(world):
    result = run_import("enterprises", enterprise_file(3), "e.csv", world.editor_a)
    assert result.ok and result.written and result.summary["created"] == 3
    ent = Enterprise.objects.get(name="导入企业2")
    assert ent.region == world.town_a and ent.scale == "micro" and ent.history.first().history_user == world.editor_a


def test_every_bad_row_is_listed_and_nothing_is_written(world):
    data = csv_bytes(
        "uscc,name,region_code,employees,founded_on",
        f"{make_uscc(1)},好企业,431281001,10,2020-01-01",
        "91110000600037341X,校验码错,431281001,10,2020-01-01",
        f"{make_uscc(2)},坏区域,999999,10,2020-01-01",
        f"{make_uscc(3)},坏数字,431281001,十,2020-01-01",
        f"{make_uscc(4)},坏日期,431281001,10,2020-13-01",
    )
    with translation.override("en"):
        result = run_import("enterprises", data, "e.csv", world.editor_a)
        messages = result.messages()
    assert not result.ok and not result.written
    assert [m.split(":")[0] for m in messages] == [
        "row 3, 统一社会信用代码", "row 4, 区域代码", "row 5, 从业人员数", "row 6, 成立日期"]
    assert not Enterprise.objects.filter(name__in=["好企业", "校验码错"]).exists()


def test_reimporting_the_same_file_changes_nothing(world):
    data = enterprise_file(3)
    run_import("enterprises", data, "e.csv", world.editor_a)
    history_before = Enterprise.history.count()
    again = run_import("enterprises", data, "e.csv", world.editor_a)
    assert again.summary == {"created": 0, "updated": 0, "unchanged": 3, "errors": 0}
    assert Enterprise.history.count() == history_before


def test_upsert_updates_existing_rows_by_uscc(world):
    data = csv_bytes("uscc,name,region_code,employees", f"{world.ent_a.uscc},洪江甲公司（新名）,431281001,500")
    result = run_import("enterprises", data, "e.csv", world.editor_a)
    assert result.summary["updated"] == 1
    world.ent_a.refresh_from_db()
    assert world.ent_a.name == "洪江甲公司（新名）" and world.ent_a.scale == "medium"


def test_chinese_headers_and_xlsx_work(world):
    data = xlsx_bytes([["统一社会信用代码", "企业名称", "区域代码", "从业人员数", "成立日期"],
                       [make_uscc(55), "表格企业", "431281001", 12, "2021-05-01"]])
    result = run_import("enterprises", data, "e.xlsx", world.editor_a)
    assert result.ok, result.messages()
    assert Enterprise.objects.get(name="表格企业").employees == 12


def test_unknown_and_missing_columns_are_file_errors(world):
    result = run_import("enterprises", csv_bytes("uscc,colour", f"{make_uscc(9)},red"), "e.csv", world.editor_a)
    assert not result.ok and len(result.file_errors) >= 2  # unknown "colour"; missing name, region_code


def test_references_outside_the_users_scope_are_errors(world):
    data = csv_bytes("uscc,name,region_code", f"{make_uscc(60)},越界企业,431202001")
    result = run_import("enterprises", data, "e.csv", world.editor_a)
    assert not result.ok and result.errors[0].row == 2
    assert not Enterprise.objects.filter(name="越界企业").exists()


def test_dry_run_writes_nothing(world):
    result = run_import("enterprises", enterprise_file(2), "e.csv", world.editor_a, dry_run=True)
    assert result.ok and not result.written and result.summary["created"] == 2
    assert not Enterprise.objects.filter(name__startswith="导入企业").exists()


def test_duplicate_key_within_the_file_is_an_error(world):
    uscc = make_uscc(70)
    result = run_import("enterprises", csv_bytes("uscc,name,region_code", f"{uscc},A,431281001", f"{uscc},B,431281001"),
                        "e.csv", world.editor_a)
    assert [e.row for e in result.errors] == [3]


def test_region_tree_import_with_parents_in_the_same_file(world):
    data = csv_bytes("code,name,kind,parent_code",
                     "431281101,新镇,township,431281",
                     "431281101001,新村,village,431281101",
                     "431281Z5,新园区,zone,431281")
    result = run_import("regions", data, "r.csv", world.editor_a)
    assert result.ok, result.messages()
    village = Region.objects.get(code="431281101001")
    town = Region.objects.get(code="431281101")
    assert village.path.startswith(town.path) and town.path.startswith(world.county_a.path)
    assert Region.objects.get(pk=world.county_a.pk).numchild == 3
    assert Region.objects.get(pk=town.pk).numchild == 1
    assert Region.objects.find_problems() == ([], [], [], [], [])
    assert run_import("regions", data, "r.csv", world.editor_a).summary["unchanged"] == 3


def test_organizations_import_creates_links_from_covers(world):
    second = Enterprise.objects.create(uscc=make_uscc(80), name="联合成员乙", region=world.town_a)
    data = csv_bytes("code,name,kind,formation_mode,parent_code,region_code,established_on,covers",
                     f"DJ9,黔城联合支部,branch,joint,,431281001,2022-01-01,{world.ent_a.uscc};{second.uscc}")
    result = run_import("organizations", data, "o.csv", world.editor_a)
    assert result.ok, result.messages()
    org = PartyOrganization.objects.get(code="DJ9")
    assert CoverageLink.objects.filter(organization=org).count() == 2
    again = run_import("organizations", data, "o.csv", world.editor_a)
    assert again.summary["unchanged"] == 1 and CoverageLink.objects.filter(organization=org).count() == 2


def test_individual_organization_listing_two_enterprises_is_a_row_error(world):
    second = Enterprise.objects.create(uscc=make_uscc(81), name="乙", region=world.town_a)
    data = csv_bytes("code,name,kind,formation_mode,region_code,established_on,covers",
                     f"DI9,单独支部,branch,individual,431281001,2022-01-01,{world.ent_a.uscc};{second.uscc}")
    result = run_import("organizations", data, "o.csv", world.editor_a)
    assert not result.ok and result.errors[0].row == 2
    assert not PartyOrganization.objects.filter(code="DI9").exists()


def test_coverage_links_import_checks_the_rules_across_rows(world):
    other = Enterprise.objects.create(uscc=make_uscc(82), name="丙", region=world.town_a)
    data = csv_bytes("organization_code,enterprise_uscc,valid_from,valid_to",
                     f"DA1,{world.ent_a.uscc},2021-01-01,",
                     f"DA1,{other.uscc},2022-01-01,")
    result = run_import("coverage-links", data, "l.csv", world.editor_a)
    assert [e.row for e in result.errors] == [3]
    assert CoverageLink.objects.count() == 0


def test_import_query_count_does_not_grow_with_rows(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        run_import("enterprises", enterprise_file(10, start=2000), "e.csv", world.editor_a)
    with django_assert_max_num_queries(40):
        run_import("enterprises", enterprise_file(200, start=3000), "e.csv", world.editor_a)
    assert Enterprise.objects.filter(name__startswith="导入企业").count() == 210


def test_import_data_command_reports_errors_and_exits_non_zero(world, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("uscc,name,region_code", "123,坏,431281001"))
    with pytest.raises(CommandError):
        call_command("import_data", "enterprises", str(bad), "--user", world.admin.username)
    good = tmp_path / "good.csv"
    good.write_bytes(enterprise_file(2, start=4000))
    out = io.StringIO()
    call_command("import_data", "enterprises", str(good), "--dry-run", "--user", world.admin.username, stdout=out)
    assert "2 to create" in out.getvalue() and not Enterprise.objects.filter(name="导入企业0").exists()
    call_command("import_data", "enterprises", str(good), "--user", world.admin.username, stdout=out)
    assert Enterprise.objects.filter(name="导入企业0").exists()


def test_page_flow_upload_preview_confirm(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.editor_a)
    upload = SimpleUploadedFile("e.csv", enterprise_file(2, start=5000), content_type="text/csv")
    preview = client.post("/imports/", {"kind": "enterprises", "file": upload})
    assert preview.status_code == 200
    assert not Enterprise.objects.filter(name="导入企业0").exists()
    token = preview.context["token"]
    done = client.post("/imports/confirm/", {"token": token})
    assert done.status_code == 200 and Enterprise.objects.filter(name__startswith="导入企业").count() == 2
    assert client.post("/imports/confirm/", {"token": token}).status_code == 404  # used up


def test_page_shows_row_errors_and_writes_nothing(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.editor_a)
    upload = SimpleUploadedFile("e.csv", csv_bytes("uscc,name,region_code", "123,坏,431281001"))
    response = client.post("/imports/", {"kind": "enterprises", "file": upload})
    assert response.status_code == 400 and "import-errors" in response.content.decode()
    assert not Enterprise.objects.filter(name="坏").exists()


def test_another_users_pending_import_cannot_be_confirmed(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.editor_a)
    upload = SimpleUploadedFile("e.csv", enterprise_file(1, start=6000))
    token = client.post("/imports/", {"kind": "enterprises", "file": upload}).context["token"]
    client.force_login(world.admin)
    assert client.post("/imports/confirm/", {"token": token}).status_code == 404


def test_viewers_cannot_import(world, client):
    client.force_login(world.viewer_a)
    assert client.get("/imports/").status_code == 403


def test_template_files_have_the_chinese_labels(world, client):
    client.force_login(world.editor_a)
    body = client.get("/imports/templates/enterprises.csv").content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("统一社会信用代码")
    assert client.get("/imports/templates/enterprises.xlsx").status_code == 200
