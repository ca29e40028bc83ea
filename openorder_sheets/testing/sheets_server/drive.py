"""Drive v3, just enough for spreadsheets: create, get, delete, copy and list (``q`` filters)."""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, drive_not_found, invalid
from .fieldmask import parse_mask, select
from .store import Spreadsheet, Store

SHEETS_MIME = "application/vnd.google-apps.spreadsheet"
JSON = dict[str, Any]
Params = dict[str, list[str]]

_CLAUSE = re.compile(
    r"""^\s*(?:
    (?P<field>mimeType|name)\s*(?P<op>=|!=|contains)\s*(?P<q1>["'])(?P<value>(?:\\.|(?!(?P=q1)).)*)(?P=q1)
    |(?P<q2>["'])(?P<parent>(?:\\.|(?!(?P=q2)).)*)(?P=q2)\s+in\s+parents
    |parents\s+in\s+(?P<q3>["'])(?P<parent2>(?:\\.|(?!(?P=q3)).)*)(?P=q3)
    |trashed\s*=\s*(?P<trashed>true|false)
    )\s*$""",
    re.VERBOSE | re.IGNORECASE,
)


def _param(params: Params, name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def file_json(book: Spreadsheet) -> JSON:
    """Every Drive field this server knows for a spreadsheet file."""
    return {
        "kind": "drive#file",
        "id": book.id,
        "name": book.title,
        "mimeType": SHEETS_MIME,
        "createdTime": book.created,
        "modifiedTime": book.modified,
        "trashed": False,
        "parents": list(book.parents),
    }


def _shape(data: JSON, params: Params, default: tuple[str, ...]) -> JSON:
    fields = _param(params, "fields")
    if fields:
        shaped: JSON = select(data, parse_mask(fields))
        return shaped
    return {k: data[k] for k in default if k in data}


def drive_create(store: Store, params: Params, body: JSON) -> JSON:
    """POST /drive/v3/files — only spreadsheets can be created."""
    if body.get("mimeType") != SHEETS_MIME:
        raise invalid(
            "This server only creates Google Sheets files (mimeType " + SHEETS_MIME + ")."
        )
    book = store.create(str(body.get("name") or "Untitled spreadsheet"))
    book.parents = list(body.get("parents") or ["root"])
    return _shape(file_json(book), params, ("kind", "id", "name", "mimeType"))


def _visible(store: Store, file_id: str) -> Spreadsheet:
    book = store.books.get(file_id)
    if book is None or book.access == "none":
        raise drive_not_found(file_id)
    return book


def drive_get(store: Store, file_id: str, params: Params) -> JSON:
    """GET /drive/v3/files/{id}."""
    return _shape(file_json(_visible(store, file_id)), params, ("kind", "id", "name", "mimeType"))


def drive_delete(store: Store, file_id: str) -> None:
    """DELETE /drive/v3/files/{id} (204)."""
    book = _visible(store, file_id)
    if book.access != "writer":
        raise ApiError(
            403,
            "The user does not have sufficient permissions for this file.",
            body={
                "error": {
                    "code": 403,
                    "message": "The user does not have sufficient permissions for this file.",
                    "errors": [
                        {
                            "message": "The user does not have sufficient "
                            "permissions for this file.",
                            "domain": "global",
                            "reason": "insufficientFilePermissions",
                        }
                    ],
                }
            },
        )
    store.delete(file_id)


def drive_copy(store: Store, file_id: str, params: Params, body: JSON) -> JSON:
    """POST /drive/v3/files/{id}/copy: a new spreadsheet with the same content."""
    source = _visible(store, file_id)
    book = store.create(str(body.get("name") or f"Copy of {source.title}"), first_sheet=False)
    snapshot = source.snapshot()
    book.props, book.sheets, book.named_ranges = (
        snapshot.props,
        snapshot.sheets,
        snapshot.named_ranges,
    )
    book.props["title"] = str(body.get("name") or f"Copy of {source.title}")
    book.parents = list(body.get("parents") or ["root"])
    return _shape(file_json(book), params, ("kind", "id", "name", "mimeType"))


def drive_comments(store: Store, file_id: str, method: str, params: Params, body: JSON) -> JSON:
    """GET/POST /drive/v3/files/{id}/comments: comments are kept per file (gspread's copy)."""
    book = _visible(store, file_id)
    if method == "POST":
        comment = {"kind": "drive#comment", "id": f"AAAA{len(book.comments)}", **body}
        book.comments.append(comment)
        shaped: JSON = _shape(comment, params, ("kind", "id", "content"))
        return shaped
    data = {"kind": "drive#commentList", "comments": list(book.comments)}
    return _shape(data, params, ("kind", "comments"))


def _matches(book: Spreadsheet, query: str) -> bool:
    if not query.strip():
        return True
    for clause in re.split(r"\s+and\s+", query, flags=re.IGNORECASE):
        match = _CLAUSE.match(clause)
        if not match:
            raise invalid(f"Invalid Value: unsupported query clause {clause!r}")
        data = file_json(book)
        if match.group("field"):
            field, op = match.group("field"), match.group("op").lower()
            value = re.sub(r"\\(.)", r"\1", match.group("value"))
            actual = str(data["mimeType" if field.lower() == "mimetype" else "name"])
            ok = (
                value.lower() in actual.lower()
                if op == "contains"
                else (actual == value) == (op == "=")
            )
        elif match.group("trashed"):
            ok = match.group("trashed").lower() == "false"
        else:
            ok = (match.group("parent") or match.group("parent2")) in data["parents"]
        if not ok:
            return False
    return True


def drive_list(store: Store, params: Params) -> JSON:
    """GET /drive/v3/files?q=... (one page; all visible spreadsheets that match)."""
    query = _param(params, "q") or ""
    books = [b for b in store.books.values() if b.access != "none" and _matches(b, query)]
    books.sort(key=lambda b: b.modified, reverse=True)
    files = [file_json(b) for b in books]
    data: JSON = {"kind": "drive#fileList", "incompleteSearch": False, "files": files}
    fields = _param(params, "fields")
    if fields:
        shaped: JSON = select(data, parse_mask(fields))
        return shaped
    return {**data, "files": [{k: f[k] for k in ("kind", "mimeType", "id", "name")} for f in files]}
