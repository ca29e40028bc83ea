"""One worksheet's XML with the tool's writes applied to the rows they touch.

Only the rows an update writes (or clears) are parsed and written again; every other row is
copied as the bytes it was, so a sync that appends a hundred orders to a 10,000-row tab costs a
hundred rows. What a row gets is what :func:`~.workbook_openpyxl.write_update` would give it
through openpyxl — values, number formats, alignment, header look, hyperlinks, row heights —
so the two paths give the same workbook to anyone reading it.

Anything this module does not handle raises :class:`PackageUnsupported` before a byte is
written, and openpyxl does the job: a merged range over the written cells, a header the tool
adds to an existing tab (it gets a width and a dropdown), comments, cells written without their
address.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openorder_sheets.adapters import workbook_layout as look
from openorder_sheets.adapters.workbook_cells import cell_xml, date_format_of
from openorder_sheets.adapters.workbook_links import Relationships, SheetLinks, column_number
from openorder_sheets.adapters.workbook_package import PackageUnsupported
from openorder_sheets.adapters.workbook_styles import Styles
from openorder_sheets.ports import ColumnKind, TabUpdate

_ROW = re.compile(rb'<row r="([0-9]{1,7})"([^>]*?)(/?)>')
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)
_STYLE = re.compile(rb'\bs="([0-9]+)"')
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')
_VALUE = re.compile(rb"<v>[^<]")
_COLUMN = re.compile(rb"<col\b([^>]*?)/?>")
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})')
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_ROW_ATTRIBUTES_SET_HERE = (b"r", b"spans", b"ht", b"customHeight")
_HEADER_CHANGE = (
    ("font", look.HEADER_FONT),
    ("fill", look.HEADER_FILL),
    ("border", look.HEADER_BORDER),
    ("alignment", look.HEADER_ALIGNMENT),
)
_LAST_ROW = 1_048_576


@dataclass
class _Cell:
    xml: bytes | None  # None: no element
    style: int
    has_value: bool


@dataclass
class _Row:
    number: int
    attributes: bytes  # those the tool leaves alone (styles, hidden, outline …)
    height: float | None
    cells: dict[int, _Cell] = field(default_factory=dict)
    span: tuple[int, int] | None = None  # where it was in the sheet data


def _steps(recipe: tuple[Any, ...]) -> tuple[tuple[str, Any], ...]:
    """The style changes a recipe of :meth:`SheetEdit._write_cell` stands for, in order."""
    automatic = recipe[0]
    steps: list[tuple[str, Any]] = []
    if automatic is not None:
        steps.append(("number_format", automatic))
    if recipe[1] == "header":
        steps.extend(_HEADER_CHANGE)
        return tuple(steps)
    _, shape, align = recipe
    if shape == "link":
        steps.append(("named", "Hyperlink"))
    elif shape is not None:
        steps.append(("number_format", shape))
    if align == "wrap":
        steps.append(("alignment", look.WRAP))
    elif align == "top":
        steps.append(("alignment", look.TOP))
    return tuple(steps)


@functools.lru_cache(maxsize=1024)
def _letters(number: int) -> bytes:
    return letters(number)


def letters(number: int) -> bytes:
    out = b""
    while number:
        number, rest = divmod(number - 1, 26)
        out = bytes((65 + rest,)) + out
    return out


class SheetEdit:
    """A worksheet part being patched: :meth:`apply` each update, then :meth:`pieces`.

    Each row is finished (turned back into its XML) as soon as an update has written it, so a
    100,000-row tab costs its XML, not an object per cell.
    """

    def __init__(
        self,
        xml: bytes,
        styles: Styles,
        relationships: Relationships,
        epoch: dt.datetime,
        laid_out: Sequence[int] = (),
    ) -> None:
        self.styles, self.epoch = styles, epoch
        self.laid_out = set(laid_out)  # columns a new tab was laid out for (widths, dropdowns)
        start = xml.find(b"<sheetData")
        if start == -1:
            raise PackageUnsupported("a worksheet without sheetData")
        opened = xml.index(b">", start) + 1
        self.xml = xml
        self.head = xml[:start]
        if xml[opened - 2 : opened] == b"/>":  # <sheetData/>
            self.begin = self.end = opened
            self.tail = xml[opened:]
        else:
            self.begin, self.end = opened, xml.index(b"</sheetData>", opened)
            self.tail = xml[self.end + len(b"</sheetData>") :]
        self.finished: dict[int, bytes] = {}  # row number → its new XML
        self.exact: dict[tuple[int, int], Any] | None = None  # values written (for a chart)
        self._starts: list[int] = []
        self._numbers: list[int] = []
        self._tags: list[re.Match[bytes]] = []
        for match in _ROW.finditer(xml, self.begin, self.end):
            self._numbers.append(int(match.group(1)))
            self._starts.append(match.start())
            self._tags.append(match)
        if len(self._numbers) != xml.count(b"<row", self.begin, self.end):
            raise PackageUnsupported("a row written without its number first")
        if any(a >= b for a, b in zip(self._numbers, self._numbers[1:], strict=False)):
            raise PackageUnsupported("rows out of order")
        if b"<mergeCell" in self.tail:
            self.merges = [_range(match) for match in _MERGE.finditer(self.tail)]
        else:
            self.merges = []
        self.widths = _column_widths(self.head)
        self.extent = _dimension(self.head)
        self.links = SheetLinks(self.tail, relationships)
        self._date_styles: dict[int, bool] = {}

    # -- reading the rows the updates touch ----------------------------------------------------
    def row(self, number: int) -> _Row:
        """Row ``number`` as it stands now (written earlier, in the sheet, or new)."""
        finished = self.finished.get(number)
        if finished is not None:
            tag = _ROW.match(finished)
            assert tag is not None
            return _parse_row(number, tag, finished[tag.end() : -len(b"</row>")], None)
        index = bisect_left(self._numbers, number)
        if index == len(self._numbers) or self._numbers[index] != number:
            return _Row(number, b"", None)
        tag = self._tags[index]
        if tag.group(3):
            return _parse_row(number, tag, b"", (tag.start(), tag.end()))
        close = self.xml.index(b"</row>", tag.end(), self.end)
        span = (tag.start(), close + len(b"</row>"))
        return _parse_row(number, tag, self.xml[tag.end() : close], span)

    def finish(self, row: _Row) -> None:
        self.finished[row.number] = _row_xml(row)

    def number_at(self, number: int, column: int) -> float | None:
        """The number in a cell as openpyxl would read it now, or None (text, date, formula)."""
        if self.exact is not None and (number, column) in self.exact:
            value = self.exact[(number, column)]
        else:
            cell = self.row(number).cells.get(column)
            value = _number_in(cell, self.styles) if cell is not None else None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None

    def _last_row_with_cells(self) -> int:
        """openpyxl's ``max_row``: the last row holding a cell (a link or merge makes one)."""
        last = max([0, *self.links.rows(), *(bottom for _, _, bottom, _ in self.merges)])
        written = [n for n, xml in self.finished.items() if b"<c " in xml]
        for index in range(len(self._numbers) - 1, -1, -1):
            number = self._numbers[index]
            if number <= last:
                break
            if self.row(number).cells:
                last = number
                break
        return max([last, *written])

    # -- writing -------------------------------------------------------------------------------
    def apply(self, update: TabUpdate) -> None:
        """Write ``update`` as openpyxl's ``write_cells`` does (see :mod:`.workbook_openpyxl`)."""
        self._refuse_merges(update)
        kinds = look.kinds(update)
        wrapped = {column: self._width(column + 1) for column in look.wrapped_columns(update)}
        money = look.money_format(update.layout.currency_format)
        if update.layout.chart is not None and self.exact is None:
            self.exact = {}
        if update.start_row == 0 and update.rows and update.rows[0] is not None:
            self._header_columns_added(update)
        for offset, values in enumerate(update.rows):
            if values is None:
                continue
            number = update.start_row + offset + 1
            row = self.row(number)
            count = look.lines(values, update.columns, wrapped) if wrapped and number > 1 else 1
            for value, column in zip(values, update.columns, strict=False):
                self._write_cell(row, column + 1, look.storable(value), kinds.get(column), money, (
                    column in wrapped, count
                ))  # fmt: skip
            if wrapped and number > 1:
                row.height = look.fitted_height(row.height, count)
            self.finish(row)
        if update.clear_below:
            end = update.start_row + len(update.rows)
            last = self._last_row_with_cells()
            numbers = {n for n in self._numbers if end < n <= last} | {
                n for n in self.finished if end < n <= last
            }
            for number in sorted(numbers):
                row = self.row(number)
                for column in update.columns:
                    self._clear_cell(row, column + 1)
                if wrapped:
                    row.height = look.fitted_height(row.height, 1)
                self.finish(row)

    def _write_cell(
        self,
        row: _Row,
        column: int,
        value: Any,
        kind: ColumnKind | None,
        money: str,
        wrap: tuple[bool, int],
    ) -> None:
        old = row.cells.get(column)
        style = old.style if old is not None else 0
        place = (row.number, column)
        reference = _letters(column) + b"%d" % row.number
        # The steps openpyxl takes, as a key of plain values (a cell's style is derived once
        # per distinct old style and key, however many cells share them).
        automatic = date_format_of(value)
        if automatic is not None and self._is_date(style):
            automatic = None
        if row.number == 1:
            recipe: tuple[Any, ...] = (automatic, "header")
        else:
            wrapped, count = wrap
            if kind is ColumnKind.MONEY:
                shape: Any = money
            elif kind in look.NUMBER_FORMATS:
                shape = look.NUMBER_FORMATS[kind]
            elif look.is_link(kind, value):
                self.links.set(place, reference, value)
                shape = "link"
            else:
                if kind is ColumnKind.LINK:
                    self.links.remove(place)  # no stale link under a cell holding no address
                shape = None
            align = None
            if value is not None and wrapped:
                align = "wrap"
            elif value is not None and count > 1:
                align = "top"
            recipe = (automatic, shape, align)
        if recipe != (None, None, None):
            style = self.styles.derived(style, recipe, _steps)
        row.cells[column] = _Cell(
            cell_xml(reference, style, value, self.epoch), style, value is not None
        )
        if self.exact is not None:
            self.exact[place] = value

    def _is_date(self, style: int) -> bool:
        found = self._date_styles.get(style)
        if found is None:
            found = self._date_styles[style] = self.styles.is_date(style)
        return found

    def _clear_cell(self, row: _Row, column: int) -> None:
        self.links.remove((row.number, column))
        if self.exact is not None:
            self.exact[(row.number, column)] = None
        old = row.cells.get(column)
        if old is None:
            return
        reference = letters(column) + b"%d" % row.number
        row.cells[column] = _Cell(
            cell_xml(reference, old.style, None, self.epoch), old.style, False
        )

    def _refuse_merges(self, update: TabUpdate) -> None:
        """A merge over a written cell is openpyxl's to undo (``_unmerge_written``)."""
        if not self.merges or not update.columns:
            return
        first = update.start_row + 1
        last = _LAST_ROW if update.clear_below else update.start_row + len(update.rows)
        columns = {column + 1 for column in update.columns}
        for left, top, bottom, right in self.merges:
            if bottom < first or top > last:
                continue
            if any(left <= column <= right for column in columns):
                raise PackageUnsupported("a merged range over cells the tool writes")

    def _header_columns_added(self, update: TabUpdate) -> None:
        header = update.rows[0]
        assert header is not None
        row = self.row(1)
        for value, column in zip(header, update.columns, strict=False):
            cell = row.cells.get(column + 1)
            added = value is not None and (cell is None or not cell.has_value)
            if added and column not in self.laid_out:
                raise PackageUnsupported("a header the tool adds: it gets a width and a dropdown")
        if row.height is None:
            row.height = float(look.HEADER_HEIGHT)
            self.finish(row)

    def _width(self, index: int) -> float:
        width = self.widths.get(index)
        return float(width) if width else look.DEFAULT_WIDTH

    # -- the new part ------------------------------------------------------------------------
    def pieces(self) -> Iterator[bytes | memoryview]:
        """The worksheet's new XML, in pieces: every written row anew, the rest as it was."""
        view = memoryview(self.xml)
        yield self._head()
        yield b"<sheetData>"
        position = self.begin
        for number in sorted(self.finished):
            index = bisect_left(self._numbers, number)
            if index < len(self._numbers) and self._numbers[index] == number:
                start = self._starts[index]
                tag = self._tags[index]
                end = tag.end() if tag.group(3) else (
                    self.xml.index(b"</row>", tag.end(), self.end) + len(b"</row>")
                )  # fmt: skip
            else:
                start = end = self._starts[index] if index < len(self._starts) else self.end
            yield view[position:start]
            yield self.finished[number]
            position = end
        yield view[position : self.end]
        yield b"</sheetData>"
        yield self.links.patched_tail(self.tail)

    def _head(self) -> bytes:
        """The part before the cells, with the dimension grown to the cells written."""
        found = _DIMENSION.search(self.head)
        if found is None or self.extent is None:
            return self.head
        left, top, right, bottom = self.extent
        for number, xml in self.finished.items():
            first = _CELL_COLUMN.search(xml)
            if first is None:
                continue
            last = _CELL_COLUMN.match(xml, xml.rfind(b'<c r="'))
            assert last is not None
            top, bottom = min(top, number), max(bottom, number)
            left = min(left, column_number(first.group(1).decode()))
            right = max(right, column_number(last.group(1).decode()))
        reference = b"%s%d:%s%d" % (letters(left), top, letters(right), bottom)
        return self.head[: found.start(1)] + reference + self.head[found.end() - 1 :]


