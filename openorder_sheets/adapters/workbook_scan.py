"""What a tab's XML says that python-calamine would not read as openpyxl does.

A handful of byte scans over the sheet's XML (each a C-speed search, about 5 ms per 10 MB)
find every construct where the two readers part ways (see :mod:`.workbook_values`):

- cells whose value openpyxl takes from the XML itself — formulas (``=`` and the formula's
  text), inline text calamine would trim (no ``xml:space="preserve"``) and empty text (``""``
  in openpyxl, nothing in calamine) — are read here, straight from the XML;
- cells styled as dates are located, to be converted from their serials as openpyxl does;
- error cells (``#N/A``) are read from the XML too (openpyxl gives their text);
- anything else (shared or array formulas, ISO-date cells, ``_xHHHH_`` escapes,
  numbers such as ``2.0``, merged cells, cells without an address, rich text that would be
  trimmed) raises :class:`ReadWithOpenpyxl`.

Attributes are taken to be written as every spreadsheet program writes them: ``name="value"``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from openorder_sheets.ports import Cell


class ReadWithOpenpyxl(Exception):
    """This tab holds something only openpyxl reads as openpyxl does."""


_ROOT = re.compile(rb"<(?:[\w.-]+:)?worksheet\b[^>]*>")
_MAIN_NAMESPACE = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_FORMULA = re.compile(rb"<f[ >/]")
_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
_ISO_DATE = re.compile(rb' t="d"')
_ERROR = re.compile(rb' t="e"')
_AMBIGUOUS_NUMBER = re.compile(rb"<v>(?:[-+.0-9]*[eE]|[-+]?\d{16}|[-+]?\d*\.0*<)")
# One pass over every text element that matters: empty, with other attributes, or trimmed.
_TEXT_MARKERS = re.compile(
    rb'<t(?:(/>|></t>| xml:space="preserve"(?:/>|></t>))'
    rb"|(>(?:[ \t\n\r]|&#))"
    rb'|( (?!xml:space="preserve"/?>)))'
)
_TRAILING_SPACE = (b" </t>", b"\t</t>", b"\n</t>", b"\r</t>", b";</t>")
_REFERENCE_END = re.compile(rb"&#[xX]?[0-9a-fA-F]+;$")
_EMPTY_INLINE = re.compile(rb"<is(?:/>|></is>)")
_REFERENCE = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_ENTITY = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


@dataclass
class SheetScan:
    """One tab's XML, scanned."""

    overrides: dict[tuple[int, int], Cell] = field(default_factory=dict)
    dates: dict[tuple[int, int], int] = field(default_factory=dict)  # (row, column) → style
    hyperlinks: list[tuple[int, int]] = field(default_factory=list)


def scan(xml: bytes, date_styles: frozenset[int], shared_strings_differ: bool) -> SheetScan:
    """Scan one worksheet's XML; raise :class:`ReadWithOpenpyxl` where calamine cannot do."""
    root = _ROOT.search(xml, 0, 4096)
    if root is None or _MAIN_NAMESPACE not in root.group(0) or b":worksheet" in root.group(0):
        raise ReadWithOpenpyxl("the main namespace under a prefix")
    begin, end = xml.find(b"<sheetData"), xml.rfind(b"</sheetData>")
    if begin == -1:
        raise ReadWithOpenpyxl("no sheetData")
    end = len(xml) if end == -1 else end
    tail = xml[end:]
    if b"<mergeCell " in tail or b"<mergeCell>" in tail:
        raise ReadWithOpenpyxl("merged cells")
    if _ISO_DATE.search(xml, begin, end) or _ESCAPE.search(xml, begin, end):
        raise ReadWithOpenpyxl("ISO-date cells, or _xHHHH_ escapes")
    if _AMBIGUOUS_NUMBER.search(xml, begin, end):
        raise ReadWithOpenpyxl("numbers calamine reads otherwise")
    if shared_strings_differ and xml.find(b' t="s"', begin, end) != -1:
        raise ReadWithOpenpyxl("shared strings calamine reads otherwise")
    found = SheetScan()
    _errors(xml, begin, end, found.overrides)
    _formulas(xml, begin, end, found.overrides)
    _texts(xml, begin, end, found.overrides)
    _date_cells(xml, begin, end, date_styles, found.dates)
    found.hyperlinks = _hyperlinks(tail)
    return found


