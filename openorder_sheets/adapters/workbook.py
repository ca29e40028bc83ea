"""The local workbook backend: an `.xlsx` file read and written with openpyxl.

It behaves like the Google backend: one read of every tab, one write of every tool tab. The
file is replaced atomically (written beside it, then renamed), so a sync killed mid-write never
leaves a half-written workbook. Around that replace:

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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.packaging.relationship import RelationshipList
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from openorder_sheets.errors import (
    ConfigError,
    SheetChangedDuringSync,
    SheetUnreachable,
    WorkbookInUse,
)
from openorder_sheets.ports import (
    ChartSpec,
    ColumnKind,
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

# The header band: the same face as the cells (an unnamed font prints as a serif fallback in
# LibreOffice), bold white on brown, two lines high so headers such as "Tanggal kirim" wrap
# instead of being cut off.
_HEADER_FONT = Font(name="Calibri", size=11, bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="7B3F00")
_HEADER_BORDER = Border(bottom=Side(style="thin", color="4A2600"))
_HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
_HEADER_HEIGHT = 30  # points: two lines of an 11 pt header
_LAST_ROW = 1_048_576  # dropdowns and checkboxes cover the whole column, however long it grows
# Long free text (items, problems, addresses, notes, errors) wraps inside its column instead of
# running under the next one or being cut off; the row grows to fit.
_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
_LINE_HEIGHT = 15  # points per line of 11 pt text
_MAX_LINES = 20
_CHARS_PER_WIDTH = 1.1  # characters of text per unit of column width (the width of a "0")
# A sheet whose columns add up to more than this (in character widths) is not shrunk to one
# page wide when printed: the text would become unreadably small.
_FIT_TO_WIDTH_LIMIT = 260
_NUMBER_FORMATS = {
    ColumnKind.INTEGER: "0",
    ColumnKind.NUMBER: "General",  # "0.###" shows a stray "1." for whole numbers in Excel
    ColumnKind.PERCENT: "0%",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm",
    ColumnKind.DATE: "yyyy-mm-dd",
}


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

    def __init__(self, path: Path) -> None:
        self.path = path
        self.requests = RecordedRequests()
        self._book: Workbook | None = None
        # The file as this backend last read or wrote it; None: there was no file.
        self._stamp: FileStamp | None = None

    def __repr__(self) -> str:
        return f"WorkbookBackend({str(self.path)!r})"

    @property
    def target(self) -> Path:
        """The file really read and written: the link's target when ``path`` is a symlink."""
        return Path(os.path.realpath(self.path))

    # -- reading ---------------------------------------------------------------------------
    def _load(self) -> Workbook:
        if self._book is not None:
            return self._book
        if not self.path.exists():
            raise ConfigError(
                f"The workbook {self.path} does not exist: run `openorder init` to create it, "
                "or fix `workbook` under [sheet] in openorder.toml."
            )
        target = self.target
        _remove_stale_temporaries(target.parent)
        try:
            # The file parsed is the file hashed (one open file, even if the name is replaced
            # meanwhile): what the sync decides from is what must still be there when it writes.
            with target.open("rb") as raw:
                status = os.fstat(raw.fileno())
                digest = _sha256_of(raw)
                raw.seek(0)
                with _indexed_relationships(), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    self._book = load_workbook(raw, rich_text=False)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ConfigError(
                f"{self.path} is not a readable .xlsx workbook ({error.__class__.__name__}): "
                "save it as Excel Workbook (.xlsx) and try again."
            ) from None
        self._stamp = FileStamp(status.st_size, status.st_mtime_ns, digest)
        self.requests.add("read")
        return self._book

    def read(self, tabs: Sequence[str]) -> SheetSnapshot:
        self._book = None  # every sync starts from the file as the seller left it
        book = self._load()
        by_name = {fold_name(name): name for name in book.sheetnames}
        found: dict[str, Grid | None] = {}
        for tab in tabs:
            real = by_name.get(fold_name(tab))
            found[tab] = None if real is None else _grid(book[real])
        return SheetSnapshot(found)

    # -- writing ---------------------------------------------------------------------------
    def write(self, updates: Sequence[TabUpdate]) -> None:
        """Write the updates into the workbook read last and save it.

        :raises WorkbookInUse: Excel or LibreOffice has the file open; nothing was written.
        :raises SheetChangedDuringSync: the file on disk is no longer the one read; nothing
            was written, and the next :meth:`read` sees the other program's version.
        """
        if not updates:
            return
        self.refuse_if_open()
        book = self._load()
        for update in updates:
            sheet = self._sheet(book, update.tab, update.columns, update.layout)
            _unmerge_written(sheet, update)
            _write(sheet, update)
            if update.layout.chart is not None:
                _chart(sheet, update.layout)
        self._save(book)

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
            sheet = self._sheet(book, tab, tuple(range(width)), layout)
            _write(sheet, TabUpdate(tab, tuple(range(width)), rows, layout))
            created.append(tab)
        if created or not self.path.exists():
            self.refuse_if_open()
            self._save(book)
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

    def _sheet(
        self, book: Workbook, tab: str, columns: Sequence[int], layout: TabLayout
    ) -> Worksheet:
        for name in book.sheetnames:
            if fold_name(name) == fold_name(tab):
                return book[name]
        sheet = book.create_sheet(tab[:31])
        _decorate(sheet, columns, layout)
        return sheet

    def _save(self, book: Workbook) -> None:
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
                    book.save(temporary)
                with open(temporary, "rb") as written:
                    os.fsync(written.fileno())
                    digest = _sha256_of(written)
                _keep_mode_and_owner(temporary, target)
                # The slow part (openpyxl's save) is done: check at the last moment that the
                # file is still the one this sync read, then replace it at once.
                self._check_unchanged(target)
                os.replace(temporary, target)
                temporary = ""
            _fsync_folder(folder)
            status = os.stat(target)
        except SheetChangedDuringSync:
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


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (where a folder can be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def _unmerge_written(sheet: Worksheet, update: TabUpdate) -> None:
    """Unmerge every merged range that overlaps a cell ``update`` writes or clears.

    openpyxl cannot set a value in the covered cells of a merge (``MergedCell``), and the
    tool's columns need one value per cell. The top-left value stays where it was.
    """
    if not sheet.merged_cells.ranges or not update.columns:
        return
    first_row = update.start_row + 1
    last_row = _LAST_ROW if update.clear_below else update.start_row + len(update.rows)
    columns = {column + 1 for column in update.columns}
    low, high = min(columns), max(columns)
    for merged in list(sheet.merged_cells.ranges):
        if merged.max_row < first_row or merged.min_row > last_row:
            continue
        if merged.max_col < low or merged.min_col > high:
            continue
        if not any(merged.min_col <= column <= merged.max_col for column in columns):
            continue
        sheet.merged_cells.remove(merged)
        for row, column in merged.cells:
            if isinstance(sheet._cells.get((row, column)), MergedCell):
                del sheet._cells[(row, column)]


def fold_name(name: str) -> str:
    return " ".join(name.split()).casefold()


@contextlib.contextmanager
def _indexed_relationships() -> Iterator[None]:
    """Find relationships by id through an index while a workbook loads.

    openpyxl looks up every hyperlink's target with a linear scan of the sheet's
    relationships: quadratic in the number of links, about three minutes for the WhatsApp
    links of a 100,000-order `Orders` tab. The index gives the same answers in linear time.
    """
    original = RelationshipList.get
    # id → (the list itself, kept alive so its id is not reused; its length; the index)
    indexes: dict[int, tuple[RelationshipList, int, dict[Any, Any]]] = {}

    def get(relationships: RelationshipList, key: Any) -> Any:
        cached = indexes.get(id(relationships))
        if cached is None or cached[0] is not relationships or cached[1] != len(relationships):
            index: dict[Any, Any] = {}
            for relationship in relationships:
                index.setdefault(relationship.Id, relationship)  # the first wins, as in a scan
            cached = indexes[id(relationships)] = (relationships, len(relationships), index)
        found = cached[2].get(key)
        return found if found is not None else original(relationships, key)

    RelationshipList.get = get
    try:
        yield
    finally:
        RelationshipList.get = original


def _grid(sheet: Worksheet) -> Grid:
    """The sheet's values, row by row, each row as wide as the sheet (as ``iter_rows`` gives).

    Read from the cells that exist: ``iter_rows`` would create an empty cell object for every
    blank position first (a million of them in a 100,000-answer responses tab).
    """
    if not sheet._cells:
        return []
    width, height = sheet.max_column, sheet.max_row
    rows: Grid = [[None] * width for _ in range(height)]
    for (row, column), cell in sheet._cells.items():
        value = cell.value
        if value is not None:
            rows[row - 1][column - 1] = value
    while rows and all(cell is None for cell in rows[-1]):
        rows.pop()
    return rows


def _decorate(sheet: Worksheet, columns: Sequence[int], layout: TabLayout) -> None:
    """What a seller sees on a new tab: frozen header, widths, dropdowns, checkboxes, printing.

    ``layout.columns[j]`` describes sheet column ``columns[j]`` (as in :class:`TabUpdate`), so a
    tab first written from a partial update still gets its dropdowns on the right columns.
    """
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = _HEADER_HEIGHT
    for column, spec in zip(columns, layout.columns, strict=False):
        _decorate_column(sheet, column + 1, spec)
    _page_setup(sheet, layout)
    if layout.hidden:
        sheet.sheet_state = "hidden"  # the tool's memory: not for the seller to edit


def _decorate_column(sheet: Worksheet, index: int, spec: ColumnSpec) -> None:
    """Width (wide enough for the header's longest word) and the column's data validation."""
    letter = get_column_letter(index)
    longest_word = max((len(word) for word in spec.header.split()), default=0)
    sheet.column_dimensions[letter].width = max(spec.width, longest_word + 2)
    choices: tuple[str, ...] = ()
    if spec.kind is ColumnKind.DROPDOWN:
        choices = spec.options
    elif spec.kind is ColumnKind.CHECKBOX:
        choices = ("TRUE", "FALSE")
    if not choices or _validated(sheet, index):
        return
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showDropDown=False,  # (sic) False *shows* the in-cell arrow
    )
    if spec.kind is ColumnKind.DROPDOWN:
        # A typo in a seller column is flagged (but still allowed: the sync explains it).
        validation.showErrorMessage = True
        validation.errorStyle = "warning"
    validation.add(f"{letter}2:{letter}{_LAST_ROW}")
    sheet.add_data_validation(validation)


