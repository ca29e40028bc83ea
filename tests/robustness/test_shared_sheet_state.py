"""Issue 16 point 5: the lock and the delivery journal belong to the sheet, not to a config.

Two configs on one workbook (or one spreadsheet) must share one lock and one journal, so their
syncs never run at once and a message one of them sent is never sent again by the other.
The shop's ``state_dir`` is :func:`sheet_state_dir` of its config; these tests build shops that
way, as ``open_shop`` does.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from openorder_sheets.adapters.local_journal import (
    JOURNAL_NAME,
    STATE_HOME_ENV,
    Journal,
    SyncLock,
    sheet_state_dir,
)
from openorder_sheets.adapters.templates import TemplateRenderer
from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.config import Config, parse_config
from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.errors import LockHeld
from openorder_sheets.ports import TabUpdate
from openorder_sheets.service.composition import Shop
from openorder_sheets.service.sync import run_sync
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

NOW = "2027-02-16 10:00"
KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-abcd"


def _state_of(config: Config) -> Path:
    """What ``open_shop`` passes as the shop's ``state_dir``."""
    return sheet_state_dir(
        config.state_dir,
        workbook=config.sheet.workbook,
        spreadsheet=config.sheet.spreadsheet,
        api_url=config.sheet.api_url,
    )


def _config(folder: Path, workbook: Path) -> Config:
    raw = {
        "shop": {"name": "Test Bakery", "language": "en", "timezone": "Asia/Jakarta"},
        "sheet": {"workbook": str(workbook)},
        "email": {"from": "bakery@example.com"},
    }
    return parse_config(raw, folder / "openorder.toml")


def test_two_configs_on_one_workbook_share_one_state_folder(tmp_path: Path) -> None:
    """Configs in two folders naming one workbook (one through a symlink) get one folder."""
    workbook = tmp_path / "shared" / "shop.xlsx"
    workbook.parent.mkdir()
    workbook.write_bytes(b"")
    link = tmp_path / "link.xlsx"
    link.symlink_to(workbook)
    first = sheet_state_dir(tmp_path / "a" / ".openorder", workbook=workbook)
    second = sheet_state_dir(tmp_path / "b" / ".openorder", workbook=link)
    assert first == second
    assert first.parent == workbook.parent / ".openorder"
    other = sheet_state_dir(tmp_path / "a" / ".openorder", workbook=tmp_path / "shared" / "x.xlsx")
    assert other != first  # another workbook in the same folder keeps its own journal


def test_two_configs_on_one_spreadsheet_share_one_state_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A spreadsheet named by URL or by key is one sheet; another server is another sheet."""
    monkeypatch.setenv(STATE_HOME_ENV, str(tmp_path / "state"))
    url = f"https://docs.google.com/spreadsheets/d/{KEY}/edit#gid=0"
    by_url = sheet_state_dir(tmp_path / "a", spreadsheet=url)
    by_key = sheet_state_dir(tmp_path / "b", spreadsheet=KEY)
    assert by_url == by_key
    assert by_url.is_relative_to(tmp_path / "state")
    local = sheet_state_dir(tmp_path / "a", spreadsheet=KEY, api_url="http://127.0.0.1:9/")
    assert local != by_key


def test_a_second_configs_sync_waits_for_the_first_ones_lock(tmp_path: Path) -> None:
    """While one config syncs the workbook, another config's sync of it is refused (exit 5)."""
    workbook = tmp_path / "shop.xlsx"
    first = _state_of(_config(tmp_path / "a", workbook))
    second = _state_of(_config(tmp_path / "b", workbook))
    with SyncLock(first, wait_seconds=0), pytest.raises(LockHeld) as raised:
        SyncLock(second, wait_seconds=0).__enter__()
    assert raised.value.exit_code == 5


def test_a_journal_kept_beside_a_config_by_an_older_version_is_still_read(
    tmp_path: Path,
) -> None:
    """Records in `<config>/.openorder/deliveries.jsonl` still count; new ones go to the sheet's."""
    old_dir = tmp_path / "a" / ".openorder"
    sent = LedgerEntry(
        "PO-0001/order_confirmed/a@example.com/1",
        "PO-0001",
        "order_confirmed",
        "a@example.com",
        EmailState.SENT,
        1,
        dt.datetime(2027, 2, 16, 9, 0),
        "<a@example.com>",
    )
    old = Journal(old_dir)
    old.append(sent)
    old.close()
    shared = sheet_state_dir(old_dir, workbook=tmp_path / "shop.xlsx")
    sheet_state_dir(old_dir, workbook=tmp_path / "shop.xlsx")  # registered once, not twice
    assert Journal(shared).load() == {sent.key: sent}
    journal = Journal(shared)
    failed = LedgerEntry(**{**sent.__dict__, "key": "other", "state": EmailState.FAILED})
    journal.append(failed)
    journal.close()
    assert (shared / JOURNAL_NAME).exists()
    assert set(Journal(shared).load()) == {sent.key, "other"}
    assert len((old_dir / JOURNAL_NAME).read_text().splitlines()) == 1  # never written again


def _second_config_shop(built: BuiltShop, folder: Path) -> Shop:
    backend = built.backend
    assert isinstance(backend, WorkbookBackend)
    config = _config(folder, backend.path)
    transport = built.transport
    return Shop(
        config,
        WorkbookBackend(backend.path),
        lambda: transport,
        TemplateRenderer("en"),
        _state_of(config),
    )


class _KilledAfterSending(WorkbookBackend):
    """A sync that dies after sending, before its ledger reaches the sheet (kill -9)."""

    writes = 0

    def write(self, updates: list[TabUpdate]) -> None:  # type: ignore[override]
        self.writes += 1
        if self.writes == 2:
            raise KeyboardInterrupt  # the second write: the Emails tab after delivery
        super().write(updates)


def test_a_message_sent_under_one_config_is_not_sent_again_under_another(tmp_path: Path) -> None:
    """Config A sends and dies before writing the sheet; config B's sync sends nothing again."""
    builder = ShopBuilder(tmp_path / "a", backend="workbook")
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=2)
    builder.response("2027-02-02 11:00", "b@example.com", "Budi", Nastar=1)
    (tmp_path / "a").mkdir()
    built = builder.build()
    path = built.backend.path  # type: ignore[attr-defined]
    built.shop.state_dir = _state_of(built.config)
    built.shop.backend = _KilledAfterSending(path)
    with pytest.raises(KeyboardInterrupt):
        built.sync(NOW)
    assert len(built.transport.sent) == 2
    other = _second_config_shop(built, tmp_path / "b")
    run_sync(other, dt.datetime(2027, 2, 16, 10, tzinfo=built.config.shop.zone))
    ids = [message["Message-ID"] for message in built.transport.sent]
    assert len(ids) == 2, "config B sent again what config A had sent"