def _parse_row(
    number: int, tag: re.Match[bytes], content: bytes, span: tuple[int, int] | None
) -> _Row:
    kept, height = b"", None
    for key, value in _ATTRIBUTE.findall(tag.group(2)):
        if key == b"ht":
            height = float(value)
        elif key not in _ROW_ATTRIBUTES_SET_HERE:
            kept += b' %s="%s"' % (key, value)
    found = _Row(number, kept, height, span=span)
    cells = list(_CELL.finditer(content))
    if len(cells) != content.count(b"<c"):
        raise PackageUnsupported("a cell written without its address first")
    for cell in cells:
        if int(cell.group(2)) != number:
            raise PackageUnsupported("a cell in the wrong row")
        style = _STYLE.search(cell.group(3))
        inner = cell.group(4) or b""
        has_value = b"<is" in inner or b"<f" in inner or _VALUE.search(inner) is not None
        found.cells[column_number(cell.group(1).decode())] = _Cell(
            cell.group(0), int(style.group(1)) if style else 0, has_value
        )
    return found


def _number_in(cell: _Cell, styles: Styles) -> object:
    """A number cell's value from its XML (anything else: None)."""
    found = _CELL.match(cell.xml or b"")
    if found is None:
        return None
    kind = re.search(rb'\bt="([^"]*)"', found.group(3))
    inner = found.group(4) or b""
    number = re.search(rb"<v>([^<]+)</v>", inner)
    if b"<f" in inner or number is None or (kind and kind.group(1) != b"n"):
        return None
    if styles.is_date(cell.style):
        return None
    text = number.group(1).decode()
    try:
        return float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        return None


