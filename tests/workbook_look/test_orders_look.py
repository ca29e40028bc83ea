"""The workbook's `Orders` and `Packing list` on screen and on paper: filter, colours, print.

:func:`~openorder_sheets.adapters.workbook_look.apply_look` is called here on tabs the workbook
backend wrote, as the backend calls it after a write.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.filters import FilterColumn, Filters
from openpyxl.worksheet.worksheet import Worksheet

from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.adapters.workbook_look import apply_look, lacks_look
from openorder_sheets.cli import main
from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.ports import TabLayout, TabUpdate

ORDERS = tab_layout("orders", "id")
PACKING = tab_layout("packing", "id")
HEADERS = [spec.header for spec in ORDERS.columns]


def _order_row(number: int, status: str, progress: str | None = None) -> list[Any]:
    return [
        f"PO-{number:04d}",
        "PO 1",
        dt.datetime(2027, 2, 6, 9),
        "Ani",
        "ani@example.com",
        "+62 812-3456-7890",
        "1× Nastar",
        85000,
        85000 + number,
        status,
        progress,
        None,
        None,
        "https://wa.me/62812",
        number + 1,
    ]


def _whole(tab: str, layout: TabLayout, rows: list[list[Any]]) -> TabUpdate:
    header = [spec.header for spec in layout.columns]
    return TabUpdate(tab, tuple(range(len(header))), [header, *rows], layout)


def _written(path: Path, update: TabUpdate) -> Worksheet:
    """The tab as the workbook backend writes it, then the look applied, saved and read back."""
    if not path.exists():
        book = Workbook()
        book.active.title = "Produk"
        book.save(path)
    WorkbookBackend(path).write([update])
    book = load_workbook(path)
    apply_look(book[update.tab], update)
    book.save(path)
    return load_workbook(path)[update.tab]


def _rules(sheet: Worksheet) -> dict[str, list[tuple[str, str, str]]]:
    """Column letter → (formula, fill, font colour) of each conditional format."""
    found: dict[str, list[tuple[str, str, str]]] = {}
    for formatting in sheet.conditional_formatting:
        letter = str(formatting.sqref).split(":")[0].rstrip("0123456789")
        for rule in formatting.rules:
            fill = rule.dxf.fill.fgColor.rgb or rule.dxf.fill.bgColor.rgb
            found.setdefault(letter, []).append((rule.formula[0], fill, rule.dxf.font.color.rgb))
    return found


def _fill_for(rules: list[tuple[str, str, str]], word: str) -> str:
    return next(fill for formula, fill, _ in rules if f'="{word}"' in formula)


def test_orders_gets_filter_buttons_over_every_row_and_status_colours(tmp_path: Path) -> None:
    """Filter buttons on the header row; Status and Progress coloured in both languages."""
    rows = [_order_row(1, "Dikonfirmasi", "Lunas"), _order_row(2, "Daftar tunggu")]
    sheet = _written(tmp_path / "shop.xlsx", _whole("Pesanan", ORDERS, rows))
    assert sheet.auto_filter.ref == "A1:S1048576"  # every row, however many orders come
    rules = _rules(sheet)
    assert set(rules) == {"J", "K"}  # Status, Progres
    status = rules["J"]
    green = _fill_for(status, "Dikonfirmasi")
    assert green.endswith("C6EFCE")
    assert _fill_for(status, "Confirmed") == green
    assert _fill_for(status, "Daftar tunggu").endswith("FFEB9C")
    assert _fill_for(status, "Perlu dicek") == _fill_for(status, "Ditolak")
    assert _fill_for(status, "Ditolak").endswith("FFC7CE")
    grey = _fill_for(status, "Kedaluwarsa")
    assert _fill_for(status, "Duplikat") == _fill_for(status, "Dibatalkan") == grey
    assert _fill_for(rules["K"], "Lunas") == green
    assert not any('"Menunggu pembayaran"' in formula for formula, _, _ in rules["K"])
    assert status[0][0].startswith("OR(J2=")  # relative: each row tests its own cell


def test_orders_prints_landscape_one_page_wide_through_problems(tmp_path: Path) -> None:
    """Landscape, one page wide, header on every page; `Last email` onwards stays off paper."""
    sheet = _written(tmp_path / "shop.xlsx", _whole("Pesanan", ORDERS, [_order_row(1, "Ditolak")]))
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.print_area == "'Pesanan'!$A$1:$L$1048576"
    assert HEADERS[11] == "Masalah"  # L: Problems is the last printed column
    assert sheet.freeze_panes == "A2"


def test_packing_list_prints_one_page_wide_with_paid_in_green(tmp_path: Path) -> None:
    """The packing list fits its eight columns on one page width, wrapped, `Lunas` green."""
    rows = [["— PO 1 —", None, None, None, None, None, None, None]]
    rows.append(
        [
            "PO-0001",
            "Ani",
            "+62 812-3456-7890",
            "Jl. Melati 1",
            "Kurir",
            "1× Nastar",
            "",
            "Kurang Rp150.000",
        ]
    )
    sheet = _written(tmp_path / "shop.xlsx", _whole("Daftar packing", PACKING, rows))
    assert sheet.print_area == "'Daftar packing'!$A$1:$H$1048576"
    assert sheet.page_setup.orientation == "landscape"  # 8 columns: too small in portrait
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$1:$1"
    assert _fill_for(_rules(sheet)["H"], "Lunas").endswith("C6EFCE")
    assert sheet["H3"].alignment.wrap_text  # "Kurang Rp150.000" is not cut at the page edge
    assert sheet["D3"].alignment.wrap_text
    assert not sheet.auto_filter.ref  # batch headings between the rows: no filter here


def test_a_narrow_tab_prints_portrait() -> None:
    """A tab whose printed columns fit a portrait page readably is printed portrait."""
    layout = TabLayout(tuple(spec for spec in PACKING.columns[:3]))
    sheet = Workbook().active
    for letter, spec in zip("ABC", layout.columns, strict=False):
        sheet.column_dimensions[letter].width = spec.width
    apply_look(sheet, TabUpdate("Daftar packing", (0, 1, 2), [], layout))
    assert sheet.page_setup.orientation == "portrait"


def test_applying_the_look_again_adds_nothing_and_keeps_the_sellers_filter(
    tmp_path: Path,
) -> None:
    """Every write re-applies the look: no second rule, and her chosen filter stays."""
    path = tmp_path / "shop.xlsx"
    update = _whole("Pesanan", ORDERS, [_order_row(1, "Dikonfirmasi")])
    sheet = _written(path, update)
    book = sheet.parent
    chosen = FilterColumn(colId=9, filters=Filters(filter=["Dikonfirmasi"]))
    sheet.auto_filter.filterColumn.append(chosen)
    book.save(path)
    for _ in range(2):
        book = load_workbook(path)
        apply_look(book["Pesanan"], update)
        book.save(path)
    sheet = load_workbook(path)["Pesanan"]
    assert sum(len(rules) for rules in _rules(sheet).values()) == 6
    priorities = [rule.priority for cf in sheet.conditional_formatting for rule in cf.rules]
    assert len(set(priorities)) == len(priorities)  # Excel "repairs" a file with duplicates
    assert [c.colId for c in sheet.auto_filter.filterColumn] == [9]


def test_a_partial_write_colours_the_columns_where_they_are(tmp_path: Path) -> None:
    """A seller column inserted before Status: the colours follow the update's columns."""
    sheet = Workbook().active
    tool = ORDERS.columns[9:11]  # Status, Progres, written to K and L
    apply_look(
        sheet, TabUpdate("Pesanan", (10, 11), [["Dikonfirmasi", "Lunas"]], TabLayout(tool), 3)
    )
    rules = _rules(sheet)
    assert set(rules) == {"K", "L"}
    assert rules["K"][0][0].startswith("OR(K2=")


