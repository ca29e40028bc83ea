"""Tabs already read, kept beside the shop: a tab whose bytes in the file have not changed since
it was last read is not parsed again.

A cron sync reads every tab it decides from; most of the time most of them are as the last sync
left them (the seller's form answers, products and batches between two new answers, the tool's
own tabs between two changes). Parsing them again was a third of a no-op's cost. So
each grid :mod:`.workbook_values` reads with python-calamine is kept in the state folder
(``grids/``, one file per tab), under a key that covers everything the reading depends on:

- the tab's name and its part's compressed bytes (the zip's own record of them: size and CRC
  too) — a seller's edit, or a sync's write, changes them;
- the parts every tab's reading depends on: the workbook's list of tabs and its relationships,
  the content types, the styles (which cells are dates) and the shared strings, and the tab's
  own relationships (comments make it openpyxl's);
- the reading code itself and the versions of python-calamine and openpyxl.

A key that matches gives back exactly the grid the reader gave for the same bytes. A file that
is missing, damaged or foreign is a miss: the tab is read as if there were no cache, and kept
again. Deleting ``grids/`` only costs the next sync its speed. The files hold the grids
pickled with nothing but cell values in them (text, numbers, booleans, dates); loading refuses
anything else.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openorder_sheets.adapters.code_version import fingerprint
from openorder_sheets.adapters.workbook_package import (
    Package,
    PackageUnsupported,
    SheetPart,
    rels_of,
)
from openorder_sheets.ports import Grid

FOLDER = "grids"
_FORMAT = b"openorder-grids/1"
_ALLOWED = {
    ("datetime", "datetime"): dt.datetime,
    ("datetime", "date"): dt.date,
    ("datetime", "time"): dt.time,
    ("datetime", "timedelta"): dt.timedelta,
}


@functools.cache
def reader_version() -> bytes:
    """A fingerprint of the code that reads a tab: the modules of the fast reading and of its
    fallback, and the versions of the two readers."""
    here = Path(__file__).resolve().parent
    modules = ("grids", "values", "scan", "openpyxl", "package")
    return fingerprint(
        (here / f"workbook_{name}.py" for name in modules), ("python-calamine", "openpyxl"), _FORMAT
    )


class GridCache:
    """The grids of one workbook's tabs, kept in ``folder/grids``."""

    def __init__(self, folder: Path, workbook: Path) -> None:
        self.folder = folder / FOLDER
        # The shop and its archive workbook share a state folder: each keeps its own files.
        self.scope = hashlib.blake2b(str(workbook).encode(), digest_size=6).hexdigest()
        self.hits = 0  # grids given back since this cache was made (for the bench and tests)

    def keys(self, package: Package) -> KeyMaker | None:
        """What makes the keys of ``package``'s tabs; ``None`` when a part cannot be hashed
        as it is stored (such a file is simply read every time)."""
        try:
            return KeyMaker(package)
        except PackageUnsupported:
            return None

    def _path(self, sheet: SheetPart, key: str) -> Path:
        return self.folder / f"{self._tab(sheet)}-{key}.pickle"

    def _tab(self, sheet: SheetPart) -> str:
        return self.scope + hashlib.blake2b(sheet.part.encode(), digest_size=6).hexdigest()

    def load(self, sheet: SheetPart, key: str) -> Grid | None:
        """The grid kept under ``key``, or ``None``."""
        try:
            with self._path(sheet, key).open("rb") as file:
                grid = _CellsOnly(file).load()
        except Exception:
            return None
        if not isinstance(grid, list):
            return None
        self.hits += 1
        return grid

    def store(self, sheet: SheetPart, key: str, grid: Grid) -> None:
        """Keep ``grid`` under ``key`` (written whole, then renamed into place), and let go of
        the tab's older grids. A folder that cannot be written only means no cache."""
        path = self._path(sheet, key)
        temporary = path.with_suffix(f".{os.getpid()}.part")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with temporary.open("wb") as file:
                pickler = pickle.Pickler(file, protocol=5)
                pickler.fast = True  # no memo of every cell: the grid has no shared parts
                pickler.dump(grid)
            os.replace(temporary, path)
            prefix = self._tab(sheet) + "-"
            for other in self.folder.glob(prefix + "*.pickle"):
                if other != path:
                    other.unlink(missing_ok=True)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)

    def prune(self, sheets: Sequence[SheetPart]) -> None:
        """Let go of the grids of tabs the workbook no longer has (deleted, or their part
        renamed by the seller's program) and of files a store cut short left behind."""
        if not self.folder.is_dir():
            return
        live = {self._tab(sheet) for sheet in sheets}
        with contextlib.suppress(OSError):
            for path in self.folder.glob(self.scope + "*"):
                tab = path.name.partition("-")[0]
                if path.suffix == ".part" or tab not in live:
                    path.unlink(missing_ok=True)


class KeyMaker:
    """The keys of one package's tabs: what every tab's reading shares is hashed once."""

    def __init__(self, package: Package) -> None:
        self.package = package
        shared = hashlib.blake2b(reader_version(), digest_size=20)
        workbook = package.workbook_part()
        for name in sorted(
            {
                "[Content_Types].xml",
                "_rels/.rels",
                workbook,
                rels_of(workbook),
                "xl/styles.xml",
                package.styles_part() or "",
                package.shared_strings_part() or "",
            }
        ):
            self._add(shared, name)
        self.shared = shared.digest()

    def key(self, sheet: SheetPart) -> str:
        digest = hashlib.blake2b(self.shared, digest_size=20)
        digest.update(repr((sheet.name, sheet.kind, sheet.part)).encode())
        self._add(digest, sheet.part)
        self._add(digest, rels_of(sheet.part))
        return digest.hexdigest()

    def _add(self, digest: Any, name: str) -> None:
        """A part as stored (its compressed bytes, size and CRC), or that it is not there."""
        digest.update(name.encode() + b"\0")
        if not name or name not in self.package:
            digest.update(b"-\0")
            return
        fields, data = self.package.stored(name)
        digest.update(fields)
        digest.update(data)


class _CellsOnly(pickle.Unpickler):
    """Loads cell values only: text, numbers, booleans, ``None`` and the dates' classes."""

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")
        return found
