"""The HTTP layer: a threading server on loopback and the request pipeline.

Pipeline for an API request: route → count → auth (401) → fault plan (delay, seller edits,
injected error, drop before) → run under the store lock → drop after → answer.
"""

from __future__ import annotations

import json
import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .control import control
from .drive import Raw
from .errors import UNAUTHENTICATED_MESSAGE, ApiError, quota_error, server_error
from .faults import Plan, is_read
from .routes import Route, route

if TYPE_CHECKING:
    from .server import SheetsServer


def _encode(body: Any, pretty: bool) -> bytes:
    """Google pretty-prints JSON with two-space indents unless ``prettyPrint=false``."""
    return json.dumps(body, ensure_ascii=False, indent=2 if pretty else None).encode()


class HTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its :class:`SheetsServer` (``app``)."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SheetsServer) -> None:
        self.app = app
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive like Google's front ends."""

    protocol_version = "HTTP/1.1"
    timeout = 120
    wbufsize = 1 << 16  # buffered: headers and body leave in one segment (no Nagle stalls)
    server: HTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.app.verbose:
            sys.stderr.write("sheets-server: " + (format % args) + "\n")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def _write(self, status: int, data: bytes, content_type: str | None) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _handle(self, method: str) -> None:
        app = self.server.app
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if parts.path.startswith("/_control/"):
            status, body = control(app, method, parts.path, params, raw)
            self._write(status, _encode(body, True), "application/json; charset=UTF-8")
            return
        pretty = (params.get("prettyPrint") or ["true"])[0].lower() != "false"
        matched = route(app.store, method, parts.path, params, raw)
        kind = matched.kind if matched else "unknown"
        status, body, plan = self._outcome(matched, kind)
        content_type = "application/json; charset=UTF-8"
        if isinstance(body, Raw):
            data, content_type = body.data, body.content_type
        else:
            data = b"" if body is None else _encode(body, pretty)
        # Count before answering, so a client that reads the stats right after sees its request.
        app.counters.record(
            kind, method, parts.path, len(raw), 0 if status == 0 else len(data), status,
            plan is not None and plan.faulted,
        )  # fmt: skip
        if status == 0:  # an injected dropped connection: close without answering
            self.close_connection = True
            return
        self._write(status, data, content_type if body is not None else None)

    def _outcome(self, matched: Route | None, kind: str) -> tuple[int, Any, Plan | None]:
        """Run the request through auth and the fault plan: (status, body, plan); 0 = drop."""
        app = self.server.app
        if matched is None:
            return 404, ApiError(404, "Method not found.").body(), None
        token = self.headers.get("Authorization", "")
        if app.require_auth and not (token.startswith("Bearer ") and token[7:].strip()):
            return 401, ApiError(401, UNAUTHENTICATED_MESSAGE).body(), None
        plan = app.faults.plan(kind)
        if plan.delay:
            time.sleep(plan.delay)
        for action in plan.actions:
            try:
                action()
            except Exception:  # a broken test callback must not kill the server
                traceback.print_exc()
        if plan.error:
            error = (
                quota_error(not is_read(kind)) if plan.error == 429 else server_error(plan.error)
            )
            return plan.error, error.body(), plan
        if plan.drop_before:
            return 0, None, plan
        with app.store.lock:
            try:
                status, body = matched.run()
            except ApiError as exc:
                status, body = exc.code, exc.body()
            except Exception as exc:  # answer 500 like Google rather than hang the client
                traceback.print_exc()
                status, body = 500, ApiError(500, f"Internal error encountered. ({exc!r})").body()
        if plan.drop_after:
            return 0, None, plan
        return status, body, plan
