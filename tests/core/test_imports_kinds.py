"""Import behaviour a user notices, per kind: encodings, labels, trees, scope, re-imports, constant queries."""

import datetime
import io

import pytest
from django.db import IntegrityError, connection
from django.db import models as dj_models
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from core import imports
from core.imports import Column, run_import
from organizations.models import CoverageLink, Enterprise, FormationMode, PartyOrganization, Region
from tests.factories import make_organization, make_uscc


def csv_bytes(*lines, encoding="utf-8"):
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def enterprises_csv(n, start, region="431281001", **kw):
    lines = ["uscc,name,region_code,ownership,employees,founded_on"]
    for i in range(n):
        lines.append(f"{make_uscc(start + i)},批量企业{start + i},{region},private_controlled,{kw.get('employees', 10 + i)},"
                     "2020-01-01")
    return csv_bytes(*lines)


# --- reading files ------------------------------------------------------------------------------

def test_gb18030_csv_from_excel_is_read(world):
    data = csv_bytes("统一社会信用代码,企业名称,区域代码", f"{make_uscc(7001)},国标编码企业,431281001", encoding="gb18030")
    result = run_import("enterprises", data, "e.csv", world.editor_a)
    assert result.ok, result.messages()
    assert Enterprise.objects.filter(name="国标编码企业").exists()


def test_utf8_bom_does_not_spoil_the_first_header(world):
    data = "\ufeffuscc,name,region_code\n".encode() + f"{make_uscc(7002)},带BOM企业,431281001\n".encode()
    result = run_import("enterprises", data, "e.csv", world.editor_a)
    assert result.ok, result.messages()


def test_choice_columns_accept_the_code_or_the_label_in_either_language(world):
    data = csv_bytes("uscc,name,region_code,ownership,status,closed_on,industry",
                     f"{make_uscc(7003)},甲,431281001,Private sole proprietorship,operating,,Manufacturing",
                     f"{make_uscc(7004)},乙,431281001,FOREIGN_CONTROLLED,Closed,2024-01-01,j")
    result = run_import("enterprises", data, "e.csv", world.editor_a)
    assert result.ok, result.messages()
    first, second = Enterprise.objects.get(name="甲"), Enterprise.objects.get(name="乙")
    assert (first.ownership, first.industry) == ("private_sole", "C")
    assert (second.ownership, second.status, second.industry) == ("foreign_controlled", "closed", "J")


def test_a_chinese_choice_label_is_accepted():
    class Colour(dj_models.TextChoices):
        RED = "red", "红色"

    column = Column("colour", "颜色", kind="choice", choices=Colour)
    assert column.convert("红色") == "red" and column.convert(" RED ") == "red"
    with pytest.raises(ValueError):
        column.convert("蓝色")


def test_bad_choice_names_the_accepted_values(world):
    data = csv_bytes("code,name,kind,parent_code", "431281901,新镇,metropolis,431281")
    result = run_import("regions", data, "r.csv", world.editor_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "类型")]
    assert "乡镇（街道）" in result.errors[0].message  # the labels people write, not the codes


def test_rows_over_the_limit_are_refused_as_a_whole(world, settings):
    settings.IMPORT_MAX_ROWS = 3
    result = run_import("enterprises", enterprises_csv(4, 7100), "e.csv", world.editor_a)
    assert not result.ok and result.file_errors and not Enterprise.objects.filter(name__startswith="批量企业").exists()


def test_messages_are_in_chinese_by_default(world):
    data = csv_bytes("uscc,name,region_code", f"{make_uscc(7005)},坏区域,999999")
    with translation.override("zh-hans"):
        message = run_import("enterprises", data, "e.csv", world.editor_a).messages()[0]
    assert message.startswith("第 2 行，区域代码：") and "999999" in message