def _validated(sheet: Worksheet, index: int) -> bool:
    """Whether a data validation already covers (part of) sheet column ``index``."""
    return any(
        cells.min_col <= index <= cells.max_col
        for validation in sheet.data_validations.dataValidation
        for cells in validation.sqref.ranges
    )


def _page_setup(sheet: Worksheet, layout: TabLayout) -> None:
    """Printable as it is: A4 landscape, header repeated on every page, gridlines, and one page
    wide unless the tab is too wide for that to stay readable (the Orders tab)."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    if sum(spec.width for spec in layout.columns) <= _FIT_TO_WIDTH_LIMIT:
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages down as the rows need


def _write(sheet: Worksheet, update: TabUpdate) -> None:
    kinds = _kinds(update)
    wrapped = {
        column: _width(sheet, column + 1)
        for column, spec in zip(update.columns, update.layout.columns, strict=False)
        if spec.wrap
    }
    money_format = _money_format(update.layout.currency_format)
    # Alignment ids resolved once: openpyxl re-hashes an Alignment on every assignment, which
    # would cost seconds on a 100,000-row tab.
    alignments = sheet.parent._alignments
    wrap_id, top_id = alignments.add(_WRAP), alignments.add(_TOP)
    if update.start_row == 0 and update.rows and update.rows[0] is not None:
        _header_columns_added(sheet, update)
    for offset, row in enumerate(update.rows):
        if row is None:
            continue
        sheet_row = update.start_row + offset + 1
        lines = _lines(row, update.columns, wrapped) if wrapped and sheet_row > 1 else 1
        for value, column in zip(row, update.columns, strict=False):
            cell = sheet.cell(row=sheet_row, column=column + 1)
            cell.value = _storable(value)
            if sheet_row == 1:
                cell.font = _HEADER_FONT
                cell.fill = _HEADER_FILL
                cell.border = _HEADER_BORDER
                cell.alignment = _HEADER_ALIGNMENT
                continue
            kind = kinds.get(column)
            if kind is ColumnKind.MONEY:
                cell.number_format = money_format
            elif kind in _NUMBER_FORMATS:
                cell.number_format = _NUMBER_FORMATS[kind]
            elif kind is ColumnKind.LINK and isinstance(value, str) and value.startswith("http"):
                cell.hyperlink = value
                cell.style = "Hyperlink"
            if value is None:
                continue
            if column in wrapped:
                _align(cell, wrap_id)
            elif lines > 1:
                _align(cell, top_id)  # the row's other cells line up with the wrapped text
        if wrapped and sheet_row > 1:
            _fit_height(sheet, sheet_row, lines)
    if update.clear_below:
        end = update.start_row + len(update.rows) + 1
        for sheet_row in range(end, sheet.max_row + 1):
            for column in update.columns:
                cell = sheet.cell(row=sheet_row, column=column + 1)
                cell.value = None
                cell.hyperlink = None
            if wrapped:
                _fit_height(sheet, sheet_row, 1)


def _align(cell: Any, alignment_id: int) -> None:
    """``cell.alignment = …`` with the alignment's id already known (keeps font, fill, format)."""
    if cell._style is None:
        cell._style = StyleArray()
    cell._style.alignmentId = alignment_id


