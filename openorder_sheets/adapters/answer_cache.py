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
import json
import os
import tempfile
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from openorder_sheets.adapters.code_version import fingerprint
from openorder_sheets.core.model import Response

FILE = "answers-read.json"
_FORMAT = 3  # a header line, then one line per answer (read a line at a time)


@functools.cache
def code_version() -> str:
    """A fingerprint of the code that reads answers: every module of the core (any change to
    the rules of reading lands there) and the versions of the checkers it calls."""
    core = Path(__file__).resolve().parent.parent / "core"
    return fingerprint(sorted(core.glob("*.py")), ("email-validator", "phonenumbers")).hex()


class AnswerCache:
    """``answers-read.json`` in the sheet's state folder: a JSON header line (format, reading
    context, where the archived answers end), then one JSON line ``[key, answer]`` per answer.

    Read a line at a time: a big form's answers parsed whole at once were, for a moment, more
    memory than the answers themselves."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._header: dict[str, Any] | None = None

    def _head(self) -> dict[str, Any]:
        """The header line, read once per sync (``{}`` when the file is missing or foreign)."""
        if self._header is None:
            self._header = {}
            try:
                with self.path.open(encoding="utf-8") as file:
                    found = json.loads(file.readline())
            except (OSError, ValueError, UnicodeDecodeError):
                found = None
            if isinstance(found, dict) and found.get("format") == _FORMAT:
                self._header = found
        return self._header

    def load(self, context: str, zone: ZoneInfo) -> dict[str, Response]:
        """The answers read under ``context``; nothing when the file is missing, unreadable or
        from another context."""
        if self._head().get("context") != context:
            return {}
        shared: dict[Any, Any] = {}
        answers: dict[str, Response] = {}
        try:
            with self.path.open(encoding="utf-8") as file:
                file.readline()
                for line in file:
                    key, value = json.loads(line)
                    answers[str(key)] = _response(value, zone, shared)
        except (OSError, TypeError, ValueError, KeyError, AttributeError, IndexError):
            return {}
        return answers

    def rows_from(self) -> tuple[str, int] | None:
        """The form's tab and the first 0-based row under its header that is not an archived
        order's answer, as the last sync found them; ``None`` when not known."""
        try:
            tab, first = self._head()["rows_from"]
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
        self._header = None
        header = {
            "format": _FORMAT,
            "context": context,
            "rows_from": list(rows_from) if rows_from else None,
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".answers-", dir=self.path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(_line(header))
                for key, value in answers.items():
                    file.write(_line([key, _data(value)]))
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError, UnboundLocalError):
                os.unlink(temporary)


def _line(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


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


def _response(value: list[Any], zone: ZoneInfo, shared: dict[Any, Any]) -> Response:
    """One answer as read before; values many answers share (a delivery choice, a product, an
    order's items) are kept once, in ``shared``."""
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
        delivery=_shared(shared, str(delivery)),
        notes=str(notes),
        opt_in=opt_in if isinstance(opt_in, bool) else None,
        quantities=_shared(
            shared,
            tuple((_shared(shared, str(sku)), int(quantity)) for sku, quantity in lines),
        ),
        problems=_shared(shared, tuple(str(problem) for problem in problems)),
        phone_grouped=str(grouped),
    )


_Value = TypeVar("_Value", bound=Hashable)


def _shared(shared: dict[Any, Any], value: _Value) -> _Value:
    """``value``, or the equal one read before it (strings and tuples of strings and ints:
    equal ones are interchangeable)."""
    found: _Value = shared.setdefault(value, value)
    return found
