"""SmtpTransport against a real SMTP server on loopback (aiosmtpd via LocalSmtpServer)."""

from __future__ import annotations

import base64
import logging
import socket
import ssl
from collections.abc import Callable, Iterator
from email.message import EmailMessage

import pytest

from openorder_sheets.adapters.smtp import (
    SmtpTransport,
    TransportError,
    _reply_text,
    classify_reply,
)
from openorder_sheets.ports import DeliveryOutcome
from openorder_sheets.testing.smtp_server import LocalSmtpServer, ReceivedMessage

USER, PASSWORD = "seller@example.com", "app-password"
WRONG_PASSWORD = "Wr0ng-S3cret-pa55"

MakeTransport = Callable[..., SmtpTransport]


def make_message(n: int = 1, to: str = "buyer@example.com") -> EmailMessage:
    """A message shaped like the product's: multipart, deterministic Message-ID, our headers."""
    message = EmailMessage()
    message["From"] = "Toko Kue Bu Rina <seller@example.com>"
    message["To"] = to
    message["Reply-To"] = "rina@example.com"
    message["Subject"] = f"Pesanan PO-{n:04d} dikonfirmasi — Kue Lebaran"
    message["Message-ID"] = f"<order_confirmed.PO-{n:04d}.3f9a@openorder.local>"
    message["X-OpenOrder-Kind"] = "order_confirmed"
    message["X-OpenOrder-Order"] = f"PO-{n:04d}"
    message.set_content(f"Terima kasih! Pesanan PO-{n:04d}: Nastar × 2, Rp165.000.")
    message.add_alternative(f"<p>Terima kasih! Pesanan <b>PO-{n:04d}</b>.</p>", subtype="html")
    return message


@pytest.fixture
def server() -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer(tls="starttls") as srv:
        yield srv


@pytest.fixture
def make_transport() -> Iterator[MakeTransport]:
    made: list[SmtpTransport] = []

    def make(srv: LocalSmtpServer, **kwargs: object) -> SmtpTransport:
        options: dict[str, object] = {
            "security": "starttls" if srv.tls == "starttls" else "tls",
            "ssl_context": srv.client_ssl_context(),
            "timeout": 5.0,
            "local_hostname": "localhost",
            "password_env": "GMAIL_APP_PASSWORD",
        }
        options.update(kwargs)
        user = options.pop("username", USER)
        password = options.pop("password", PASSWORD)
        transport = SmtpTransport("127.0.0.1", srv.port, user, password, **options)  # type: ignore[arg-type]
        made.append(transport)
        return transport

    yield make
    for transport in made:
        transport.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------- connecting


def test_starttls_send_arrives_intact(server: LocalSmtpServer, make_transport: MakeTransport):
    """STARTTLS + AUTH on a port: the message arrives with the same Message-ID and headers."""
    transport = make_transport(server)
    transport.open()
    message = make_message(7)
    result = transport.send(message)
    assert result.outcome is DeliveryOutcome.SENT
    [received] = server.messages
    assert isinstance(received, ReceivedMessage)
    assert received["Message-ID"] == message["Message-ID"]
    assert received["X-OpenOrder-Kind"] == "order_confirmed"
    assert received["X-OpenOrder-Order"] == "PO-0007"
    assert received["Subject"] == message["Subject"]
    assert received.envelope_from == "seller@example.com"
    assert received.envelope_to == ("buyer@example.com",)
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    assert "Nastar × 2" in body.get_content()


def test_implicit_tls_send(make_transport: MakeTransport):
    """Implicit TLS (the port-465 style) with verification on logs in and delivers."""
    with LocalSmtpServer(tls="implicit") as srv:
        transport = make_transport(srv, security="tls")
        assert transport.send(make_message()).outcome is DeliveryOutcome.SENT
        assert srv.deliveries_by_message_id() == {make_message()["Message-ID"]: 1}


def test_security_defaults_follow_the_port():
    """Without `security`, port 465 means implicit TLS and any other port means STARTTLS."""
    assert SmtpTransport("smtp.gmail.com", 465, USER, PASSWORD).security == "tls"
    assert SmtpTransport("smtp.gmail.com", 587, USER, PASSWORD).security == "starttls"


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_untrusted_certificate_is_refused(tls: str, make_transport: MakeTransport):
    """Certificate verification is on by default: an unknown CA gives a clear TransportError."""
    with LocalSmtpServer(tls=tls) as srv:  # type: ignore[arg-type]
        transport = make_transport(srv, ssl_context=None)
        with pytest.raises(TransportError) as info:
            transport.open()
        text = str(info.value)
        assert text.startswith(f"The TLS certificate of 127.0.0.1:{srv.port} could not be verified")
        assert "check that `smtp_host`" in text
        assert srv.messages == []


