"""Local delivery state: a journal of `sending`/`sent` records and the one-sync-at-a-time lock.

`sending` is appended (and flushed to disk) before any byte goes to the mail server and `sent`
after the server's 250, so a sync killed at any instant knows what was in flight. The journal
is append-only JSON lines: a torn last line from a crash is simply skipped, and the next run
starts its first record on a fresh line so that torn tail cannot swallow it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import IO

from filelock import FileLock, Timeout

from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.errors import LockHeld


class Journal:
    """The append-only delivery journal in the shop's state folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "deliveries.jsonl"
        self._handle: IO[str] | None = None

    def load(self) -> dict[str, LedgerEntry]:
        """The latest record of every key."""
        entries: dict[str, LedgerEntry] = {}
        if not self.path.exists():
            return entries
        # errors="replace": a torn multi-byte character must not stop the whole journal loading.
        with self.path.open(encoding="utf-8", errors="replace") as lines:
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
        return entries

    def append(self, entry: LedgerEntry) -> None:
        """Record ``entry`` durably before returning."""
        if self._handle is None:
            self._handle = self._open()
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
        self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def _open(self) -> IO[str]:
        """The journal, opened for appending, ending with a complete line."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        handle = self.path.open("a", encoding="utf-8")
        if created:
            _fsync_folder(folder)  # the new file's name must survive a power cut too
        elif not _ends_with_newline(self.path):
            # A crash tore the last record: end it here, or this run's first record would be
            # glued to it and skipped as unreadable (a `sent` lost → a duplicate later).
            handle.write("\n")
        return handle

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class SyncLock:
    """One sync at a time per shop on this machine; a second waits briefly, then gives up."""

    def __init__(self, folder: Path, wait_seconds: float = 5.0) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(folder / "sync.lock"))
        self._wait = wait_seconds

    def __enter__(self) -> SyncLock:
        try:
            self._lock.acquire(timeout=self._wait)
        except Timeout:
            raise LockHeld(
                f"Another sync for this shop is still running (waited {self._wait:g} s for its "
                f"lock {self._lock.lock_file}): wait for it to finish, then run sync again."
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as raw:
        if raw.seek(0, os.SEEK_END) == 0:
            return True
        raw.seek(-1, os.SEEK_END)
        return raw.read(1) == b"\n"


def _fsync_folder(folder: Path) -> None:
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the file itself is still fsynced
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