def _cell_at(data: bytes, at: int) -> tuple[int, tuple[int, int]]:
    """The start and (row, column) of the cell whose XML contains position ``at``."""
    start = data.rfind(b"<c ", 0, at)
    if start == -1 or data.find(b"</c>", start, at) != -1:
        raise ReadWithOpenpyxl("text outside a cell")
    place = _REFERENCE.match(data, start)
    if place is None:
        raise ReadWithOpenpyxl("a cell without its address")
    return start, (int(place.group(2)), column_number(place.group(1)))


def _errors(data: bytes, begin: int, end: int, overrides: dict[tuple[int, int], Cell]) -> None:
    """Error cells (``#N/A``): openpyxl's value is the error's text, calamine's nothing."""
    for match in _ERROR.finditer(data, begin, end):
        start, place = _cell_at(data, match.start())
        close = data.find(b">", start)
        if data[close - 1 : close] == b"/":
            overrides[place] = None
            continue
        stop = data.find(b"</c>", close)
        value = re.search(rb"<v>([^<]*)</v>", data[close:stop])
        overrides[place] = xml_text(value.group(1)) if value and value.group(1) else None


def _formulas(data: bytes, begin: int, end: int, overrides: dict[tuple[int, int], Cell]) -> None:
    """Plain formulas: openpyxl's value is ``=`` and the formula's text."""
    for match in _FORMULA.finditer(data, begin, end):
        at = match.start()
        close = data.find(b">", at)
        tag = data[at:close]
        if b" t=" in tag:
            raise ReadWithOpenpyxl("a shared, array or data-table formula")
        _, place = _cell_at(data, at)
        if tag.endswith(b"/"):
            overrides[place] = "="
            continue
        stop = data.find(b"</f>", close)
        if stop == -1 or b"<" in data[close + 1 : stop]:
            raise ReadWithOpenpyxl("a formula that is not plain text")
        overrides[place] = "=" + xml_text(data[close + 1 : stop])


def _texts(data: bytes, begin: int, end: int, overrides: dict[tuple[int, int], Cell]) -> None:
    """Inline text calamine would trim, and empty text calamine would skip."""
    starts = set()
    for match in _TEXT_MARKERS.finditer(data, begin, end):
        at = match.start()
        if match.group(3):
            raise ReadWithOpenpyxl("text elements with unusual attributes")
        if match.group(2):
            starts.add(at)
        else:
            overrides[_inline_cell(data, at, match.end())] = ""
    starts.update(_trimmed_at_the_end(data, begin, end))
    for at in sorted(starts):
        stop = data.find(b"</t>", at)
        overrides[_inline_cell(data, at, stop + 4)] = xml_text(data[at + 3 : stop])
    for match in _EMPTY_INLINE.finditer(data, begin, end):
        cell_start, place = _cell_at(data, match.start())
        if data.find(b">", cell_start) + 1 != match.start():
            raise ReadWithOpenpyxl("empty inline text inside other markup")
        overrides[place] = ""


def _trimmed_at_the_end(data: bytes, begin: int, end: int) -> set[int]:
    """Where each plain ``<t>`` (no ``xml:space="preserve"``) whose text ends in a space or a
    character reference starts: calamine trims those."""
    found = set()
    for marker in _TRAILING_SPACE:
        at = data.find(marker, begin, end)
        while at != -1:
            closing = at + len(marker) - 4  # where "</t>" starts
            opening = data.rfind(b"<t", begin, closing)
            plain = data.startswith(b"<t>", opening)
            if plain and (marker != b";</t>" or _REFERENCE_END.search(data, opening, at + 1)):
                found.add(opening)
            at = data.find(marker, at + 1, end)
    return found


def _inline_cell(data: bytes, at: int, after: int) -> tuple[int, int]:
    """The cell of the inline text from ``at`` to ``after``; it must be the cell's only text."""
    cell_start, place = _cell_at(data, at)
    opened = data.find(b">", cell_start) + 1
    if data[opened:at] != b"<is>" or not data.startswith(b"</is></c>", after):
        raise ReadWithOpenpyxl("trimmed or empty text inside rich text or shared strings")
    return place


_DATE_STYLE_PATTERNS: dict[frozenset[int], tuple[re.Pattern[bytes], re.Pattern[bytes]]] = {}


