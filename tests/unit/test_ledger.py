"""The delivery ledger (core/ledger.py): message keys, merging with the journal, what is due.

The `Emails` tab and the local journal each hold a state per message key; what they say
together decides what is sent, so nothing goes twice and nothing is lost.
"""

from __future__ import annotations

import datetime as dt

import pytest

from openorder_sheets.core.ledger import (
    LedgerRows,
    add_due,
    ledger_rows,
    merge,
    message_id,
    record,
    retry_delay,
    sent_in_last_day,
    to_send,
)
from openorder_sheets.core.model import EmailDue, EmailKind, EmailState, LedgerEntry
from openorder_sheets.ports import Cell

NOW = dt.datetime(2027, 2, 16, 10, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def entry(
    key: str,
    state: EmailState = EmailState.QUEUED,
    attempts: int = 0,
    *,
    kind: str = EmailKind.ORDER_CONFIRMED,
    last: dt.datetime | None = None,
) -> LedgerEntry:
    return LedgerEntry(key, "PO-0001", kind, "a@example.com", state, attempts, last)


def due(key: str, kind: str = EmailKind.ORDER_CONFIRMED) -> EmailDue:
    return EmailDue(key, kind, "a@example.com", "PO-0001", "PO 1")


# -- Message-ID ------------------------------------------------------------------------------


def test_the_message_id_is_derived_from_the_key_alone() -> None:
    """A resend after a crash carries the same Message-ID, so mail programs show it once."""
    key = "PO-0001/order_confirmed/a@example.com/1"
    assert message_id(key, "example.com") == message_id(key, "example.com")
    assert message_id(key, "example.com") != message_id(key.replace("/1", "/2"), "example.com")
    assert message_id(key, "example.com").endswith("@example.com>")
    assert message_id(key, "").endswith("@openorder.invalid>")


# -- merging the sheet with the journal ------------------------------------------------------


def test_the_journal_wins_when_it_is_further_along_than_the_sheet() -> None:
    """A run that died after sending, before writing the sheet: the journal's `sent` stands."""
    sheet = [entry("a", EmailState.QUEUED), entry("b", EmailState.SENDING, 1)]
    journal = {"a": entry("a", EmailState.SENT, 1), "b": entry("b", EmailState.SENT, 1)}
    assert [e.state for e in merge(sheet, journal)] == [EmailState.SENT, EmailState.SENT]


def test_the_sheet_wins_when_it_is_further_along_than_the_journal() -> None:
    """Another machine sent it and wrote the sheet: an old local `sending` does not undo that."""
    sheet = [entry("a", EmailState.SENT, 1)]
    journal = {"a": entry("a", EmailState.SENDING, 1)}
    assert merge(sheet, journal) == sheet


def test_more_attempts_in_the_sheet_beat_a_journal_at_the_same_state() -> None:
    """Two machines retrying: the count of attempts never goes back."""
    sheet = [entry("a", EmailState.DEFERRED, 3)]
    journal = {"a": entry("a", EmailState.DEFERRED, 2)}
    assert merge(sheet, journal)[0].attempts == 3


def test_entries_only_the_journal_knows_are_kept_after_the_sheets() -> None:
    """A message sent just before a crash that left no row in the sheet is not forgotten."""
    sheet = [entry("a", EmailState.SENT, 1)]
    journal = {"z": entry("z", EmailState.SENT, 1)}
    assert [e.key for e in merge(sheet, journal)] == ["a", "z"]


# -- adding what is due ----------------------------------------------------------------------


def test_add_due_queues_each_new_key_once_with_its_message_id() -> None:
    """Due messages become queued entries; a key already in the ledger is never queued again."""
    ledger = [entry("old", EmailState.SENT, 1)]
    result = add_due(ledger, [due("old"), due("new"), due("new")], "example.com")
    assert [e.key for e in result] == ["old", "new"]
    added = result[1]
    assert added.state is EmailState.QUEUED
    assert added.attempts == 0
    assert added.message_id == message_id("new", "example.com")
    assert (added.order, added.kind, added.to) == ("PO-0001", "order_confirmed", "a@example.com")


def test_add_due_keeps_the_ledger_it_was_given() -> None:
    """The ledger is a value: adding returns a new list and leaves the old one alone."""
    ledger = [entry("old")]
    add_due(ledger, [due("new")], "example.com")
    assert [e.key for e in ledger] == ["old"]


# -- retries and the daily limit --------------------------------------------------------------


def test_retry_delays_double_from_five_minutes_up_to_six_hours() -> None:
    """A deferred message waits 5, 10, 20 … minutes between attempts, never more than 6 h."""
    minutes = [retry_delay(n).total_seconds() / 60 for n in (0, 1, 2, 3, 7, 50)]
    assert minutes == [5, 5, 10, 20, 320, 360]


def test_only_messages_sent_in_the_last_24_hours_count_toward_the_daily_limit() -> None:
    """The limit is rolling: a message sent 24 h and a minute ago no longer counts."""
    entries = [
        entry("a", EmailState.SENT, 1, last=NOW - dt.timedelta(hours=23, minutes=59)),
        entry("b", EmailState.SENT, 1, last=NOW - dt.timedelta(hours=24, minutes=1)),
        entry("c", EmailState.FAILED, 1, last=NOW - dt.timedelta(hours=1)),
    ]
    assert sent_in_last_day(entries, NOW) == 1


def test_to_send_picks_queued_sending_and_deferred_past_their_delay_but_never_sent_or_failed() -> (
    None
):
    """What goes out now: nothing already sent, nothing failed, no retry before its delay."""
    entries = [
        entry("queued"),
        entry("sending", EmailState.SENDING, 1, last=NOW),
        entry("ready", EmailState.DEFERRED, 1, last=NOW - dt.timedelta(minutes=5)),
        entry("waiting", EmailState.DEFERRED, 2, last=NOW - dt.timedelta(minutes=9)),
        entry("sent", EmailState.SENT, 1, last=NOW - dt.timedelta(days=2)),
        entry("failed", EmailState.FAILED, 1, last=NOW - dt.timedelta(days=2)),
    ]
    assert {e.key for e in to_send(entries, NOW, 450)} == {"queued", "sending", "ready"}


def test_to_send_stays_within_the_daily_limit_and_sends_news_about_orders_first() -> None:
    """SPEC §5: at the limit, decisions about a buyer's order go before announcements."""
    entries = [
        entry("sent-today", EmailState.SENT, 1, last=NOW - dt.timedelta(hours=2)),
        entry("announce", kind=EmailKind.BATCH_OPEN),
        entry("stage", kind=EmailKind.PRODUCTION_STARTED),
        entry("confirm", kind=EmailKind.ORDER_CONFIRMED),
        entry("waitlist", kind=EmailKind.ORDER_WAITLISTED),
    ]
    assert [e.key for e in to_send(entries, NOW, 3)] == ["confirm", "waitlist"]
    assert to_send(entries, NOW, 1) == []


def test_an_interrupted_sending_goes_before_a_queued_message_of_the_same_kind() -> None:
    """A message caught mid-send is finished first (it may already be in the buyer's inbox)."""
    entries = [entry("queued"), entry("sending", EmailState.SENDING, 1, last=NOW)]
    assert [e.key for e in to_send(entries, NOW, 450)] == ["sending", "queued"]


def test_record_counts_an_attempt_when_sending_starts_and_keeps_the_count_after() -> None:
    """`sending` is one attempt; the outcome (sent, deferred, failed) does not count again."""
    started = record(entry("a"), EmailState.SENDING, NOW)
    assert (started.state, started.attempts, started.last_attempt) == (
        EmailState.SENDING,
        1,
        NOW,
    )
    done = record(started, EmailState.DEFERRED, NOW, "451 try later")
    assert (done.state, done.attempts, done.error) == (EmailState.DEFERRED, 1, "451 try later")


# -- the Emails tab --------------------------------------------------------------------------


def test_ledger_rows_never_write_a_formula_and_write_wall_clock_time() -> None:
    """Buyer text in a key, address or error is stored as text; times carry no zone."""
    hostile = LedgerEntry(
        "=HYPERLINK(1)",
        "PO-0001",
        "order_confirmed",
        "=cmd@example.com",
        EmailState.FAILED,
        1,
        NOW,
        "<m@x>",
        "+550 no",
    )
    [row] = ledger_rows([hostile])
    assert row[0] == "'=HYPERLINK(1)"
    assert row[3] == "'=cmd@example.com"
    assert row[4] == "failed"
    assert row[6] == NOW.replace(tzinfo=None)
    assert row[8] == "'+550 no"


def test_the_emails_tab_built_row_by_row_is_the_same_rows_with_its_header() -> None:
    """A sync plans the `Emails` tab as rows built when looked at (a big shop's ledger is not
    held twice): they are exactly the rows, header first, by index, slice or iteration."""
    entries = [
        entry("PO-0001/order_confirmed/a@example.com/1", EmailState.SENT, 1, last=NOW),
        entry("PO-0001/payment_reminder/a@example.com/1"),
        LedgerEntry("=X", "PO-0002", "order_confirmed", "=b@x.id", EmailState.FAILED, 1, NOW),
    ]
    header: list[Cell] = ["Key", "Order", "Kind", "To", "State", "Attempts", "Last", "Id", "Err"]
    lazy = LedgerRows(header, entries)
    eager = [header, *ledger_rows(entries)]
    assert len(lazy) == len(eager) == 4
    assert list(lazy) == eager
    assert [lazy[i] for i in range(-4, 4)] == [*eager, *eager]
    assert lazy[1:3] == eager[1:3]
    assert lazy[::-1] == eager[::-1]
    with pytest.raises(IndexError):
        lazy[4]
    lazy[0].append("changed")  # each look is a fresh row: the plan may change what it gets
    assert lazy[0] == header
