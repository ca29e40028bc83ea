"""A sync's writes cut at every request boundary, against the local Sheets API server.

The values write is forced into small request bodies (a few per write), then each request in
turn fails past the retry budget. Whatever was written before the cut, the next syncs send
every buyer exactly what an uninterrupted run sends: no message lost, none repeated.

A cut after part of the `Emails` ledger landed but before the memory tab is whole once made
the rerun number the orders anew; the memory now records the last number in its final row and
the ledger's numbers are not counted as used, so the rerun computes the very same keys.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.adapters import google_bodies
from openorder_sheets.adapters.gsheet import GoogleSheetBackend, RetryPolicy
from openorder_sheets.core.cells import text
from openorder_sheets.errors import SheetUnreachable
from openorder_sheets.service.sync import SyncReport
from openorder_sheets.testing.sheets_server import SheetsServer
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

NOW = "2027-02-10 10:00"
WRITE = "values_batch_update"
SMALL_BODY = 1500  # bytes per values:batchUpdate body, so each write takes several requests
BUYERS = 12


@dataclass
class Outcome:
    """What the buyers received and what the sheet says, after the syncs settled."""

    kinds: dict[str, list[str]]  # per recipient, sorted
    message_ids: list[str]
    statuses: dict[str, str]
    waiting: int  # ledger entries still queued or deferred after the last sync
    views: dict[str, list[list[Any]]]  # what the seller sees in the tool's tabs


#: The tabs the seller reads: each is rebuilt from the tool's memory.
VIEWS = ("orders", "summary", "materials_needed", "packing")


@pytest.fixture
def chunks_per_write(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small request bodies for every values write; records how many requests each write took."""
    original = google_bodies.chunked
    seen: list[int] = []

    def small(
        data: list[dict[str, Any]], limit: int = google_bodies.CHUNK_BYTES
    ) -> Iterator[list[dict[str, Any]]]:
        chunks = list(original(data, limit=SMALL_BODY))
        seen.append(len(chunks))
        return iter(chunks)

    # gsheet.py calls it as `build.chunked`: patch the module object it imported as `build`.
    monkeypatch.setattr("openorder_sheets.adapters.gsheet.build.chunked", small)
    return seen


def new_shop(folder: Path, server: SheetsServer) -> BuiltShop:
    """Twelve buyers, two products: Nastar overflows its capacity, so some are waitlisted."""
    builder = ShopBuilder(folder, backend="google", sheets_server=server)
    builder.product("NASTAR", "Nastar", 85000, capacity=8)
    builder.product("KASTENGEL", "Kastengel", 95000, capacity=5)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    for n in range(BUYERS):
        builder.response(
            f"2027-02-02 10:{n:02d}",
            f"buyer{n}@example.com",
            f"Pembeli {n}",
            opt_in="Yes" if n % 4 == 0 else "",
            Nastar=1 + n % 2,
            Kastengel=n % 3,
        )
    shop = builder.build()
    assert isinstance(shop.backend, GoogleSheetBackend)
    shop.backend.retry = RetryPolicy(budget_seconds=0.25, first_delay=0.05, progress=lambda _: None)
    return shop


def outcome(shop: BuiltShop, last: SyncReport) -> Outcome:
    kinds = {
        f"buyer{n}@example.com": sorted(shop.transport.kinds_to(f"buyer{n}@example.com"))
        for n in range(BUYERS)
    }
    statuses = {text(row["Order"]): text(row["Status"]) for row in shop.orders()}
    ids = sorted(str(m["Message-ID"]) for m in shop.transport.sent)
    views = {key: shop.grid(key) for key in VIEWS}
    return Outcome(kinds, ids, statuses, last.emails_waiting, views)


def fail_values_write(server: SheetsServer, k: int) -> None:
    """Let the first k-1 values writes through; the k-th and all its retries get a 503."""
    if k == 1:
        server.fail_next(503, 10_000, kind=WRITE)
        return
    passed = [0]

    def count() -> None:
        passed[0] += 1
        if passed[0] == k - 1:  # this request's fate is already decided: the next one fails
            server.fail_next(503, 10_000, kind=WRITE)

    server.before_next(WRITE, count, k - 1)


def cut_sync(shop: BuiltShop, server: SheetsServer, k: int) -> None:
    """A sync whose k-th values write fails past the retry budget (exit 3)."""
    fail_values_write(server, k)
    try:
        with pytest.raises(SheetUnreachable):
            shop.sync(NOW)
        [rule] = server.pending_faults()  # the cut was reached, at the k-th write
        assert rule["action"] == "error", rule
        assert rule["remaining"] < 10_000, rule
    finally:
        server.clear_faults()


def settle(shop: BuiltShop) -> Outcome:
    """The rerun after the cut, then one more sync that must find nothing left to send."""
    shop.sync(NOW)
    before = len(shop.transport.sent)
    last = shop.sync(NOW)
    assert last.emails_sent == 0
    assert len(shop.transport.sent) == before
    return outcome(shop, last)


