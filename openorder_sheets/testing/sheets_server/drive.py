"""Drive, just enough for spreadsheets: v3 create, get, delete, copy, list (``q`` filters) and
export as CSV/TSV; v2 upload of a CSV into a spreadsheet (gspread's ``import_csv``)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, drive_not_found, invalid
from .fieldmask import parse_mask, select
from .grid import DEFAULT_COLUMNS, DEFAULT_ROWS, Sheet
from .render import Renderer
from .seeding import fill_sheet
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


def _drive_error(code: int, message: str, reason: str) -> ApiError:
    """Drive's error body: ``{"error": {"code", "message", "errors": [...]}}``."""
    errors = [{"message": message, "domain": "global", "reason": reason}]
    body = {"error": {"code": code, "message": message, "errors": errors}}
    return ApiError(code, message, body=body)


def _insufficient() -> ApiError:
    return _drive_error(
        403,
        "The user does not have sufficient permissions for this file.",
        "insufficientFilePermissions",
    )


def drive_delete(store: Store, file_id: str) -> None:
    """DELETE /drive/v3/files/{id} (204)."""
    book = _visible(store, file_id)
    if book.access != "writer":
        raise _insufficient()
    store.delete(file_id)


@dataclass(frozen=True)
class Raw:
    """A non-JSON answer (an exported file): its bytes and content type."""

    data: bytes
    content_type: str


#: Export formats this server can produce: mimeType → field delimiter.
EXPORT_DELIMITERS = {"text/csv": ",", "text/tab-separated-values": "\t"}


def drive_export(store: Store, file_id: str, params: Params) -> Raw:
    """GET /drive/v3/files/{id}/export?mimeType=text/csv: the first sheet's shown values.

    Like Google: the used area of the first sheet, each row padded to its width, formatted
    values, rows joined by CRLF with no line break after the last one.
    """
    book = _visible(store, file_id)
    mime = _param(params, "mimeType")
    if not mime:
        raise _drive_error(400, "Required parameter: mimeType", "required")
    if mime not in EXPORT_DELIMITERS:
        raise _drive_error(400, "The requested conversion is not supported.", "badRequest")
    sheet = book.sheets[0]
    renderer = Renderer(book)
    rows = renderer.box(sheet, 0, 0, sheet.row_count, sheet.col_count)
    width = max((len(r) for r in rows), default=0)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=EXPORT_DELIMITERS[mime], lineterminator="\r\n")
    for row in rows:
        writer.writerow([str(v) for v in row] + [""] * (width - len(row)))
    text = out.getvalue().removesuffix("\r\n")
    return Raw(text.encode("utf-8"), f"{mime}; charset=utf-8")


def _v2_file_json(book: Spreadsheet) -> JSON:
    """The Drive v2 File resource fields this server knows."""
    return {
        "kind": "drive#file",
        "id": book.id,
        "title": book.title,
        "mimeType": SHEETS_MIME,
        "labels": {"starred": False, "hidden": False, "trashed": False, "restricted": False},
        "createdDate": book.created,
        "modifiedDate": book.modified,
        "parents": [
            {"kind": "drive#parentReference", "id": parent, "isRoot": parent == "root"}
            for parent in book.parents
        ],
    }


def drive_import_csv(store: Store, file_id: str, params: Params, raw: bytes) -> JSON:
    """PUT /upload/drive/v2/files/{id}?uploadType=media&convert=true with a CSV body.

    As in Google (and gspread's ``import_csv``): every sheet but the first is removed and the
    first sheet's contents are replaced by the CSV, its fields read like typed input.
    """
    book = _visible(store, file_id)
    if book.access != "writer":
        raise _insufficient()
    if (_param(params, "uploadType") or "media") != "media":
        raise _drive_error(400, "Only uploadType=media is supported by this server.", "badRequest")
    if (_param(params, "convert") or "false").lower() != "true":
        raise _drive_error(
            400, "This server only imports CSV into a spreadsheet (convert=true).", "badRequest"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _drive_error(400, "The CSV upload is not UTF-8 text.", "badContent") from exc
    rows = list(csv.reader(io.StringIO(text, newline="")))
    first = book.sheets[0]
    fresh = Sheet(first.sheet_id, first.title, DEFAULT_ROWS, DEFAULT_COLUMNS)
    book.sheets = [fresh]
    book.named_ranges = []
    fill_sheet(book, fresh, rows, "USER_ENTERED")
    book.touch()
    return _v2_file_json(book)


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
