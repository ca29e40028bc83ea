"""Routing: map a method and raw path to a request kind and the code that answers it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from . import drive
from .append import values_append
from .batch_update import batch_update
from .errors import invalid
from .fieldmask import parse_mask, select
from .render import Renderer
from .sheet_json import sheet_properties, spreadsheet_json
from .store import Store
from .values import (
    batch_get_by_data_filter,
    flag,
    param,
    values_batch_clear,
    values_batch_get,
    values_batch_update,
    values_clear,
    values_get,
    values_update,
)

JSON = dict[str, Any]
Params = dict[str, list[str]]
Answer = tuple[int, Any]  # (HTTP status, JSON body or None for an empty body)

_SHEETS = re.compile(r"^/v4/spreadsheets(?:/(?P<id>[^/:]+))?(?P<rest>.*)$")
_DRIVE = re.compile(r"^/drive/v3/files(?:/(?P<id>[^/]+))?(?P<rest>/copy|/comments|/export)?/?$")
_UPLOAD = re.compile(r"^/upload/drive/v2/files/(?P<id>[^/]+)/?$")


@dataclass
class Route:
    """A matched request: its kind and a callable producing (status, body)."""

    kind: str
    run: Callable[[], Answer]


def parse_body(raw: bytes) -> JSON:
    """Decode a JSON request body ({} when empty); malformed JSON is a 400 like Google's."""
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(f"Invalid JSON payload received. {exc}") from exc
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object.")
    return body


def _metadata(store: Store, book_id: str, params: Params) -> JSON:
    """GET /v4/spreadsheets/{id}; grid data with includeGridData or a mask asking for it."""
    book = store.get(book_id)
    fields = param(params, "fields")
    mask = parse_mask(fields) if fields else {}
    if fields:
        sheets_mask = mask.get("sheets")
        grid = "*" in mask or (
            sheets_mask is not None and (not sheets_mask or "data" in sheets_mask)
        )
    else:
        grid = flag(param(params, "includeGridData", "false"))
    data = spreadsheet_json(book, grid=grid, ranges=params.get("ranges"), renderer=Renderer(book))
    return select(data, mask) if mask else data


def _delete(store: Store, file_id: str) -> Answer:
    drive.drive_delete(store, file_id)
    return 204, None


def _values_route(
    store: Store, method: str, book_id: str, rest: str, params: Params, raw: bytes
) -> Route | None:
    def book(write: bool = False) -> Any:
        return store.get(book_id, write=write)

    if rest == "/values:batchGet" and method == "GET":
        return Route("values_batch_get", lambda: (200, values_batch_get(book(), params)))
    if rest == "/values:batchUpdate" and method == "POST":
        return Route(
            "values_batch_update", lambda: (200, values_batch_update(book(True), parse_body(raw)))
        )
    if rest == "/values:batchClear" and method == "POST":
        return Route(
            "values_batch_clear", lambda: (200, values_batch_clear(book(True), parse_body(raw)))
        )
    if rest == "/values:batchGetByDataFilter" and method == "POST":
        return Route(
            "values_batch_get_by_data_filter",
            lambda: (200, batch_get_by_data_filter(book(), parse_body(raw))),
        )
    if not rest.startswith("/values/"):
        return None
    encoded = rest[len("/values/") :]
    verb = ""
    head, colon, tail = encoded.rpartition(":")
    if colon and tail in ("append", "clear"):
        encoded, verb = head, tail
    text = unquote(encoded)
    if verb == "append" and method == "POST":
        return Route(
            "values_append", lambda: (200, values_append(book(True), text, params, parse_body(raw)))
        )
    if verb == "clear" and method == "POST":
        return Route("values_clear", lambda: (200, values_clear(book(True), text)))
    if not verb and method == "GET":
        return Route("values_get", lambda: (200, values_get(book(), text, params)))
    if not verb and method == "PUT":
        return Route(
            "values_update", lambda: (200, values_update(book(True), text, params, parse_body(raw)))
        )
    return None


def _create(store: Store, raw: bytes) -> JSON:
    body = parse_body(raw)
    props = body.get("properties") or {}
    book = store.create(str(props.get("title") or "Untitled spreadsheet"), first_sheet=False)
    for key in ("locale", "timeZone", "autoRecalc"):
        if props.get(key):
            book.props[key] = props[key]
    requests = [
        {"addSheet": {"properties": s.get("properties") or {}}} for s in body.get("sheets") or []
    ]
    if not requests:
        book.add_sheet("Sheet1", sheet_id=0)
    else:
        book.add_sheet("__placeholder__", sheet_id=-1)
        batch_update(book, {"requests": requests})
        book.sheets = [s for s in book.sheets if s.sheet_id != -1]
    return spreadsheet_json(book)


