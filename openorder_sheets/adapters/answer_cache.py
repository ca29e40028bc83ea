"""Form answers already read, kept on this machine between syncs (a cache, not state).

Cleaning a form answer (above all checking the address and the phone number) is most of what
reading a big form costs, and cron reads the same answers every few minutes. This file keeps
each answer as it was read, by a fingerprint of its cells, under a fingerprint of everything
else reading depends on (:func:`~openorder_sheets.core.responses.reading_context`, which
includes :func:`code_version`). It is only ever an optimisation: a missing, stale, foreign or
damaged file is ignored and the answers are read again; nothing the tool must remember lives
here (that is the memory tab and the ledger).

It also keeps where the answers of archived orders end at the top of the form's tab: a Google
form's tab cannot lose rows, so after a year most of it is answers of batches long archived,
and a sync need not read them (the sync checks that every live order's answer is in the rows it
read, and reads the tab whole when one is not).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openorder_sheets.core.model import Response

FILE = "answers-read.json"
_FORMAT = 2


@functools.cache
def code_version() -> str:
    """A fingerprint of the code that reads answers: every module of the core (any change to
    the rules of reading lands there) and the versions of the checkers it calls."""
    digest = hashlib.blake2b(digest_size=16)
    core = Path(__file__).resolve().parent.parent / "core"
    for path in sorted(core.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for package in ("email-validator", "phonenumbers"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()


class AnswerCache:
    """``answers-read.json`` in the sheet's state folder."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._read: dict[str, Any] | None = None

    def _contents(self) -> dict[str, Any]:
        """The file's contents, read once per sync (each sync makes its own cache; the file
        holds every answer, so parsing it twice costs)."""
        if self._read is None:
            try:
                found = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = None
            self._read = found if isinstance(found, dict) and found.get("format") == _FORMAT else {}
        return self._read

    def load(self, context: str, zone: ZoneInfo) -> dict[str, Response]:
        """The answers read under ``context``; nothing when the file is missing, unreadable or
        from another context.

        Once per cache: the parsed file lets go of its answers here (a big form's file parsed
        is more memory than the answers built from it, and a sync holds this cache to the
        end); :meth:`rows_from` still answers."""
        data = self._contents()
        answers = data.pop("answers", None)
        try:
            if data.get("context") != context:
                return {}
            return {str(key): _response(value, zone) for key, value in answers.items()}
        except (TypeError, ValueError, KeyError, AttributeError, IndexError):
            return {}

    def rows_from(self) -> tuple[str, int] | None:
        """The form's tab and the first 0-based row under its header that is not an archived
        order's answer, as the last sync found them; ``None`` when not known."""
        try:
            tab, first = self._contents()["rows_from"]
            if isinstance(tab, str) and type(first) is int:
                return tab, first
        except (TypeError, ValueError, KeyError):
            pass
        return None

    def save(
        self,
        context: str,
        answers: Mapping[str, Response],
        rows_from: tuple[str, int] | None = None,
    ) -> None:
        """Replace the file with ``answers`` (written whole, then renamed into place); a
        folder that cannot be written only costs the next sync its time."""
        self._read = None
        data = {
            "format": _FORMAT,
            "context": context,
            "answers": {key: _data(value) for key, value in answers.items()},
            "rows_from": list(rows_from) if rows_from else None,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".answers-", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(data, file, ensure_ascii=False, separators=(",", ":"))
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)


def _data(response: Response) -> list[Any]:
    return [
        response.row,
        response.timestamp.isoformat() if response.timestamp is not None else None,
        response.email,
        response.email_ok,
        response.name,
        response.phone,
        response.address,
        response.delivery,
        response.notes,
        response.opt_in,
        [list(pair) for pair in response.quantities],
        list(response.problems),
        response.phone_grouped,
    ]


def _response(value: list[Any], zone: ZoneInfo) -> Response:
    (
        row,
        stamp,
        email,
        email_ok,
        name,
        phone,
        address,
        delivery,
        notes,
        opt_in,
        lines,
        problems,
        grouped,
    ) = value
    return Response(
        row=int(row),
        # the same instant in the shop's zone, as reading the cell gives it (WIB, not +07:00)
        timestamp=dt.datetime.fromisoformat(stamp).astimezone(zone) if stamp else None,
        email=str(email),
        email_ok=bool(email_ok),
        name=str(name),
        phone=str(phone),
        address=str(address),
        delivery=str(delivery),
        notes=str(notes),
        opt_in=opt_in if isinstance(opt_in, bool) else None,
        quantities=tuple((str(sku), int(quantity)) for sku, quantity in lines),
        problems=tuple(str(problem) for problem in problems),
        phone_grouped=str(grouped),
    )
