"""Replay recorded Google API interactions against the local server and compare answers.

Each recording (vcrpy JSON from gspread's test suite) is replayed in order against a fresh
server. Spreadsheet ids come from the Drive ``POST /drive/v3/files`` answers; recorded ids are
mapped to the server's as they first appear (spreadsheet, sheet, chart, protected-range ids),
request URLs and bodies are rewritten with the mapping, and answers are compared on status code
and JSON body with those ids normalised (``spreadsheetUrl`` and Drive timestamps too).

Run ``python -m openorder_sheets.testing.sheets_server.replay [DIR]`` for the per-file table.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from .server import SheetsServer

ID_KEYS = frozenset(
    {
        "spreadsheetId",
        "sheetId",
        "chartId",
        "protectedRangeId",
        "namedRangeId",
        "id",
        "sourceSheetId",
        "newSheetId",
        "objectId",
        "destinationSpreadsheetId",
    }
)
TIME_KEYS = frozenset({"createdTime", "modifiedTime"})
_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")

#: World state a recording assumes but does not create, per file: spreadsheet id → access.
#: gspread's ``test_access_private_spreadsheet`` opens a spreadsheet that exists on Google but
#: belongs to someone else; the replay creates it (inaccessible) before replaying.
PRECONDITIONS: dict[str, dict[str, str]] = {
    "ClientTest.test_access_private_spreadsheet.json": {
        "1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc": "none",
    },
}


def default_directory() -> Path:
    """The recordings: $OPENORDER_GOOGLE_RECORDINGS, else the repository's copy under
    ``tests/sheets_server/google-recordings`` (gspread's MIT-licensed cassettes, licence
    included), else ``../shared/google-recordings`` beside the repository."""
    override = os.environ.get("OPENORDER_GOOGLE_RECORDINGS")
    if override:
        return Path(override)
    repository = Path(__file__).resolve().parents[3]
    bundled = repository / "tests" / "sheets_server" / "google-recordings"
    if bundled.is_dir():
        return bundled
    return repository.parent / "shared" / "google-recordings"


@dataclass
class Outcome:
    """One replayed interaction."""

    index: int
    method: str
    path: str
    matched: bool
    diff: str = ""


@dataclass
class FileResult:
    """All outcomes of one recording."""

    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def matched(self) -> int:
        """Interactions that matched."""
        return sum(o.matched for o in self.outcomes)

    @property
    def total(self) -> int:
        """Interactions replayed."""
        return len(self.outcomes)


class IdMap:
    """Recorded id → server id, learned the first time an id shows up in an answer."""

    def __init__(self) -> None:
        self.forward: dict[Any, Any] = {}
        self.backward: dict[Any, Any] = {}

    def learn(self, recorded: Any, actual: Any) -> bool:
        """Record a pairing; False when it contradicts an earlier one."""
        if recorded in self.forward:
            return bool(self.forward[recorded] == actual)
        if actual in self.backward:
            return False
        self.forward[recorded], self.backward[actual] = actual, recorded
        return True

    def text(self, value: str) -> str:
        """Replace every known recorded string id inside ``value``."""
        for recorded, actual in self.forward.items():
            if isinstance(recorded, str) and len(recorded) > 8:
                value = value.replace(recorded, str(actual))
        return value

    def body(self, value: Any, key: str = "") -> Any:
        """Rewrite ids inside a request body."""
        if isinstance(value, dict):
            return {k: self.body(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.body(v, key) for v in value]
        if key in ID_KEYS and value in self.forward:
            return self.forward[value]
        return value


def compare(expected: Any, actual: Any, ids: IdMap, path: str = "$") -> str | None:
    """The first difference between a recorded and an actual JSON value (None when equal)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        missing = [k for k in expected if k not in actual]
        extra = [k for k in actual if k not in expected]
        if missing or extra:
            return f"{path}: keys missing {missing}, unexpected {extra}"
        for key in expected:
            sub = f"{path}.{key}"
            if key in ID_KEYS and not isinstance(expected[key], dict | list):
                if not ids.learn(expected[key], actual[key]):
                    known = ids.forward.get(expected[key])
                    return f"{sub}: id {expected[key]!r} maps to {known!r}, got {actual[key]!r}"
            elif key in TIME_KEYS and isinstance(expected[key], str):
                if not (isinstance(actual[key], str) and _ISO_TIME.match(actual[key])):
                    return f"{sub}: not an RFC 3339 time: {actual[key]!r}"
            elif key == "spreadsheetUrl" and isinstance(expected[key], str):
                if ids.text(expected[key]) != actual[key]:
                    return f"{sub}: expected {ids.text(expected[key])!r}, got {actual[key]!r}"
            else:
                diff = compare(expected[key], actual[key], ids, sub)
                if diff:
                    return diff
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            shown = json.dumps(actual)[:300]
            return f"{path}: expected {len(expected)} items, got {len(actual)}: {shown}"
        for index, (e, a) in enumerate(zip(expected, actual, strict=True)):
            diff = compare(e, a, ids, f"{path}[{index}]")
            if diff:
                return diff
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None