def _copy_to(store: Store, book_id: str, sheet_id: str, raw: bytes) -> JSON:
    source = store.get(book_id)
    body = parse_body(raw)
    destination = store.get(str(body.get("destinationSpreadsheetId") or ""), write=True)
    sheet = source.sheet_by_id(int(sheet_id)) if sheet_id.isdigit() else None
    if sheet is None:
        raise invalid(f"No sheet with id: {sheet_id}")
    clone = sheet.clone()
    clone.props["sheetId"] = destination.new_sheet_id()
    title, number = f"Copy of {sheet.title}", 2
    while destination.sheet_by_title(title):
        title, number = f"Copy of {sheet.title} {number}", number + 1
    clone.props["title"] = title
    destination.sheets.append(clone)
    return sheet_properties(destination, clone)


def _with_fields(found: Route | None, params: Params) -> Route | None:
    """Apply a ``fields`` partial-response mask to a Sheets answer."""
    fields = param(params, "fields")
    if found is None or not fields or found.kind == "metadata_get":
        return found
    run = found.run

    def trimmed() -> Answer:
        status, body = run()
        return status, select(body, parse_mask(fields)) if isinstance(body, dict) else body

    return Route(found.kind, trimmed)


def route(store: Store, method: str, path: str, params: Params, raw: bytes) -> Route | None:
    """Match a Sheets v4 or Drive v3 request (path part only, before URL-decoding)."""
    if path.startswith("/v4/"):
        return _with_fields(_sheets_route(store, method, path, params, raw), params)
    return _drive_route(store, method, path, params, raw)


def _sheets_route(store: Store, method: str, path: str, params: Params, raw: bytes) -> Route | None:
    match = _SHEETS.match(path)
    if match:
        book_id = unquote(match.group("id") or "")
        rest = match.group("rest")
        if not book_id:
            if method == "POST" and rest == "":
                return Route("spreadsheet_create", lambda: (200, _create(store, raw)))
            return None
        if rest == "" and method == "GET":
            return Route("metadata_get", lambda: (200, _metadata(store, book_id, params)))
        if rest == ":batchUpdate" and method == "POST":
            return Route(
                "batch_update",
                lambda: (200, batch_update(store.get(book_id, write=True), parse_body(raw))),
            )
        copy_match = re.match(r"^/sheets/([^/:]+):copyTo$", rest)
        if copy_match and method == "POST":
            sheet_id = unquote(copy_match.group(1))
            return Route("sheet_copy_to", lambda: (200, _copy_to(store, book_id, sheet_id, raw)))
        return _values_route(store, method, book_id, rest, params, raw)
    return None


def _drive_route(store: Store, method: str, path: str, params: Params, raw: bytes) -> Route | None:
    upload = _UPLOAD.match(path)
    if upload and method == "PUT":
        file_id = unquote(upload.group("id"))
        return Route(
            "drive_import", lambda: (200, drive.drive_import_csv(store, file_id, params, raw))
        )
    match = _DRIVE.match(path)
    if not match:
        return None
    file_id = unquote(match.group("id") or "")
    if not file_id:
        if method == "POST":
            return Route(
                "drive_create", lambda: (200, drive.drive_create(store, params, parse_body(raw)))
            )
        if method == "GET":
            return Route("drive_list", lambda: (200, drive.drive_list(store, params)))
        return None
    if match.group("rest") == "/copy" and method == "POST":
        return Route(
            "drive_copy", lambda: (200, drive.drive_copy(store, file_id, params, parse_body(raw)))
        )
    if match.group("rest") == "/comments" and method in ("GET", "POST"):
        return Route(
            "drive_comments",
            lambda: (200, drive.drive_comments(store, file_id, method, params, parse_body(raw))),
        )
    if match.group("rest") == "/export" and method == "GET":
        return Route("drive_export", lambda: (200, drive.drive_export(store, file_id, params)))
    if match.group("rest"):
        return None
    if method == "GET":
        return Route("drive_get", lambda: (200, drive.drive_get(store, file_id, params)))
    if method == "DELETE":
        return Route("drive_delete", lambda: _delete(store, file_id))
    return None
