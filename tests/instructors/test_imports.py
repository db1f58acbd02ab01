
import pytest

from core.imports import run_import
from instructors.models import Assignment, Batch, Instructor

from .helpers import make_id_number, make_instructor

pytestmark = pytest.mark.django_db


def csv_bytes(*lines):
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_instructor_import_creates_in_the_users_region_and_reimport_changes_nothing(world):
    make_instructor(world.county_a)  # the "party" type
    one, two = make_id_number(21), make_id_number(22)
    data = csv_bytes("姓名,身份证号,指导员类型,派出单位,开始日期", f"王五,{one},party,县财政局,2026-01-01",
                     f"赵六,{two},党建指导员,,2026-02-01")
    result = run_import("instructors", data, "i.csv", world.editor_a)
    assert result.ok, result.messages()
    assert result.summary["created"] == 2
    assert Instructor.objects.get(id_number=one).region == world.county_a
    again = run_import("instructors", data, "i.csv", world.editor_a)
    assert again.summary == {"created": 0, "updated": 0, "unchanged": 2, "errors": 0}


def test_instructor_import_lists_every_bad_row_and_writes_nothing(world):
    make_instructor(world.county_a)
    good = make_id_number(23)
    data = csv_bytes("name,id_number,type,source_unit,active_from", f"王五,{good},party,,2026-01-01",
                     f"赵六,{good[:-1]}{'1' if good[-1] != '1' else '2'},party,,2026-01-01",
                     f"钱七,{make_id_number(24)},nonsense,,2026-01-01")
    result = run_import("instructors", data, "i.csv", world.editor_a)
    assert not result.ok
    assert [e.row for e in result.errors] == [3, 4]
    assert "check character" in result.messages()[0] and "not an instructor type" in result.messages()[1]
    assert Instructor.objects.count() == 1


def test_assignment_import_creates_batches_refuses_overlaps_and_out_of_scope(world, django_assert_max_num_queries):
    person = make_instructor(world.county_a)
    header = "instructor_id_number,enterprise_uscc,batch,start_on,end_on"
    good = csv_bytes(header, f"{person.id_number},{world.ent_a.uscc},第5批,2026-01-01,2026-07-01",
                     f"{person.id_number},{world.ent_a.uscc},第5批,2026-07-01,")
    with django_assert_max_num_queries(25):
        result = run_import("instructor-assignments", good, "a.csv", world.editor_a)
    assert result.ok, result.messages()
    assert Assignment.objects.filter(batch__name="第5批", batch__region=world.county_a).count() == 2
    assert Batch.objects.count() == 1
    assert run_import("instructor-assignments", good, "a.csv", world.editor_a).summary["unchanged"] == 2

    bad = csv_bytes(header, f"{person.id_number},{world.ent_a.uscc},,2026-03-01,2026-04-01",
                    f"{person.id_number},{world.ent_b.uscc},,2026-03-01,")
    result = run_import("instructor-assignments", bad, "a.csv", world.editor_a)
    assert [e.row for e in result.errors] == [2, 3]
    assert "already assigned" in result.messages()[0]
    assert "No enterprise with this USCC in your scope" in result.messages()[1]
    assert Assignment.objects.count() == 2


def test_import_data_command_loads_instructors_and_assignments_from_xlsx(world, tmp_path):
    from django.core.management import call_command
    from openpyxl import Workbook

    make_instructor(world.county_a)
    number = make_id_number(31)
    people = Workbook()
    people.active.append(["姓名", "身份证号", "指导员类型", "派出单位", "开始日期"])
    people.active.append(["孙八", number, "party", "县商务局", "2026-01-01"])
    people.save(tmp_path / "people.xlsx")
    call_command("import_data", "instructors", str(tmp_path / "people.xlsx"), "--user", world.editor_a.username)
    links = Workbook()
    links.active.append(["instructor_id_number", "enterprise_uscc", "batch", "start_on", "end_on"])
    links.active.append([number, world.ent_a.uscc, "第6批", "2026-02-01", None])
    links.save(tmp_path / "links.xlsx")
    call_command("import_data", "instructor-assignments", str(tmp_path / "links.xlsx"), "--user",
                 world.editor_a.username)
    assert Assignment.objects.get(instructor__id_number=number).batch.name == "第6批"