def _width(sheet: Worksheet, index: int) -> float:
    dimension = sheet.column_dimensions.get(get_column_letter(index))
    width = dimension.width if dimension is not None else None
    return float(width) if width else 13.0


def _lines(row: Sequence[Any], columns: Sequence[int], wrapped: Mapping[int, float]) -> int:
    """How many lines the row's tallest wrapped cell needs."""
    lines = 1
    for value, column in zip(row, columns, strict=False):
        width = wrapped.get(column)
        if width is not None and isinstance(value, str) and value:
            lines = max(lines, _text_lines(value, max(4, int(width * _CHARS_PER_WIDTH))))
    return min(lines, _MAX_LINES)


def _text_lines(text: str, per_line: int) -> int:
    """Lines of ``text`` wrapped at word boundaries in ``per_line`` characters (an estimate:
    proportional fonts differ, so it errs on the tall side)."""
    if len(text) <= per_line and "\n" not in text:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                lines += 1
                used = 0
            while size > per_line:  # a word longer than the column is broken
                lines += 1
                size -= per_line
            used += size + (1 if used else 0)
    return lines


def _fit_height(sheet: Worksheet, sheet_row: int, lines: int) -> None:
    """A row tall enough for its wrapped text: neither Excel nor LibreOffice reliably grows a
    row for wrapped text in a file it did not write. A height the tool set earlier (a multiple
    of one line) goes back to automatic when the text got shorter; a seller's own stays."""
    if lines > 1:
        sheet.row_dimensions[sheet_row].height = lines * _LINE_HEIGHT
        return
    dimension = sheet.row_dimensions.get(sheet_row)
    height = dimension.height if dimension is not None else None
    if height is not None and height > _LINE_HEIGHT and height % _LINE_HEIGHT == 0:
        dimension.height = None