def test_xlsx_cells_typed_by_excel_are_understood(world):
    data = xlsx_bytes([["统一社会信用代码", "企业名称", "区域代码", "从业人员数", "成立日期"],
                       [make_uscc(7006), "表格企业", 431281001, 12.0, datetime.datetime(2021, 5, 1)]])
    result = run_import("enterprises", data, "e.xlsx", world.editor_a)
    assert result.ok, result.messages()
    ent = Enterprise.objects.get(name="表格企业")
    assert ent.employees == 12 and ent.founded_on == datetime.date(2021, 5, 1)


def test_a_file_that_is_not_a_spreadsheet_is_a_clear_file_error(world):
    result = run_import("enterprises", b"PK\x03\x04 not really", "e.xlsx", world.editor_a)
    assert not result.ok and result.file_errors and not result.errors


# --- scope ----------------------------------------------------------------------------------------

def test_an_enterprise_registered_in_another_county_cannot_be_overwritten(world):
    data = csv_bytes("uscc,name,region_code", f"{world.ent_b.uscc},抢注,431281001")
    result = run_import("enterprises", data, "e.csv", world.editor_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "统一社会信用代码")]
    world.ent_b.refresh_from_db()
    assert world.ent_b.name == "鹤城乙公司"


def test_organizations_referencing_out_of_scope_parent_region_or_enterprise_are_errors(world):
    data = csv_bytes("code,name,kind,formation_mode,parent_code,region_code,established_on,covers",
                     "DX1,甲,branch,individual,DB1,431281001,2022-01-01,",
                     "DX2,乙,branch,individual,,431202001,2022-01-01,",
                     f"DX3,丙,branch,individual,,431281001,2022-01-01,{world.ent_b.uscc}")
    result = run_import("organizations", data, "o.csv", world.editor_a)
    assert [(e.row, e.column) for e in result.errors] == [(2, "上级党组织代码"), (3, "区域代码"),
                                                          (4, "覆盖企业（统一社会信用代码，以;分隔）")]
    assert not PartyOrganization.objects.filter(code__startswith="DX").exists()


def test_region_editor_cannot_create_a_top_level_region(world):
    result = run_import("regions", csv_bytes("code,name,kind", "999000,新省,province"), "r.csv", world.editor_a)
    assert [e.row for e in result.errors] == [2] and not Region.objects.filter(code="999000").exists()


def test_region_editor_reimporting_their_own_county_under_an_invisible_parent_changes_nothing(world):
    data = csv_bytes("code,name,kind,parent_code", "431281,洪江市,county,431200")
    result = run_import("regions", data, "r.csv", world.editor_a)
    assert result.ok and result.summary["unchanged"] == 1


# --- trees ----------------------------------------------------------------------------------------

def test_organization_tree_with_children_listed_before_their_parent(world):
    data = csv_bytes("code,name,kind,formation_mode,parent_code,region_code,established_on",
                     "DT3,第一支部,branch,joint,DT1,431281001,2022-01-01",
                     "DT2,第二支部,branch,regional,DT1,431281001,2022-01-01",
                     "DT1,园区党委,committee,regional,,431281001,2021-06-01",
                     "DT4,党小组,party_group,joint,DT3,431281001,2022-02-01")
    result = run_import("organizations", data, "o.csv", world.editor_a)
    assert result.ok, result.messages()
    top = PartyOrganization.objects.get(code="DT1")
    assert {o.code for o in PartyOrganization.objects.get_children(top)} == {"DT2", "DT3"}
    assert PartyOrganization.objects.get_parent(PartyOrganization.objects.get(code="DT4")).code == "DT3"
    assert PartyOrganization.objects.find_problems() == ([], [], [], [], [])
    assert run_import("organizations", data, "o.csv", world.editor_a).summary["unchanged"] == 4


