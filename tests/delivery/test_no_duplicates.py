"""Nothing is sent twice: reruns, overlapping runs, a new machine, crashes while writing the sheet.

Every count is taken at the SMTP server, per Message-ID.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.adapters.local_journal import Journal, SyncLock
from openorder_sheets.core.cells import text
from openorder_sheets.core.ledger import message_id
from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.ports import Grid, SheetBackend, SheetSnapshot, TabLayout, TabUpdate

NOW = "2027-02-16 10:00"
LATER = "2027-02-16 11:00"


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
def test_a_rerun_sends_nothing_already_sent(smtp_shop: Callable[..., Any], tls: str) -> None:
    """SPEC §5: STARTTLS or implicit TLS with AUTH; each message once, a rerun sends nothing."""
    shop = smtp_shop(5, tls=tls)
    report = shop.sync(NOW)
    assert report.emails_sent == 5
    ids = shop.message_ids()
    assert shop.deliveries() == dict.fromkeys(ids.values(), 1)
    for key, row in shop.ledger().items():
        assert (text(row["State"]), row["Attempts"]) == ("sent", 1)
        assert ids[key] == message_id(key, "example.com")
    assert shop.server.connections == 1  # one connection per run

    again = shop.sync(NOW)
    shop.sync(LATER)
    assert again.emails_sent == 0
    assert shop.deliveries() == dict.fromkeys(ids.values(), 1)


def test_messages_carry_the_ledgers_message_id_and_headers(smtp_shop: Callable[..., Any]) -> None:
    """SPEC §5: Message-ID from the ledger key, From/Reply-To from config, X-OpenOrder headers."""
    shop = smtp_shop(1)
    shop.sync(NOW)
    [(key, mid)] = shop.message_ids().items()
    [received] = shop.server.messages
    assert str(received["Message-ID"]) == mid
    assert str(received["From"]) == "Test Bakery <bakery@example.com>"
    assert str(received["Reply-To"]) == "bakery@example.com"
    assert received["X-OpenOrder-Kind"] == "order_confirmed"
    assert received["X-OpenOrder-Order"] == key.split("/")[0]
    assert received.envelope_to == ("buyer0000@example.com",)
    assert received.is_multipart()
    assert received.get_body(("plain",)) is not None
    assert received.get_body(("html",)) is not None


def test_a_new_machine_with_the_same_workbook_sends_nothing_twice(
    smtp_shop: Callable[..., Any],
) -> None:
    """SPEC §5: the Emails tab mirrors the ledger; empty local state repeats nothing."""
    shop = smtp_shop(4, backend="workbook")
    shop.sync(NOW)
    delivered = shop.deliveries()
    shutil.rmtree(shop.state_dir)
    report = shop.sync(LATER)
    assert report.emails_sent == 0
    assert shop.deliveries() == delivered
    assert set(delivered.values()) == {1}


def test_two_overlapping_syncs_send_nothing_twice(cli_shop: Callable[..., Any]) -> None:
    """SPEC §5: two syncs started together on one machine deliver every message once."""
    shop = cli_shop(60)
    first, second = (
        shop.start(NOW, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    )
    outcomes = [p.communicate(timeout=120) for p in (first, second)]
    codes = sorted(p.returncode for p in (first, second))
    assert codes in ([0, 0], [0, 5]), (codes, outcomes)
    counts = shop.deliveries()
    assert len(counts) == 60
    assert set(counts.values()) == {1}
    assert {text(row["State"]) for row in shop.ledger().values()} == {"sent"}
    # One run did all the sending: one `sending` and one `sent` record per message.
    assert len(shop.journal_path.read_text(encoding="utf-8").splitlines()) == 2 * 60


def test_a_second_sync_waits_then_exits_5_and_sends_nothing(cli_shop: Callable[..., Any]) -> None:
    """SPEC §6: a sync finding the lock held waits ~5 s, exits 5, sends and writes nothing."""
    shop = cli_shop(3)
    before = (shop.folder / "shop.xlsx").read_bytes()
    with SyncLock(shop.state_dir, wait_seconds=0):
        started = time.monotonic()
        result = shop.sync(NOW)
        waited = time.monotonic() - started
    assert result.returncode == 5, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Error: Another sync for this shop is still running")
    assert "wait for it to finish" in line
    assert 4.5 <= waited < 30
    assert shop.server.connections == 0
    assert shop.deliveries() == {}
    assert (shop.folder / "shop.xlsx").read_bytes() == before
    assert not shop.journal_path.exists()


class _Died(BaseException):
    """Stands for the process dying: nothing after it runs (no except clause catches it)."""


class _DyingSheet:
    """The shop's real workbook backend behind our own port, in a process that dies at a write.

    ``die_at`` counts the sync's writes (1: the ledger and memory before sending; 2: the
    deliveries recorded after); ``when`` says whether the process dies as that write starts
    (nothing of it reaches the file) or just after it landed. What a kill *inside* openpyxl's
    save leaves on disk is the workbook adapter's business: tests/delivery/test_kill_campaign.py
    kills real syncs with SIGKILL mid-save, tests/robustness/test_workbook_file.py checks the
    half-written temporary files.
    """

    def __init__(self, real: SheetBackend, die_at: int, when: str) -> None:
        self.real = real
        self.die_at = die_at
        self.when = when
        self.writes = 0

    def read(self, tabs: Sequence[str]) -> SheetSnapshot:
        return self.real.read(tabs)

    def write(self, updates: Sequence[TabUpdate]) -> None:
        self.writes += 1
        dies = self.writes == self.die_at
        if dies and self.when == "before":
            raise _Died
        self.real.write(updates)
        if dies:
            raise _Died

    def create_tabs(self, layouts: Mapping[str, tuple[TabLayout, Grid]]) -> list[str]:
        return self.real.create_tabs(layouts)


@pytest.mark.parametrize(
    ("die_at", "when", "sent", "rows"),
    [(1, "before", 0, 0), (1, "after", 0, 5), (2, "before", 5, 5)],
    ids=["as-the-first-write-starts", "after-the-first-write", "as-the-second-write-starts"],
)
def test_dying_around_a_sheet_write_loses_no_email_row_and_repeats_nothing(
    smtp_shop: Callable[..., Any], die_at: int, when: str, sent: int, rows: int
) -> None:
    """SPEC §5: a sync that dies at any write boundary keeps the sheet whole; the rerun loses no
    row and repeats nothing, and a new machine (no journal) agrees."""
    shop = smtp_shop(5, backend="workbook")
    real = shop.built.shop.backend
    dying = _DyingSheet(real, die_at, when)
    shop.built.shop.backend = dying
    with pytest.raises(_Died):
        shop.sync(NOW)
    shop.built.shop.backend = real
    assert dying.writes == die_at  # the process died where the test meant it to
    assert sum(shop.deliveries().values()) == sent
    assert len(shop.ledger()) == rows  # the workbook still opens and holds what landed

    shop.sync(LATER)
    ledger = shop.ledger()
    assert len(ledger) == 5
    assert {text(row["State"]) for row in ledger.values()} == {"sent"}
    assert set(shop.deliveries().values()) == {1}
    shutil.rmtree(shop.state_dir)  # and a new machine agrees
    shop.sync("2027-02-16 12:00")
    assert set(shop.deliveries().values()) == {1}
    assert len(shop.deliveries()) == 5


def test_a_torn_journal_line_does_not_swallow_the_next_record(tmp_path: Path) -> None:
    """A crash mid-append leaves a torn line; the next run's records still load."""
    journal = Journal(tmp_path)
    first = LedgerEntry(
        "PO-1/order_confirmed/a@x.com/1",
        "PO-1",
        "order_confirmed",
        "a@x.com",
        EmailState.SENDING,
        1,
        dt.datetime(2027, 2, 16, 10, tzinfo=dt.UTC),
        "<1@x>",
    )
    journal.append(first)
    journal.close()
    with journal.path.open("ab") as raw:
        raw.write('{"key": "PO-2/order_confirmed/b@x.com/1", "to": "Bü'.encode()[:-1])
    again = Journal(tmp_path)
    done = LedgerEntry(
        first.key,
        "PO-1",
        "order_confirmed",
        "a@x.com",
        EmailState.SENT,
        1,
        first.last_attempt,
        "<1@x>",
    )
    again.append(done)
    again.close()
    assert Journal(tmp_path).load() == {first.key: done}


