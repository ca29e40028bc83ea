"""The local workbook's fast path: values read with python-calamine exactly as openpyxl reads
them, tool tabs written by patching the file, the seller's tabs left byte for byte."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from collections.abc import Callable
from copy import copy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.xml.functions import tostring

from openorder_sheets.adapters.templates import TemplateRenderer
from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.adapters.workbook_openpyxl import grid_of, load_whole
from openorder_sheets.adapters.workbook_package import Package, PackageUnsupported
from openorder_sheets.adapters.workbook_values import FastReader, read_values
from openorder_sheets.cli import main
from openorder_sheets.errors import ConfigError
from openorder_sheets.ports import Grid
from openorder_sheets.service.composition import Shop
from openorder_sheets.testing.fakes import RecordingTransport
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

NOW = "2027-02-16 10:00"
LATER = "2027-02-16 12:00"
#: What buyers type into a form, and what a spreadsheet makes of it.
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example","klik")',
    "=1+1",
    "+62 812",
    "-",
    "@budi",
    "'quoted",
    "   ",
    " Ani ",
    "Putu\r\nBcc: evil@example.com",
    "tab\there",
    "Kak {{ 7*7 }} <b>Ani</b> & co",
    "#N/A",
    "Ibu Ṣiti 👩‍🍳",
    "\u202eRTL\u202c",
    "TRUE",
    "1e5",
    "0812",
    "",
]


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types, all the way down (2 and 2.0 are not the same here)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _both_readings(path: Path) -> tuple[dict[str, Grid | None], dict[str, Grid]]:
    data = path.read_bytes()
    package = Package(data)
    names = [sheet.name for sheet in package.sheets()]
    book = load_whole(data)
    return read_values(package, names), {name: grid_of(book[name]) for name in names}


def _read_by_calamine(path: Path) -> set[str]:
    """The tabs python-calamine reads (the rest go to openpyxl)."""
    package = Package(path.read_bytes())
    reader = FastReader(package)
    return {sheet.name for sheet in package.sheets() if reader.grid(sheet) is not None}


def _assert_same_values(path: Path) -> None:
    fast, reference = _both_readings(path)
    assert fast.keys() == reference.keys()
    for name, grid in reference.items():
        assert _same(fast[name], grid), name


def _hostile(builder: ShopBuilder) -> ShopBuilder:
    builder.product("NASTAR", "Nastar", 85000, capacity=6)
    builder.product("KASTENGEL", "Kastengel", 95000.5, capacity=3, max_per_buyer=2)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00", note="  ")
    for index, name in enumerate(HOSTILE_NAMES):
        builder.response(
            f"2027-02-02 10:{index:02d}",
            f"buyer{index}@example.com",
            name,
            phone=["081234567890", 6281234567890, "", "+62 812-3456-7890"][index % 4],
            notes=name,
            Nastar=["1", 2, "dua", 2.5, None, "2 jar", True][index % 7],
            Kastengel=[None, 1, "1", 3][index % 4],
        )
    return builder


def test_calamine_reads_hostile_text_exactly_as_openpyxl(tmp_path: Path) -> None:
    """Formulas typed as names, spaces, line breaks, numbers as text: every tab, every value
    and type the same through python-calamine as through openpyxl, before and after syncs."""
    built = _as_init(_hostile(ShopBuilder(tmp_path, backend="workbook")).build())
    path = tmp_path / "shop.xlsx"
    _assert_same_values(path)
    built.sync(NOW)
    built.sync(LATER)
    _assert_same_values(path)
    served = _read_by_calamine(path)
    assert {"Form Responses 1", "Orders", "Emails", "Products", "Batches"} <= served


def test_calamine_reads_the_demo_shop_exactly_as_openpyxl(tmp_path: Path) -> None:
    """The demo's form answers (dua, 1.5, =HYPERLINK(…), {{ 7*7 }}, line breaks) and its synced
    tabs read the same through both."""
    folder = tmp_path / "demo"
    assert CliRunner().invoke(main, ["demo", str(folder)]).exit_code == 0
    _assert_same_values(folder / "shop.xlsx")
    assert len(_read_by_calamine(folder / "shop.xlsx")) >= 8


def test_calamine_reads_a_generated_bench_shop_exactly_as_openpyxl(tmp_path: Path) -> None:
    """The bench's generated shop (bad quantities, double and edited answers, hostile and long
    text), before and after its first sync: the same values through both readers."""
    shopgen = pytest.importorskip("bench.shopgen")
    materialize = pytest.importorskip("bench.materialize")
    shop = shopgen.generate(400, seed=7)
    config = materialize.make_workbook_shop(shop, tmp_path)
    path = config.sheet.workbook
    _assert_same_values(path)
    transport = RecordingTransport()
    local = Shop(
        config,
        WorkbookBackend(path),
        lambda: transport,
        TemplateRenderer(config.shop.language),
        config.state_dir,
    )
    BuiltShop(local, transport, config).sync(shop.now)
    _assert_same_values(path)
    assert config.tab("responses") in _read_by_calamine(path)


# -- cells written by other programs --------------------------------------------------------------

_SHEET = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>{cells}</sheetData>{tail}</worksheet>"
)
_STRINGS = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'


def _workbook(cells: str, strings: str = "", tail: str = "", date1904: bool = False) -> bytes:
    """A workbook whose one tab holds ``cells`` (XML of rows) as another program wrote them."""
    book = Workbook()
    sheet = book.active
    sheet.title = "T"
    for column, code in enumerate(
        ["yyyy-mm-dd hh:mm", "yyyy-mm-dd", "h:mm:ss", "[h]:mm:ss", "0.00", "@"], start=1
    ):
        sheet.cell(row=1, column=column).number_format = code  # styles 1..6
    path_bytes = _saved(book)
    parts = _parts(path_bytes)
    parts["xl/worksheets/sheet1.xml"] = _SHEET.format(cells=cells, tail=tail).encode()
    parts["xl/sharedStrings.xml"] = _STRINGS.format(strings=strings).encode()
    types = parts["[Content_Types].xml"]
    if b"sharedStrings" not in types:
        override = (
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
        parts["[Content_Types].xml"] = types.replace(b"</Types>", override + b"</Types>")
    if date1904:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            b"<workbookPr />", b'<workbookPr date1904="1" />'
        )
        assert b"date1904" in parts["xl/workbook.xml"]
    return _zipped(parts)


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return {name: source.read(name) for name in source.namelist()}


def _zipped(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out.getvalue()


def _row(number: int, *cells: str) -> str:
    return f'<row r="{number}">{"".join(cells)}</row>'


STRINGS = (
    "<si><t>plain</t></si>"
    '<si><t xml:space="preserve">  kept  </t></si>'
    "<si><r><t>ri</t></r><r><rPr><b/></rPr><t>ch</t></r></si>"
    '<si><t>base</t><rPh sb="0" eb="1"><t>PH</t></rPh></si>'
    "<si><t>=HYPERLINK(&quot;x&quot;)</t></si>"
    "<si><t>line&#13;&#10;two</t></si>"
)
#: Each case: rows of cells as Excel, LibreOffice, Google or openpyxl may write them.
CELLS = {
    "numbers": _row(
        1,
        '<c r="A1"><v>7</v></c>',
        '<c r="B1"><v>0042</v></c>',
        '<c r="C1"><v>+5</v></c>',
        '<c r="D1"><v>-0</v></c>',
        '<c r="E1"><v>2.5</v></c>',
        '<c r="F1"><v>0.30000000000000004</v></c>',
        '<c r="G1" t="n"><v>6281234567890</v></c>',
    ),
    "numbers openpyxl must type": _row(
        1, '<c r="A1"><v>7.0</v></c>', '<c r="B1"><v>1E+21</v></c>', '<c r="C1"><v>1E-3</v></c>'
    )
    + _row(2, '<c r="A2"><v>12345678901234567890</v></c>'),
    "booleans and shared strings": _row(
        1,
        '<c r="A1" t="b"><v>1</v></c>',
        '<c r="B1" t="b"><v>0</v></c>',
        *(f'<c r="{get_column_letter(3 + i)}1" t="s"><v>{i}</v></c>' for i in range(6)),
    ),
    "inline text calamine would trim": _row(
        1,
        '<c r="A1" t="inlineStr"><is><t>   </t></is></c>',
        '<c r="B1" t="inlineStr"><is><t> lead</t></is></c>',
        '<c r="C1" t="inlineStr"><is><t>trail&#32;</t></is></c>',
        '<c r="D1" t="inlineStr"><is><t xml:space="preserve"> kept </t></is></c>',
        '<c r="E1" t="inlineStr"><is><t>a\r\nb</t></is></c>',
    ),
    "empty text": _row(
        1,
        '<c r="A1" t="inlineStr"><is><t/></is></c>',
        '<c r="B1" t="inlineStr"><is><t></t></is></c>',
        '<c r="C1" t="inlineStr"/>',
        '<c r="D1" t="str"><v></v></c>',
        '<c r="E1" t="inlineStr"><is><t>x</t></is></c>',
    ),
    "formulas": _row(
        1,
        '<c r="A1"><f>SUM(1,2)</f><v>3</v></c>',
        '<c r="B1" t="str"><f>"="&amp;"x"</f><v>=x</v></c>',
        '<c r="C1"><f>1+1</f><v/></c>',
        '<c r="D1"><f ca="1">NOW()</f><v>46054.5</v></c>',
    ),
    "shared and array formulas": _row(
        1,
        '<c r="A1"><v>1</v></c>',
        '<c r="B1"><f t="shared" ref="B1:B2" si="0">A1*2</f><v>2</v></c>',
    )
    + _row(2, '<c r="B2"><f t="shared" si="0"/><v>0</v></c>'),
    "errors": _row(
        1,
        '<c r="A1" t="e"><v>#N/A</v></c>',
        '<c r="B1" t="e"/>',
        '<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c>',
    ),
    "ISO dates": _row(1, '<c r="B1" t="d"><v>2026-02-01T10:00:00</v></c>'),
    "escapes": _row(1, '<c r="A1" t="inlineStr"><is><t>a_x000D_b</t></is></c>'),
    "dates and times": _row(
        1,
        '<c r="A1" s="1"><v>46054.43316115111</v></c>',
        '<c r="B1" s="2"><v>46054</v></c>',
        '<c r="C1" s="3"><v>0.4375</v></c>',
        '<c r="D1" s="4"><v>1.25</v></c>',
        '<c r="E1" s="1"><v>0.5</v></c>',
        '<c r="F1" s="1"><v>59.5</v></c>',
        '<c r="G1" s="2"><v>2958466</v></c>',
        '<c r="H1" s="5"><v>46054.5</v></c>',
        '<c r="I1" s="6"><v>46054.5</v></c>',
        '<c r="J1" s="1" t="inlineStr"><is><t>not a date</t></is></c>',
    )
    + _row(
        2,
        '<c r="A2" s="1"><v>46221.11797453125</v></c>',
        '<c r="B2" s="1"><v>46389.8037197743</v></c>',
    ),
    "blank styled cells beyond the values": _row(1, '<c r="A1"><v>1</v></c>', '<c r="F1" s="5"/>')
    + _row(9, '<c r="B9" s="5"/>'),
    "cells without their address": _row(
        1, '<c r="A1"><v>1</v></c>', "<c><v>2</v></c>", '<c r="E1"><v>3</v></c>', "<c><v>4</v></c>"
    )
    + "<row><c><v>5</v></c></row>",
}
TAILS = {
    "merged": ('<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>', "<mergeCells "
               'count="1"><mergeCell ref="A1:B1"/></mergeCells>'),
    "link on a value": ('<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>',
                        '<hyperlinks><hyperlink ref="A1" location="T!A1"/></hyperlinks>'),
    "link on a blank": ('<row r="1"><c r="A1"><v>1</v></c></row>',
                        '<hyperlinks><hyperlink ref="C3" location="T!A1"/></hyperlinks>'),
}  # fmt: skip


def _check(data: bytes) -> None:
    package = Package(data)
    fast = read_values(package, ["T", "missing"])
    reference = grid_of(load_whole(data)["T"])
    assert fast["missing"] is None
    assert _same(fast["T"], reference), (fast["T"], reference)


def test_cells_other_programs_write_read_as_openpyxl_reads_them() -> None:
    """Each kind of cell, as another program writes it: converted from calamine's answer, read
    from the XML, or left to openpyxl — always openpyxl's value and type."""
    for name, cells in CELLS.items():
        for date1904 in (False, True):
            try:
                _check(_workbook(cells, STRINGS, date1904=date1904))
            except AssertionError as error:
                raise AssertionError(name) from error
    for name, (cells, tail) in TAILS.items():
        try:
            _check(_workbook(cells, STRINGS, tail))
        except AssertionError as error:
            raise AssertionError(name) from error


