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
    """The standard header registry, remembering the class it makes for each header name.

    `email.headerregistry.HeaderRegistry` builds a new class on every header it parses: most
    of the time of building a message went there. The classes depend on the name alone."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


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
    message["From"] = sender
    user, _, domain = to.partition("@")
    message["To"] = Address(username=user, domain=domain)
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
