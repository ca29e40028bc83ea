"""A tab added to the workbook without loading it: the tab's own part, laid out by openpyxl
(frozen header, widths, dropdowns, printing — see ``_decorate``), and the workbook's list of
tabs, print titles, relationships and content types told about it."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.worksheet._writer import WorksheetWriter

from openorder_sheets.adapters.workbook_links import RELATIONSHIPS, Relationships, xml_attribute
from openorder_sheets.adapters.workbook_openpyxl import sheet_for
from openorder_sheets.adapters.workbook_package import (
    REMOVED,
    Package,
    PackageUnsupported,
    Part,
    SheetPart,
    rels_of,
    resolve,
)
from openorder_sheets.ports import TabLayout

_WORKSHEET_REL = RELATIONSHIPS + "/worksheet"
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SHEET_ID = re.compile(rb'\bsheetId="([0-9]+)"')
# What follows <definedNames> in a workbook part, in the order the format fixes.
_AFTER_NAMES = (
    b"calcPr",
    b"oleSize",
    b"customWorkbookViews",
    b"pivotCaches",
    b"smartTagPr",
    b"smartTagTypes",
    b"webPublishing",
    b"fileRecoveryPr",
    b"webPublishObjects",
    b"extLst",
)


def laid_out_tab(name: str, columns: Sequence[int], layout: TabLayout) -> tuple[str, bytes, str]:
    """A new tab's XML with no cells yet, laid out as openpyxl lays out a tab it creates, with
    its title (openpyxl's, at most 31 characters) and its print titles."""
    book = Workbook()
    book.remove(book.active)
    try:
        sheet = sheet_for(book, name, columns, layout)
    except ValueError as error:  # a name openpyxl refuses: its own path says so
        raise PackageUnsupported(str(error)) from None
    writer = WorksheetWriter(sheet, out=io.BytesIO())
    writer.write()
    xml: bytes = writer.read()
    return sheet.title, xml, sheet.print_titles or ""


class BookEdit:
    """The workbook part (tab list, defined names), its relationships and the content types."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.part = package.workbook_part()
        self.xml = package.read(self.part)
        self.relationships = Relationships(package.rels_bytes(self.part))
        self.content_types = package.read("[Content_Types].xml")
        self.count = len(package.sheets())
        self.changed = False

    def add_tab(self, title: str, hidden: bool, print_titles: str, taken: set[str]) -> SheetPart:
        """List a new tab (its part still to be written) at the end of the workbook."""
        number = 1
        while f"xl/worksheets/sheet{number}.xml" in self.package or (
            f"xl/worksheets/sheet{number}.xml" in taken
        ):
            number += 1
        part = f"xl/worksheets/sheet{number}.xml"
        rid = self.relationships.add(_WORKSHEET_REL, "/" + part)
        sheet_id = 1 + max([0, *(int(found) for found in _SHEET_ID.findall(self.xml))])
        state = b' state="hidden"' if hidden else b""
        listed = b'<sheet xmlns:r="%s" name="%s" sheetId="%d"%s r:id="%s"/>' % (
            RELATIONSHIPS.encode(),
            xml_attribute(title),
            sheet_id,
            state,
            rid.encode(),
        )
        self.xml = _inserted(self.xml, b"</sheets>", listed)
        if print_titles:
            name = b'<definedName name="_xlnm.Print_Titles" localSheetId="%d">%s</definedName>' % (
                self.count,
                print_titles.replace("&", "&amp;").replace("<", "&lt;").encode("utf-8"),
            )
            if b"</definedNames>" in self.xml:
                self.xml = _inserted(self.xml, b"</definedNames>", name)
            else:
                self.xml = _before_any(self.xml, b"<definedNames>%s</definedNames>" % name)
        self.content_types = _inserted(
            self.content_types,
            b"</Types>",
            b'<Override PartName="/%s" ContentType="%s"/>'
            % (part.encode(), _WORKSHEET_TYPE.encode()),
        )
        self.count += 1
        self.changed = True
        return SheetPart(title, part, "worksheet", rid)

    def drop_calculation_chain(self) -> dict[str, Part]:
        """Leave out Excel's list of formula cells (``calcChain.xml``): a cell the tool writes
        may have held a formula, and a chain naming it makes Excel offer to repair the file.
        Excel rebuilds the chain; openpyxl's own saves never keep it."""
        dropped: dict[str, Part] = {}
        for rid, kind in list(self.relationships.types.items()):
            if kind.endswith("/calcChain"):
                target = re.search(rb'\bTarget="([^"]*)"', self.relationships.kept[rid])
                self.relationships.drop(rid)
                if target is not None:
                    part = resolve(self.part, target.group(1).decode())
                    dropped[part] = REMOVED
                    self.content_types = re.sub(
                        rb'<Override[^>]*PartName="/%s"[^>]*/>' % re.escape(part.encode()),
                        b"",
                        self.content_types,
                    )
                self.changed = True
        return dropped

    def parts(self) -> dict[str, Part]:
        if not self.changed:
            return {}
        return {
            self.part: self.xml,
            rels_of(self.part): self.relationships.xml(),
            "[Content_Types].xml": self.content_types,
        }


def _inserted(xml: bytes, before: bytes, element: bytes) -> bytes:
    at = xml.rfind(before)
    if at == -1:
        raise PackageUnsupported(f"no {before.decode()} to add to")
    return xml[:at] + element + xml[at:]


def _before_any(xml: bytes, element: bytes) -> bytes:
    positions = [
        found.start()
        for name in _AFTER_NAMES
        if (found := re.search(rb"<%s[\s/>]" % name, xml)) is not None
    ]
    at = min(positions) if positions else xml.rindex(b"</workbook>")
    return xml[:at] + element + xml[at:]