def test_shared_strings_calamine_would_trim_are_read_by_openpyxl() -> None:
    """A shared string with spaces kept only by the XML reader, or an empty one."""
    for strings in ("<si><t> x</t></si>", "<si><t></t></si>", "<si><t>a_x000A_b</t></si>"):
        _check(_workbook('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', strings))


def test_dates_are_converted_as_openpyxl_rounds_them_not_as_calamine_does() -> None:
    """A thousand timestamps with microseconds (as the tool writes them): to the millisecond."""
    book = Workbook()
    sheet = book.active
    sheet.title = "T"
    start = dt.datetime(2027, 2, 1, 9, 0)
    for row in range(1, 1001):
        sheet.cell(row=row, column=1).value = start + dt.timedelta(
            seconds=row * 7919, microseconds=(row * 104729) % 1_000_000
        )
    _check(_saved(book))


# -- writing by patching ---------------------------------------------------------------------------


class _NoOpenpyxl(WorkbookBackend):
    """The workbook backend with openpyxl's whole-workbook load forbidden."""

    def _load(self) -> Workbook:
        raise AssertionError("openpyxl loaded the workbook")


def _as_init(built: BuiltShop) -> BuiltShop:
    """The shop as `openorder init` leaves it: the tool's tabs made, with their look."""
    from openorder_sheets.service.setup import tool_tabs

    built.backend.create_tabs(tool_tabs(built.config))
    return built