def test_a_tab_written_without_the_look_is_told_apart(tmp_path: Path) -> None:
    """`lacks_look` spots a tab made before the look existed, from its XML alone."""
    path = tmp_path / "shop.xlsx"
    update = _whole("Pesanan", ORDERS, [_order_row(1, "Dikonfirmasi")])
    old = Workbook()  # as a version before the look wrote it: plain cells
    sheet = old.create_sheet("Pesanan")
    for row in update.rows:
        sheet.append(list(row or ()))
    old.save(path)
    book = load_workbook(path)
    bare = _sheet_xml(path, book.sheetnames.index("Pesanan"))
    assert lacks_look(bare, update)
    apply_look(book["Pesanan"], update)
    book.save(path)
    assert not lacks_look(_sheet_xml(path, book.sheetnames.index("Pesanan")), update)
    emails = tab_layout("emails", "id")
    assert not lacks_look(bare, _whole("Email", emails, []))  # nothing asked, nothing lacking


def _sheet_xml(path: Path, index: int) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(f"xl/worksheets/sheet{index + 1}.xml")


_SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(_SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_the_demo_orders_and_packing_list_print_one_page_wide(tmp_path: Path) -> None:
    """Rendered by LibreOffice: the demo's Orders (4 pages wide before) and Packing list each
    print on one landscape page."""
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "demo"), "--now", "2027-02-20T10:00"])
    assert result.exit_code == 0, result.output
    for key, tab in (("orders", "Pesanan"), ("packing", "Daftar packing")):
        book = load_workbook(tmp_path / "demo" / "shop.xlsx")
        for name in [n for n in book.sheetnames if n != tab]:
            del book[name]
        layout = tab_layout(key, "id")
        apply_look(book[tab], TabUpdate(tab, tuple(range(len(layout.columns))), [], layout))
        assert book[tab].max_row < 30  # few enough rows for one page down
        book.save(tmp_path / f"{key}.xlsx")
        pdf = _pdf(tmp_path / f"{key}.xlsx", tmp_path)
        pages = re.findall(rb"/Type\s*/Page\b(?!s)", pdf)
        assert len(pages) == 1, (tab, len(pages))
        width, height = (
            float(v) for v in re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)[0]
        )
        assert width > height, tab  # landscape


def _pdf(workbook: Path, folder: Path) -> bytes:
    assert _SOFFICE is not None
    profile = (folder / "lo-profile").as_uri()  # its own profile: runs beside another soffice
    subprocess.run(
        [_SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(workbook)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return workbook.with_suffix(".pdf").read_bytes()