def _decode(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def replay_file(
    server: SheetsServer, path: Path, preconditions: Mapping[str, str] | None = None
) -> FileResult:
    """Replay one recording against ``server`` (which is reset first)."""
    server.reset()
    ids = IdMap()
    for book_id, access in (preconditions or {}).items():
        server.create_spreadsheet(
            "Someone else's spreadsheet", spreadsheet_id=book_id, private=access == "none"
        )
        ids.learn(book_id, book_id)
    result = FileResult(path.name)
    session = requests.Session()
    session.headers["Authorization"] = "Bearer replay"
    interactions = json.loads(path.read_text(encoding="utf-8"))["interactions"]
    for index, interaction in enumerate(interactions):
        request, response = interaction["request"], interaction["response"]
        parts = urlsplit(request["uri"])
        target = ids.text(parts.path) + (f"?{parts.query}" if parts.query else "")
        body = request.get("body")
        data = None
        if body:
            decoded = _decode(body)
            data = (
                json.dumps(ids.body(decoded)).encode()
                if not isinstance(decoded, str)
                else body.encode()
            )
        headers = {"Content-Type": "application/json"} if data is not None else {}
        answer = session.request(
            request["method"], server.base_url + target, data=data, headers=headers, timeout=30
        )
        expected_status = int(response["status"]["code"])
        diff = None
        if answer.status_code != expected_status:
            diff = (
                f"status: expected {expected_status}, got {answer.status_code}: {answer.text[:300]}"
            )
        else:
            diff = compare(_decode(response["body"]["string"]), _decode(answer.text), ids)
        result.outcomes.append(
            Outcome(index, request["method"], parts.path, diff is None, diff or "")
        )
    session.close()
    return result


def replay_directory(directory: Path) -> list[FileResult]:
    """Replay every ``*.json`` recording of a directory, each on a fresh server."""
    results = []
    with SheetsServer() as server:
        for path in sorted(directory.glob("*.json")):
            results.append(replay_file(server, path, PRECONDITIONS.get(path.name)))
    return results


def format_table(results: list[FileResult]) -> str:
    """A per-file table with the overall figure and the first diff of each mismatch."""
    width = max((len(r.name) for r in results), default=10)
    lines = [f"{'recording':<{width}}  matched / total"]
    for result in results:
        lines.append(f"{result.name:<{width}}  {result.matched:>7} / {result.total}")
    matched = sum(r.matched for r in results)
    total = sum(r.total for r in results)
    lines.append(f"{'TOTAL':<{width}}  {matched:>7} / {total}")
    for result in results:
        for outcome in result.outcomes:
            if not outcome.matched:
                where = f"{result.name} #{outcome.index} {outcome.method} {outcome.path}"
                lines.append(f"MISMATCH {where}: {outcome.diff}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the replay table; exit 1 when something did not match."""
    parser = argparse.ArgumentParser(prog="python -m openorder_sheets.testing.sheets_server.replay")
    parser.add_argument(
        "directory", nargs="?", type=Path, default=None, help="recordings directory"
    )
    args = parser.parse_args(argv)
    directory = args.directory or default_directory()
    if not directory.is_dir():
        sys.stderr.write(f"no recordings directory at {directory}\n")
        return 2
    results = replay_directory(directory)
    sys.stdout.write(format_table(results) + "\n")
    return 0 if all(r.matched == r.total for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