def _shop(folder: Path, backend: WorkbookBackend, edit: Callable[[ShopBuilder], Any]) -> BuiltShop:
    """A shop on ``folder``'s workbook (already built) with ``backend``."""
    config = edit(ShopBuilder(folder, backend="workbook")).config()
    transport = RecordingTransport()
    shop = Shop(
        config,
        backend,
        lambda: transport,
        TemplateRenderer(config.shop.language),
        config.state_dir,
    )
    return BuiltShop(shop, transport, config)


def test_a_no_op_sync_never_loads_the_workbook_into_openpyxl(tmp_path: Path) -> None:
    """Nothing changed: the re-sync reads with calamine alone and saves nothing."""
    _as_init(_hostile(ShopBuilder(tmp_path, backend="workbook")).build()).sync(NOW)
    path = tmp_path / "shop.xlsx"
    before = path.read_bytes()
    backend = _NoOpenpyxl(path)
    report = _shop(tmp_path, backend, _hostile).sync(NOW)
    assert report.tabs_written == []
    assert backend.saved_by == {}
    assert path.read_bytes() == before
    assert len(_read_by_calamine(path)) == len(Package(before).sheets())


def test_a_sync_with_new_answers_patches_the_file_once_per_write(tmp_path: Path) -> None:
    """New answers: the tool tabs are patched in, one save per write, no openpyxl load."""
    built = _as_init(_hostile(ShopBuilder(tmp_path, backend="workbook")).build())
    built.sync(NOW)
    built.set_cell("responses", len(HOSTILE_NAMES) + 1, "Email Address", "late@example.com")
    for header, value in [("Timestamp", "2027-02-03 08:00"), ("Name", "Late"), ("Nastar", 1)]:
        built.set_cell("responses", len(HOSTILE_NAMES) + 1, header, value)
    backend = _NoOpenpyxl(tmp_path / "shop.xlsx")
    shop = _shop(tmp_path, backend, _hostile)
    report = shop.sync(LATER)
    assert "Orders" in report.tabs_written
    assert backend.saved_by == {"patch": backend.requests.counts["write"]}
    assert len(shop.transport.kinds_to("late@example.com")) == 1