def _header_columns_added(sheet: Worksheet, update: TabUpdate) -> None:
    """Width and dropdown for a column whose header the tool adds to an existing tab (e.g. the
    seller columns of an `Orders` tab written by an older version): per column, never per row."""
    header = update.rows[0]
    assert header is not None
    for value, column, spec in zip(header, update.columns, update.layout.columns, strict=False):
        if value is not None and sheet.cell(row=1, column=column + 1).value is None:
            _decorate_column(sheet, column + 1, spec)
    if sheet.row_dimensions[1].height is None:
        sheet.row_dimensions[1].height = _HEADER_HEIGHT


def _money_format(currency_format: str) -> str:
    """Rupiah amounts with Indonesian separators (Rp165.000) whatever the computer's locale:
    read with English separators, "Rp85,000" looks like eighty-five rupiah."""
    if currency_format.startswith('"Rp"'):
        return "[$-421]" + currency_format
    return currency_format


def _kinds(update: TabUpdate) -> dict[int, ColumnKind]:
    """Column position → kind: ``layout.columns[j]`` describes ``update.columns[j]``."""
    return {
        column: spec.kind
        for column, spec in zip(update.columns, update.layout.columns, strict=False)
    }


def _storable(value: Any) -> Any:
    # openpyxl would store text starting with "=" as a formula; the core already prefixed it.
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


