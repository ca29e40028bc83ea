"""How the local workbook looks to a seller: formats, dropdowns, checkboxes, wrap, print, chart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.cli import main
from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.ports import ChartSpec, TabLayout, TabUpdate

ORDERS = tab_layout("orders", "id")
TOOL = 15  # the tool's columns come first; Lunas, Tindakan penjual, No. resi, Catatan penjual
#: The Orders tab's validations: the Lunas checkbox and the seller-action dropdown (its words
#: come from the layout, so a new action shows up here by itself).
SELLER_DROPDOWNS = {
    "P": '"TRUE,FALSE"',
    "Q": '"' + ",".join(ORDERS.columns[TOOL + 1].options) + '"',
}


def _validations(sheet: Worksheet) -> dict[str, str]:
    """Column letter(s) of each validation's range → its list."""
    return {
        str(validation.sqref).split(":")[0].rstrip("0123456789"): validation.formula1
        for validation in sheet.data_validations.dataValidation
    }


def _write(path: Path, *updates: TabUpdate) -> Worksheet:
    if not path.exists():
        book = Workbook()
        book.active.title = "Produk"
        book.save(path)
    WorkbookBackend(path).write(list(updates))
    book = load_workbook(path)
    return book[updates[0].tab]


def _order_row(number: int, items: str = "1× Nastar", problems: Any = None) -> list[Any]:
    return [
        f"PO-{number:04d}",
        "PO 1",
        dt.datetime(2027, 2, 6, 9),
        "Ani",
        "ani@example.com",
        "'+62812",
        items,
        85000,
        85123,
        "Dikonfirmasi",
        None,
        problems,
        None,
        "https://wa.me/62812",
        number + 1,
    ]


def test_orders_tab_from_full_header_has_dropdowns_on_seller_columns(tmp_path: Path) -> None:
    header = [spec.header for spec in ORDERS.columns]
    sheet = _write(
        tmp_path / "shop.xlsx",
        TabUpdate("Pesanan", tuple(range(len(header))), [header, _order_row(1)], ORDERS),
    )
    assert header[TOOL : TOOL + 2] == ["Lunas", "Tindakan penjual"]
    assert _validations(sheet) == SELLER_DROPDOWNS
    assert sheet.freeze_panes == "A2"


def test_orders_tab_first_written_from_a_partial_update_gets_the_right_columns(
    tmp_path: Path,
) -> None:
    """The first update lays out the tab: its layout describes ``columns``, not 0, 1, 2…"""
    seller = TabLayout(ORDERS.columns[TOOL:], ORDERS.currency_format)
    header = [spec.header for spec in seller.columns]
    sheet = _write(
        tmp_path / "shop.xlsx",
        TabUpdate("Pesanan", tuple(range(TOOL, TOOL + 4)), [header], seller),
    )
    assert _validations(sheet) == SELLER_DROPDOWNS
    assert sheet.column_dimensions["A"].width != ORDERS.columns[TOOL].width