def _width(sheet: Any, index: int) -> float | None:
    """A column's width, also when the file stores it on a range of columns."""
    for dimension in sheet.column_dimensions.values():
        if (dimension.min or 0) <= index <= (dimension.max or 0):
            return float(dimension.width) if dimension.width else None
    return None


def _describe(path: Path) -> dict[str, Any]:
    """Everything openpyxl shows of a workbook: values, styles, links, sizes, rules, charts."""
    book = load_workbook(path, rich_text=False)
    described: dict[str, Any] = {"tabs": book.sheetnames}
    for sheet in book.worksheets:
        cells = {}
        for place, cell in sheet._cells.items():
            if cell.value is None and not cell.has_style and cell.hyperlink is None:
                continue
            look = (
                cell.number_format,
                repr(cell.font),
                repr(cell.fill),
                repr(cell.border),
                repr(cell.alignment),
                repr(cell.protection),
                cell.style,
            )
            link = cell.hyperlink.target if cell.hyperlink is not None else None
            cells[place] = (type(cell.value).__name__, cell.value, look, link)
        described[sheet.title] = {
            "cells": cells,
            "heights": {r: d.height for r, d in sheet.row_dimensions.items() if d.height},
            "widths": [_width(sheet, index) for index in range(1, sheet.max_column + 1)],
            "merged": sorted(str(merged) for merged in sheet.merged_cells.ranges),
            "validations": sorted(
                (str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation
            ),
            "frozen": sheet.freeze_panes,
            "state": sheet.sheet_state,
            "gridlines": bool(sheet.print_options.gridLines),
            "titles": sheet.print_title_rows,
            "area": sheet.print_area,
            "paper": (sheet.page_setup.orientation, sheet.page_setup.fitToWidth),
            "filter": sheet.auto_filter.ref,
            "colours": sorted(
                (str(ranges.sqref), tuple(rule.formula or ()), rule.priority)
                for ranges in sheet.conditional_formatting
                for rule in ranges.rules
            ),
            "charts": [tostring(chart._write()) for chart in sheet._charts],
        }
    return described


def test_a_patched_workbook_is_what_openpyxl_would_have_saved(tmp_path: Path) -> None:
    """First sync, seller edits, new answers, a cancellation: after each, the patched file and
    the one written by openpyxl alone show the same values, styles, links, heights and chart."""
    built = _as_init(_hostile(ShopBuilder(tmp_path / "fast", backend="workbook")).build())
    shutil.copytree(tmp_path / "fast", tmp_path / "openpyxl")
    twin = _shop(
        tmp_path / "openpyxl",
        WorkbookBackend(tmp_path / "openpyxl" / "shop.xlsx", fast=False),
        _hostile,
    )
    steps: list[Callable[[BuiltShop], Any]] = [
        lambda shop: None,
        lambda shop: shop.set_order_cell("PO-0002", "paid", True),
        lambda shop: shop.set_order_cell("PO-0003", "seller_note", "  ambil sendiri\nsore "),
        lambda shop: shop.set_order_cell("PO-0001", "seller_action", "Cancel"),
        lambda shop: shop.set_cell("responses", 3, "Name", "Renamed  "),
    ]
    for step in steps:
        for shop in (built, twin):
            step(shop)
            shop.sync(LATER)
        assert _describe(tmp_path / "fast" / "shop.xlsx") == _describe(
            tmp_path / "openpyxl" / "shop.xlsx"
        )
    assert built.backend.saved_by["openpyxl"] == 0  # type: ignore[attr-defined]
    assert built.backend.saved_by["patch"] > 0  # type: ignore[attr-defined]


_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"([^>]*?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.DOTALL
)