def test_parents_forming_a_loop_are_an_error_and_nothing_is_written(world):
    data = csv_bytes("code,name,kind,parent_code",
                     "431281701,甲镇,township,431281702",
                     "431281702,乙镇,township,431281701")
    result = run_import("regions", data, "r.csv", world.editor_a)
    assert sorted(e.row for e in result.errors) == [2, 3]
    assert not Region.objects.filter(code__in=["431281701", "431281702"]).exists()


def test_moving_a_region_under_its_own_child_is_an_error(world):
    data = csv_bytes("code,name,kind,parent_code", "431281,洪江市,county,431281001")
    result = run_import("regions", data, "r.csv", world.admin)
    assert [e.row for e in result.errors] == [2]


def test_changing_a_parent_moves_the_node_with_its_subtree(world):
    data = csv_bytes("code,name,kind,parent_code",
                     "431281800,新街道,township,431281",
                     "431281001,黔城镇,township,431281800")
    result = run_import("regions", data, "r.csv", world.editor_a)
    assert result.ok, result.messages()
    town = Region.objects.get(code="431281001")
    assert Region.objects.get_parent(town).code == "431281800"
    world.ent_a.refresh_from_db()
    assert Region.objects.find_problems() == ([], [], [], [], [])
    assert Enterprise.objects.visible_to(world.editor_a).filter(pk=world.ent_a.pk).exists()


# --- coverage links -------------------------------------------------------------------------------

def test_two_new_individual_organizations_cannot_cover_the_same_enterprise(world):
    data = csv_bytes("code,name,kind,formation_mode,region_code,established_on,covers",
                     f"DN1,甲,branch,individual,431281001,2022-01-01,{world.ent_a.uscc}",
                     f"DN2,乙,branch,individual,431281001,2022-01-01,{world.ent_a.uscc}")
    result = run_import("organizations", data, "o.csv", world.editor_a)
    assert [e.row for e in result.errors] == [3]


def test_two_new_joint_organizations_may_cover_the_same_enterprise(world):
    other = Enterprise.objects.create(uscc=make_uscc(7300), name="联合丁", region=world.town_a)
    data = csv_bytes("code,name,kind,formation_mode,region_code,established_on,covers",
                     f"DJ1,甲联合,branch,joint,431281001,2022-01-01,{world.ent_a.uscc};{other.uscc}",
                     f"DJ2,乙联合,branch,joint,431281001,2022-01-01,{world.ent_a.uscc};{other.uscc}")
    result = run_import("organizations", data, "o.csv", world.editor_a)
    assert result.ok, result.messages()
    assert CoverageLink.objects.filter(enterprise=other).count() == 2


def test_covers_on_an_existing_organization_adds_links_without_touching_the_organization(world):
    history = world.org_a.history.count()
    data = csv_bytes("code,name,kind,formation_mode,region_code,established_on,covers",
                     f"DA1,甲公司党支部,branch,individual,431281001,2020-01-01,{world.ent_a.uscc}")
    result = run_import("organizations", data, "o.csv", world.editor_a)
    assert result.ok, result.messages()
    assert CoverageLink.objects.filter(organization=world.org_a, enterprise=world.ent_a).count() == 1
    assert world.org_a.history.count() == history


def test_coverage_link_import_ends_a_link_by_setting_valid_to(world):
    link = CoverageLink.objects.create(organization=world.org_a, enterprise=world.ent_a,
                                       valid_from=datetime.date(2021, 1, 1))
    data = csv_bytes("组织代码,统一社会信用代码,起始日期,终止日期", f"DA1,{world.ent_a.uscc},2021-01-01,2025-01-01")
    result = run_import("coverage-links", data, "l.csv", world.editor_a)
    assert result.summary["updated"] == 1
    link.refresh_from_db()
    assert link.valid_to == datetime.date(2025, 1, 1) and link.history.first().history_user == world.editor_a


def test_the_same_link_twice_in_a_file_names_the_first_row(world):
    line = f"DA1,{world.ent_a.uscc},2021-01-01,"
    data = csv_bytes("organization_code,enterprise_uscc,valid_from,valid_to", line, line)
    result = run_import("coverage-links", data, "l.csv", world.editor_a)
    assert [e.row for e in result.errors] == [3] and "2" in result.errors[0].message


