"""The SMTP transport: one authenticated, certificate-verified connection per run.

It sends with :meth:`smtplib.SMTP.send_message` and turns every answer into a
:class:`~openorder_sheets.ports.DeliveryResult`:

- ``SENT``: the server accepted the message for every recipient;
- ``DEFERRED`` (retry on a later run): 4xx replies, ``550 5.4.5`` (Gmail's daily quota), a
  connection dropped or timing out mid-send;
- ``FAILED`` (the seller must look): every other 5xx, e.g. ``550 5.1.1`` unknown user.

Problems that no retry of one message can fix (cannot connect, TLS or certificate failure,
login refused) raise :class:`TransportError` with one sentence saying what to fix.

The password is kept only to log in: it is never logged, never shown by ``repr`` and scrubbed
from every error message; ``set_debuglevel`` (which would print the AUTH exchange) is never used.
A server reply is stored (the `Emails` tab, the journal) only after masking every form the
credentials travel in: the password, its base64 (``AUTH LOGIN``), the ``AUTH PLAIN`` blob, any
base64 word that decodes to one of those, and whatever follows ``AUTH <mechanism>``.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import logging
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Literal, Self

from openorder_sheets.errors import TransportFailed
from openorder_sheets.ports import DeliveryOutcome, DeliveryResult

__all__ = ["Security", "SmtpTransport", "TransportError", "classify_reply"]

log = logging.getLogger(__name__)

Security = Literal["starttls", "tls", "none"]

_SECURITY_NAMES: Mapping[str, str] = {
    "starttls": "STARTTLS",
    "tls": "implicit TLS",
    "none": "no encryption",
}
# An enhanced status code (RFC 3463) at the start of a reply's text, e.g. "5.1.1".
_ENHANCED = re.compile(r"^\s*([245])\.(\d{1,3})\.(\d{1,3})\b")
MASK = "********"
# A client's AUTH command echoed back: everything after the mechanism is credentials.
_AUTH_ECHO = re.compile(
    r"(\bAUTH\s+(?:PLAIN|LOGIN|XOAUTH2|OAUTHBEARER|CRAM-MD5|DIGEST-MD5|NTLM|GSSAPI))"
    r"(\s+[A-Za-z0-9+/=._-]+)",
    re.IGNORECASE,
)
# A word that could be base64 (what SMTP AUTH sends).
_BASE64_WORD = re.compile(r"[A-Za-z0-9+/]{4,}={0,2}")


class TransportError(TransportFailed):
    """The mail transport cannot work at all (connect, TLS or login failed).

    ``str(error)`` is one sentence for the seller: what is wrong and how to fix it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def classify_reply(code: int, text: str) -> DeliveryOutcome:
    """Decide whether a refusal is temporary (``DEFERRED``) or permanent (``FAILED``).

    4xx is temporary. 5xx is permanent except ``5.4.5``: Gmail answers ``550 5.4.5 Daily user
    sending limit exceeded`` when the day's quota is used up, which clears by itself.
    Anything that is not a proper 4xx/5xx (smtplib uses -1 for "no reply") is treated as a
    connection problem, hence temporary.
    """
    if 500 <= code <= 599:
        enhanced = _ENHANCED.match(text)
        if enhanced is not None and enhanced.groups() == ("5", "4", "5"):
            return DeliveryOutcome.DEFERRED
        return DeliveryOutcome.FAILED
    return DeliveryOutcome.DEFERRED


def _reply_text(code: int, resp: bytes | str) -> str:
    """``550`` + ``b"5.1.1 Line one\\n5.1.1 line two"`` → ``"550 5.1.1 Line one line two"``.

    smtplib joins multi-line replies with newlines, and servers such as Gmail repeat the
    enhanced status on each line; the Emails tab wants one readable line.
    """
    text = resp.decode("utf-8", "replace") if isinstance(resp, bytes) else resp
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return str(code)
    first = _ENHANCED.match(lines[0])
    if first is not None:
        prefix = first.group(0).strip()
        lines[1:] = [
            line[len(prefix) :].strip() if line.startswith(prefix) else line for line in lines[1:]
        ]
    return f"{code} " + " ".join(line for line in lines if line)


