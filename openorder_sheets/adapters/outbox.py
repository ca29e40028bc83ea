"""The outbox transport: one `.eml` file per message in a folder (the embedded default).

The file name comes from the `Message-ID`, so a message re-sent after a crash replaces its own
file instead of making a second one. Files are written beside their final name, then renamed.
"""

from __future__ import annotations

import os
import re
from email.message import EmailMessage
from pathlib import Path

from openorder_sheets.errors import TransportFailed
from openorder_sheets.ports import DeliveryOutcome, DeliveryResult


class OutboxTransport:
    """A :class:`~openorder_sheets.ports.Transport` writing `.eml` files into ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __repr__(self) -> str:
        return f"OutboxTransport({str(self.folder)!r})"

    def open(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise TransportFailed(
                f"Cannot create the outbox folder {self.folder} ({error.strerror}): fix "
                "`outbox` under [email] in openorder.toml."
            ) from None

    def send(self, message: EmailMessage) -> DeliveryResult:
        name = file_name(message)
        target = self.folder / name
        temporary = self.folder / f".{name}.tmp"
        try:
            temporary.write_bytes(message.as_bytes())
            os.replace(temporary, target)
        except OSError as error:
            return DeliveryResult(DeliveryOutcome.DEFERRED, f"cannot write {target}: {error}")
        return DeliveryResult(DeliveryOutcome.SENT, str(target))

    def close(self) -> None:
        """Nothing to close: every file is complete once ``send`` returns."""


def file_name(message: EmailMessage) -> str:
    """``PO-0001-order_confirmed-<id>.eml``: sortable, readable, and one per Message-ID."""
    order = str(message.get("X-OpenOrder-Order", "")) or "batch"
    kind = str(message.get("X-OpenOrder-Kind", "message"))
    ident = str(message.get("Message-ID", "")).strip("<>").split("@")[0][:12]
    raw = f"{order}-{kind}-{ident}"
    return re.sub(r"[^A-Za-z0-9._-]", "_", raw) + ".eml"