# --- all or nothing ---------------------------------------------------------------------------------

def test_a_database_refusal_while_writing_is_reported_and_rolls_everything_back(world, monkeypatch):
    kind_class = imports.kinds()["enterprises"]
    original = kind_class.write

    def failing_write(self, plan, user):
        original(self, plan, user)
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(kind_class, "write", failing_write)
    result = run_import("enterprises", enterprises_csv(3, 7400), "e.csv", world.editor_a)
    assert not result.ok and not result.written and result.file_errors
    assert not Enterprise.objects.filter(name__startswith="批量企业").exists()


def test_updates_record_who_changed_what_and_unchanged_rows_get_no_history(world):
    data = csv_bytes("uscc,name,region_code", f"{world.ent_a.uscc},洪江甲公司,431281001",
                     f"{make_uscc(7500)},新企业,431281001")
    run_import("enterprises", data, "e.csv", world.editor_a)
    before = Enterprise.history.count()
    changed = csv_bytes("uscc,name,region_code", f"{world.ent_a.uscc},洪江甲公司（改名）,431281001",
                        f"{make_uscc(7500)},新企业,431281001")
    result = run_import("enterprises", changed, "e.csv", world.editor_a)
    assert result.summary == {"created": 0, "updated": 1, "unchanged": 1, "errors": 0}
    assert Enterprise.history.count() == before + 1
    latest = Enterprise.history.latest("history_id")
    assert latest.history_user == world.editor_a and latest.name == "洪江甲公司（改名）"


# --- constant number of queries -------------------------------------------------------------------

def _queries(callable_):
    with CaptureQueriesContext(connection) as ctx:
        result = callable_()
    assert result.ok, result.messages()
    return len(ctx.captured_queries)


def _org_file(n, start, covers=None):
    lines = ["code,name,kind,formation_mode,parent_code,region_code,established_on,covers"]
    lines.append(f"Q{start},上级党委{start},committee,regional,,431281001,2021-01-01,")
    for i in range(1, n):
        uscc = covers[i] if covers else ""
        lines.append(f"Q{start + i},支部{start + i},branch,individual,Q{start},431281001,2021-01-01,{uscc}")
    return csv_bytes(*lines)


@pytest.mark.parametrize("what", ["enterprises-create", "enterprises-update", "regions", "organizations",
                                  "coverage-links"])
def test_query_count_does_not_grow_with_rows(world, what, django_assert_max_num_queries):
    def prepare(n, start):
        if what == "enterprises-create":
            return "enterprises", enterprises_csv(n, start)
        if what == "enterprises-update":
            run_import("enterprises", enterprises_csv(n, start), "e.csv", world.editor_a)
            return "enterprises", enterprises_csv(n, start, employees=999)
        if what == "regions":
            lines = ["code,name,kind,parent_code", f"R{start},新镇{start},township,431281"]
            lines += [f"R{start + i},新村{start + i},village,R{start}" for i in range(1, n)]
            return "regions", csv_bytes(*lines)
        if what == "organizations":
            ents = Enterprise.objects.bulk_create([Enterprise(uscc=make_uscc(start + i), name=f"覆盖{start + i}",
                                                              region=world.town_a) for i in range(n)])
            return "organizations", _org_file(n, start, [e.uscc for e in ents])
        orgs = [make_organization(f"L{start + i}", world.town_a, mode=FormationMode.JOINT) for i in range(n)]
        lines = ["organization_code,enterprise_uscc,valid_from"]
        lines += [f"{o.code},{world.ent_a.uscc},2021-01-01" for o in orgs]
        return "coverage-links", csv_bytes(*lines)

    kind, small = prepare(10, 10_000)
    small_count = _queries(lambda: run_import(kind, small, "f.csv", world.editor_a))
    kind, large = prepare(200, 20_000)
    # PostgreSQL: exactly as many queries. SQLite caps a statement at 999 parameters, so Django splits each
    # bulk INSERT/UPDATE into a few batches: a handful more, never one (or more) per row.
    slack = 0 if connection.vendor == "postgresql" else 12
    with django_assert_max_num_queries(small_count + slack):
        result = run_import(kind, large, "f.csv", world.editor_a)
    assert result.ok and result.summary["created"] + result.summary["updated"] == 200