def _date_cells(
    data: bytes, begin: int, end: int, styles: frozenset[int], dates: dict[tuple[int, int], int]
) -> None:
    """Every cell styled as a date (by openpyxl's reading of the styles)."""
    patterns = _DATE_STYLE_PATTERNS.get(styles)
    if patterns is None:
        numbers = b"|".join(b"%d" % style for style in sorted(styles)) or b"(?!)"
        # s="07" is style 7 to openpyxl: such a file is left to it.
        anywhere = re.compile(rb' s="(0[0-9]+|' + numbers + rb')"')
        placed = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})" s="(' + numbers + rb')"')
        patterns = _DATE_STYLE_PATTERNS[styles] = (anywhere, placed)
    anywhere, placed = patterns
    # As every program writes a cell (r="…" then s="…"), one pass places them all.
    for match in placed.finditer(data, begin, end):
        place = (int(match.group(2)), column_number(match.group(1)))
        dates[place] = int(match.group(3))
    if len(dates) == len(anywhere.findall(data, begin, end)):
        return
    dates.clear()  # written otherwise (or row styles): each one found from its attribute
    for match in anywhere.finditer(data, begin, end):
        if match.group(1).startswith(b"0"):
            raise ReadWithOpenpyxl("a style number with a leading zero")
        at = match.start()
        tag = data.rfind(b"<", 0, at)
        if data.find(b">", tag, at) != -1 or not data.startswith(b"<c ", tag):
            continue  # a row's style, or text that happens to read s="…"
        _, place = _cell_at(data, at)
        dates[place] = int(match.group(1))


_HYPERLINK = re.compile(rb"<hyperlink[\s/>]")
_HYPERLINK_REF = re.compile(rb'<hyperlink\b[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7})"(?=[\s/>])')


def _hyperlinks(tail: bytes) -> list[tuple[int, int]]:
    """The cells carrying a hyperlink (openpyxl gives an empty linked cell the link as value)."""
    if b"<hyperlink" not in tail:
        return []
    places = [
        (int(match.group(2)), column_number(match.group(1)))
        for match in _HYPERLINK_REF.finditer(tail)
    ]
    if len(places) != len(_HYPERLINK.findall(tail)):
        raise ReadWithOpenpyxl("a hyperlink over a range of cells")
    return places


@functools.lru_cache(maxsize=4096)
def column_number(letters: bytes | str) -> int:
    """1 for A, 27 for AA."""
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + letter - 64
    return number


def column_letters(number: int) -> str:
    """A for 1, AA for 27."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}[0-9]+:)?([A-Z]{1,3})[0-9]+"')


def cells_beyond(xml: bytes, width: int) -> bool:
    """Whether a cell (even an empty, styled one) lies right of column ``width``: openpyxl's
    rows are as wide as the widest cell, calamine's as the widest value. (The sheet's stated
    dimension, which every program writes as at least the cells' extent, usually says.)"""
    dimension = _DIMENSION.search(xml, 0, 8192)
    if dimension is not None and column_number(dimension.group(1)) <= width:
        return False
    letters = column_letters(width)
    alternatives = [b"[A-Z]{%d,3}" % (len(letters) + 1)]
    for index, letter in enumerate(letters):
        if letter != "Z":
            alternatives.append(
                letters[:index].encode()
                + b"[%s-Z]" % chr(ord(letter) + 1).encode()
                + b"[A-Z]" * (len(letters) - index - 1)
            )
    pattern = re.compile(rb'<c r="(?:' + b"|".join(alternatives) + rb")[0-9]")
    return pattern.search(xml) is not None


def xml_text(raw: bytes) -> str:
    """Element text as an XML parser gives it: line ends normalised, references replaced."""
    text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    if "&" not in text:
        return text
    return _ENTITY.sub(_replace_entity, text)


def _replace_entity(match: re.Match[str]) -> str:
    name: Any = match.group(1)
    if name.startswith(("#x", "#X")):
        return chr(int(name[2:], 16))
    if name.startswith("#"):
        return chr(int(name[1:]))
    return _ENTITIES[name]


def text_differs(xml: bytes) -> bool:
    """Whether some text of a shared-strings part would come out of calamine unlike openpyxl's
    (trimmed, escaped or empty: there is no cell to read it from here)."""
    root = xml[:4096]
    if b":sst" in root or b"<sst" not in root:
        return True
    if _TEXT_MARKERS.search(xml) or _ESCAPE.search(xml):
        return True
    return bool(_trimmed_at_the_end(xml, 0, len(xml)))
