"""A worksheet's hyperlinks (``<hyperlinks>`` in the sheet, their addresses in its ``.rels``).

The `Orders` tab links every WhatsApp number; a sync that writes a few orders changes a few
links. The others stay exactly as they were, relationship ids included.
"""

from __future__ import annotations

import re
from collections import Counter
from xml.sax.saxutils import unescape

from openorder_sheets.adapters.workbook_package import PackageUnsupported

RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HYPERLINK_TYPE = RELATIONSHIPS + "/hyperlink"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_HYPERLINK = re.compile(rb"<hyperlink\b([^>]*?)/?>(?:</hyperlink>)?")
_RELATIONSHIP = re.compile(rb"<Relationship\b([^>]*?)/?>(?:</Relationship>)?")
_PLACE = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
#: Elements that come after <hyperlinks> in a worksheet, in the order the format fixes.
AFTER_HYPERLINKS = (
    b"printOptions",
    b"pageMargins",
    b"pageSetup",
    b"headerFooter",
    b"rowBreaks",
    b"colBreaks",
    b"customProperties",
    b"cellWatches",
    b"ignoredErrors",
    b"smartTags",
    b"drawing",
    b"legacyDrawing",
    b"legacyDrawingHF",
    b"drawingHF",
    b"picture",
    b"oleObjects",
    b"controls",
    b"webPublishItems",
    b"tableParts",
    b"extLst",
)


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def xml_attribute(text: str) -> bytes:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
        .encode("utf-8")
    )


def _value_of(tag: bytes, key: bytes) -> str:
    """The value of the attribute ``key`` (given as ``b' name="'``) in a start tag's text."""
    at = tag.find(key)
    if at == -1:
        if tag.startswith(key[1:]):  # the first attribute, with no space before it
            at = -1
        else:
            return ""
    start = at + len(key)
    value = tag[start : tag.find(b'"', start)].decode("utf-8")
    return unescape(value, {"&quot;": '"', "&apos;": "'"}) if "&" in value else value


def insert_before(tail: bytes, element: bytes, followers: tuple[bytes, ...]) -> bytes:
    """``tail`` (the worksheet after its cells) with ``element`` where the format puts it."""
    positions = [
        found.start()
        for name in followers
        if (found := re.search(rb"<%s[\s/>]" % name, tail)) is not None
    ]
    at = min(positions) if positions else tail.rindex(b"</worksheet>")
    return tail[:at] + element + tail[at:]


class Relationships:
    """A part's relationships: kept as written, some dropped, some added."""

    def __init__(self, xml: bytes) -> None:
        self.original = xml
        self.kept: dict[str, bytes] = {}
        self.types: dict[str, str] = {}
        for match in _RELATIONSHIP.finditer(xml):
            tag = match.group(1)
            rid = _value_of(tag, b' Id="')
            self.kept[rid] = match.group(0)
            self.types[rid] = _value_of(tag, b' Type="')
        self.changed = False
        self._next = 1 + max(
            [0, *(int(key[3:]) for key in self.kept if key[:3] == "rId" and key[3:].isdigit())]
        )

    def add(self, kind: str, target: str, external: bool = False) -> str:
        rid = f"rId{self._next}"
        self._next += 1
        mode = b' TargetMode="External"' if external else b""
        self.kept[rid] = b'<Relationship Type="%s" Target="%s"%s Id="%s"/>' % (
            xml_attribute(kind),
            xml_attribute(target),
            mode,
            rid.encode(),
        )
        self.types[rid] = kind
        self.changed = True
        return rid

    def drop(self, rid: str) -> None:
        if self.kept.pop(rid, None) is not None:
            self.changed = True

    def xml(self) -> bytes:
        return b'<Relationships xmlns="%s">%s</Relationships>' % (
            _PACKAGE.encode(),
            b"".join(self.kept.values()),
        )


class SheetLinks:
    """The hyperlinks of one worksheet, by cell."""

    def __init__(self, tail: bytes, relationships: Relationships) -> None:
        self.relationships = relationships
        self.by_cell: dict[tuple[int, int], tuple[bytes, str]] = {}  # → (element, its rel id)
        self.uses: Counter[str] = Counter()  # rel id → how many links use it
        self.changed = False
        section = _section(tail)
        if section is None:
            return
        for match in _HYPERLINK.finditer(tail, *section):
            tag = match.group(1)
            place = _PLACE.fullmatch(_value_of(tag, b' ref="'))
            if place is None or tag.count(b':id="') != tag.count(b' r:id="'):
                raise PackageUnsupported("a hyperlink over a range, or under another prefix")
            cell = (int(place.group(2)), column_number(place.group(1)))
            rid = _value_of(tag, b' r:id="')
            self.by_cell[cell] = (match.group(0), rid)
            self.uses[rid] += 1

    def rows(self) -> set[int]:
        return {row for row, _ in self.by_cell}

    def set(self, cell: tuple[int, int], reference: bytes, target: str) -> None:
        """Link ``cell`` to the web address ``target`` (replacing its link, if any)."""
        self.remove(cell)
        rid = self.relationships.add(_HYPERLINK_TYPE, target, external=True)
        element = b'<hyperlink xmlns:r="%s" ref="%s" r:id="%s"/>' % (
            RELATIONSHIPS.encode(),
            reference,
            rid.encode(),
        )
        self.by_cell[cell] = (element, rid)
        self.uses[rid] += 1
        self.changed = True

    def remove(self, cell: tuple[int, int]) -> None:
        found = self.by_cell.pop(cell, None)
        if found is None:
            return
        self.changed = True
        rid = found[1]
        self.uses[rid] -= 1
        if rid and not self.uses[rid] and self.relationships.types.get(rid) == _HYPERLINK_TYPE:
            self.relationships.drop(rid)

    def patched_tail(self, tail: bytes) -> bytes:
        """``tail`` with the ``<hyperlinks>`` section as the links now are."""
        if not self.changed:
            return tail
        ordered = [self.by_cell[cell][0] for cell in sorted(self.by_cell)]
        section = b"<hyperlinks>%s</hyperlinks>" % b"".join(ordered) if ordered else b""
        found = _section(tail)
        if found is not None:
            start, end = found
            return tail[:start] + section + tail[end:]
        return insert_before(tail, section, AFTER_HYPERLINKS) if section else tail


def _section(tail: bytes) -> tuple[int, int] | None:
    """Where ``<hyperlinks>…</hyperlinks>`` (or ``<hyperlinks/>``) is in ``tail``."""
    start = tail.find(b"<hyperlinks")
    if start == -1:
        return None
    end = tail.find(b"</hyperlinks>", start)
    if end == -1:
        return start, tail.index(b">", start) + 1
    return start, end + len(b"</hyperlinks>")
