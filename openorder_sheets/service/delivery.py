"""Delivering the queued messages: journal, send, classify, record (SPEC §5).

Every message due this run is rendered before the first byte is sent, so a broken seller
template stops the run with nothing sent. For each message, `sending` is journalled (durably)
before the transport is touched and the outcome after, so a run killed at any instant knows
what was in flight: at most that one message is sent again, with the same Message-ID.

When the server says the account's daily sending quota is used up (`550 5.4.5`, Gmail), that
message is deferred and the run stops: every later message would be refused the same way, so
they stay `queued` (no attempt counted) for a later run.

A long run can ``checkpoint`` the ledger (e.g. write the `Emails` tab) every so often, so the
sheet mirrors the journal before the run ends: a machine that dies mid-run and is replaced by
one with empty local state then repeats at most what was sent since the last checkpoint.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path

from openorder_sheets.adapters.local_journal import Journal
from openorder_sheets.core import ledger
from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.errors import TransportFailed
from openorder_sheets.ports import DeliveryOutcome, Transport

_STATE = {
    DeliveryOutcome.SENT: EmailState.SENT,
    DeliveryOutcome.DEFERRED: EmailState.DEFERRED,
    DeliveryOutcome.FAILED: EmailState.FAILED,
}

#: The enhanced status code of a used-up sending quota, anywhere in the server's reply.
_QUOTA = re.compile(r"(?<![\d.])5\.4\.5(?![\d.])")


@dataclass
class DeliveryTally:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    transport_error: str = ""
    quota_reached: bool = False


def deliver(
    entries: list[LedgerEntry],
    now: dt.datetime,
    daily_limit: int,
    build: Callable[[LedgerEntry], EmailMessage | None],
    state_dir: Path,
    make_transport: Callable[[], Transport],
    *,
    checkpoint: Callable[[list[LedgerEntry]], None] | None = None,
    checkpoint_seconds: float = 30.0,
) -> tuple[list[LedgerEntry], DeliveryTally]:
    """Send what is due now; return the ledger after the attempts and what happened.

    ``checkpoint(ledger)``, if given, is called with the ledger so far after a message once at
    least ``checkpoint_seconds`` passed since the run began or the previous checkpoint; what it
    raises ends the run (everything sent is journalled already).
    """
    tally = DeliveryTally()
    entries = list(entries)
    due = ledger.to_send(entries, now, daily_limit)
    messages = [(entry, message) for entry in due if (message := build(entry)) is not None]
    if not messages:
        return entries, tally
    position = {entry.key: index for index, entry in enumerate(entries)}
    try:
        transport = make_transport()
        transport.open()
    except TransportFailed as error:
        tally.transport_error = str(error)
        return entries, tally
    journal = Journal(state_dir)
    last_checkpoint = time.monotonic()
    try:
        for entry, message in messages:
            started = ledger.record(entry, EmailState.SENDING, now)
            journal.append(started)
            try:
                result = transport.send(message)
            except TransportFailed as error:  # reconnecting failed: nothing left this machine
                back = replace(started, state=EmailState.QUEUED)
                journal.append(back)
                entries[position[entry.key]] = back
                tally.transport_error = str(error)
                break
            state = _STATE[result.outcome]
            done = ledger.record(
                started, state, now, "" if state is EmailState.SENT else result.detail
            )
            journal.append(done)
            entries[position[entry.key]] = done
            tally.sent += state is EmailState.SENT
            tally.deferred += state is EmailState.DEFERRED
            tally.failed += state is EmailState.FAILED
            if state is EmailState.DEFERRED and _QUOTA.search(result.detail):
                tally.quota_reached = True
                break
            if checkpoint is not None and time.monotonic() - last_checkpoint >= checkpoint_seconds:
                checkpoint(list(entries))
                last_checkpoint = time.monotonic()
    finally:
        transport.close()
        journal.close()
    return entries, tally
