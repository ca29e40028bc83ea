"""A real SMTP server on loopback for tests and for trying the SMTP transport without Gmail.

It is :mod:`aiosmtpd` running in a background thread, with a throw-away certificate authority
generated at :meth:`LocalSmtpServer.start`, login checking, and fault injection that mimics what
Gmail and other submission servers really answer (451, 421, 550 5.1.1, 550 5.4.5, dropped
connections)::

    with LocalSmtpServer() as server:             # STARTTLS + AUTH, like smtp.gmail.com:587
        transport = SmtpTransport(
            "127.0.0.1", server.port, *server.credentials,
            security="starttls", ssl_context=server.client_ssl_context(),
        )
        server.fail_next(1)                       # the next DATA gets "451 4.3.0 Try again later"
        ...
        assert server.deliveries_by_message_id()["<abc@shop>"] == 1

Everything it accepts is kept in memory (:attr:`LocalSmtpServer.messages`); nothing is relayed.
It listens on loopback only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import ipaddress
import logging
import shutil
import ssl
import tempfile
import threading
import weakref
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal, Self

from openorder_sheets.testing import missing_extra

try:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session, TLSSetupException
except ModuleNotFoundError as error:  # a plain install: the testing extra is not there
    raise missing_extra(error, "The local SMTP server (openorder_sheets.testing)") from None

__all__ = [
    "DEFAULT_AUTH",
    "QUOTA_REPLY",
    "SERVICE_UNAVAILABLE_REPLY",
    "UNKNOWN_USER_REPLY",
    "LocalSmtpServer",
    "ReceivedMessage",
]

TlsMode = Literal["starttls", "implicit", "none"]
Stage = Literal["MAIL", "RCPT", "DATA"]

#: The login the server accepts unless told otherwise.
DEFAULT_AUTH: tuple[str, str] = ("seller@example.com", "app-password")
#: What Gmail answers once the account's daily sending limit is reached.
QUOTA_REPLY = "550 5.4.5 Daily user sending limit exceeded"
#: A 421 reply; the server closes the connection right after sending it (RFC 5321 §3.8).
SERVICE_UNAVAILABLE_REPLY = "421 4.7.0 Temporary System Problem. Try again later"
#: The default refusal of an unknown mailbox, worded like Gmail's.
UNKNOWN_USER_REPLY = "550 5.1.1 The email account that you tried to reach does not exist"

log = logging.getLogger(__name__)

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class ReceivedMessage(EmailMessage):
    """A message the server accepted, parsed with the default policy, plus its SMTP envelope.

    The envelope is kept as attributes rather than added headers, so the received message's
    headers are exactly the ones the client sent.
    """

    #: The ``MAIL FROM`` address.
    envelope_from: str = ""
    #: The ``RCPT TO`` addresses the server accepted for this message (refused ones are absent).
    envelope_to: tuple[str, ...] = ()
    #: Which client connection (1, 2, …; see :attr:`LocalSmtpServer.connections`) carried it.
    connection: int = 0


@dataclass
class _Fault:
    reply: str
    remaining: int | None  # None: until clear_faults()
    skip: int = 0  # commands still accepted before this fault starts


class _QuietSession(Session):
    """aiosmtpd's Session, minus the deprecation warning it logs on every successful AUTH."""

    @property
    def login_data(self) -> Any:
        return self._login_data

    @login_data.setter
    def login_data(self, value: Any) -> None:
        self._login_data = value


class _SMTP(SMTP):
    """One client connection; numbered so messages can be traced to their connection."""

    connection_number: int = 0

    def _create_session(self) -> Session:
        return _QuietSession(self.loop)