class SmtpTransport:
    """Send messages through an SMTP submission server (Gmail, a provider, a local relay).

    :param host: the server name, e.g. ``smtp.gmail.com``; the certificate must match it.
    :param port: usually 587 (STARTTLS) or 465 (implicit TLS).
    :param username: the login, or ``None`` for a server that needs none.
    :param password: the password (for Gmail an app password); ``None`` when no login.
    :param security: ``"starttls"``, ``"tls"`` (implicit, from the first byte) or ``"none"``;
        ``None`` picks ``"tls"`` for port 465 and ``"starttls"`` otherwise.
    :param timeout: seconds for connecting and for each reply.
    :param ssl_context: how to verify the server; ``None`` means
        :func:`ssl.create_default_context` (the system's CAs, hostname checked).
    :param local_hostname: the name sent in EHLO; ``None`` lets smtplib use this machine's FQDN.
    :param password_env: the environment variable the password came from, only to name it in
        error messages.

    No I/O happens until :meth:`open` (or the first :meth:`send`). A password is never sent
    over an unencrypted connection except to a loopback address.
    """

    #: After this many idle seconds, a ``NOOP`` checks the connection before the next message,
    #: so a connection the server closed meanwhile is replaced instead of costing a deferral.
    idle_check_seconds: float = 5.0

    def __init__(
        self,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        *,
        security: Security | None = None,
        timeout: float = 30.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
        password_env: str | None = None,
    ) -> None:
        if security is None:
            security = "tls" if port == 465 else "starttls"
        if security not in _SECURITY_NAMES:
            raise ValueError(f"security must be 'starttls', 'tls' or 'none', not {security!r}.")
        self.host = host
        self.port = port
        self.username = username or None
        self.security: Security = security
        self.timeout = timeout
        self.local_hostname = local_hostname
        self.password_env = password_env
        self._password = password
        self._ssl_context = ssl_context
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0

    def __repr__(self) -> str:
        # Deliberately lists the fields: the password must never appear, even masked.
        return (
            f"SmtpTransport(host={self.host!r}, port={self.port!r}, "
            f"username={self.username!r}, security={self.security!r})"
        )

    # ------------------------------------------------------------------------- Transport port

    def open(self) -> None:
        """Connect, secure and log in, unless already connected.

        :raises TransportError: the server cannot be reached, TLS or the certificate check
            failed, or the login was refused.
        """
        if self._smtp is None or self._smtp.sock is None:
            self._smtp = self._connect()
            self._last_used = time.monotonic()

    def send(self, message: EmailMessage) -> DeliveryResult:
        """Send one message; the envelope comes from its ``From``/``To``/``Cc``/``Bcc`` headers.

        Never raises for anything the server says about the message: refusals and dropped
        connections become ``DEFERRED``/``FAILED`` results with the server's words in
        ``detail``. If the connection is gone, it is re-established once first.

        :raises TransportError: only when that reconnection fails (nothing was sent).
        """
        smtp = self._usable_connection()
        message_id = str(message.get("Message-ID", "")).strip()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            # Every recipient refused (or a 421 during RCPT, after which smtplib closed).
            return self._done(_refused_result(exc.recipients, partial=False), message_id)
        except smtplib.SMTPServerDisconnected as exc:
            # The message may or may not have been accepted; it is retried later with the
            # same Message-ID, so at worst the buyer sees one duplicate.
            self._discard_connection()
            detail = f"Connection closed by the server during sending ({exc})."
            return self._done(DeliveryResult(DeliveryOutcome.DEFERRED, detail), message_id)
        except smtplib.SMTPNotSupportedError as exc:
            # E.g. a non-ASCII address to a server without SMTPUTF8: retrying will not help.
            return self._done(DeliveryResult(DeliveryOutcome.FAILED, str(exc)), message_id)
        except smtplib.SMTPResponseException as exc:
            # SMTPSenderRefused (MAIL), SMTPDataError (DATA) and any other coded reply.
            return self._done(self._response_result(exc.smtp_code, exc.smtp_error), message_id)
        except (OSError, smtplib.SMTPException) as exc:
            # Timeouts, resets, TLS errors mid-stream: the connection is unusable now.
            self._discard_connection()
            detail = f"Connection problem during sending: {_describe(exc)}."
            return self._done(DeliveryResult(DeliveryOutcome.DEFERRED, detail), message_id)
        except ValueError as exc:
            # smtplib's verdict on the message itself (no recipients, several Sender headers).
            return self._done(DeliveryResult(DeliveryOutcome.FAILED, str(exc)), message_id)
        if refused:
            # Some recipients were refused but the server took the message for the others:
            # send_message does not raise in that case, so this is the only place to see it.
            return self._done(_refused_result(refused, partial=True), message_id)
        return self._done(DeliveryResult(DeliveryOutcome.SENT), message_id)

    def close(self) -> None:
        """Say QUIT and close; errors are ignored (the run is over either way)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if smtp.sock is not None:
                smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            smtp.close()

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------- doctor

    def login_check(self) -> str:
        """Connect, log in and quit on a fresh connection; describe what worked in one line.

        :raises TransportError: with the same sentences as :meth:`open`.
        """
        smtp = self._connect()
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            pass
        finally:
            smtp.close()
        security = _SECURITY_NAMES[self.security]
        if self.security != "none":
            verified = self._context().verify_mode == ssl.CERT_REQUIRED
            security += ", certificate verified" if verified else ", certificate NOT verified"
        who = f"logged in as {self.username}" if self.username else "connected (no login)"
        return f"SMTP {self._where} {who} ({security})."

    # ------------------------------------------------------------------------- internals

    @property
    def _where(self) -> str:
        return f"{self.host}:{self.port}"

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _usable_connection(self) -> smtplib.SMTP:
        smtp = self._smtp
        if smtp is not None and smtp.sock is not None:
            if time.monotonic() - self._last_used < self.idle_check_seconds:
                return smtp
            try:
                code, _ = smtp.noop()
                if code == 250:
                    return smtp
            except (OSError, smtplib.SMTPException):
                pass
            log.info("SMTP connection to %s went stale; reconnecting.", self._where)
        elif smtp is not None:
            log.info("SMTP connection to %s was closed; reconnecting.", self._where)
        self._discard_connection()
        self.open()
        if self._smtp is None:
            raise TransportFailed(f"Cannot reconnect to {self._where}: try the sync again.")
        return self._smtp

    def _discard_connection(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            smtp.close()  # no QUIT: the connection is already broken or suspect

    def _done(self, result: DeliveryResult, message_id: str) -> DeliveryResult:
        self._last_used = time.monotonic()
        scrubbed = self._scrub(result.detail)
        if scrubbed != result.detail:
            # Belt and braces: no server should echo it, but the detail lands in the sheet.
            result = DeliveryResult(result.outcome, scrubbed)
        if result.outcome is DeliveryOutcome.SENT:
            log.debug("Sent %s via %s.", message_id or "a message", self._where)
        else:
            log.info(
                "Message %s %s: %s",
                message_id or "(no Message-ID)",
                result.outcome.value,
                result.detail,
            )
        return result

    def _response_result(self, code: int, resp: bytes | str) -> DeliveryResult:
        if code == 421:
            # The server is closing the channel; smtplib may or may not have closed its end.
            self._discard_connection()
        text = _reply_text(code, resp)
        return DeliveryResult(classify_reply(code, text.partition(" ")[2]), text)

    def _scrub(self, text: str) -> str:
        """``text`` with every form of the credentials masked (see the module's docstring)."""
        return scrub_credentials(text, self.username, self._password)

    def _connect(self) -> smtplib.SMTP:
        """A new connection, secured and logged in, or TransportError."""
        if self.username is not None and self.security == "none" and not _is_loopback(self.host):
            # Checked before dialing: the password must not even be offered in clear text.
            raise TransportError(
                f"Refusing to send the SMTP password unencrypted to {self._where}: "
                'set security to "starttls" (port 587) or "tls" (port 465).'
            )
        smtp: smtplib.SMTP | None = None
        try:
            smtp = self._dial()
            if self.security == "starttls":
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise TransportError(
                        f"The SMTP server {self._where} does not offer STARTTLS: use port 465 "
                        'with security = "tls", or the port your provider documents for '
                        "STARTTLS (usually 587)."
                    )
                smtp.starttls(context=self._context())
                smtp.ehlo()
            if self.username is not None:
                self._login(smtp)
            log.debug("Connected to SMTP %s (%s).", self._where, _SECURITY_NAMES[self.security])
            return smtp
        except TransportError:
            if smtp is not None:
                smtp.close()
            raise
        except Exception as exc:
            if smtp is not None:
                smtp.close()
            raise TransportError(self._scrub(self._explain(exc))) from exc

    def _dial(self) -> smtplib.SMTP:
        if self.security == "tls":
            return smtplib.SMTP_SSL(
                self.host,
                self.port,
                local_hostname=self.local_hostname,
                timeout=self.timeout,
                context=self._context(),
            )
        return smtplib.SMTP(
            self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
        )

    def _login(self, smtp: smtplib.SMTP) -> None:
        smtp.ehlo_or_helo_if_needed()  # the extensions (AUTH) are only known after EHLO
        if not smtp.has_extn("auth"):
            raise TransportError(
                f"The SMTP server {self._where} does not offer login (AUTH) on this "
                "connection: check the port and security setting, or remove `username` "
                "if this server needs no login."
            )
        smtp.login(self.username or "", self._password or "")

    def _explain(self, exc: BaseException) -> str:
        """One sentence for the seller about a failed connect/TLS/login, with the fix."""
        where = self._where
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            reply = _reply_text(exc.smtp_code, exc.smtp_error)
            secret = (
                f"the app password in the environment variable {self.password_env}"
                if self.password_env
                else "the password"
            )
            return f"SMTP login to {where} failed ({reply}): check `username` and {secret}."
        if isinstance(exc, ssl.SSLCertVerificationError):
            reason = exc.verify_message or str(exc)
            return (
                f"The TLS certificate of {where} could not be verified ({reason}): check that "
                "`smtp_host` is the server's real name and that this machine's CA "
                "certificates are installed and up to date."
            )
        if isinstance(exc, ssl.SSLError):
            return (
                f"TLS with {where} failed ({exc.reason or exc}): check that the port matches "
                'the security setting (465 = "tls", 587 = "starttls").'
            )
        if isinstance(exc, socket.gaierror):
            return f"Cannot find the SMTP server {self.host!r} ({exc}): check `smtp_host`."
        if isinstance(exc, TimeoutError | smtplib.SMTPServerDisconnected):
            hint = (
                ' (port 465 needs security = "tls")'
                if self.port == 465 and self.security != "tls"
                else ""
            )
            return (
                f"The SMTP server {where} did not answer ({_describe(exc)}): check "
                f"`smtp_host`, `smtp_port` and the security setting{hint}, and the network."
            )
        if isinstance(exc, smtplib.SMTPResponseException):
            reply = _reply_text(exc.smtp_code, exc.smtp_error)
            return f"The SMTP server {where} refused the connection ({reply}): check the settings."
        if isinstance(exc, OSError):
            return (
                f"Cannot connect to the SMTP server {where} ({_describe(exc)}): check "
                "`smtp_host`, `smtp_port` and the network."
            )
        return f"SMTP connection to {where} failed ({_describe(exc)}): check the [email] settings."


def scrub_credentials(text: str, username: str | None, password: str | None) -> str:
    """``text`` (a server's reply) with the password masked in every form SMTP AUTH sends it.

    Masked: the password itself; its base64 (``AUTH LOGIN``'s answer); the ``AUTH PLAIN``
    blob (base64 of ``authzid NUL user NUL password``); any base64 word that decodes to text
    holding the password; and every word after an echoed ``AUTH <mechanism>``.
    """
    if not text:
        return text
    text = _AUTH_ECHO.sub(lambda found: f"{found.group(1)} {MASK}", text)
    if not password:
        return text
    for secret in sorted(_secret_forms(username or "", password), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _BASE64_WORD.sub(lambda found: _masked_if_secret(found.group(0), password), text)


def _secret_forms(username: str, password: str) -> set[str]:
    """The password as typed and as base64, alone and in the AUTH PLAIN blob."""
    forms = {password}
    for encoding in ("utf-8", "latin-1"):
        try:
            secret = password.encode(encoding)
            user = username.encode(encoding)
        except UnicodeEncodeError:
            continue
        for raw in (secret, b"\0" + user + b"\0" + secret, user + b"\0" + user + b"\0" + secret):
            encoded = base64.b64encode(raw).decode("ascii")
            forms.update({encoded, encoded.rstrip("=")})
    return {form for form in forms if form}


def _masked_if_secret(word: str, password: str) -> str:
    """``word`` itself, or the mask when it is base64 of credentials: it decodes to bytes
    holding the password (or, cut short, its first six characters) or a NUL (``AUTH PLAIN``)."""
    if len(word) < 8:
        return word
    bare = word.rstrip("=")
    bare = bare[: len(bare) - len(bare) % 4] if len(bare) % 4 == 1 else bare
    try:
        decoded = base64.b64decode(bare + "=" * (-len(bare) % 4), validate=False)
    except (binascii.Error, ValueError):
        return word
    if b"\0" in decoded:
        return MASK
    for encoding in ("utf-8", "latin-1"):
        try:
            secret = password.encode(encoding)
        except UnicodeEncodeError:
            continue
        if secret in decoded or (len(secret) >= 6 and secret[:6] in decoded):
            return MASK
    return word


def _refused_result(
    recipients: Mapping[str, tuple[int, bytes]], *, partial: bool
) -> DeliveryResult:
    """Classify refused recipients: any permanent refusal makes the whole message FAILED.

    The detail is the bare reply when the only recipient was refused, and names each refused
    address when the message had several recipients (``partial``: others accepted it).
    """
    name_them = partial or len(recipients) > 1
    if not recipients:
        return DeliveryResult(DeliveryOutcome.DEFERRED, "All recipients were refused.")
    outcomes: list[DeliveryOutcome] = []
    parts: list[str] = []
    for address, (code, resp) in recipients.items():
        text = _reply_text(code, resp)
        outcomes.append(classify_reply(code, text.partition(" ")[2]))
        parts.append(f"{address}: {text}" if name_them else text)
    outcome = (
        DeliveryOutcome.FAILED if DeliveryOutcome.FAILED in outcomes else DeliveryOutcome.DEFERRED
    )
    return DeliveryResult(outcome, "; ".join(parts))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
