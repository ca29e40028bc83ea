"""Building the email a buyer receives: multipart text + HTML with the headers SPEC §5 names.

Header values never carry buyer text unchecked: the recipient is a validated address, and the
subject is folded onto one line before it is set.
"""

from __future__ import annotations

import datetime as dt
import email.policy
from collections.abc import Mapping
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from openorder_sheets.adapters.templates import RenderedEmail


class _KnownHeaders(HeaderRegistry):
    """The standard header registry, remembering what it made.

    `email.headerregistry.HeaderRegistry` builds a new class for every header it parses, then
    parses the value with the full RFC 5322 parser: most of the time of building a message
    went there, for values that repeat in every message (From, Reply-To, the MIME headers,
    the kind). Classes are kept per name, parsed headers per (name, value) — header objects
    are immutable strings, so sharing one between messages is safe."""

    _KEEP = 4096  # parsed values kept (the repeating ones; unique ones come and go)

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made

    def __call__(self, name: str, value: str) -> BaseHeader:
        if type(value) is not str:  # an Address or a Group: parsed from its parts, not text
            return super().__call__(name, value)
        key = (name.lower(), value)
        parsed = self._parsed.get(key)
        if parsed is None:
            parsed = super().__call__(name, value)
            if len(self._parsed) >= self._KEEP:
                self._parsed.clear()
            self._parsed[key] = parsed
        return parsed


#: email.policy.default, with header classes made once per process.
POLICY = email.policy.default.clone(header_factory=_KnownHeaders())


def sender_address(name: str, address: str) -> Address:
    """``Shop Name <shop@example.com>``; the display name may hold any characters safely.

    ``address`` is normally the bare ``user@domain`` the config keeps; written the way mail
    programs do (``Dapur Bu Sari <sari@example.com>``), its own display name is used instead.
    """
    given, bare = parseaddr(address)
    if "<" in address and bare:
        name, address = given or name, bare
    username, _, domain = address.partition("@")
    return Address(display_name=" ".join(name.split()), username=username, domain=domain)


def build_message(
    rendered: RenderedEmail,
    *,
    to: str,
    sender: Address,
    reply_to: str,
    message_id: str,
    kind: str,
    order: str,
    now: dt.datetime,
    images: Mapping[str, bytes] | None = None,
) -> EmailMessage:
    """The complete message, ready for any transport.

    ``images`` are PNGs the HTML shows inline (``<img src="cid:NAME">``), by content id."""
    message = EmailMessage(policy=POLICY)
    message["Subject"] = " ".join(rendered.subject.split())
    # As text (quoted by Address), so the parsed header is shared by every message.
    message["From"] = str(sender)
    user, _, domain = to.partition("@")
    message["To"] = str(Address(username=user, domain=domain))
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["X-OpenOrder-Kind"] = kind
    message["X-OpenOrder-Order"] = order
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if images:
        html = message.get_body(preferencelist=("html",))
        if html is None:
            raise ValueError("the message has no HTML part to show images in")
        for cid, data in images.items():
            html.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>")
    return message