class _Controller(Controller):
    """aiosmtpd's threaded Controller, adapted to port 0 and to counting connections."""

    def __init__(self, owner: LocalSmtpServer, handler: _Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._owner = owner

    def factory(self) -> _SMTP:
        # Called once per accepted connection (that is how aiosmtpd builds its protocol),
        # so it is the one place that sees every connection, STARTTLS or not.
        smtp = _SMTP(self.handler, **self.SMTP_kwargs)
        smtp.connection_number = self._owner._connection_opened(smtp)
        return smtp

    def _trigger_server(self) -> None:
        # With port=0 the OS picks the port, but Controller keeps self.port == 0 and its
        # self-test connection would then dial port 0. Read the real port first. (With
        # implicit TLS the self-test wraps its socket in TLS itself; that part works as is.)
        if self.port == 0 and isinstance(self.server, asyncio.Server):
            self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]  # untyped in aiosmtpd


class _Handler:
    """aiosmtpd hooks: fault injection, then storing what arrives."""

    def __init__(self, owner: LocalSmtpServer) -> None:
        self._owner = owner

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook name)
        self, server: _SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        owner = self._owner
        if owner._auth is not None and owner.tls != "starttls" and not session.authenticated:
            # aiosmtpd only requires AUTH natively together with STARTTLS; see start().
            return "530 5.7.0 Authentication required"
        fault = owner._take_fault("MAIL")
        if fault is not None:
            return self._fail(server, fault)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: _SMTP, _session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        refusal = self._owner._refusal_for(address)
        if refusal is not None:
            return refusal
        fault = self._owner._take_fault("RCPT")
        if fault is not None:
            return self._fail(server, fault)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: _SMTP, _session: Session, envelope: Envelope
    ) -> str:
        owner = self._owner
        if owner._take_drop():
            # Abort (no TLS close_notify, no reply): the client sees the connection vanish
            # after it sent the whole message, the worst moment. The message is NOT stored.
            # aiosmtpd then writes our return value into the closed transport, which
            # asyncio silently discards.
            transport = server.transport
            if isinstance(transport, asyncio.Transport):
                transport.abort()
            elif transport is not None:
                transport.close()
            return "250 OK"
        fault = owner._take_fault("DATA")
        if fault is not None:
            return self._fail(server, fault)
        content = envelope.original_content or b""
        message = BytesParser(_class=ReceivedMessage, policy=policy.default).parsebytes(content)
        assert isinstance(message, ReceivedMessage)
        message.envelope_from = envelope.mail_from or ""
        message.envelope_to = tuple(envelope.rcpt_tos)
        message.connection = server.connection_number
        owner._store(message)
        owner._accepted(message)
        return "250 2.0.0 OK: queued"

    async def handle_exception(self, error: Exception) -> str:
        """Log a server-side error; a client refusing our certificate is expected, not a bug."""
        if isinstance(error, TLSSetupException):
            # Certificate-verification tests make this happen on purpose: keep it quiet.
            # aiosmtpd closes the connection without sending this reply.
            log.info("STARTTLS handshake failed: %s", error.__cause__)
            return "454 4.7.0 TLS not available"
        log.error("LocalSmtpServer error", exc_info=error)
        return f"500 Error: ({type(error).__name__}) {error}"

    @staticmethod
    def _fail(server: _SMTP, fault: str) -> str:
        transport = server.transport
        if fault.startswith("421") and transport is not None:
            # A 421 means "closing the channel", so really close, as Gmail does. aiosmtpd
            # writes our reply as soon as we return, before the loop runs this callback, and
            # close() flushes what was written before closing.
            server.loop.call_soon(transport.close)
        return fault