def test_seller_columns_added_to_an_existing_tab_get_their_dropdowns_once(tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    tool = TabLayout(ORDERS.columns[:TOOL], ORDERS.currency_format)
    _write(path, TabUpdate("Pesanan", tuple(range(TOOL)), [[s.header for s in tool.columns]], tool))
    seller = TabLayout(ORDERS.columns[TOOL:], ORDERS.currency_format)
    added = TabUpdate(
        "Pesanan", tuple(range(TOOL, TOOL + 4)), [[s.header for s in seller.columns]], seller
    )
    _write(path, added)
    sheet = _write(path, added)  # headers already there: nothing is added twice
    assert len(sheet.data_validations.dataValidation) == 2
    assert _validations(sheet) == SELLER_DROPDOWNS


def test_formats_header_and_print_setup(tmp_path: Path) -> None:
    header = [spec.header for spec in ORDERS.columns]
    sheet = _write(
        tmp_path / "shop.xlsx",
        TabUpdate("Pesanan", tuple(range(len(header))), [header, _order_row(1)], ORDERS),
    )
    money = sheet["H2"].number_format
    assert money == '[$-421]"Rp"#,##0'  # Rp85.000 whatever the computer's locale
    assert sheet["I2"].number_format == money
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet["N2"].hyperlink.target == "https://wa.me/62812"
    assert sheet["A1"].font.b
    assert sheet["A1"].font.name == "Calibri"
    assert sheet.row_dimensions[1].height == 30
    assert sheet.column_dimensions["O"].width >= len("respons") + 2  # "Baris respons"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1"


def test_packing_list_prints_one_page_wide(tmp_path: Path) -> None:
    """The packing list prints one page wide, with no checkbox the next sync would erase."""
    layout = tab_layout("packing", "id")
    header = [spec.header for spec in layout.columns]
    sheet = _write(
        tmp_path / "shop.xlsx", TabUpdate("Daftar packing", tuple(range(8)), [header], layout)
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.page_setup.fitToHeight == 0
    assert _validations(sheet) == {}  # Lunas/Belum is a word: a tick there would be lost


def test_long_text_wraps_and_the_row_grows_then_shrinks(tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    header = [spec.header for spec in ORDERS.columns[:TOOL]]
    layout = TabLayout(ORDERS.columns[:TOOL], ORDERS.currency_format)
    long_problem = "kolom \"Nastar Premium (jar)\" berisi 'dua' — tulis angka bulat, misalnya 2"
    rows = [header, _order_row(1, problems=long_problem), _order_row(2)]
    sheet = _write(path, TabUpdate("Pesanan", tuple(range(TOOL)), rows, layout))
    assert sheet["L2"].alignment.wrap_text
    assert sheet["G2"].alignment.wrap_text  # Item
    assert sheet["A2"].alignment.vertical == "top"  # lined up with the wrapped text
    assert sheet.row_dimensions[2].height == 30
    assert sheet.row_dimensions[3].height is None
    fixed = TabUpdate("Pesanan", tuple(range(TOOL)), [_order_row(1)], layout, start_row=1)
    sheet = _write(path, fixed)
    assert sheet.row_dimensions[2].height is None


def test_summary_chart_reaches_full_and_shows_over_capacity(tmp_path: Path) -> None:
    layout = tab_layout("summary", "id")
    header = [spec.header for spec in layout.columns]
    rows: list[list[Any]] = [header]
    for sku, filled in (("A", 0.25), ("B", 1.3)):
        rows.append(["PO 1", sku, f"Kue {sku}", 10, 3, 0, 7, filled, 1000, 0])
    chart = ChartSpec("Terisi % — PO 1", 2, 7, 1, 2, 11)
    charted = TabLayout(layout.columns, layout.currency_format, chart)
    sheet = _write(tmp_path / "shop.xlsx", TabUpdate("Ringkasan", tuple(range(10)), rows, charted))
    assert sheet["H2"].number_format == "0%"
    drawn = sheet._charts
    assert len(drawn) == 1
    assert drawn[0].y_axis.scaling.max == 1.3
    assert drawn[0].x_axis.scaling.orientation == "maxMin"


def test_demo_workbook_has_every_tab_frozen_and_validated(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "look"), "--now", "2027-02-20T10:00"])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "look" / "shop.xlsx")
    seller = ["Produk", "Bahan", "Batch", "Respons Formulir 1"]
    tool = {"Pesanan", "Ringkasan", "Kebutuhan bahan", "Daftar packing", "Email"}
    tool |= {"Pembayaran", "Status publik"}
    assert book.sheetnames[:4] == seller  # the seller's tabs first, as init made them
    visible = {sheet.title for sheet in book if sheet.sheet_state == "visible"}
    assert visible == {*seller, "Mutasi rekening", "Testimoni"} | tool
    hidden = [sheet.title for sheet in book if sheet.sheet_state != "visible"]
    assert len(hidden) <= 1  # at most the tool's memory, hidden from the seller
    for sheet in book:
        assert sheet.freeze_panes == "A2", sheet.title
    assert _validations(book["Produk"]) == {"G": '"TRUE,FALSE"'}
    assert _validations(book["Batch"])["E"].startswith('"Produksi')
    assert _validations(book["Pesanan"]) == SELLER_DROPDOWNS
    assert len(book["Ringkasan"]._charts) == 1
    summary = book["Ringkasan"]
    assert summary["I2"].number_format.endswith('"Rp"#,##0')
