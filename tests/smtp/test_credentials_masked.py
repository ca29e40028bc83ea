"""Issue 16 point 9: a server that echoes the AUTH exchange never puts credentials in the sheet.

A tiny line-based SMTP server on loopback (no TLS: a password goes in clear only to loopback)
repeats what the client sent for AUTH inside its replies, the way some relays and filters
do. Whatever the transport stores (a delivery's ``detail``, a login error, the journal) must
hold neither the password, nor its base64, nor the ``AUTH PLAIN`` blob.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import socketserver
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest

from openorder_sheets.adapters.local_journal import Journal
from openorder_sheets.adapters.smtp import MASK, SmtpTransport, TransportError, scrub_credentials
from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.ports import DeliveryOutcome

USER, PASSWORD = "seller@example.com", "S3cret-app-pass"
PLAIN_BLOB = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
PASSWORD_B64 = base64.b64encode(PASSWORD.encode()).decode()
SECRETS = [PASSWORD, PLAIN_BLOB, PLAIN_BLOB.rstrip("="), PASSWORD_B64, PASSWORD_B64.rstrip("=")]


class _EchoHandler(socketserver.StreamRequestHandler):
    """SMTP enough for smtplib, echoing the client's AUTH words back in later replies."""

    def handle(self) -> None:
        server: _EchoServer = self.server  # type: ignore[assignment]
        heard: list[str] = []
        self._say("220 echo.example ESMTP")
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self._say(f"250-echo.example\r\n250 AUTH {server.mechanism}")
            elif verb == "AUTH":
                heard.append(line)
                if server.mechanism == "LOGIN":
                    self._say("334 VXNlcm5hbWU6")
                    heard.append(self.rfile.readline().decode().strip())
                    self._say("334 UGFzc3dvcmQ6")
                    heard.append(self.rfile.readline().decode().strip())
                if server.refuse_login:
                    self._say(f"535 5.7.8 Authentication failed: {' '.join(heard)}")
                else:
                    self._say("235 2.7.0 Accepted")
            elif verb == "MAIL":
                self._say(f"451 4.7.1 Try again later (session {' | '.join(heard)})")
            elif verb == "RSET" or verb == "NOOP":
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("502 5.5.2 Unknown command")

    def _say(self, reply: str) -> None:
        self.wfile.write(reply.encode() + b"\r\n")
        self.wfile.flush()


class _EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mechanism: str, refuse_login: bool) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.mechanism = mechanism
        self.refuse_login = refuse_login


@pytest.fixture
def echo_server(request: pytest.FixtureRequest) -> Iterator[_EchoServer]:
    mechanism, refuse = request.param
    server = _EchoServer(mechanism, refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _transport(server: _EchoServer) -> SmtpTransport:
    port = server.server_address[1]
    return SmtpTransport(
        "127.0.0.1", port, USER, PASSWORD, security="none", timeout=5.0, local_hostname="localhost"
    )


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"] = USER
    message["To"] = "buyer@example.com"
    message["Subject"] = "Pesanan PO-0001"
    message["Message-ID"] = "<x1@openorder.local>"
    message.set_content("Terima kasih!")
    return message


def _assert_masked(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into {text!r}"


@pytest.mark.parametrize("echo_server", [("PLAIN", False), ("LOGIN", False)], indirect=True)
def test_an_echoed_auth_blob_is_masked_in_the_stored_delivery_error(
    echo_server: _EchoServer, tmp_path: Path
) -> None:
    """A 451 that repeats the AUTH PLAIN/LOGIN exchange is stored (journal) with it masked."""
    transport = _transport(echo_server)
    try:
        result = transport.send(_message())
    finally:
        transport.close()
    assert result.outcome is DeliveryOutcome.DEFERRED
    assert "451 4.7.1 Try again later" in result.detail
    assert MASK in result.detail
    _assert_masked(result.detail)
    journal = Journal(tmp_path)
    journal.append(
        LedgerEntry(
            "PO-0001/order_confirmed",
            "PO-0001",
            "order_confirmed",
            "buyer@example.com",
            EmailState.DEFERRED,
            1,
            dt.datetime(2027, 2, 16, 10),
            "<x1@openorder.local>",
            result.detail,
        )
    )
    journal.close()
    _assert_masked((tmp_path / "deliveries.jsonl").read_text(encoding="utf-8"))


@pytest.mark.parametrize("echo_server", [("PLAIN", True), ("LOGIN", True)], indirect=True)
def test_an_echoed_auth_blob_is_masked_in_a_refused_login_error(echo_server: _EchoServer) -> None:
    """A 535 that repeats the AUTH blob becomes a TransportError sentence without it."""
    transport = _transport(echo_server)
    with pytest.raises(TransportError) as raised:
        transport.open()
    transport.close()
    assert "535" in str(raised.value)
    _assert_masked(str(raised.value))


@pytest.mark.parametrize(
    "reply",
    [
        f"535 5.7.8 bad AUTH PLAIN {PLAIN_BLOB}",
        f"535 5.7.8 bad credentials {PLAIN_BLOB}",
        f"535 5.7.8 bad credentials {PLAIN_BLOB[:-3]} (cut short)",
        f"535 5.7.8 bad credentials {PASSWORD_B64}",
        f"535 5.7.8 password {PASSWORD} refused",
        f"535 AUTH LOGIN {PASSWORD_B64.rstrip('=')}",
    ],
)
def test_scrub_masks_every_form_of_the_credentials(reply: str) -> None:
    """The password, its base64 and the AUTH PLAIN blob (whole or cut) are all masked."""
    masked = scrub_credentials(reply, USER, PASSWORD)
    _assert_masked(masked)
    assert masked.startswith("535")
    for word in masked.split():  # nothing left decodes to the password's start either
        padded = word + "=" * (-len(word) % 4)
        with contextlib.suppress(ValueError):
            assert PASSWORD[:6].encode() not in base64.b64decode(padded)


def test_scrub_leaves_an_ordinary_refusal_alone() -> None:
    """A reply without credentials is stored word for word (the seller needs its words)."""
    reply = (
        "550 5.1.1 <buyer@example.com>: Recipient address rejected: User unknown "
        "https://support.google.com/mail/?p=NoSuchUser d2e1a72fcca58-7d5f12.12 - gsmtp"
    )
    assert scrub_credentials(reply, USER, PASSWORD) == reply
