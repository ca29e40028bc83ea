"""An `.xlsx` file as a package of parts: read from its bytes, written with only some parts new.

A workbook is a zip of XML parts (one per tab, the styles, the shared strings, …). To write a
few tool tabs, the other parts need not be parsed at all: their compressed bytes are copied as
they are, so the seller's tabs come out byte-for-byte the same, and a sync pays for the tabs it
writes rather than for the whole workbook.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO
from xml.sax.saxutils import unescape

from openorder_sheets.core.labels import fold

_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
_END = struct.Struct("<4s4H2LH")
_DATA_DESCRIPTOR = 0x08
_UTF8_NAMES = 0x800
_ZIP32_LIMIT = 0xFFFFFFFF
#: Parts written anew are compressed fast: they are the big tool tabs, rewritten every sync.
_LEVEL = 1

_SHEET = re.compile(rb"<sheet\b([^>]*)/?>")
_RELATIONSHIP = re.compile(rb"<Relationship\b([^>]*)/?>")
_ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')


class PackageUnsupported(Exception):
    """This file's layout is outside what the fast path handles; openpyxl does the job."""


@dataclass(frozen=True)
class Compressed:
    """A part already deflated (from its pieces, never joined in memory), ready to be stored."""

    data: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, pieces: Iterable[bytes | memoryview]) -> Compressed:
        compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, -15)
        out, crc, size = [], 0, 0
        for piece in pieces:
            crc = zlib.crc32(piece, crc)
            size += len(piece)
            out.append(compressor.compress(piece))
        out.append(compressor.flush())
        return cls(b"".join(out), crc, size)


class Removed:
    """A part to leave out of the package."""


REMOVED = Removed()
Part = bytes | Compressed | Removed


@dataclass(frozen=True)
class SheetPart:
    """One tab as the workbook lists it."""

    name: str
    part: str  # the part's name inside the zip, e.g. "xl/worksheets/sheet5.xml"
    kind: str  # "worksheet", "chartsheet", …
    rid: str  # its relationship id in xl/_rels/workbook.xml.rels


def attributes(tag: bytes) -> dict[str, str]:
    """The attributes of one start tag (as every spreadsheet program writes them: name="value")."""
    return {
        key.decode(): unescape(value.decode("utf-8"), {"&quot;": '"', "&apos;": "'"})
        for key, value in _ATTRIBUTE.findall(tag)
    }


def fold_name(name: str) -> str:
    """A tab's name as matched: case and runs of spaces do not count (``labels.fold``)."""
    return fold(name)


def resolve(source: str, target: str) -> str:
    """The part a relationship of ``source`` points at (targets are relative or absolute)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def rels_of(part: str) -> str:
    """Where the relationships of ``part`` are stored."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


class Package:
    """The parts of one `.xlsx` file, read lazily from its bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = {info.filename: info for info in self._zip.infolist()}
        except (zipfile.BadZipFile, ValueError, OSError) as error:
            raise PackageUnsupported(f"not a zip: {error}") from None
        if len(self.infos) != len(self._zip.infolist()):
            raise PackageUnsupported("a part name appears twice")

    def __contains__(self, name: str) -> bool:
        return name in self.infos

    def read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        # zipfile raises NotImplementedError for a compression method it cannot inflate (a
        # workbook some other program wrote): the caller falls back to openpyxl's reading.
        except (KeyError, zipfile.BadZipFile, zlib.error, NotImplementedError) as error:
            raise PackageUnsupported(f"{name}: {error}") from None

    def rels_bytes(self, part: str) -> bytes:
        """The XML of ``part``'s relationships (empty if it has none)."""
        name = rels_of(part)
        return self.read(name) if name in self else b""

    def relationships(self, part: str) -> dict[str, dict[str, str]]:
        """Relationship id → its attributes (``Target``, ``Type``, ``TargetMode``)."""
        name = rels_of(part)
        if name not in self:
            return {}
        found = {}
        for match in _RELATIONSHIP.finditer(self.read(name)):
            relation = attributes(match.group(1))
            found[relation.get("Id", "")] = relation
        return found

    def sheets(self) -> list[SheetPart]:
        """The workbook's tabs in order, each with the part that holds it."""
        workbook = self.workbook_part()
        relations = self.relationships(workbook)
        listed = []
        for match in _SHEET.finditer(self.read(workbook)):
            found = attributes(match.group(1))
            rid = found.get("r:id", "")
            relation = relations.get(rid)
            if relation is None or "name" not in found:
                raise PackageUnsupported("a tab without its part")
            kind = relation.get("Type", "").rsplit("/", 1)[-1]
            listed.append(
                SheetPart(found["name"], resolve(workbook, relation.get("Target", "")), kind, rid)
            )
        return listed

    def workbook_part(self) -> str:
        for relation in self.relationships("").values():
            if relation.get("Type", "").endswith("/officeDocument"):
                return resolve("", relation.get("Target", ""))
        raise PackageUnsupported("no workbook part")

    def styles_part(self) -> str | None:
        workbook = self.workbook_part()
        for relation in self.relationships(workbook).values():
            if relation.get("Type", "").endswith("/styles"):
                return resolve(workbook, relation.get("Target", ""))
        return None

    def shared_strings_part(self) -> str | None:
        workbook = self.workbook_part()
        for relation in self.relationships(workbook).values():
            if relation.get("Type", "").endswith("/sharedStrings"):
                return resolve(workbook, relation.get("Target", ""))
        return None

    # -- writing ---------------------------------------------------------------------------
    def rebuilt(self, parts: Mapping[str, Part]) -> bytes:
        """The package with ``parts`` replaced or added, every other part copied as it was."""
        out = io.BytesIO()
        self.write(out, parts)
        return out.getvalue()

    def write(self, out: IO[bytes], parts: Mapping[str, Part]) -> None:
        """Write the package with ``parts`` replaced or added to ``out``."""
        central = []
        now = time.localtime()[:6]
        for info in self._zip.infolist():
            offset = out.tell()
            part = parts.get(info.filename)
            if isinstance(part, Removed):
                continue
            if part is not None:
                central.append(_write_new(out, info.filename, part, info))
            else:
                central.append(self._copy(out, info))
            central[-1].header_offset = offset
        for name, data in parts.items():
            if name not in self.infos and not isinstance(data, Removed):
                fresh = zipfile.ZipInfo(name, date_time=now)
                offset = out.tell()
                central.append(_write_new(out, name, data, fresh))
                central[-1].header_offset = offset
        _write_central_directory(out, central)

    def stored(self, name: str) -> tuple[bytes, memoryview]:
        """How part ``name`` is stored: its method, CRC and sizes, and its compressed bytes
        (the same part stored the same way gives the same bytes; nothing is inflated)."""
        info = self.infos[name]
        begin = self._data_start(info)
        fields = (info.compress_type, info.CRC, info.file_size, info.compress_size)
        return repr(fields).encode(), memoryview(self.data)[begin : begin + info.compress_size]

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        """Where ``info``'s compressed bytes start in the file."""
        start = info.header_offset
        header = self.data[start : start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            raise PackageUnsupported(f"{info.filename}: damaged local header")
        fields = _LOCAL_HEADER.unpack(header)
        name_length, extra_length = fields[9], fields[10]
        begin: int = start + _LOCAL_HEADER.size + name_length + extra_length
        if (
            info.flag_bits & 0x1  # encrypted
            or info.compress_size >= _ZIP32_LIMIT
            or info.file_size >= _ZIP32_LIMIT
            or begin + info.compress_size > len(self.data)
        ):
            raise PackageUnsupported(f"{info.filename}: encrypted or zip64")
        return begin

    def _copy(self, out: IO[bytes], info: zipfile.ZipInfo) -> zipfile.ZipInfo:
        """Copy one part's compressed bytes as they are, under a fresh local header."""
        begin = self._data_start(info)
        copy = _entry(info.filename, info.compress_type, info.date_time, info.CRC)
        copy.compress_size, copy.file_size = info.compress_size, info.file_size
        copy.external_attr = info.external_attr
        _write_local_header(out, copy)
        out.write(self.data[begin : begin + info.compress_size])
        return copy


def _entry(name: str, method: int, date_time: tuple[int, ...], crc: int) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=date_time[:6])  # type: ignore[arg-type]
    entry.compress_type = method
    entry.CRC = crc
    entry.flag_bits = 0 if name.isascii() else _UTF8_NAMES
    return entry


