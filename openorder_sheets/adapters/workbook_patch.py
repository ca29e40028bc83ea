"""A sync's writes as new parts of the workbook file, without loading it into openpyxl.

:func:`patched_parts` turns the updates of one write into the parts that change — the tabs
written, their hyperlinks, the styles they need, the `Summary` chart — and leaves every other
part (the seller's tabs, images, everything openpyxl would drop) to be copied byte for byte by
:meth:`~.workbook_package.Package.write`. It raises :class:`PackageUnsupported` for what it does
not do (a tab to create, a merged range to undo, a header to add, a drawing that is not the
tool's one chart), and the backend then writes with openpyxl as before.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from collections.abc import Sequence

from openorder_sheets.adapters.workbook_book import BookEdit, laid_out_tab
from openorder_sheets.adapters.workbook_chart import CHART_TYPE, DRAWING_TYPE, chart_parts
from openorder_sheets.adapters.workbook_links import (
    AFTER_HYPERLINKS,
    RELATIONSHIPS,
    Relationships,
    insert_before,
    xml_attribute,
)
from openorder_sheets.adapters.workbook_look import lacks_look
from openorder_sheets.adapters.workbook_package import (
    Compressed,
    Package,
    PackageUnsupported,
    Part,
    SheetPart,
    fold_name,
    rels_of,
    resolve,
)
from openorder_sheets.adapters.workbook_sheet import SheetEdit
from openorder_sheets.adapters.workbook_styles import Styles
from openorder_sheets.adapters.workbook_values import workbook_epoch
from openorder_sheets.ports import ChartSpec, TabUpdate

_STYLES = "xl/styles.xml"
_DRAWING_REL = RELATIONSHIPS + "/drawing"
_CHART_REL = RELATIONSHIPS + "/chart"
_ANCHOR = re.compile(rb"<(?:[\w.-]+:)?(?:oneCellAnchor|twoCellAnchor|absoluteAnchor)\b")
#: Elements that come after <drawing> in a worksheet (the tail of the format's fixed order).
_AFTER_DRAWING = AFTER_HYPERLINKS[AFTER_HYPERLINKS.index(b"drawing") + 1 :]


class _Tab:
    """One tab being written: its XML edit and its relationships."""

    def __init__(
        self,
        sheet: SheetPart,
        xml: bytes,
        relationships: bytes,
        styles: Styles,
        epoch: dt.datetime,
        laid_out: Sequence[int] = (),
    ) -> None:
        self.sheet = sheet
        self.relationships = Relationships(relationships)
        if any(kind.endswith("/comments") for kind in self.relationships.types.values()):
            raise PackageUnsupported("comments on a tab the tool writes")
        self.edit = SheetEdit(xml, styles, self.relationships, epoch, laid_out)

    @classmethod
    def existing(
        cls, package: Package, sheet: SheetPart, styles: Styles, epoch: dt.datetime
    ) -> _Tab:
        xml = package.read(sheet.part)
        return cls(sheet, xml, package.rels_bytes(sheet.part), styles, epoch)

    @classmethod
    def created(
        cls, book: BookEdit, update: TabUpdate, styles: Styles, epoch: dt.datetime, taken: set[str]
    ) -> _Tab:
        title, xml, print_titles = laid_out_tab(update.tab, update.columns, update.layout)
        sheet = book.add_tab(title, update.layout.hidden, print_titles, taken)
        return cls(sheet, xml, b"", styles, epoch, update.columns)


def patched_parts(package: Package, updates: Sequence[TabUpdate]) -> dict[str, Part]:
    """The parts of the workbook that ``updates`` change, each as its new bytes.

    Tabs are done one at a time (all their updates, in order), each deflated as soon as it is
    written, so at most one tab's XML is in memory at once.
    """
    sheets = {fold_name(sheet.name): sheet for sheet in package.sheets()}
    if _STYLES not in package:
        raise PackageUnsupported("no styles")
    styles = Styles(package.read(_STYLES))
    epoch = workbook_epoch(package)
    book = BookEdit(package)
    by_tab: dict[str, list[TabUpdate]] = {}
    for update in updates:
        by_tab.setdefault(fold_name(update.tab), []).append(update)
    parts: dict[str, Part] = {}
    for name, written in by_tab.items():
        sheet = sheets.get(name)
        # A tab without its look (filter, colours, print layout) — one made before the look
        # existed, or one still to be made — goes through openpyxl once to get it. Tabs made
        # by `openorder init` have it, so a shop's syncs stay on the patch path.
        current = package.read(sheet.part) if sheet is not None else b""
        if any(lacks_look(current, update) for update in written):
            raise PackageUnsupported("the tab's filter, colours or print layout")
        if sheet is None:
            tab = _Tab.created(book, written[0], styles, epoch, set(parts))
        elif sheet.kind != "worksheet":
            raise PackageUnsupported(f"the tab {written[0].tab!r} is not a worksheet")
        else:
            tab = _Tab.existing(package, sheet, styles, epoch)
        chart = None
        for update in written:
            tab.edit.apply(update)
            chart = update.layout.chart or chart
        if chart is not None:
            _place_chart(package, book, tab, chart, parts)
        parts[tab.sheet.part] = Compressed.of(tab.edit.pieces())
        if tab.relationships.changed:
            parts[rels_of(tab.sheet.part)] = tab.relationships.xml()
    parts.update(book.drop_calculation_chain())
    parts.update(book.parts())
    new_styles = styles.xml()
    if new_styles is not None:
        parts[_STYLES] = new_styles
    return parts


def _place_chart(
    package: Package, book: BookEdit, tab: _Tab, spec: ChartSpec, parts: dict[str, Part]
) -> None:
    """The tab's one chart drawn anew (openpyxl's ``_chart``): replaced, or added."""
    if spec.last_row < spec.first_row:
        raise PackageUnsupported("a chart to remove")
    edit = tab.edit
    values = [
        number
        for row in range(spec.first_row + 1, spec.last_row + 2)
        if (number := edit.number_at(row, spec.value_column + 1)) is not None
    ]
    drawings = [rid for rid, kind in tab.relationships.types.items() if kind == _DRAWING_REL]
    if len(drawings) > 1:
        raise PackageUnsupported("more than one drawing on the tab")
    if drawings:
        target = _target(tab.relationships.kept[drawings[0]])
        drawing = resolve(tab.sheet.part, target)
        drawing_rels = Relationships(package.rels_bytes(drawing))
        inside = list(drawing_rels.types.values())
        if inside != [_CHART_REL] or len(_ANCHOR.findall(package.read(drawing))) != 1:
            raise PackageUnsupported("a drawing holding more than the tool's chart")
        chart = resolve(drawing, _target(next(iter(drawing_rels.kept.values()))))
    else:
        drawing = _free_name(package, parts, "xl/drawings/drawing{}.xml")
        chart = _free_name(package, parts, "xl/charts/chart{}.xml")
        rid = tab.relationships.add(_DRAWING_REL, "/" + drawing)
        element = b'<drawing xmlns:r="%s" r:id="%s"/>' % (RELATIONSHIPS.encode(), rid.encode())
        edit.tail = insert_before(edit.tail, element, _AFTER_DRAWING)
        book.content_types = _with_overrides(
            book.content_types, {drawing: DRAWING_TYPE, chart: CHART_TYPE}
        )
        book.changed = True
    made = chart_parts(tab.sheet.name, spec, values, "/" + chart)
    parts[drawing] = made["drawing"]
    parts[rels_of(drawing)] = made["drawing_rels"]
    parts[chart] = made["chart"]
    # Printed gridlines would run behind the chart.
    edit.tail = re.sub(rb'(<printOptions\b[^>]*?)\s+gridLines="[^"]*"', rb"\1", edit.tail)


def _target(relationship: bytes) -> str:
    found = re.search(rb'\bTarget="([^"]*)"', relationship)
    if found is None:
        raise PackageUnsupported("a relationship without a target")
    return found.group(1).decode()


def _free_name(package: Package, parts: dict[str, Part], pattern: str) -> str:
    number = 1
    while pattern.format(number) in package or pattern.format(number) in parts:
        number += 1
    return pattern.format(number)


def _with_overrides(xml: bytes, overrides: dict[str, str]) -> bytes:
    if b'Extension="rels"' not in xml:
        raise PackageUnsupported("content types without the relationships default")
    added = b"".join(
        b'<Override PartName="%s" ContentType="%s"/>'
        % (xml_attribute("/" + posixpath.normpath(part)), content.encode())
        for part, content in overrides.items()
    )
    end = xml.rindex(b"</Types>")
    return xml[:end] + added + xml[end:]