class LocalSmtpServer:
    """A local SMTP submission server (aiosmtpd) with a generated test CA and fault injection.

    :param tls: ``"starttls"`` (plain connect, STARTTLS required before anything else, like
        port 587), ``"implicit"`` (TLS from the first byte, like port 465) or ``"none"``.
    :param auth: the ``(username, password)`` the server accepts, or ``None`` for no login.
        With TLS, AUTH is only offered after TLS is up and is required before ``MAIL``.
    :param host: the loopback address to listen on; anything else is refused.
    :param port: ``0`` picks a free port; read it back from :attr:`port`.

    Thread safety: the server runs in its own thread; every public method may be called from
    the test's thread while a client is connected.
    """

    def __init__(
        self,
        *,
        tls: TlsMode = "starttls",
        auth: tuple[str, str] | None = DEFAULT_AUTH,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if host not in _LOOPBACK:
            raise ValueError(f"LocalSmtpServer listens on loopback only, not on {host!r}.")
        if tls not in ("starttls", "implicit", "none"):
            raise ValueError(f"tls must be 'starttls', 'implicit' or 'none', not {tls!r}.")
        self.tls: TlsMode = tls
        self.host = host
        self._auth = auth
        self._requested_port = port
        self._lock = threading.Lock()
        self._messages: list[ReceivedMessage] = []
        self._connections = 0
        self._live: weakref.WeakSet[_SMTP] = weakref.WeakSet()
        self._faults: dict[Stage, list[_Fault]] = {"MAIL": [], "RCPT": [], "DATA": []}
        self._refused: dict[str, str] = {}
        self._drops = 0
        self._on_accept: Callable[[ReceivedMessage], None] | None = None
        self._controller: _Controller | None = None
        self._tmpdir: Path | None = None
        self._port = 0

    # ----------------------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Generate the test CA and server certificate, and start listening."""
        if self._controller is not None:
            raise RuntimeError("LocalSmtpServer is already running.")
        self._tmpdir = Path(tempfile.mkdtemp(prefix="openorder-smtp-"))
        _write_test_pki(self._tmpdir)
        server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_ctx.load_cert_chain(self._tmpdir / "server.pem", self._tmpdir / "server.key")

        kwargs: dict[str, Any] = {
            "hostname": self.host,
            "port": self._requested_port,
            # Fixed name: otherwise every connection calls socket.getfqdn(), which can stall
            # on DNS for seconds in a sandbox.
            "server_hostname": "localhost",
            "ready_timeout": 10.0,
        }
        if self._auth is not None:
            kwargs["authenticator"] = self._authenticate
        if self.tls == "starttls":
            kwargs.update(tls_context=server_ctx, require_starttls=True)
            kwargs.update(auth_required=self._auth is not None, auth_require_tls=True)
        else:
            if self.tls == "implicit":
                kwargs.update(ssl_context=server_ctx)
            # aiosmtpd only counts STARTTLS as TLS: with implicit TLS (done by asyncio below it)
            # auth_require_tls=True would hide AUTH altogether. So AUTH is offered without that
            # check, and, because auth_required=True with auth_require_tls=False emits a
            # security warning, "AUTH before MAIL" is enforced in _Handler.handle_MAIL instead.
            kwargs.update(auth_required=False, auth_require_tls=False)

        controller = _Controller(self, _Handler(self), **kwargs)
        try:
            controller.start()
        except BaseException:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
            raise
        self._controller = controller
        self._port = controller.port
        # The Controller's start-up self-test was one connection; it is not a client's.
        with self._lock:
            self._connections = 0

    def stop(self) -> None:
        """Stop listening, drop connected clients and delete the generated certificates."""
        if self._controller is not None:
            # aiosmtpd's stop() only stops the loop; abort client connections first so their
            # sockets do not leak (ResourceWarning) when the loop is torn down. Abort, not
            # close: a TLS close needs loop iterations that stop() no longer gives it.
            self._close_connections(abort=True)
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------------------- facts

    @property
    def port(self) -> int:
        """The port the server listens on (the real one when ``port=0`` was asked)."""
        if self._controller is None:
            raise RuntimeError("LocalSmtpServer is not running: call start() first.")
        return self._port

    @property
    def credentials(self) -> tuple[str, str]:
        """The ``(username, password)`` the server accepts."""
        if self._auth is None:
            raise RuntimeError("This LocalSmtpServer was started with auth=None.")
        return self._auth

    @property
    def ca_path(self) -> Path:
        """The PEM file of the generated test CA (trust it to verify the server)."""
        if self._tmpdir is None:
            raise RuntimeError("LocalSmtpServer is not running: call start() first.")
        return self._tmpdir / "ca.pem"

    def client_ssl_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only the generated test CA."""
        return ssl.create_default_context(cafile=str(self.ca_path))

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Every message accepted so far, oldest first (a copy)."""
        with self._lock:
            return list(self._messages)

    @property
    def connections(self) -> int:
        """How many client connections were accepted since :meth:`start`."""
        with self._lock:
            return self._connections

    def deliveries_by_message_id(self) -> Counter[str]:
        """How many times each ``Message-ID`` was accepted (one per DATA transaction).

        Messages without a ``Message-ID`` are counted under ``""``.
        """
        with self._lock:
            return Counter(str(m.get("Message-ID", "")).strip() for m in self._messages)

    def on_accept(self, callback: Callable[[ReceivedMessage], None] | None) -> None:
        """Call ``callback(message)`` for every message accepted from now on (``None``: stop).

        It runs in the server's thread after the message is stored and *before* the ``250``
        reply is sent: the moment a client crash leaves a delivered message unacknowledged.
        An exception it raises is logged and does not change the reply.
        """
        with self._lock:
            self._on_accept = callback

    def clear_messages(self) -> None:
        """Forget every stored message."""
        with self._lock:
            self._messages.clear()

    # ----------------------------------------------------------------------------- faults

    def fail_next(
        self, n: int = 1, reply: str = "451 4.3.0 Try again later", *, at: Stage = "DATA"
    ) -> None:
        """Answer the next ``n`` ``at`` commands (``"DATA"``, ``"RCPT"`` or ``"MAIL"``) with
        ``reply`` instead of accepting them.

        At DATA the reply comes after the whole message was received, and the message is not
        stored. A reply starting with ``421`` is followed by the server closing the connection.
        Faults queue up: ``fail_next(1, a); fail_next(1, b)`` answers ``a`` then ``b``.
        """
        _check_reply(reply)
        if n < 1:
            raise ValueError("n must be at least 1.")
        with self._lock:
            self._faults[at].append(_Fault(reply, n))

    def service_unavailable(
        self, n: int = 1, reply: str = SERVICE_UNAVAILABLE_REPLY, *, at: Stage = "DATA"
    ) -> None:
        """The 421 variant of :meth:`fail_next`: reply 421, then close the connection."""
        if not reply.startswith("421"):
            raise ValueError("service_unavailable() replies must start with 421.")
        self.fail_next(n, reply, at=at)

    def quota_exceeded(self, n: int | None = None, *, after: int = 0) -> None:
        """Answer DATA with Gmail's ``550 5.4.5 Daily user sending limit exceeded``.

        With ``n=None`` (the default) every message is refused until :meth:`clear_faults`,
        as a real daily limit would; otherwise only the next ``n``. ``after`` messages are
        still accepted first, as when the quota runs out in the middle of a run.
        """
        if n is not None and n < 1:
            raise ValueError("n must be at least 1, or None for 'until clear_faults()'.")
        if after < 0:
            raise ValueError("after must be 0 or more.")
        with self._lock:
            self._faults["DATA"].append(_Fault(QUOTA_REPLY, n, after))

    def refuse_recipient(self, address: str, reply: str = UNKNOWN_USER_REPLY) -> None:
        """Answer ``RCPT TO:<address>`` (case-insensitive) with ``reply`` until
        :meth:`clear_faults`. Other recipients of the same message are still accepted."""
        _check_reply(reply)
        with self._lock:
            self._refused[address.strip().lower()] = reply

    def drop_next(self, n: int = 1) -> None:
        """For the next ``n`` messages, abort the connection at the end of DATA, after the
        client sent the whole message and before any reply.

        Choice: such a message is **not** stored (the server "crashed before committing"),
        so a client that retries it delivers it exactly once.
        """
        if n < 1:
            raise ValueError("n must be at least 1.")
        with self._lock:
            self._drops += n

    def disconnect_all(self) -> None:
        """Close every connected client's connection now, as a server does to idle clients."""
        self._close_connections(abort=False)

    def _close_connections(self, *, abort: bool) -> None:
        controller = self._controller
        if controller is None:
            return
        done = threading.Event()

        def close_all() -> None:
            for smtp in list(self._live):
                transport = smtp.transport
                if abort and isinstance(transport, asyncio.Transport):
                    transport.abort()
                elif transport is not None:
                    transport.close()
            done.set()

        controller.loop.call_soon_threadsafe(close_all)
        done.wait(5.0)

    def clear_faults(self) -> None:
        """Remove every pending fault, refused recipient and quota."""
        with self._lock:
            for faults in self._faults.values():
                faults.clear()
            self._refused.clear()
            self._drops = 0

    # ----------------------------------------------------------------------------- internals

    def _authenticate(
        self, _server: SMTP, _session: Session, _envelope: Envelope, _mechanism: str, data: Any
    ) -> AuthResult:
        # aiosmtpd's `authenticator` signature; called positionally, so the names are free.
        assert self._auth is not None
        if isinstance(data, LoginPassword):
            user, password = self._auth
            # Constant-time comparison: harmless here, and a good example to copy.
            ok_user = hmac.compare_digest(data.login, user.encode())
            ok_password = hmac.compare_digest(data.password, password.encode())
            if ok_user and ok_password:
                # Keep only the login: the password must not linger in session state.
                return AuthResult(success=True, auth_data=user)
        return AuthResult(success=False, handled=False)

    def _connection_opened(self, smtp: _SMTP) -> int:
        with self._lock:
            self._connections += 1
            self._live.add(smtp)
            return self._connections

    def _take_fault(self, stage: Stage) -> str | None:
        with self._lock:
            queue = self._faults[stage]
            if not queue:
                return None
            fault = queue[0]
            if fault.skip > 0:
                fault.skip -= 1
                return None
            if fault.remaining is not None:
                fault.remaining -= 1
                if fault.remaining <= 0:
                    queue.pop(0)
            return fault.reply

    def _take_drop(self) -> bool:
        with self._lock:
            if self._drops <= 0:
                return False
            self._drops -= 1
            return True

    def _refusal_for(self, address: str) -> str | None:
        with self._lock:
            return self._refused.get(address.strip().lower())

    def _store(self, message: ReceivedMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def _accepted(self, message: ReceivedMessage) -> None:
        with self._lock:
            callback = self._on_accept
        if callback is None:
            return
        try:
            callback(message)
        except Exception:
            log.exception("LocalSmtpServer on_accept callback failed")


def _check_reply(reply: str) -> None:
    code = reply[:3]
    if not (code.isdigit() and code[0] in "45" and (len(reply) == 3 or reply[3] == " ")):
        raise ValueError(f"A fault reply must look like '451 4.3.0 text', not {reply!r}.")
    if "\r" in reply or "\n" in reply:
        raise ValueError("A fault reply must be a single line.")


def _write_test_pki(directory: Path) -> None:
    """Write ``ca.pem``, ``server.pem`` and ``server.key`` for localhost/127.0.0.1/::1."""
    # Imported here so importing this module stays cheap for tests that never start a server.
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    except ModuleNotFoundError as error:
        raise missing_extra(error, "The local SMTP server's TLS certificates") from None

    now = dt.datetime.now(dt.UTC)
    not_before, not_after = now - dt.timedelta(hours=1), now + dt.timedelta(days=2)

    # EC keys: generated in milliseconds, unlike RSA, so every server gets a fresh CA.
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "openorder-sheets test CA")])
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())

    def issued(
        subject: x509.Name, key: ec.EllipticCurvePrivateKey, *, ca: bool
    ) -> x509.CertificateBuilder:
        """A certificate of ``key`` issued by the test CA: a CA's signs certificates, a
        server's signs its TLS handshakes."""
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(
                x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True
            )
            .add_extension(
                x509.KeyUsage(
                    digital_signature=not ca,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=ca,
                    crl_sign=ca,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
        )

    ca_cert = (
        issued(ca_name, ca_key, ca=True)
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    key = ec.generate_private_key(ec.SECP256R1())
    localhost = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (
        issued(localhost, key, ca=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    pem = serialization.Encoding.PEM
    (directory / "ca.pem").write_bytes(ca_cert.public_bytes(pem))
    (directory / "server.pem").write_bytes(cert.public_bytes(pem))
    key_path = directory / "server.key"
    key_path.touch(mode=0o600)
    key_path.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