def _write_new(
    out: IO[bytes], name: str, part: bytes | Compressed, like: zipfile.ZipInfo
) -> zipfile.ZipInfo:
    packed = part if isinstance(part, Compressed) else Compressed.of((part,))
    if len(packed.data) >= _ZIP32_LIMIT or packed.size >= _ZIP32_LIMIT:
        raise PackageUnsupported(f"{name}: too big for a zip without zip64")
    entry = _entry(name, zipfile.ZIP_DEFLATED, like.date_time, packed.crc)
    entry.compress_size, entry.file_size = len(packed.data), packed.size
    entry.external_attr = like.external_attr or (0o600 << 16)
    _write_local_header(out, entry)
    out.write(packed.data)
    return entry


def _dos_time(date_time: tuple[int, ...]) -> tuple[int, int]:
    year, month, day, hour, minute, second = date_time[:6]
    year = max(1980, min(year, 2107))
    return (year - 1980) << 9 | month << 5 | day, hour << 11 | minute << 5 | second // 2


def _write_local_header(out: IO[bytes], entry: zipfile.ZipInfo) -> None:
    date, clock = _dos_time(entry.date_time)
    name = entry.filename.encode("utf-8")
    out.write(
        _LOCAL_HEADER.pack(
            b"PK\x03\x04",
            20,
            entry.flag_bits & ~_DATA_DESCRIPTOR,
            entry.compress_type,
            clock,
            date,
            entry.CRC,
            entry.compress_size,
            entry.file_size,
            len(name),
            0,
        )
    )
    out.write(name)


def _write_central_directory(out: IO[bytes], entries: list[zipfile.ZipInfo]) -> None:
    start = out.tell()
    for entry in entries:
        if entry.header_offset >= _ZIP32_LIMIT:
            raise PackageUnsupported("the workbook is too big for a zip without zip64")
        date, clock = _dos_time(entry.date_time)
        name = entry.filename.encode("utf-8")
        out.write(
            _CENTRAL_HEADER.pack(
                b"PK\x01\x02",
                20,
                20,
                entry.flag_bits & ~_DATA_DESCRIPTOR,
                entry.compress_type,
                clock,
                date,
                entry.CRC,
                entry.compress_size,
                entry.file_size,
                len(name),
                0,
                0,
                0,
                0,
                entry.external_attr,
                entry.header_offset,
            )
        )
        out.write(name)
    size = out.tell() - start
    if len(entries) > 0xFFFF or start >= _ZIP32_LIMIT:
        raise PackageUnsupported("the workbook is too big for a zip without zip64")
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), size, start, 0))


def iter_tags(xml: bytes, pattern: re.Pattern[bytes]) -> Iterator[dict[str, str]]:
    """The attributes of every start tag ``pattern`` finds (its group 1 is the attributes)."""
    for match in pattern.finditer(xml):
        yield attributes(match.group(1))