@pytest.fixture
def reference(
    tmp_path: Path, sheets_server: SheetsServer, chunks_per_write: list[int]
) -> tuple[Outcome, int, int]:
    """The uninterrupted run: its outcome and the requests its first and second writes took."""
    shop = new_shop(tmp_path / "reference", sheets_server)
    shop.sync(NOW)
    first, second = chunks_per_write
    assert sheets_server.pending_faults() == []
    done = settle(shop)
    chunks_per_write.clear()
    assert len(done.message_ids) == len(set(done.message_ids)) >= BUYERS
    assert done.waiting == 0
    assert "Waitlisted" in done.statuses.values()
    assert "Confirmed" in done.statuses.values()
    return done, first, second


def after_first_write_cut(folder: Path, server: SheetsServer, k: int) -> Outcome:
    """A first sync cut at its k-th values write, then the syncs of a new machine."""
    shop = new_shop(folder, server)
    cut_sync(shop, server, k)
    assert shop.transport.sent == []  # nothing is delivered before the first write lands
    shutil.rmtree(shop.shop.state_dir, ignore_errors=True)  # a new machine: no journal
    return settle(shop)


def test_a_first_write_cut_at_any_request_repeats_no_message(
    tmp_path: Path, sheets_server: SheetsServer, reference: tuple[Outcome, int, int]
) -> None:
    """A first write cut at any request boundary, rerun on a new machine, tells each buyer once."""
    expected, first, _ = reference
    assert first >= 3  # the small bodies really cut the write into several requests
    for k in range(1, first + 1):
        got = after_first_write_cut(tmp_path / f"first-{k}", sheets_server, k)
        where = f"first write cut before request {k} of {first}"
        assert got.kinds == expected.kinds, where
        assert len(got.message_ids) == len(set(got.message_ids)), where
        assert len(got.statuses) == BUYERS, where


def test_a_first_write_cut_at_any_request_keeps_every_message_key(
    tmp_path: Path, sheets_server: SheetsServer, reference: tuple[Outcome, int, int]
) -> None:
    """A first write cut at any request boundary: the rerun recomputes the same message keys."""
    expected, first, _ = reference
    broken = []
    for k in range(1, first + 1):
        got = after_first_write_cut(tmp_path / f"first-{k}", sheets_server, k)
        if got != expected:
            numbers = sorted(got.statuses)
            broken.append(f"k={k}: orders {numbers[0]}..{numbers[-1]}, {got.waiting} left queued")
    assert broken == [], f"first write of {first} requests; " + "; ".join(broken)


def test_a_second_write_cut_at_any_request_loses_and_repeats_no_message(
    tmp_path: Path, sheets_server: SheetsServer, reference: tuple[Outcome, int, int]
) -> None:
    """A second write (recording deliveries) cut at any request boundary repeats no message."""
    expected, first, second = reference
    assert second >= 2  # the small bodies really cut the write into several requests
    for k in range(first + 1, first + second + 1):
        shop = new_shop(tmp_path / f"second-{k}", sheets_server)
        cut_sync(shop, sheets_server, k)
        sent = sorted(str(m["Message-ID"]) for m in shop.transport.sent)
        assert sent == expected.message_ids  # every message was delivered before the cut
        got = settle(shop)
        assert got == expected, f"second write cut before request {k - first} of {second}"


def test_a_write_cut_after_the_memory_leaves_no_view_stale(
    tmp_path: Path, sheets_server: SheetsServer, reference: tuple[Outcome, int, int]
) -> None:
    """A write cut after the memory (which keeps fingerprints of what the views show) but
    before every view landed: the next sync still puts each view right, not only the rows of
    orders that change again."""
    expected, first, second = reference
    stale = []
    for k in range(first + 1, first + second + 1):
        shop = new_shop(tmp_path / f"views-{k}", sheets_server)
        cut_sync(shop, sheets_server, k)
        got = settle(shop)
        for key in VIEWS:
            if got.views[key] != expected.views[key]:
                stale.append(f"{key} after a cut before request {k - first} of {second}")
    assert stale == []


class Stopped(BaseException):
    """The machine stops mid-run (a laptop closed, cron's time limit): nothing catches it."""


def test_a_run_stopped_after_mirroring_its_ledger_leaves_no_row_stale(
    tmp_path: Path, sheets_server: SheetsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long run mirrors the `Emails` tab as it sends (here after every message); stopped
    after some of those writes but before its last, the `Orders` rows still say those
    messages wait. The next sync on the same machine puts every row right, and sends the rest
    once."""
    monkeypatch.setattr("openorder_sheets.service.sync.CHECKPOINT_SECONDS", 0.0)
    reference = new_shop(tmp_path / "reference", sheets_server)
    reference.sync(NOW)
    expected = settle(reference)

    shop = new_shop(tmp_path / "stopped", sheets_server)
    transport = shop.transport
    send = transport.send

    def send_then_stop(message: Any) -> Any:
        if len(transport.sent) == 5:
            raise Stopped
        return send(message)

    monkeypatch.setattr(transport, "send", send_then_stop)
    with pytest.raises(Stopped):
        shop.sync(NOW)
    assert shop.grid("state")[0][2]  # the seal: the run stopped before its last write
    monkeypatch.setattr(transport, "send", send)
    got = settle(shop)
    assert got == expected
    assert len(shop.grid("state")[0]) < 3 or not shop.grid("state")[0][2]  # cleared