def _as_excel_saves_it(path: Path) -> None:
    """Rewrite the workbook the way Excel lays it out: text in shared strings, rows with spans,
    the relationships namespace declared once on the root."""
    parts = _parts(path.read_bytes())
    strings: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        content = match.group(3)
        kept = b' xml:space="preserve"' if content != content.strip() else b""  # as Excel does
        key = b"<t%s>%s</t>" % (kept, content)
        index = strings.setdefault(key, len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), index)

    for name in list(parts):
        if name.startswith("xl/worksheets/sheet"):
            xml = _INLINE.sub(shared, parts[name])
            xml = re.sub(rb'<row r="([0-9]+)"', rb'<row r="\1" spans="1:30"', xml)
            parts[name] = xml.replace(
                b"<worksheet ",
                b'<worksheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships" ',
                1,
            )
    sst = b"".join(b"<si>%s</si>" % key for key in strings)
    parts["xl/sharedStrings.xml"] = _STRINGS.format(strings=sst.decode()).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdStrings"/>'
        b"</Relationships>",
    )
    path.write_bytes(_zipped(parts))


def test_a_workbook_laid_out_by_excel_reads_and_patches_like_openpyxl(tmp_path: Path) -> None:
    """Shared strings, rows with spans: read the same through both readers, and after syncs
    with new answers the patched file shows what openpyxl would have saved."""
    built = _as_init(_hostile(ShopBuilder(tmp_path / "fast", backend="workbook")).build())
    built.sync(NOW)
    _as_excel_saves_it(tmp_path / "fast" / "shop.xlsx")
    _assert_same_values(tmp_path / "fast" / "shop.xlsx")
    assert "Orders" in _read_by_calamine(tmp_path / "fast" / "shop.xlsx")
    shutil.copytree(tmp_path / "fast", tmp_path / "openpyxl")
    twin = _shop(
        tmp_path / "openpyxl",
        WorkbookBackend(tmp_path / "openpyxl" / "shop.xlsx", fast=False),
        _hostile,
    )
    for shop in (built, twin):
        shop.set_order_cell("PO-0002", "paid", True)
        shop.set_cell("responses", len(HOSTILE_NAMES) + 1, "Email Address", "new@example.com")
        shop.set_cell("responses", len(HOSTILE_NAMES) + 1, "Nastar", 1)
        _as_excel_saves_it(shop.config.sheet.workbook)  # type: ignore[arg-type]
        shop.sync(LATER)
    assert _describe(tmp_path / "fast" / "shop.xlsx") == _describe(
        tmp_path / "openpyxl" / "shop.xlsx"
    )
    assert built.backend.saved_by["openpyxl"] == 0  # type: ignore[attr-defined]


