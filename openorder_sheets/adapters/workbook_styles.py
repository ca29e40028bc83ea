"""The workbook's cell styles (``styles.xml``), with the styles the tool's cells need added.

A cell's style is an index into the list of cell formats (``cellXfs``); each format names a
font, fill, border and number format by their own indexes, plus an alignment. Giving a cell a
number format or a header look means finding (or adding) the format that is the cell's old one
with that one thing changed, exactly as openpyxl does when ``cell.number_format`` is set: the
seller's own fonts and colours on the cell stay. Nothing already in the file is renumbered or
rewritten; new entries go at the end of their lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from typing import Any

from openpyxl.styles import Alignment, Border, Font, Protection
from openpyxl.styles.builtins import styles as builtin_styles
from openpyxl.styles.cell_style import CellStyle
from openpyxl.styles.fills import Fill
from openpyxl.styles.named_styles import _NamedCellStyle
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_REVERSE, is_date_format
from openpyxl.xml.functions import fromstring, tostring

from openorder_sheets.adapters.workbook_package import PackageUnsupported

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_FIRST_CUSTOM_FORMAT = 164


@dataclass(frozen=True)
class Format:
    """One cell format, as openpyxl's style array holds it (objects instead of their ids)."""

    number_format: int
    font: int
    fill: int
    border: int
    named: int  # the cell style (``xfId``)
    alignment: Alignment
    protection: Protection
    quote_prefix: bool = False
    pivot_button: bool = False


class Styles:
    """``styles.xml`` read once; :meth:`xml` gives it back with the additions."""

    def __init__(self, xml: bytes) -> None:
        self.original = xml
        root = fromstring(xml)
        self.fonts = [Font.from_tree(node) for node in _section(root, "fonts")]
        self.fills = [Fill.from_tree(node) for node in _section(root, "fills")]
        self.borders = [Border.from_tree(node) for node in _section(root, "borders")]
        self.codes: dict[int, str] = {}
        numbers = root.find(_NS + "numFmts")
        for node in numbers if numbers is not None else ():
            self.codes.setdefault(int(node.get("numFmtId")), node.get("formatCode", ""))
        self.formats = [_format(CellStyle.from_tree(node)) for node in _section(root, "cellXfs")]
        self.named_formats = [CellStyle.from_tree(node) for node in _section(root, "cellStyleXfs")]
        self.named = [
            (node.get("name", ""), int(node.get("xfId", "0")))
            for node in _section(root, "cellStyles")
        ]
        self._index = {form: index for index, form in reversed(list(enumerate(self.formats)))}
        self._added: dict[str, list[bytes]] = {}
        self._derived: dict[tuple[int, Any], int] = {}

    # -- what a cell has ---------------------------------------------------------------------
    def number_format(self, style: int) -> str:
        """The number format code of cell style ``style`` (as openpyxl reports it)."""
        if style >= len(self.formats):
            raise PackageUnsupported("a cell style beyond the list")
        number = self.formats[style].number_format
        if number < _FIRST_CUSTOM_FORMAT and number not in self.codes:
            return str(BUILTIN_FORMATS.get(number, "General"))
        return self.codes.get(number, "General")

    def is_date(self, style: int) -> bool:
        return bool(is_date_format(self.number_format(style)))

    # -- deriving a cell's new style ---------------------------------------------------------
    def derived(
        self,
        style: int,
        recipe: Hashable,
        steps_of: Callable[[Any], tuple[tuple[str, Any], ...]],
    ) -> int:
        """The cell style that is ``style`` with the steps of ``recipe`` made (remembered per
        style and recipe: cells repeat, and a recipe is plain values, quick to look up).

        ``steps_of(recipe)`` gives the steps: ``("number_format", code)``, ``("font", Font)``,
        ``("fill", Fill)``, ``("border", Border)``, ``("alignment", Alignment)`` and
        ``("named", name)``, applied in order as openpyxl applies cell assignments.
        """
        key = (style, recipe)
        found = self._derived.get(key)
        if found is not None:
            return found
        change = steps_of(recipe)
        if style >= len(self.formats):
            raise PackageUnsupported("a cell style beyond the list")
        form = self.formats[style]
        for step, value in change:
            if step == "number_format":
                form = replace(form, number_format=self._number_format_id(value))
            elif step == "font":
                form = replace(form, font=self._member("fonts", self.fonts, value))
            elif step == "fill":
                form = replace(form, fill=self._member("fills", self.fills, value))
            elif step == "border":
                form = replace(form, border=self._member("borders", self.borders, value))
            elif step == "alignment":
                form = replace(form, alignment=value)
            elif step == "named":
                form = self._named(value)
        found = self._derived[key] = self._format_index(form)
        return found

    def _format_index(self, form: Format) -> int:
        index = self._index.get(form)
        if index is None:
            index = self._index[form] = len(self.formats)
            self.formats.append(form)
            self._add("cellXfs", tostring(_cell_style(form).to_tree()))
        return index

    def _member(self, section: str, members: list[Any], value: Any) -> int:
        """The index of ``value`` among the fonts (fills, borders), added if new."""
        for index, member in enumerate(members):
            if member == value:
                return index
        members.append(value)
        self._add(section, tostring(value.to_tree()))
        return len(members) - 1

    def _number_format_id(self, code: str) -> int:
        if code in BUILTIN_FORMATS_REVERSE:
            number: int = BUILTIN_FORMATS_REVERSE[code]
            if number not in self.codes:
                return number
        for number, known in self.codes.items():
            if known == code:
                return number
        number = max([_FIRST_CUSTOM_FORMAT - 1, *self.codes]) + 1
        self.codes[number] = code
        escaped = code.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
        self._add(
            "numFmts", b'<numFmt numFmtId="%d" formatCode="%s"/>' % (number, escaped.encode())
        )
        return number

    def _named(self, name: str) -> Format:
        """The format of a cell given the named style ``name`` (openpyxl's ``cell.style = …``)."""
        for listed, index in self.named:
            if listed == name:
                if index >= len(self.named_formats):
                    raise PackageUnsupported("a named style without its format")
                return replace(_format(self.named_formats[index]), named=index)
        builtin = builtin_styles[name]
        form = Format(
            self._number_format_id(builtin.number_format),
            self._member("fonts", self.fonts, builtin.font),
            self._member("fills", self.fills, builtin.fill),
            self._member("borders", self.borders, builtin.border),
            len(self.named_formats),
            builtin.alignment,
            builtin.protection,
        )
        cell_style = _cell_style(form)
        cell_style.xfId = cell_style.pivotButton = cell_style.quotePrefix = None
        self.named_formats.append(cell_style)
        self._add("cellStyleXfs", tostring(cell_style.to_tree()))
        listed = _NamedCellStyle(
            name=name, builtinId=builtin.builtinId, hidden=builtin.hidden, xfId=form.named
        )
        self.named.append((name, form.named))
        self._add("cellStyles", tostring(listed.to_tree()))
        return form

    def _add(self, section: str, element: bytes) -> None:
        self._added.setdefault(section, []).append(element)

    # -- writing -----------------------------------------------------------------------------
    def xml(self) -> bytes | None:
        """``styles.xml`` with the additions (``None`` if nothing was added)."""
        if not self._added:
            return None
        xml = self.original
        for section, elements in self._added.items():
            xml = _appended(xml, section, elements)
        return xml