def _row_xml(row: _Row) -> bytes:
    cells = b"".join(cell.xml for _, cell in sorted(row.cells.items()) if cell.xml is not None)
    height = b""
    if row.height is not None:
        height = b' ht="%s" customHeight="1"' % (b"%g" % row.height)
    return b'<row r="%d"%s%s>%s</row>' % (row.number, height, row.attributes, cells)


def _range(match: re.Match[bytes]) -> tuple[int, int, int, int]:
    """(left, top, bottom, right) of a merged range."""
    left, top = column_number(match.group(1).decode()), int(match.group(2))
    if match.group(3) is None:
        return left, top, top, left
    return left, top, int(match.group(4)), column_number(match.group(3).decode())


def _dimension(head: bytes) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) of the sheet's stated dimension."""
    found = _DIMENSION.search(head)
    if found is None:
        return None
    left, top = column_number(found.group(1).decode()), int(found.group(2))
    if found.group(3) is None:
        return left, top, left, top
    return left, top, column_number(found.group(3).decode()), int(found.group(4))


def _column_widths(head: bytes) -> dict[int, float | None]:
    """Column → width, for every column a ``<col>`` range covers (openpyxl reads a range's
    width only for its first column, and gives the others 13: the tool reads them right)."""
    widths: dict[int, float | None] = {}
    for match in _COLUMN.finditer(head):
        found = dict(_ATTRIBUTE.findall(match.group(1)))
        low, high = int(found.get(b"min", b"0")), int(found.get(b"max", b"0"))
        width = float(found[b"width"]) if b"width" in found else None
        for index in range(low, min(high, low + 16384) + 1):
            widths.setdefault(index, width)
    return widths