def _sheet_parts(path: Path) -> dict[str, bytes]:
    package = Package(path.read_bytes())
    return {sheet.name: package.read(sheet.part) for sheet in package.sheets()}


def test_a_sync_leaves_the_sellers_tabs_byte_for_byte(tmp_path: Path) -> None:
    """Only tool tabs are written: the seller's tabs keep their exact XML, and so every
    value, style, width and dropdown openpyxl would read from them."""
    built = _as_init(_hostile(ShopBuilder(tmp_path, backend="workbook")).build())
    path = tmp_path / "shop.xlsx"
    book = load_workbook(path)
    red = copy(book["Products"]["A1"].font)
    red.color = "FF0000"
    book["Products"]["A1"].font = red
    book["Products"].column_dimensions["H"].width = 40
    book.save(path)
    before, described = _sheet_parts(path), _describe(path)
    report = built.sync(NOW)
    assert {"Orders", "Emails", "Summary"} <= set(report.tabs_written)
    after = _sheet_parts(path)
    for tab in ("Products", "Batches", "Form Responses 1"):
        assert after[tab] == before[tab], tab
        assert _describe(path)[tab] == described[tab], tab


def test_excels_list_of_formula_cells_is_left_out_when_the_tool_writes(tmp_path: Path) -> None:
    """calcChain.xml names formula cells; a written cell may have been one: it goes, as it does
    when openpyxl saves, and Excel rebuilds it."""
    built = _as_init(_hostile(ShopBuilder(tmp_path, backend="workbook")).build())
    path = tmp_path / "shop.xlsx"
    parts = _parts(path.read_bytes())
    parts["xl/calcChain.xml"] = (
        b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<c r="A1" i="1"/></calcChain>'
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/calcChain" Target="calcChain.xml" Id="rIdChain"/></Relationships>',
    )
    path.write_bytes(_zipped(parts))
    built.sync(NOW)
    after = _parts(path.read_bytes())
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert built.backend.saved_by["patch"] > 0  # type: ignore[attr-defined]
    _assert_same_values(path)


def test_the_tabs_are_listed_from_the_file_without_reading_cells(tmp_path: Path) -> None:
    """`tab_names` (doctor, status) reads the table of contents; a missing file says so."""
    built = _hostile(ShopBuilder(tmp_path, backend="workbook")).build()
    backend = _NoOpenpyxl(tmp_path / "shop.xlsx")
    assert backend.tab_names() == load_workbook(tmp_path / "shop.xlsx").sheetnames
    snapshot = backend.read(["Orders"])
    assert snapshot.tab_names == frozenset(backend.tab_names())
    assert built.config.tab("products") in snapshot.tab_names
    assert snapshot.tabs["Orders"] is None  # made by the first sync
    missing = WorkbookBackend(tmp_path / "gone.xlsx")
    with pytest.raises(ConfigError, match="does not exist: run `openorder init`"):
        missing.tab_names()


def test_a_part_in_a_compression_zipfile_cannot_inflate_is_unsupported_not_a_crash() -> None:
    """A workbook whose part uses a method zipfile does not know (some programs write them)
    makes the fast reader step aside with PackageUnsupported, so the sync reads it another way."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    data = bytearray(buffer.getvalue())
    # Rewrite the method (offset 8 of the local header, 10 of the central one) to 99.
    data[8:10] = (99).to_bytes(2, "little")
    central = data.rfind(b"PK\x01\x02")
    data[central + 10 : central + 12] = (99).to_bytes(2, "little")
    package = Package(bytes(data))
    with pytest.raises(PackageUnsupported, match=r"xl/workbook\.xml"):
        package.read("xl/workbook.xml")
