"""Nothing is sent twice: reruns, overlapping runs, a new machine, crashes while writing the sheet.

Every count is taken at the SMTP server, per Message-ID.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl.workbook.workbook
import pytest

from openorder_sheets.adapters.journal import Journal, SyncLock
from openorder_sheets.core.cells import text
from openorder_sheets.core.ledger import message_id
from openorder_sheets.core.model import EmailState, LedgerEntry

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


@pytest.mark.parametrize("crash_at_save", [1, 2], ids=["first-write", "second-write"])
def test_dying_in_the_middle_of_writing_the_sheet_loses_no_email_row(
    smtp_shop: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, crash_at_save: int
) -> None:
    """SPEC §5: dying mid-save keeps the old sheet; the rerun loses no row, repeats nothing."""
    shop = smtp_shop(5, backend="workbook")
    real_save = openpyxl.workbook.workbook.Workbook.save
    saves = 0

    def dying_save(book: Any, filename: str) -> None:
        nonlocal saves
        saves += 1
        if saves == crash_at_save:
            Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
            raise _Died
        real_save(book, filename)

    monkeypatch.setattr(openpyxl.workbook.workbook.Workbook, "save", dying_save)
    with pytest.raises(_Died):
        shop.sync(NOW)
    monkeypatch.setattr(openpyxl.workbook.workbook.Workbook, "save", real_save)
    sent_before_crash = sum(shop.deliveries().values())
    assert sent_before_crash == (0 if crash_at_save == 1 else 5)
    rows = shop.ledger()  # the workbook still opens: the crash did not touch it
    assert len(rows) == (0 if crash_at_save == 1 else 5)

    shop.sync(LATER)
    rows = shop.ledger()
    assert len(rows) == 5
    assert {text(row["State"]) for row in rows.values()} == {"sent"}
    assert set(shop.deliveries().values()) == {1}
    shutil.rmtree(shop.state_dir)  # and a new machine agrees
    shop.sync("2027-02-16 12:00")
    assert set(shop.deliveries().values()) == {1}
    assert len(shop.deliveries()) == 5


class _Died(BaseException):
    """Stands for the process dying: nothing after it runs (no except clause catches it)."""


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
    from openorder_sheets.service import sync as sync_service
    from openorder_sheets.service.delivery import deliver

    shop = smtp_shop(4)
    now = dt.datetime(2027, 2, 16, 10, tzinfo=shop.built.config.shop.zone)
    decided = sync_service.decide_shop(shop.built.shop, now)
    build = sync_service._message_builder(shop.built.shop, decided, now)
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
