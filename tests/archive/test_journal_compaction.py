"""Archiving keeps the local delivery journal to what a sync can still need: every sync reads
the journal whole, so a year of messages must not make every sync pay for all of them. Nothing
is lost (the records move to `deliveries-archived.jsonl`) and nothing is sent again."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from openorder_sheets.adapters.local_journal import (
    ARCHIVED_JOURNAL_NAME,
    JOURNAL_NAME,
    Journal,
)
from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.service.archive import archive_batches
from openorder_sheets.testing.fakes import MemorySheet
from tests.archive.test_archive import finish_batch_one, two_batches


def _records(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_archived_orders_leave_the_journal_and_nothing_is_sent_again(tmp_path: Path) -> None:
    shop = two_batches(tmp_path)
    finish_batch_one(shop)
    journal = shop.shop.state_dir / JOURNAL_NAME
    before = _records(journal)
    assert {r["order"] for r in before} >= {"PO-0001", "PO-0002", "PO-0003"}
    sent_keys = {r["key"] for r in before if r["state"] == "sent"}
    sent = len(shop.transport.sent)

    now = dt.datetime(2027, 2, 22, 10, 0, tzinfo=shop.config.shop.zone)
    archive_batches(shop.shop, now, ["PO 1"], archive=MemorySheet())

    live = _records(journal)
    assert [r for r in live if r["order"] in {"PO-0001", "PO-0002", "PO-0003"}] == []
    assert len({r["key"] for r in live}) == len(live)  # one record per key
    moved = _records(shop.shop.state_dir / ARCHIVED_JOURNAL_NAME)
    assert sent_keys <= {r["key"] for r in moved if r["state"] == "sent"}  # kept, not lost

    for moment in ("2027-02-22T11:00", "2027-02-23T10:00"):
        shop.sync(moment)
    assert len(shop.transport.sent) == sent  # nothing of the archived batch comes back


def _entry(key: str, order: str, state: EmailState) -> LedgerEntry:
    at = dt.datetime(2027, 2, 1, 10, 0, tzinfo=dt.UTC)
    return LedgerEntry(key, order, "order_confirmed", "a@example.com", state, 1, at, "<m@x>")


def test_compaction_keeps_the_latest_record_of_each_key(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    journal.append(_entry("PO-0001/order_confirmed/a@example.com/1", "PO-0001", EmailState.SENDING))
    journal.append(_entry("PO-0001/order_confirmed/a@example.com/1", "PO-0001", EmailState.SENT))
    journal.append(_entry("PO-0002/order_confirmed/a@example.com/1", "PO-0002", EmailState.SENDING))
    journal.close()
    loaded = Journal(tmp_path).load()

    assert Journal(tmp_path).compact(lambda entry: False) == 0

    assert Journal(tmp_path).load() == loaded
    assert len(_records(tmp_path / JOURNAL_NAME)) == 2


def test_compaction_killed_before_the_replace_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = Journal(tmp_path)
    for number in ("PO-0001", "PO-0002"):
        journal.append(_entry(f"{number}/order_confirmed/a@example.com/1", number, EmailState.SENT))
    journal.close()
    loaded = Journal(tmp_path).load()
    real_replace = os.replace

    def killed(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        Journal(tmp_path).compact(lambda entry: entry.order == "PO-0001")
    # The live journal is whole; the moved record is in the archived journal too.
    assert Journal(tmp_path).load() == loaded
    assert [r["order"] for r in _records(tmp_path / ARCHIVED_JOURNAL_NAME)] == ["PO-0001"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".deliveries-")] == []

    monkeypatch.setattr(os, "replace", real_replace)
    assert Journal(tmp_path).compact(lambda entry: entry.order == "PO-0001") == 1
    assert list(Journal(tmp_path).load()) == ["PO-0002/order_confirmed/a@example.com/1"]
