"""Local delivery state: a journal of `sending`/`sent` records and the one-sync-at-a-time lock.

`sending` is appended (and flushed to disk) before any byte goes to the mail server and `sent`
after the server's 250, so a sync killed at any instant knows what was in flight. The journal
is append-only JSON lines: a torn last line from a crash is simply skipped, and the next run
starts its first record on a fresh line so that torn tail cannot swallow it.

Both protect the *sheet*, so they belong in the sheet's state folder (:func:`sheet_state_dir`):
two configs on one workbook or spreadsheet then share one lock and one journal and never send
the same message twice. A journal an older version kept beside a config is still read.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from filelock import FileLock, Timeout

from openorder_sheets.adapters.durable import fsync_folder
from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.errors import LockHeld

JOURNAL_NAME = "deliveries.jsonl"
#: Records moved out of the journal by :meth:`Journal.compact` (kept, never read by a sync).
ARCHIVED_JOURNAL_NAME = "deliveries-archived.jsonl"
LOCK_NAME = "sync.lock"
#: In a sheet's state folder: journals older versions kept beside a config, one path a line.
EARLIER_JOURNALS = "earlier-journals.txt"
#: Where per-user state goes when the sheet has no folder of its own (a Google spreadsheet).
STATE_HOME_ENV = "OPENORDER_STATE_HOME"
_SPREADSHEET_KEY = re.compile(r"/spreadsheets/d/([a-zA-Z0-9_-]+)")


class Journal:
    """The append-only delivery journal in the sheet's state folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / JOURNAL_NAME
        self._handle: IO[str] | None = None

    def load(self) -> dict[str, LedgerEntry]:
        """The latest record of every key: earlier journals first, then this one (newer)."""
        entries: dict[str, LedgerEntry] = {}
        for path in [*earlier_journals(self.path.parent), self.path]:
            _read_into(entries, path)
        return entries

    def append(self, entry: LedgerEntry) -> None:
        """Record ``entry`` durably before returning."""
        if self._handle is None:
            self._handle = self._open()
        self._handle.write(_line(entry))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def compact(self, settled: Callable[[LedgerEntry], bool]) -> int:
        """Keep one record per key, and move the records ``settled`` picks out of the journal.

        Every sync reads the whole journal, so a year of messages would make every sync pay
        for all of them. Only the latest record of a key counts (:meth:`load`), so the others
        go. Records ``settled`` picks (an archived order's messages: no sync can make them due
        again) are appended to :data:`ARCHIVED_JOURNAL_NAME` first, then the journal is
        replaced atomically by what is left: a run killed at any point leaves every record in
        at least one of the two files, and the live journal whole. Returns how many moved.

        The caller holds the sheet's :class:`SyncLock` (no sync appends meanwhile).
        """
        self.close()
        if not self.path.exists():
            return 0
        latest: dict[str, LedgerEntry] = {}
        _read_into(latest, self.path)
        moving = [entry for entry in latest.values() if settled(entry)]
        folder = self.path.parent
        if moving:
            archived = folder / ARCHIVED_JOURNAL_NAME
            created = not archived.exists()
            with archived.open("a", encoding="utf-8") as out:
                if not created and not _ends_with_newline(archived):
                    out.write("\n")
                out.writelines(_line(entry) for entry in moving)
                out.flush()
                os.fsync(out.fileno())
            if created:
                fsync_folder(folder)
        moved = {entry.key for entry in moving}
        handle, temporary = tempfile.mkstemp(prefix=".deliveries-", suffix=".jsonl", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.writelines(_line(e) for key, e in latest.items() if key not in moved)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        fsync_folder(folder)
        return len(moving)

    def _open(self) -> IO[str]:
        """The journal, opened for appending, ending with a complete line."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        handle = self.path.open("a", encoding="utf-8")
        if created:
            fsync_folder(folder)  # the new file's name must survive a power cut too
        elif not _ends_with_newline(self.path):
            # A crash tore the last record: end it here, or this run's first record would be
            # glued to it and skipped as unreadable (a `sent` lost → a duplicate later).
            handle.write("\n")
        return handle

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _line(entry: LedgerEntry) -> str:
    record = {
        "key": entry.key,
        "order": entry.order,
        "kind": entry.kind,
        "to": entry.to,
        "state": entry.state.value,
        "attempts": entry.attempts,
        "at": entry.last_attempt.isoformat() if entry.last_attempt else "",
        "message_id": entry.message_id,
        "error": entry.error,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def _read_into(entries: dict[str, LedgerEntry], path: Path) -> None:
    if not path.exists():
        return
    # errors="replace": a torn multi-byte character must not stop the whole journal loading.
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                raw = json.loads(line)
                entry = LedgerEntry(
                    key=raw["key"],
                    order=raw["order"],
                    kind=raw["kind"],
                    to=raw["to"],
                    state=EmailState(raw["state"]),
                    attempts=int(raw["attempts"]),
                    last_attempt=dt.datetime.fromisoformat(raw["at"]) if raw["at"] else None,
                    message_id=raw["message_id"],
                    error=raw.get("error", ""),
                )
            except (ValueError, KeyError, TypeError):
                continue  # a torn line from a crash
            entries[entry.key] = entry


class SyncLock:
    """One sync at a time per sheet on this machine; a second waits briefly, then gives up.

    ``folder`` is the sheet's state folder (:func:`sheet_state_dir`), so every config on the
    same workbook or spreadsheet takes the same lock.
    """

    def __init__(self, folder: Path, wait_seconds: float = 5.0) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(folder / LOCK_NAME))
        self._wait = wait_seconds

    def __enter__(self) -> SyncLock:
        try:
            self._lock.acquire(timeout=self._wait)
        except Timeout:
            raise LockHeld(
                f"Another sync for this shop is still running, perhaps from another config on "
                f"the same sheet (waited {self._wait:g} s for its lock {self._lock.lock_file}): "
                "wait for it to finish, then run sync again."
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def sheet_state_dir(
    config_state_dir: Path,
    *,
    workbook: Path | None = None,
    spreadsheet: str = "",
    api_url: str = "",
) -> Path:
    """The state folder (lock, journal) of the sheet a config names, shared by every config.

    - a workbook: ``.openorder/workbook-<name>/`` beside the workbook's real file (a symlink
      is followed), or, when that folder cannot be written, a folder in the user's state home
      named by the real path;
    - a Google spreadsheet: ``<state home>/openorder/google-<key>/`` (plus a digest of
      ``api_url`` when a local Sheets server stands in for Google). The state home is
      ``$OPENORDER_STATE_HOME``, else ``$XDG_STATE_HOME``, else ``~/.local/state``
      (``%LOCALAPPDATA%`` on Windows).

    A journal an older version wrote in ``config_state_dir`` is registered in the new folder
    (:data:`EARLIER_JOURNALS`) and read by :meth:`Journal.load` from then on.
    """
    if workbook is not None:
        real = Path(os.path.realpath(workbook))
        folder = real.parent / ".openorder" / f"workbook-{real.name}"
        if not _writable_folder(folder):
            folder = _state_home() / "openorder" / f"workbook-{real.name}-{_digest(str(real))}"
    else:
        found = _SPREADSHEET_KEY.search(spreadsheet)
        key = found.group(1) if found else spreadsheet.strip()
        safe = re.sub(r"[^A-Za-z0-9_-]", "_", key)[:100] or "unnamed"
        server = f"-{_digest(api_url.rstrip('/'))}" if api_url else ""
        folder = _state_home() / "openorder" / f"google-{safe}{server}"
    _remember_earlier_journal(folder, config_state_dir / JOURNAL_NAME)
    return folder


def earlier_journals(folder: Path) -> list[Path]:
    """The journals older versions kept beside a config, registered in ``folder``."""
    try:
        lines = (folder / EARLIER_JOURNALS).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    own = (folder / JOURNAL_NAME).resolve()
    paths = [Path(line) for line in dict.fromkeys(line.strip() for line in lines) if line]
    return [path for path in paths if path.resolve() != own]


def _remember_earlier_journal(folder: Path, journal: Path) -> None:
    """Register ``journal`` (if it exists) so the sheet's journal keeps its records."""
    if not journal.exists():
        return
    try:
        if journal.resolve() == (folder / JOURNAL_NAME).resolve():
            return
        if str(journal.resolve()) in {str(path.resolve()) for path in earlier_journals(folder)}:
            return
        folder.mkdir(parents=True, exist_ok=True)
        # One short line appended at once: two processes registering together cannot tear it.
        with (folder / EARLIER_JOURNALS).open("a", encoding="utf-8") as registry:
            registry.write(f"{journal.resolve()}\n")
    except OSError:
        return


def _writable_folder(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)


def _state_home() -> Path:
    for variable in (STATE_HOME_ENV, "XDG_STATE_HOME"):
        value = os.environ.get(variable, "")
        if value:
            return Path(value)
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"])
    return Path.home() / ".local" / "state"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as raw:
        if raw.seek(0, os.SEEK_END) == 0:
            return True
        raw.seek(-1, os.SEEK_END)
        return raw.read(1) == b"\n"
