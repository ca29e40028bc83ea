"""What buyers read: their place in the waitlist, and an invitation to order again only while
the batch still takes orders (else the next batch, if there is one)."""

from __future__ import annotations

from pathlib import Path

from openorder_sheets.testing.shops import ShopBuilder


def body(message: object) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[attr-defined]


def test_the_waitlist_email_says_the_buyers_place_in_the_queue(tmp_path: Path) -> None:
    builder = ShopBuilder(tmp_path)
    builder.product("NASTAR", "Nastar", 85000, capacity=1)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00")
    for minute, who in ((10, "ani"), (20, "budi"), (30, "citra")):
        builder.response(f"2027-02-01 09:{minute}", f"{who}@example.com", who.title(), Nastar=1)
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    waiting = {
        m["To"]: body(m) for m in shop.transport.sent if "waitlisted" in m["X-OpenOrder-Kind"]
    }
    assert "You are number 1 in the queue." in waiting["budi@example.com"]
    assert "You are number 2 in the queue." in waiting["citra@example.com"]


def test_an_expiry_after_the_batch_closed_names_the_next_batch_not_the_form(tmp_path: Path) -> None:
    builder = ShopBuilder(tmp_path, rules={"payment_due_hours": 24, "payment_reminder_hours": 6})
    builder.product("NASTAR", "Nastar", 85000, capacity=5)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-02 12:00")
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    builder.response("2027-02-02 11:00", "ani@example.com", "Ani", Nastar=1)
    shop = builder.build()
    shop.sync("2027-02-02T11:30")
    shop.sync("2027-02-03T06:00")  # reminder
    shop.sync("2027-02-04T12:00")  # expired, the batch closed two days ago
    expired = next(m for m in shop.transport.sent if m["X-OpenOrder-Kind"] == "order_expired")
    text = body(expired)
    assert "order again" not in text
    assert "The next open order, PO 2, opens Monday, March 1, 2027" in text


def test_an_expiry_while_the_batch_is_open_invites_a_new_order(tmp_path: Path) -> None:
    builder = ShopBuilder(tmp_path, rules={"payment_due_hours": 24, "payment_reminder_hours": 6})
    builder.product("NASTAR", "Nastar", 85000, capacity=5)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00")
    builder.response("2027-02-01 09:10", "ani@example.com", "Ani", Nastar=1)
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    shop.sync("2027-02-02T05:00")
    shop.sync("2027-02-03T12:00")
    expired = next(m for m in shop.transport.sent if m["X-OpenOrder-Kind"] == "order_expired")
    assert "PO 1 is open until Friday, February 12, 2027" in body(expired)
    assert "you can order again" in body(expired)
