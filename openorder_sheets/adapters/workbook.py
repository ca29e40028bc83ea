"""The local workbook backend: an `.xlsx` file, read and written at the cost of what changed.

It behaves like the Google backend: one read of every tab, one write of every tool tab.

- **Reading** gives exactly the values openpyxl would, through python-calamine wherever that
  reads the same (:mod:`.workbook_values`; tab by tab, openpyxl where it does not): a sync that
  changes nothing never loads the workbook into openpyxl.
- **Writing** patches the tool tabs written into the file (:mod:`.workbook_patch`): their rows
  that changed are written as openpyxl would write them, everything else — the seller's tabs
  above all — is copied byte for byte. What patching does not do (a merged range over written
  cells, a header added to an old tab) goes through openpyxl, as every write did before.
- ``WorkbookBackend(path, fast=False)`` reads and writes through openpyxl alone (to compare).

The file is replaced atomically (written beside it, then renamed), so a sync killed mid-write
never leaves a half-written workbook. Around that replace:

- **The seller's save wins.** The backend remembers the file it read (size, time and a hash of
  its bytes). Just before replacing it, it checks the file on disk is still that one; if
  another program saved it meanwhile, nothing is written and :class:`SheetChangedDuringSync`
  says so, so the sync can read the seller's version and decide again.
- **Open in Excel or LibreOffice** (their lock file ``~$shop.xlsx`` or ``.~lock.shop.xlsx#`` is
  beside it): nothing is written (:class:`WorkbookInUse`), since the program's next save
  would put its stale copy back over the sync's work.
- **The file stays the seller's file**: a symlinked workbook is written through the link (the
  target is replaced, the link stays), and the file keeps its permission bits and, where the
  system allows, its owner and group.
- **Merged cells** in the cells a tool tab writes (a seller's title merged across `Orders`
  or `Summary`) are unmerged first: openpyxl cannot write into a merged cell, and the tool's
  columns must hold one value per cell. Merges elsewhere (seller columns, seller tabs) stay.
- Half-written temporary files (``.openorder-*.xlsx``) from a save that was killed are removed
  at the next read or save: a live save holds a lock on its own, so only orphans go.
- openpyxl's warnings about features it drops on load are not shown: they are not the
  seller's business and would land above the one-sentence errors.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO

from openpyxl import Workbook

from openorder_sheets.adapters.durable import fsync_folder
from openorder_sheets.adapters.workbook_grids import GridCache
from openorder_sheets.adapters.workbook_look import apply_look
from openorder_sheets.adapters.workbook_openpyxl import (
    grid_of,
    load_whole,
    sheet_for,
    write_cells,
    write_update,
)
from openorder_sheets.adapters.workbook_package import Package, PackageUnsupported, fold_name
from openorder_sheets.adapters.workbook_patch import patched_parts
from openorder_sheets.adapters.workbook_values import read_values
from openorder_sheets.errors import (
    ConfigError,
    SheetChangedDuringSync,
    SheetUnreachable,
    WorkbookInUse,
)
from openorder_sheets.ports import (
    ColumnSpec,
    Grid,
    RecordedRequests,
    SheetSnapshot,
    TabLayout,
    TabUpdate,
)

try:  # POSIX: a save in progress holds a lock on its temporary file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: A temporary file of a save that holds no lock and is older than this is an orphan (the
#: moment between creating it and locking it is far shorter).
_ORPHAN_SECONDS = 5.0
#: Without locks (Windows), a temporary file older than this is an orphan: no save takes as long.
_STALE_SECONDS = 600.0


@dataclass(frozen=True)
class FileStamp:
    """What a workbook file was when the backend read (or last wrote) it."""

    size: int
    mtime_ns: int
    sha256: str


class WorkbookBackend:
    """A :class:`~openorder_sheets.ports.SheetBackend` on a local `.xlsx` file."""

    def __init__(self, path: Path, *, fast: bool = True, state_dir: Path | None = None) -> None:
        self.path = path
        # fast=False: read and write through openpyxl alone, as before the fast path (kept to
        # compare the two and to measure the difference).
        self.fast = fast
        # With a state folder, tabs read before and unchanged since are not parsed again.
        self.grids = GridCache(state_dir, path.resolve()) if state_dir is not None else None
        self.requests = RecordedRequests()
        self.saved_by: Counter[str] = Counter()  # "patch" or "openpyxl", per save
        self._book: Workbook | None = None
        self._data: bytes | None = None  # the file as read last (or as written last)
        # The file as this backend last read or wrote it; None: there was no file.
        self._stamp: FileStamp | None = None
        # Read since the last write: a second read (a sync reading more tabs) does not move
        # the stamp forward, so a save by the seller between the two is still caught.
        self._pinned = False

    def __repr__(self) -> str:
        return f"WorkbookBackend({str(self.path)!r})"

    @property
    def target(self) -> Path:
        """The file really read and written: the link's target when ``path`` is a symlink."""
        return Path(os.path.realpath(self.path))

    # -- reading ---------------------------------------------------------------------------
    def _read_file(self) -> bytes:
        """The workbook's bytes, remembering which file they were (size, time, hash)."""
        if not self.path.exists():
            raise _missing(self.path)
        target = self.target
        _remove_stale_temporaries(target.parent)
        try:
            # The bytes parsed are the bytes hashed (one open file, even if the name is replaced
            # meanwhile): what the sync decides from is what must still be there when it writes.
            with target.open("rb") as raw:
                status = os.fstat(raw.fileno())
                data = raw.read()
        except OSError as error:
            raise _unreadable(self.path, error) from None
        if not self._pinned or self._stamp is None:
            digest = hashlib.sha256(data).hexdigest()
            self._stamp = FileStamp(status.st_size, status.st_mtime_ns, digest)
            self._pinned = True
        self._data = data
        self.requests.add("read")
        return data

    def _load(self) -> Workbook:
        """The workbook read last, loaded whole by openpyxl (once per read)."""
        if self._book is not None:
            return self._book
        data = self._data if self._data is not None else self._read_file()
        try:
            self._book = load_whole(data)
        except _UNREADABLE as error:
            raise _unreadable(self.path, error) from None
        return self._book

    def read(self, tabs: Sequence[str]) -> SheetSnapshot:
        """Every tab in ``tabs`` as openpyxl would read it, without loading the workbook into
        openpyxl when python-calamine reads the same values (:mod:`.workbook_values`)."""
        self._book = None  # every sync starts from the file as the seller left it
        data = self._read_file()
        try:
            if self.fast:
                package = Package(data)
                names = frozenset(sheet.name for sheet in package.sheets())
                return SheetSnapshot(read_values(package, tabs, self.grids), tab_names=names)
        except PackageUnsupported:
            pass
        except _UNREADABLE as error:
            raise _unreadable(self.path, error) from None
        book = self._load()
        by_name = {fold_name(name): name for name in book.sheetnames}
        found: dict[str, Grid | None] = {}
        for tab in tabs:
            real = by_name.get(fold_name(tab))
            found[tab] = None if real is None else grid_of(book[real])
        return SheetSnapshot(found, tab_names=frozenset(book.sheetnames))

    def tab_names(self) -> list[str]:
        """Every tab's name, in order, from the file's table of contents (cells unread)."""
        if not self.path.exists():
            raise _missing(self.path)
        try:
            data = self.target.read_bytes()
        except OSError as error:
            raise _unreadable(self.path, error) from None
        try:
            return [sheet.name for sheet in Package(data).sheets()]
        except PackageUnsupported:
            pass
        try:
            return list(load_whole(data).sheetnames)
        except _UNREADABLE as error:
            raise _unreadable(self.path, error) from None

    # -- writing ---------------------------------------------------------------------------
    def write(self, updates: Sequence[TabUpdate]) -> None:
        """Write the updates into the workbook read last and save it.

        The tabs written are patched into the file (:mod:`.workbook_patch`): the rest of it is
        copied as it is, without openpyxl loading it. What patching does not do (a tab to
        create, merged cells to undo, a header to add) goes through openpyxl as a whole.

        :raises WorkbookInUse: Excel or LibreOffice has the file open; nothing was written.
        :raises SheetChangedDuringSync: the file on disk is no longer the one read; nothing
            was written, and the next :meth:`read` sees the other program's version.
        """
        if not updates:
            return
        self.refuse_if_open()
        if self._book is None and self.fast:
            data = self._data if self._data is not None else self._read_file()
            try:
                package = Package(data)
                patched = package.rebuilt(patched_parts(package, updates))
            except PackageUnsupported:
                pass
            else:
                self._save(lambda path: _write_bytes(path, patched))
                self._data = patched
                self.saved_by["patch"] += 1
                return
        book = self._load()
        for update in updates:
            write_update(book, update)
        self._save(lambda path: book.save(path))
        self.saved_by["openpyxl"] += 1

    def delete_rows(self, tab: str, rows: Sequence[int]) -> None:
        """Delete whole rows (0-based) and save, as a seller deleting them in Excel.

        :raises WorkbookInUse: the file is open in Excel or LibreOffice; nothing was deleted.
        """
        if not rows:
            return
        self.refuse_if_open()
        self._book = None
        self._read_file()
        book = self._load()
        by_name = {fold_name(name): name for name in book.sheetnames}
        real = by_name.get(fold_name(tab))
        if real is None:
            return
        sheet = book[real]
        for start, count in _row_runs(sorted(set(rows), reverse=True)):
            sheet.delete_rows(start + 1, count)
        # openpyxl moves a cell up but leaves its hyperlink's address where the cell was: saved
        # so, every link would land rows below the data, and each load would make an empty
        # cell there holding the link (an archived year of ghost rows in `Orders`).
        for cell in sheet._cells.values():
            if cell.hyperlink is not None:
                cell.hyperlink.ref = cell.coordinate
        self._save(lambda path: book.save(path))
        self._book = None
        self.saved_by["openpyxl"] += 1

    def create_tabs(self, layouts: Mapping[str, tuple[TabLayout, Grid]]) -> list[str]:
        if self.path.exists():
            book = self._load()
        else:
            book = Workbook()
            book.remove(book.active)
            self._book = book
            self._stamp = None
        existing = {fold_name(name) for name in book.sheetnames}
        created = []
        for tab, (layout, rows) in layouts.items():
            if fold_name(tab) in existing:
                continue
            width = max([len(layout.columns), *(len(row) for row in rows)])
            padding = tuple(
                ColumnSpec(str(rows[0][i]) if rows and i < len(rows[0]) else "")
                for i in range(len(layout.columns), width)
            )
            layout = replace(layout, columns=layout.columns + padding)  # keeps every other field
            sheet = sheet_for(book, tab, tuple(range(width)), layout)
            update = TabUpdate(tab, tuple(range(width)), rows, layout)
            write_cells(sheet, update)
            apply_look(sheet, update)
            created.append(tab)
        if created or not self.path.exists():
            self.refuse_if_open()
            self._save(lambda path: book.save(path))
        return created

    def refuse_if_open(self) -> None:
        """Raise :class:`WorkbookInUse` when Excel's or LibreOffice's lock file is beside it."""
        for place in dict.fromkeys((self.path, self.target)):
            for program, lock in _lock_files(place):
                if lock.exists():
                    raise WorkbookInUse(
                        f"{place.name} is open in {program} — close it, then run sync again "
                        f"(if it is not open, delete the leftover lock file {lock})."
                    )

    def _save(self, save: Callable[[str], None]) -> None:
        """Write the file with ``save`` (given a path beside it), then replace it atomically."""
        target = self.target
        folder = target.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SheetUnreachable(
                f"Cannot create the folder {folder} for {self.path.name} ({error.strerror}): "
                "fix `workbook` under [sheet] in openorder.toml."
            ) from None
        _remove_stale_temporaries(folder)
        temporary = ""
        try:
            handle, temporary = tempfile.mkstemp(prefix=".openorder-", suffix=".xlsx", dir=folder)
            with os.fdopen(handle, "r+b") as held:
                _hold(held)  # a live save: the next run's clean-up leaves this file alone
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    save(temporary)
                with open(temporary, "rb") as written:
                    os.fsync(written.fileno())
                    digest = _sha256_of(written)
                _keep_mode_and_owner(temporary, target)
                # The slow part (openpyxl's save) is done: check at the last moment that the
                # file is still the one this sync read, then replace it at once.
                self._check_unchanged(target)
                os.replace(temporary, target)
                temporary = ""
            fsync_folder(folder)
            status = os.stat(target)
        except SheetChangedDuringSync:
            self._pinned = False  # the next read takes the seller's version as it is
            raise
        except PermissionError:
            raise SheetUnreachable(
                f"Cannot save {self.path}: it is open in another program or read-only — close "
                "it in Excel/LibreOffice and run the sync again."
            ) from None
        except OSError as error:
            raise SheetUnreachable(
                f"Cannot save {self.path} ({error.strerror}): free some "
                "disk space or fix the folder's permissions."
            ) from None
        finally:
            if temporary:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
        self._stamp = FileStamp(status.st_size, status.st_mtime_ns, digest)
        self._pinned = False
        self.requests.add("write")

    def _check_unchanged(self, target: Path) -> None:
        """Raise :class:`SheetChangedDuringSync` unless ``target`` holds what was read."""
        try:
            with target.open("rb") as raw:
                status = os.fstat(raw.fileno())
                now: FileStamp | None = FileStamp(
                    status.st_size, status.st_mtime_ns, _sha256_of(raw)
                )
        except FileNotFoundError:
            now = None
        before = self._stamp
        if now is None and before is None:
            return
        if now is not None and before is not None and now.sha256 == before.sha256:
            return  # the same bytes (at most touched): nothing of the seller's to lose
        if now is None:
            what = "was deleted or moved"
        else:
            saved = time.strftime("%H:%M:%S", time.localtime(now.mtime_ns / 1e9))
            what = f"was saved by another program at {saved}"
        raise SheetChangedDuringSync(
            f"{self.path.name} {what} while the sync was running: nothing was written over "
            "it — run sync again to use that version."
        )


