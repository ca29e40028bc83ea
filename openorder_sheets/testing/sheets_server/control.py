"""HTTP control endpoints under ``/_control/`` (no auth): faults, stats, seeding, inspection.

They mirror the Python API of :class:`~.server.SheetsServer` so a test can fault a sync that
runs in a subprocess::

    POST /_control/fail          {"status": 429, "count": 2, "kind": "read"}
    POST /_control/delay         {"seconds": 1.5, "count": 1, "kind": null}
    POST /_control/latency       {"seconds": 0.05}
    POST /_control/drop          {"count": 1, "kind": "values_batch_update", "when": "after"}
    POST /_control/seller_edit   {"spreadsheetId": "...", "range": "'Orders'!Q5",
                                  "values": [[true]], "kind": "values_batch_update"}
    POST /_control/seller_sort   {"spreadsheetId": "...", "sheet": "Orders", "column": "C",
                                  "ascending": true, "headerRows": 1, "kind": "values_batch_update"}
    GET  /_control/faults        POST /_control/faults/clear
    GET  /_control/stats         POST /_control/stats/reset        GET /_control/log
    POST /_control/spreadsheets  {"title": "Shop", "sheets": {"Orders": [["a", "b"]]},
                                  "private": false}
    GET  /_control/spreadsheets  POST /_control/access {"spreadsheetId": "...", "access": "reader"}
    GET  /_control/values?spreadsheetId=...&range=Orders
    POST /_control/reset         GET /_control/health
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .errors import ApiError, invalid
from .routes import parse_body

if TYPE_CHECKING:
    from .server import SheetsServer

JSON = dict[str, Any]
Params = dict[str, list[str]]


def _int(body: JSON, key: str, default: int) -> int:
    value = body.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise invalid(f"{key} must be a number")
    return int(value)


def _post(app: SheetsServer, name: str, body: JSON) -> JSON:
    kind = body.get("kind")
    if name == "fail":
        app.fail_next(_int(body, "status", 429), count=_int(body, "count", 1), kind=kind)
    elif name == "delay":
        app.delay_next(float(body.get("seconds", 1.0)), count=_int(body, "count", 1), kind=kind)
    elif name == "latency":
        app.set_latency(float(body.get("seconds", 0.0)))
    elif name == "drop":
        app.drop_next(
            count=_int(body, "count", 1), kind=kind, after_apply=body.get("when") == "after"
        )
    elif name == "seller_edit":
        app.seller_edit(
            str(body["spreadsheetId"]),
            str(body["range"]),
            body.get("values") or [],
            before=kind,
            value_input_option=str(body.get("valueInputOption", "USER_ENTERED")),
        )
    elif name == "seller_sort":
        app.seller_sort(
            str(body["spreadsheetId"]),
            str(body["sheet"]),
            body.get("column", 0),
            before=kind,
            ascending=bool(body.get("ascending", True)),
            header_rows=_int(body, "headerRows", 1),
        )
    elif name == "faults/clear":
        app.clear_faults()
    elif name == "stats/reset":
        app.reset_stats()
    elif name == "reset":
        app.reset()
    elif name == "spreadsheets":
        book_id = app.create_spreadsheet(
            str(body.get("title", "Untitled spreadsheet")),
            body.get("sheets"),
            spreadsheet_id=body.get("spreadsheetId"),
            locale=str(body.get("locale", "en_US")),
            private=bool(body.get("private", False)),
        )
        return {"spreadsheetId": book_id}
    elif name == "access":
        app.set_access(str(body["spreadsheetId"]), str(body.get("access", "writer")))
    else:
        raise ApiError(404, f"Unknown control endpoint: {name}")
    return {"ok": True}


def control(
    app: SheetsServer, method: str, path: str, params: Params, raw: bytes
) -> tuple[int, Any]:
    """Answer one ``/_control/...`` request; returns (status, JSON body)."""
    name = unquote(path[len("/_control/") :]).strip("/")
    try:
        if method == "GET":
            if name == "stats":
                return 200, app.stats()
            if name == "log":
                return 200, {"requests": app.recent_requests()}
            if name == "faults":
                return 200, {"pending": app.pending_faults()}
            if name == "health":
                return 200, {"ok": True}
            if name == "spreadsheets":
                return 200, {"spreadsheets": app.list_spreadsheets()}
            if name == "values":
                book_id = (params.get("spreadsheetId") or [""])[0]
                tab = (params.get("range") or [""])[0]
                render = (params.get("valueRenderOption") or ["FORMATTED_VALUE"])[0]
                return 200, {"values": app.get_values(book_id, tab, render=render)}
            raise ApiError(404, f"Unknown control endpoint: {name}")
        if method == "POST":
            return 200, _post(app, name, parse_body(raw))
        raise ApiError(405, "Use GET or POST on control endpoints.")
    except ApiError as exc:
        return exc.code, exc.body()
    except (KeyError, ValueError, TypeError) as exc:
        return 400, invalid(f"Bad control request: {exc!r}").body()