def _section(root: Any, name: str) -> list[Any]:
    found = root.find(_NS + name)
    if found is None:
        raise PackageUnsupported(f"styles without {name}")
    return list(found)


def _format(style: CellStyle) -> Format:
    return Format(
        style.numFmtId or 0,
        style.fontId or 0,
        style.fillId or 0,
        style.borderId or 0,
        style.xfId or 0,
        style.alignment or Alignment(),
        style.protection or Protection(),
        bool(style.quotePrefix),
        bool(style.pivotButton),
    )


def _cell_style(form: Format) -> CellStyle:
    """The ``<xf>`` of a format, as openpyxl writes it."""
    style = CellStyle(
        numFmtId=form.number_format,
        fontId=form.font,
        fillId=form.fill,
        borderId=form.border,
        xfId=form.named,
        quotePrefix=form.quote_prefix,
        pivotButton=form.pivot_button,
    )
    if form.alignment != Alignment():
        style.alignment = form.alignment
    if form.protection != Protection():
        style.protection = form.protection
    return style


def _appended(xml: bytes, section: str, elements: list[bytes]) -> bytes:
    """``xml`` with ``elements`` added at the end of its ``<section>``, its count updated."""
    opening = re.search(rb"<%s\b([^>]*?)(/?)>" % section.encode(), xml)
    added = b"".join(elements)
    if opening is None:
        if section != "numFmts":
            raise PackageUnsupported(f"styles without {section}")
        root = re.search(rb"<styleSheet\b[^>]*>", xml)
        if root is None:
            raise PackageUnsupported("styles without their root")
        block = b'<numFmts count="%d">%s</numFmts>' % (len(elements), added)
        return xml[: root.end()] + block + xml[root.end() :]
    attributes = opening.group(1)
    count = re.search(rb'count="(\d+)"', attributes)
    total = (int(count.group(1)) if count else 0) + len(elements)
    attributes = re.sub(rb'\s*count="\d+"', b"", attributes) + b' count="%d"' % total
    if opening.group(2):  # <numFmts/>: nothing inside yet
        replacement = b"<%s%s>%s</%s>" % (section.encode(), attributes, added, section.encode())
        return xml[: opening.start()] + replacement + xml[opening.end() :]
    closing = xml.index(b"</%s>" % section.encode(), opening.end())
    return (
        xml[: opening.start()]
        + b"<%s%s>" % (section.encode(), attributes)
        + xml[opening.end() : closing]
        + added
        + xml[closing:]
    )
