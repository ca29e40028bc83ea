"""Local delivery state: a journal of `sending`/`sent` records and the one-sync-at-a-time lock.

`sending` is appended (and flushed to disk) before any byte goes to the mail server and `sent`
after the server's 250, so a sync killed at any instant knows what was in flight. The journal
is append-only JSON lines: a torn last line from a crash is simply skipped.
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
        with self.path.open(encoding="utf-8") as lines:
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
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
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
                f"Another sync for this shop is still running (lock {self._lock.lock_file}): "
                "wait for it to finish; if none is running, delete that file."
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