def _chart(sheet: Worksheet, layout: TabLayout) -> None:
    spec = layout.chart
    assert spec is not None
    sheet._charts.clear()  # openpyxl has no public way to remove a chart
    sheet.print_options.gridLines = False  # printed gridlines would run behind the chart
    if spec.last_row < spec.first_row:
        return
    chart = BarChart()
    chart.type = "bar"
    chart.title = spec.title
    chart.legend = None
    chart.y_axis.numFmt = "0%"
    chart.y_axis.scaling.min = 0
    # Full is the end of the axis; an over-capacity product (a seller's Confirm) stretches it.
    chart.y_axis.scaling.max = max([1.0, *_numbers(sheet, spec.value_column, spec)])
    chart.y_axis.majorUnit = 0.25
    # Products top to bottom in the table's order (a bar chart draws the first one lowest).
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.crosses = "max"
    chart.x_axis.delete = False  # openpyxl 3.1 hides both axes unless told otherwise
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    data = Reference(
        sheet, min_col=spec.value_column + 1, min_row=spec.first_row + 1, max_row=spec.last_row + 1
    )
    labels = Reference(
        sheet,
        min_col=spec.category_column + 1,
        min_row=spec.first_row + 1,
        max_row=spec.last_row + 1,
    )
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(labels)
    chart.dataLabels = DataLabelList(
        showVal=True,
        showCatName=False,
        showSerName=False,
        showLegendKey=False,
        showPercent=False,
        numFmt="0%",
    )
    series = chart.series[0]
    series.graphicalProperties.solidFill = "7B3F00"
    series.graphicalProperties.line.solidFill = "7B3F00"
    chart.gapWidth = 60
    rows = spec.last_row - spec.first_row + 1
    chart.height = max(7.5, 3.0 + 1.0 * rows)
    chart.width = 16
    sheet.add_chart(chart, f"{get_column_letter(spec.anchor_column + 1)}2")


def _numbers(sheet: Worksheet, column: int, spec: ChartSpec) -> list[float]:
    """The chart's values (a handful of cells, one per product)."""
    values = []
    for row in range(spec.first_row + 1, spec.last_row + 2):
        value = sheet.cell(row=row, column=column + 1).value
        if isinstance(value, int | float) and not isinstance(value, bool):
            values.append(float(value))
    return values