# --- templates --------------------------------------------------------------------------------------

def test_xlsx_template_has_chinese_headers_with_english_keys_in_comments(world, client):
    client.force_login(world.editor_a)
    response = client.get("/imports/templates/organizations.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["组织代码", "组织名称", "组织类别"]
    assert sheet["A1"].comment.text.startswith("code *")
    # A filled-in template imports as it is.
    sheet.append(["DTPL", "模板支部", "branch", "individual", None, "431281001", "2023-01-01", None, None])
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    assert run_import("organizations", buffer.getvalue(), "t.xlsx", world.editor_a).ok


# --- command ----------------------------------------------------------------------------------------

def test_import_data_prints_every_error_and_the_summary(world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("uscc,name,region_code", "123,坏,431281001", f"{make_uscc(9001)},好,999"))
    err = io.StringIO()
    with translation.override("en"), pytest.raises(CommandError, match="2 errors"):
        call_command("import_data", "enterprises", str(bad), "--user", world.editor_a.username, stderr=err)
    assert [line.split(",")[0] for line in err.getvalue().splitlines()] == ["row 2", "row 3"]
    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx_bytes([["uscc", "name", "region_code"], [make_uscc(9002), "命令导入", "431281001"]]))
    out = io.StringIO()
    call_command("import_data", "enterprises", str(good), "--user", world.editor_a.username, stdout=out)
    assert out.getvalue().strip() == "enterprises: 1 created, 0 updated, 0 unchanged"
    assert Enterprise.objects.get(name="命令导入").history.first().history_user == world.editor_a


def test_import_data_refuses_an_unknown_kind(world, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "x.csv"
    path.write_bytes(b"a\n1\n")
    with pytest.raises(CommandError):
        call_command("import_data", "weather", str(path), "--user", world.admin.username)


def test_columns_absent_from_the_file_keep_their_stored_values(world):
    ent = world.ent_a
    Enterprise.objects.filter(pk=ent.pk).update(status="suspended", industry="C", employees=300)
    data = csv_bytes("uscc,name,region_code", f"{ent.uscc},洪江甲公司（新名）,431281001")
    result = run_import("enterprises", data, "e.csv", world.editor_a)
    assert result.summary["updated"] == 1, result.messages()
    ent.refresh_from_db()
    assert (ent.name, ent.status, ent.industry, ent.employees) == ("洪江甲公司（新名）", "suspended", "C", 300)


def test_an_organization_file_without_parent_column_leaves_the_tree_alone(world):
    child = make_organization("DA2", world.town_a, parent=world.org_a, secretary_name="张书记")
    data = csv_bytes("code,name,kind,formation_mode,region_code,established_on",
                     "DA2,甲公司第二支部,branch,individual,431281001,2020-01-01")
    result = run_import("organizations", data, "o.csv", world.editor_a)
    assert result.summary["updated"] == 1, result.messages()
    child = PartyOrganization.objects.get(pk=child.pk)
    assert PartyOrganization.objects.get_parent(child).code == "DA1" and child.secretary_name == "张书记"


def test_an_unfilled_template_is_refused_rather_than_imported_as_nothing(world, client):
    client.force_login(world.editor_a)
    template = client.get("/imports/templates/regions.csv").content
    result = run_import("regions", template, "regions.csv", world.editor_a)
    assert not result.ok and len(result.file_errors) == 1