def test_the_journal_beats_a_stale_sheet_and_a_newer_sheet_beats_the_journal() -> None:
    """Ledger merge: local `sent` beats sheet `queued`; sheet `sent` beats local `sending`."""
    from openorder_sheets.core.ledger import merge

    at = dt.datetime(2027, 2, 16, 10, tzinfo=dt.UTC)

    def entry(key: str, state: EmailState, attempts: int) -> LedgerEntry:
        return LedgerEntry(key, "PO-1", "order_confirmed", "a@x.com", state, attempts, at, "<m>")

    sheet = [entry("a", EmailState.QUEUED, 0), entry("b", EmailState.SENT, 1)]
    journal = {
        "a": entry("a", EmailState.SENT, 1),
        "b": entry("b", EmailState.SENDING, 1),
        "c": entry("c", EmailState.SENT, 1),
    }
    merged = {e.key: e.state for e in merge(sheet, journal)}
    assert merged == {"a": EmailState.SENT, "b": EmailState.SENT, "c": EmailState.SENT}


def test_delivery_can_checkpoint_the_ledger_during_a_long_run(
    smtp_shop: Callable[..., Any],
) -> None:
    """A long run hands the ledger so far to `checkpoint` (to mirror it into the sheet)."""
    from openorder_sheets.service import decide, messages
    from openorder_sheets.service.delivery import deliver

    shop = smtp_shop(4)
    now = dt.datetime(2027, 2, 16, 10, tzinfo=shop.built.config.shop.zone)
    decided = decide.decide_shop(shop.built.shop, now)
    build = messages.message_builder(shop.built.shop, decided, now)
    seen: list[list[str]] = []
    deliver(
        decided.entries,
        now,
        450,
        build,
        shop.state_dir,
        shop.built.shop.make_transport,
        checkpoint=lambda entries: seen.append([e.state.value for e in entries]),
        checkpoint_seconds=0,
    )
    assert seen == [["sent"] * n + ["queued"] * (4 - n) for n in range(1, 5)]
    assert len(shop.deliveries()) == 4