_UNREADABLE = (zipfile.BadZipFile, KeyError, ValueError, OSError)


def _missing(path: Path) -> ConfigError:
    return ConfigError(
        f"The workbook {path} does not exist: run `openorder init` to create it, "
        "or fix `workbook` under [sheet] in openorder.toml."
    )


def _unreadable(path: Path, error: Exception) -> ConfigError:
    return ConfigError(
        f"{path} is not a readable .xlsx workbook ({error.__class__.__name__}): "
        "save it as Excel Workbook (.xlsx) and try again."
    )


def _write_bytes(path: str, data: bytes) -> None:
    Path(path).write_bytes(data)


def _lock_files(path: Path) -> list[tuple[str, Path]]:
    """Where Excel and LibreOffice put the lock file of ``path`` while they have it open."""
    return [
        ("Excel", path.with_name("~$" + path.name)),
        ("LibreOffice", path.with_name(f".~lock.{path.name}#")),
    ]


def _sha256_of(handle: IO[bytes]) -> str:
    """The SHA-256 of an open file's bytes from where it stands, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    for piece in iter(lambda: handle.read(1 << 20), b""):
        digest.update(piece)
    return digest.hexdigest()


def _hold(handle: IO[bytes]) -> None:
    """Lock ``handle``'s file for as long as it is open (POSIX; a no-op elsewhere)."""
    if fcntl is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _held_by_a_live_save(path: Path) -> bool:
    """Whether a running save holds ``path`` (a killed process holds nothing)."""
    assert fcntl is not None
    try:
        with path.open("rb") as probe:
            try:
                fcntl.flock(probe.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            fcntl.flock(probe.fileno(), fcntl.LOCK_UN)
            return False
    except OSError:
        return True  # cannot tell: leave it


def _remove_stale_temporaries(folder: Path, older_than: float = _STALE_SECONDS) -> None:
    """Delete half-written saves left by a sync killed mid-save (never a live one).

    Where locks exist, a temporary file no live save holds is an orphan as soon as it is a few
    seconds old; elsewhere only age tells, so it must be older than any save could take.
    """
    now = time.time()
    with contextlib.suppress(OSError):
        leftovers = list(folder.glob(".openorder-*.xlsx"))
        for leftover in leftovers:
            with contextlib.suppress(OSError):
                age = now - leftover.stat().st_mtime
                if fcntl is None:
                    orphan = age > older_than
                else:
                    orphan = age > _ORPHAN_SECONDS and not _held_by_a_live_save(leftover)
                if orphan:
                    leftover.unlink()


def _keep_mode_and_owner(temporary: str, target: Path) -> None:
    """Give the new file the old one's permissions (and owner, where allowed).

    A temporary file is private (0600); a workbook the seller shares with a group (0664) or a
    new workbook must not become private by being saved.
    """
    try:
        status = os.stat(target)
    except FileNotFoundError:
        os.chmod(temporary, 0o666 & ~_umask())
        return
    os.chmod(temporary, status.st_mode & 0o7777)
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):
            os.chown(temporary, status.st_uid, status.st_gid)


def _umask() -> int:
    """The process's umask, read without changing it where the system tells it."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _row_runs(descending: Sequence[int]) -> list[tuple[int, int]]:
    """Rows (highest first) as ``(first row, how many)`` runs, bottom run first."""
    runs: list[tuple[int, int]] = []
    for row in descending:
        if runs and runs[-1][0] == row + 1:
            runs[-1] = (row, runs[-1][1] + 1)
        else:
            runs.append((row, 1))
    return runs
