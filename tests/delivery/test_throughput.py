"""How fast the sync's delivery path renders and sends over one SMTP connection (figures)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from typing import Any

import pytest

from openorder_sheets.service import decide, messages
from openorder_sheets.service.delivery import deliver

MESSAGES = int(os.environ.get("OPENORDER_THROUGHPUT_MESSAGES", "1000"))
SAMPLE = 200  # messages rendered alone, to tell rendering from sending


def test_render_and_send_1000_over_one_connection(
    smtp_shop: Callable[..., Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """SPEC §5: 1,000 messages over one connection, each once; prints messages per second."""
    shop = smtp_shop(MESSAGES, daily_limit=MESSAGES)
    now = dt.datetime(2027, 2, 16, 10, tzinfo=shop.built.config.shop.zone)
    decided = decide.decide_shop(shop.built.shop, now)
    build = messages.message_builder(shop.built.shop, decided, now)
    assert len(decided.entries) == MESSAGES

    started = time.perf_counter()
    for entry in decided.entries[:SAMPLE]:
        build(entry)
    render_rate = SAMPLE / (time.perf_counter() - started)

    started = time.perf_counter()
    _, tally = deliver(
        decided.entries, now, MESSAGES, build, shop.state_dir, shop.built.shop.make_transport
    )
    seconds = time.perf_counter() - started

    assert tally.sent == MESSAGES
    assert shop.server.connections == 1
    counts = shop.deliveries()
    assert len(counts) == MESSAGES
    assert set(counts.values()) == {1}
    with capsys.disabled():
        print(
            f"\nthroughput: {MESSAGES} messages rendered + sent over one STARTTLS connection "
            f"to the local server in {seconds:.1f} s = {MESSAGES / seconds:.0f} messages/s "
            f"(rendering alone: {render_rate:.0f} messages/s; journal fsync'd twice per message)"
        )
