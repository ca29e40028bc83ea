"""A whole batch's life with `--now`, in both languages, delivered to a real SMTP server.

Announcement → orders → payment reminder → an unpaid order expires and a waitlisted one is
promoted → closing reminder → In production → Ships on moved later → tracking number →
Shipped → the next batch opens → its closing reminder. Every buyer's mailbox at the server
must match, with nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from openorder_sheets.adapters.smtp import SmtpTransport
from openorder_sheets.core.labels import COLUMN_LABELS, STAGE_LABELS, label
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder
from openorder_sheets.testing.smtp_server import LocalSmtpServer

A, B, C, D = "ani@example.com", "budi@example.com", "citra@example.com", "dedi@example.com"

EXPECTED = {
    A: [
        "order_confirmed",
        "payment_received",
        "batch_open",
        "batch_closing",
        "batch_open",
        "batch_closing",
    ],
    B: ["order_confirmed", "payment_reminder", "order_expired"],
    C: [
        "order_waitlisted",
        "order_promoted",
        "payment_received",
        "production_started",
        "batch_delayed",
        "order_shipped",
        "batch_open",
        "review_request",  # three days after shipping, at the next sync (after the batch news)
        "batch_closing",
    ],
    D: ["order_waitlisted", "batch_open", "batch_open"],
}


@pytest.fixture(scope="module")
def server() -> Iterator[LocalSmtpServer]:
    with LocalSmtpServer(tls="starttls") as running:
        yield running


class Life:
    """Drives one shop through time, syncing twice at each step (the second must be silent)."""

    def __init__(self, shop: BuiltShop, server: LocalSmtpServer, language: str) -> None:
        self.shop, self.server, self.language = shop, server, language

    def h(self, key: str) -> str:
        return label(COLUMN_LABELS, key, self.language)

    def sync(self, now: str) -> None:
        self.shop.sync(now)
        delivered = len(self.server.messages)
        report = self.shop.sync(now)
        assert report.emails_new == []
        assert len(self.server.messages) == delivered

    def add_responses(self, *rows: list[object]) -> None:
        grid = self.shop.grid("responses")
        self.shop.replace_rows("responses", [*grid[1:], *rows])  # type: ignore[list-item]

    def set_batch(self, row: int, key: str, value: object) -> None:
        self.shop.set_cell("batches", row, self.h(key), value)  # type: ignore[arg-type]

    def stage(self, key: str) -> str:
        return label(STAGE_LABELS, key, self.language)

    def mailbox(self) -> dict[str, list[str]]:
        boxes: dict[str, list[str]] = defaultdict(list)
        for message in self.server.messages:
            boxes[str(message["To"])].append(str(message["X-OpenOrder-Kind"]))
        return dict(boxes)


def response(when: str, email: str, name: str, nastar: int, opt_in: str) -> list[object]:
    return [
        dt.datetime.fromisoformat(when),
        email,
        name,
        "081234567890",
        "Jl. Melati 1",
        "Kurir",
        "",
        opt_in,
        nastar,
    ]


@pytest.mark.parametrize("language", ["en", "id"])
def test_a_whole_batch_life_reaches_every_buyer_once(
    tmp_path: Path, server: LocalSmtpServer, language: str
) -> None:
    """Each buyer's mailbox matches the story, nothing twice, in both languages."""
    server.clear_messages()
    yes = "Ya" if language == "id" else "Yes"
    builder = ShopBuilder(tmp_path, language=language)
    builder.product("NASTAR", "Nastar", 85000, capacity=2)
    builder.batch("PO 0", "2027-01-05 09:00", "2027-01-10 21:00")
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    shop = builder.build()
    shop.shop.make_transport = lambda: SmtpTransport(
        "127.0.0.1",
        server.port,
        *server.credentials,
        security="starttls",
        ssl_context=server.client_ssl_context(),
    )
    life = Life(shop, server, language)

    life.add_responses(
        response("2027-01-06 09:00", A, "Ani", 1, yes),
        response("2027-01-06 09:30", D, "Dedi", 3, ""),
    )
    life.sync("2027-01-06 10:00")  # confirmed / waitlisted
    shop.set_order_cell("PO-0001", "paid", True)
    life.sync("2027-01-06 11:00")  # payment_received
    life.sync("2027-02-01 10:00")  # PO 1 opens: batch_open to A and D
    life.add_responses(
        response("2027-02-01 12:00", B, "Budi", 2, ""),
        response("2027-02-01 12:30", C, "Citra", 1, yes),
    )
    life.sync("2027-02-01 13:00")  # B confirmed, C waitlisted
    life.sync("2027-02-03 02:00")  # 11 h before B's deadline: reminder
    life.sync("2027-02-03 14:00")  # B expired, C promoted
    assert shop.status_of("PO-0003") == label(
        {"x": {"en": "Expired", "id": "Kedaluwarsa"}}, "x", language
    )
    shop.set_order_cell("PO-0004", "paid", True)
    life.sync("2027-02-04 09:00")  # payment_received to C
    life.sync("2027-02-14 22:00")  # closing reminder to A (opted in)
    life.set_batch(2, "stage", life.stage("in_production"))
    life.sync("2027-02-16 09:00")  # production_started to C
    life.set_batch(2, "ships_on", dt.datetime(2027, 2, 24))
    life.set_batch(2, "note_to_buyers", "Oven kami rusak, mohon maaf.")
    life.sync("2027-02-17 09:00")  # batch_delayed to C
    shop.set_order_cell("PO-0004", "tracking_no", "JNE123456")
    life.sync("2027-02-23 09:00")  # order_shipped to C
    life.set_batch(2, "stage", life.stage("shipped"))
    life.sync("2027-02-24 09:00")  # nothing new: C already told
    life.sync("2027-03-01 10:00")  # PO 2 opens: A, C (opt-in), D (waitlisted)
    life.sync("2027-03-09 22:00")  # PO 2 closing: A and C

    assert life.mailbox() == EXPECTED
    assert max(server.deliveries_by_message_id().values()) == 1
    delayed = next(m for m in server.messages if m["X-OpenOrder-Kind"] == "batch_delayed")
    body = delayed.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Oven kami rusak" in body
    assert ("24 Februari 2027" if language == "id" else "February 24, 2027") in body
    assert ("20 Februari 2027" if language == "id" else "February 20, 2027") in body
    announcement = next(m for m in server.messages if m["X-OpenOrder-Kind"] == "batch_open")
    assert announcement["X-OpenOrder-Order"] == ""