def test_wrong_password_is_a_clear_error_without_the_password(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """A refused login (535) raises TransportError naming the fix and never the password."""
    transport = make_transport(server, password=WRONG_PASSWORD)
    with pytest.raises(TransportError) as info:
        transport.open()
    text = str(info.value)
    assert text == (
        f"SMTP login to 127.0.0.1:{server.port} failed (535 5.7.8 Authentication credentials "
        "invalid): check `username` and the app password in the environment variable "
        "GMAIL_APP_PASSWORD."
    )
    assert WRONG_PASSWORD not in repr(info.value)
    assert WRONG_PASSWORD not in str(info.value.__cause__)


def test_send_with_wrong_password_raises_too(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """A lazy first send (no open()) reports a refused login as TransportError, not FAILED."""
    transport = make_transport(server, password=WRONG_PASSWORD)
    with pytest.raises(TransportError, match="SMTP login"):
        transport.send(make_message())


def test_cannot_connect_is_a_clear_error(make_transport: MakeTransport):
    """Nothing listening: open() raises TransportError saying which host/port to check."""
    port = free_port()
    transport = SmtpTransport("127.0.0.1", port, USER, PASSWORD, security="starttls", timeout=2)
    with pytest.raises(TransportError) as info:
        transport.open()
    assert str(info.value).startswith(f"Cannot connect to the SMTP server 127.0.0.1:{port} (")
    assert "`smtp_host`, `smtp_port`" in str(info.value)


def test_implicit_tls_against_starttls_port_explains_the_mismatch(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """security="tls" on a STARTTLS port fails fast with a hint about ports 465/587."""
    transport = make_transport(server, security="tls")
    with pytest.raises(TransportError, match=r"465 = \"tls\", 587 = \"starttls\""):
        transport.open()


def test_starttls_against_implicit_port_times_out_with_hint(make_transport: MakeTransport):
    """security="starttls" on an implicit-TLS port: the silent server gives a clear timeout."""
    with LocalSmtpServer(tls="implicit") as srv:
        transport = make_transport(srv, security="starttls", timeout=0.5)
        with pytest.raises(TransportError, match="did not answer"):
            transport.open()


def test_server_without_starttls_is_refused(make_transport: MakeTransport):
    """A server that does not offer STARTTLS is not silently used in clear text."""
    with LocalSmtpServer(tls="none", auth=None) as srv:
        transport = make_transport(srv, security="starttls")
        with pytest.raises(TransportError, match="does not offer STARTTLS"):
            transport.open()


def test_no_plaintext_password_to_a_remote_host():
    """security="none" with a login is refused for non-loopback hosts, before any I/O."""
    transport = SmtpTransport("smtp.example.invalid", 25, USER, PASSWORD, security="none")
    with pytest.raises(TransportError, match="Refusing to send the SMTP password unencrypted"):
        transport.open()


def test_plaintext_on_loopback_with_login(make_transport: MakeTransport):
    """security="none" works against a local relay on loopback, login included."""
    with LocalSmtpServer(tls="none") as srv:
        transport = make_transport(srv, security="none", ssl_context=None)
        assert transport.send(make_message()).outcome is DeliveryOutcome.SENT


def test_login_check_describes_success(server: LocalSmtpServer, make_transport: MakeTransport):
    """login_check() logs in on its own connection, closes it and says what was verified."""
    transport = make_transport(server)
    assert transport.login_check() == (
        f"SMTP 127.0.0.1:{server.port} logged in as seller@example.com "
        "(STARTTLS, certificate verified)."
    )
    assert server.connections == 1
    assert server.messages == []


# --------------------------------------------------------------------------- faults


def test_451_is_deferred_and_the_next_send_succeeds(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """A 4xx reply at DATA defers that message; the same connection then sends the next one."""
    transport = make_transport(server)
    server.fail_next(1)
    first = transport.send(make_message(1))
    assert first.outcome is DeliveryOutcome.DEFERRED
    assert first.detail == "451 4.3.0 Try again later"
    assert transport.send(make_message(2)).outcome is DeliveryOutcome.SENT
    assert server.deliveries_by_message_id() == {make_message(2)["Message-ID"]: 1}
    assert server.connections == 1


def test_4xx_at_rcpt_is_deferred(server: LocalSmtpServer, make_transport: MakeTransport):
    """A temporary refusal of the only recipient defers the message."""
    transport = make_transport(server)
    server.fail_next(1, "450 4.2.1 Mailbox busy", at="RCPT")
    result = transport.send(make_message())
    assert (result.outcome, result.detail) == (DeliveryOutcome.DEFERRED, "450 4.2.1 Mailbox busy")
    assert transport.send(make_message()).outcome is DeliveryOutcome.SENT


@pytest.mark.parametrize("stage", ["MAIL", "RCPT", "DATA"])
def test_421_is_deferred_and_the_next_send_reconnects(
    stage: str, server: LocalSmtpServer, make_transport: MakeTransport
):
    """421 (server closes the channel) defers; the next send opens a new connection and works."""
    transport = make_transport(server)
    transport.open()
    server.service_unavailable(at=stage)  # type: ignore[arg-type]
    first = transport.send(make_message(1))
    assert first.outcome is DeliveryOutcome.DEFERRED
    assert first.detail.startswith("421 4.7.0 ")
    assert transport.send(make_message(2)).outcome is DeliveryOutcome.SENT
    assert server.connections == 2
    assert server.deliveries_by_message_id() == {make_message(2)["Message-ID"]: 1}


def test_dropped_connection_is_deferred_and_retry_delivers_once(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """A connection dropped at DATA defers; the retry reconnects and delivers exactly once."""
    transport = make_transport(server)
    server.drop_next(1)
    first = transport.send(make_message(1))
    assert first.outcome is DeliveryOutcome.DEFERRED
    assert "Connection closed by the server" in first.detail
    assert server.messages == []  # the server's documented choice: a drop stores nothing
    assert transport.send(make_message(1)).outcome is DeliveryOutcome.SENT
    assert server.deliveries_by_message_id() == {make_message(1)["Message-ID"]: 1}
    assert server.connections == 2


def test_connection_closed_while_idle_is_replaced(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """After idling, a NOOP notices the server closed the connection and reconnects first."""
    transport = make_transport(server)
    transport.idle_check_seconds = 0.0
    assert transport.send(make_message(1)).outcome is DeliveryOutcome.SENT
    server.disconnect_all()
    assert transport.send(make_message(2)).outcome is DeliveryOutcome.SENT
    assert server.connections == 2


def test_reconnect_failure_raises_transport_error(make_transport: MakeTransport):
    """If the server vanished, the reconnect in send() raises TransportError (nothing sent)."""
    srv = LocalSmtpServer()
    srv.start()
    transport = make_transport(srv)
    try:
        assert transport.send(make_message(1)).outcome is DeliveryOutcome.SENT
        srv.drop_next(1)
        assert transport.send(make_message(2)).outcome is DeliveryOutcome.DEFERRED
    finally:
        srv.stop()
    with pytest.raises(TransportError, match="Cannot connect"):
        transport.send(make_message(3))


def test_unknown_user_is_failed_with_the_servers_words(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """550 5.1.1 is permanent: FAILED, and the reply text is the detail the seller sees."""
    transport = make_transport(server)
    server.refuse_recipient("nobody@example.com")
    result = transport.send(make_message(to="nobody@example.com"))
    assert result.outcome is DeliveryOutcome.FAILED
    assert result.detail == "550 5.1.1 The email account that you tried to reach does not exist"
    assert transport.send(make_message()).outcome is DeliveryOutcome.SENT
    assert server.connections == 1


def test_daily_quota_is_deferred(server: LocalSmtpServer, make_transport: MakeTransport):
    """Gmail's 550 5.4.5 daily limit is temporary: DEFERRED, with the reply as detail."""
    transport = make_transport(server)
    server.quota_exceeded()
    for n in range(3):
        result = transport.send(make_message(n))
        assert result.outcome is DeliveryOutcome.DEFERRED
        assert result.detail == "550 5.4.5 Daily user sending limit exceeded"
    server.clear_faults()
    assert transport.send(make_message(9)).outcome is DeliveryOutcome.SENT


def test_partially_refused_recipients_are_detected(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """send_message does not raise when only some recipients are refused; we still see it."""
    transport = make_transport(server)
    server.refuse_recipient("gone@example.com")
    result = transport.send(make_message(to="buyer@example.com, gone@example.com"))
    assert result.outcome is DeliveryOutcome.FAILED
    assert result.detail == (
        "gone@example.com: 550 5.1.1 The email account that you tried to reach does not exist"
    )
    [received] = server.messages
    assert received.envelope_to == ("buyer@example.com",)


def test_partially_refused_temporarily_is_deferred(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """A partial refusal with a 4xx code is DEFERRED, naming the refused address."""
    transport = make_transport(server)
    server.refuse_recipient("full@example.com", "452 4.2.2 Mailbox full")
    result = transport.send(make_message(to="buyer@example.com, full@example.com"))
    assert result.outcome is DeliveryOutcome.DEFERRED
    assert result.detail == "full@example.com: 452 4.2.2 Mailbox full"


def test_hundred_messages_over_one_connection(
    server: LocalSmtpServer, make_transport: MakeTransport
):
    """One connection per run: 100 messages use one session and each arrives exactly once."""
    transport = make_transport(server)
    transport.open()
    messages = [make_message(n) for n in range(100)]
    outcomes = {transport.send(m).outcome for m in messages}
    transport.close()
    assert outcomes == {DeliveryOutcome.SENT}
    assert server.connections == 1
    counts = server.deliveries_by_message_id()
    assert len(counts) == 100
    assert set(counts.values()) == {1}


def test_password_never_in_repr_or_logs(
    server: LocalSmtpServer, make_transport: MakeTransport, caplog: pytest.LogCaptureFixture
):
    """The password appears in no repr and no log record (client and server) at DEBUG."""
    secret = "S3cr3t-app-pw-xyz"
    caplog.set_level(logging.DEBUG)
    with LocalSmtpServer(auth=(USER, secret)) as srv:
        transport = make_transport(srv, password=secret)
        assert secret not in repr(transport)
        transport.open()
        assert transport.send(make_message(1)).outcome is DeliveryOutcome.SENT
        srv.fail_next(1)
        transport.send(make_message(2))
        srv.drop_next(1)
        transport.send(make_message(3))
        transport.send(make_message(4))
        transport.login_check()
        transport.close()
        bad = make_transport(srv, password=secret + "-old")
        with pytest.raises(TransportError) as info:
            bad.open()
    assert secret not in str(info.value)
    auth_plain = base64.b64encode(f"\0{USER}\0{secret}".encode()).decode()
    logged = caplog.text + "".join(repr(r.args) for r in caplog.records)
    assert logged  # the run really logged at DEBUG
    for forbidden in (secret, auth_plain, base64.b64encode(secret.encode()).decode()):
        assert forbidden not in logged


def test_close_ignores_errors_and_is_idempotent(make_transport: MakeTransport):
    """close() after the server died, and twice, raises nothing."""
    with LocalSmtpServer() as srv:
        transport = make_transport(srv)
        transport.open()
    transport.close()
    transport.close()


# --------------------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(
    ("code", "text", "outcome"),
    [
        (451, "4.3.0 Try again later", DeliveryOutcome.DEFERRED),
        (421, "4.7.0 Try again later, closing connection.", DeliveryOutcome.DEFERRED),
        (452, "4.5.3 Too many recipients", DeliveryOutcome.DEFERRED),
        (550, "5.4.5 Daily user sending limit exceeded", DeliveryOutcome.DEFERRED),
        (
            550,
            "5.1.1 The email account that you tried to reach does not exist",
            DeliveryOutcome.FAILED,
        ),
        (554, "5.7.1 Message rejected", DeliveryOutcome.FAILED),
        (550, "Mailbox unavailable", DeliveryOutcome.FAILED),
        (-1, "", DeliveryOutcome.DEFERRED),
    ],
)
def test_classify_reply(code: int, text: str, outcome: DeliveryOutcome):
    """4xx and 5.4.5 are temporary, other 5xx permanent, non-replies temporary."""
    assert classify_reply(code, text) is outcome


def test_multiline_reply_becomes_one_line():
    """Gmail's multi-line replies become one readable line for the Emails tab."""
    resp = (
        b"5.1.1 The email account that you tried to reach does not exist. Please try\n"
        b"5.1.1 double-checking the recipient's email address for typos or\n"
        b"5.1.1  https://support.google.com/mail/?p=NoSuchUser"
    )
    assert _reply_text(550, resp) == (
        "550 5.1.1 The email account that you tried to reach does not exist. Please try "
        "double-checking the recipient's email address for typos or "
        "https://support.google.com/mail/?p=NoSuchUser"
    )


def test_server_generates_a_usable_test_ca():
    """The server's CA file exists while running and its client context verifies hostnames."""
    with LocalSmtpServer() as srv:
        assert srv.ca_path.read_text().startswith("-----BEGIN CERTIFICATE-----")
        context = srv.client_ssl_context()
        assert context.verify_mode is ssl.CERT_REQUIRED
        assert context.check_hostname
        ca_path = srv.ca_path
    assert not ca_path.exists()


def test_server_is_loopback_only():
    """LocalSmtpServer refuses to listen on anything but loopback."""
    with pytest.raises(ValueError, match="loopback only"):
        LocalSmtpServer(host="0.0.0.0")
