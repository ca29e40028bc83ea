"""The rolling daily limit: at most `daily_limit` messages in any 24 hours, decisions first."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from openorder_sheets.cli_text import status_text, sync_summary
from openorder_sheets.core import ledger
from openorder_sheets.core.cells import text
from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.service.views import shop_status
from openorder_sheets.testing.shops import ShopBuilder

DAY1 = dt.datetime(2027, 2, 16, 10, 0)


def _thousand_due(builder: ShopBuilder) -> None:
    """20 rejected (before the window), 480 for a product with room for 1 (1 confirmed, 479
    waitlisted), then 500 confirmed: 1,000 emails, decisions of every kind spread through the
    ledger, and only 501 of them confirmations."""
    builder.product("KASTENGEL", "Kastengel", 95000, capacity=1)
    early = dt.datetime(2027, 1, 31, 8, 0)
    for n in range(20):
        builder.response(
            early + dt.timedelta(minutes=n), f"early{n:03d}@example.com", "E", Kastengel=1
        )
    start = dt.datetime(2027, 2, 2, 10, 0)
    for n in range(480):
        builder.response(
            start + dt.timedelta(seconds=20 * n), f"k{n:04d}@example.com", "K", Kastengel=1
        )
    start = dt.datetime(2027, 2, 5, 10, 0)
    for n in range(500):
        builder.response(
            start + dt.timedelta(seconds=20 * n), f"n{n:04d}@example.com", "N", Nastar=1
        )


def _kinds(messages: list[Any]) -> Counter[str]:
    return Counter(str(m["X-OpenOrder-Kind"]) for m in messages)


def test_450_a_day_with_1000_due_confirmations_first_the_rest_on_later_days(
    smtp_shop: Callable[..., Any],
) -> None:
    """SPEC §5: limit 450, 1,000 due: 450 go (confirmations first), the rest on later days."""
    shop = smtp_shop(0, daily_limit=450, edit=_thousand_due)
    report = shop.sync(DAY1)
    assert len(report.emails_new) == 1000
    assert report.emails_sent == 450
    day1 = shop.server.messages
    assert _kinds(day1) == {"order_confirmed": 450}
    states = Counter(text(r["State"]) for r in shop.ledger().values())
    assert states == {"sent": 450, "queued": 550}

    shop.sync(DAY1 + dt.timedelta(hours=23, minutes=59))  # still inside the rolling 24 hours
    assert len(shop.server.messages) == 450

    shop.sync(DAY1 + dt.timedelta(days=1))
    day2 = shop.server.messages[450:]
    assert _kinds(day2) == {"order_confirmed": 51, "order_rejected": 20, "order_waitlisted": 379}

    shop.sync(DAY1 + dt.timedelta(days=2))
    day3 = shop.server.messages[900:]
    assert _kinds(day3) == {"order_waitlisted": 100}
    assert {text(r["State"]) for r in shop.ledger().values()} == {"sent"}
    counts = shop.deliveries()
    assert len(counts) == 1000
    assert set(counts.values()) == {1}


def _entry(key: str, kind: str, state: EmailState = EmailState.QUEUED, **kw: Any) -> LedgerEntry:
    return LedgerEntry(
        key, "PO-1" if kind.startswith("order") else "", kind, "a@x.com", state, **kw
    )


def test_decisions_go_before_announcements_and_in_flight_messages_lead_their_kind() -> None:
    """SPEC §5: decisions go before announcements; an in-flight message leads its kind."""
    now = dt.datetime(2027, 2, 16, 10, tzinfo=dt.UTC)
    entries = [
        _entry("open", "batch_open"),
        _entry("closing", "batch_closing"),
        _entry("wait", "order_waitlisted"),
        _entry("rej", "order_rejected"),
        _entry("conf1", "order_confirmed"),
        _entry("conf2", "order_confirmed", EmailState.SENDING, attempts=1, last_attempt=now),
    ]
    order = [e.key for e in ledger.to_send(entries, now, 450)]
    assert order == ["conf2", "conf1", "rej", "wait", "open", "closing"]
    assert [e.key for e in ledger.to_send(entries, now, 3)] == ["conf2", "conf1", "rej"]


def test_the_limit_counts_every_message_sent_in_the_last_24_hours() -> None:
    """SPEC §5: the rolling window counts sends from the ledger, whichever run made them."""
    now = dt.datetime(2027, 2, 16, 10, tzinfo=dt.UTC)
    sent = [
        _entry(
            f"s{n}",
            "order_confirmed",
            EmailState.SENT,
            attempts=1,
            last_attempt=now - dt.timedelta(hours=h),
        )
        for n, h in enumerate([1, 12, 23.9, 24, 30])
    ]
    queued = [_entry(f"q{n}", "order_confirmed") for n in range(5)]
    assert len(ledger.to_send(sent + queued, now, 5)) == 2  # three sends in the window
    assert len(ledger.to_send(sent + queued, now, 3)) == 0


def test_a_batch_bigger_than_the_limit_tells_the_seller_how_many_days_the_mail_needs(
    smtp_shop: Callable[..., Any],
) -> None:
    """1,000 due at 450 a day: the sync and `status` say the last message goes out in about
    two days (and why, and what to change), then within a day, then nothing."""
    shop = smtp_shop(0, daily_limit=450, edit=_thousand_due)
    config = shop.built.config
    report = shop.sync(DAY1)
    assert report.days_behind == 2  # 550 wait, and today's 450 are spent
    summary = sync_summary(report, config)
    assert "the last should go out in about 2 days" in summary
    assert "raise `daily_limit`" in summary
    later = (DAY1 + dt.timedelta(hours=1)).replace(tzinfo=config.shop.zone)
    status = status_text(shop_status(shop.built.shop, later), config)
    assert "the last should go out in about 2 days" in status
    in_indonesian = replace(config, shop=replace(config.shop, language="id"))
    status_id = status_text(shop_status(shop.built.shop, later), in_indonesian)
    assert "email terakhir baru terkirim sekitar 2 hari lagi" in status_id
    assert shop.sync(DAY1 + dt.timedelta(days=1)).days_behind == 1  # 100 left, room spent
    last = shop.sync(DAY1 + dt.timedelta(days=2))
    assert last.days_behind == 0
    assert "daily limit" not in sync_summary(last, config)


def test_days_behind_counts_what_todays_room_cannot_take() -> None:
    now = dt.datetime(2027, 2, 16, 10, tzinfo=dt.UTC)
    queued = [_entry(f"q{n}", "order_confirmed") for n in range(1000)]
    sent = [
        _entry(f"s{n}", "order_confirmed", EmailState.SENT, attempts=1, last_attempt=now)
        for n in range(450)
    ]
    assert ledger.days_behind(queued[:450], now, 450) == 0
    assert ledger.days_behind(queued[:451], now, 450) == 1
    assert ledger.days_behind(queued, now, 450) == 2
    assert ledger.days_behind(queued + sent, now, 450) == 3
    assert ledger.days_behind(queued, now, 0) == 1000  # a limit of 0 sends nothing
