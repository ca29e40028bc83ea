"""`openorder sync`: idempotent, honest dry runs, machine-readable and cron-quiet output."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl.workbook import Workbook

from openorder_sheets.config import load_config
from openorder_sheets.service.composition import open_shop

if TYPE_CHECKING:
    from conftest import Cli, DemoShop

LATER = "2027-02-20T10:05"


def _fix_dewi_quantity(book: Workbook) -> None:
    """The seller corrects PO-0004's quantity 'dua' (row 5) to 2."""
    sheet = book["Respons Formulir 1"]
    assert sheet["G5"].value == "dua"
    sheet["G5"] = 2


def test_second_sync_writes_and_sends_nothing(demo: DemoShop) -> None:
    """Re-running sync right after the demo's sync leaves the workbook and outbox unchanged."""
    before = demo.workbook.read_bytes()
    result = demo.run("sync", "--now", LATER)
    assert result.exit_code == 0, result.output
    assert "Wrote tabs: nothing (no changes)" in result.stdout
    assert "Emails: none due." in result.stdout
    assert demo.workbook.read_bytes() == before
    assert len(demo.emails()) == 18


def test_dry_run_changes_nothing_but_says_what_it_would_do(demo: DemoShop) -> None:
    """With a fixed cell pending, --dry-run lists the writes and email but changes no file."""
    demo.edit_sheet(_fix_dewi_quantity)
    stat, data = demo.workbook.stat(), demo.workbook.read_bytes()
    journal = (_state_dir(demo) / "deliveries.jsonl").read_bytes()

    result = demo.run("sync", "--dry-run", "--now", LATER)

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dry run (nothing written or sent)")
    assert "Would write tabs:" in result.stdout
    assert "Pesanan" in result.stdout.split("Would write tabs:")[1]
    assert "Emails: would queue 1 (1× Konfirmasi)." in result.stdout  # seller words, no codes
    assert demo.workbook.read_bytes() == data
    assert demo.workbook.stat().st_mtime_ns == stat.st_mtime_ns
    assert (_state_dir(demo) / "deliveries.jsonl").read_bytes() == journal
    assert len(demo.emails()) == 18


def test_sync_after_a_fix_confirms_the_order_and_emails_once(demo: DemoShop) -> None:
    """After the seller fixes a bad quantity, sync confirms that order and writes one email."""
    demo.edit_sheet(_fix_dewi_quantity)
    result = demo.run("sync", "--now", LATER)
    assert result.exit_code == 0, result.output
    assert "PO-0004" not in result.stdout
    assert "Emails: 1 written to" in result.stdout
    sent = sorted(path.name for path in demo.emails() if path.name.startswith("PO-0004-"))
    assert len(sent) == 2  # told it needed checking (demo sync), now confirmed
    assert sent[0].startswith("PO-0004-order_confirmed-")
    assert sent[1].startswith("PO-0004-order_needs_attention-")
    again = demo.run("sync", "--now", LATER)
    assert "Wrote tabs: nothing (no changes)" in again.stdout
    assert len(demo.emails()) == 19


def test_json_output_is_valid_and_counts_by_status(demo: DemoShop) -> None:
    """--json prints one JSON document with by_status in the SPEC's order and nothing else."""
    result = demo.run("sync", "--json", "--now", LATER)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert list(report["by_status"].items()) == [
        ("Dikonfirmasi", 10),
        ("Daftar tunggu", 2),
        ("Ditolak", 3),
        ("Perlu dicek", 4),
        ("Duplikat", 1),
    ]
    assert report["dry_run"] is False
    assert report["now"] == "2027-02-20T10:05:00+07:00"
    assert len(report["problems"]) == 10
    assert report["tabs_written"] == []


def _spoil_siti_quantity(book: Workbook) -> None:
    """A buyer's confirmed order (PO-0002, row 3) now says 'banyak' for Nastar."""
    sheet = book["Respons Formulir 1"]
    sheet["G3"] = "banyak"


def test_quiet_prints_only_new_problem_lines(demo: DemoShop) -> None:
    """--quiet prints only what became a problem this run, so cron stays quiet: a confirmed
    buyer's unreadable edit keeps the order confirmed and is reported once."""
    result = demo.run("sync", "--quiet", "--now", LATER)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # the demo's sync already reported all ten
    demo.edit_sheet(_fix_dewi_quantity)
    demo.edit_sheet(_spoil_siti_quantity)
    result = demo.run("sync", "--quiet", "--now", LATER)
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("PO-0002 Dikonfirmasi")  # newly spoilt edit; PO-0004 fixed
    assert "'banyak'" in lines[0]
    assert "Sync complete" not in result.stdout
    assert demo.run("sync", "--quiet", "--now", LATER).stdout == ""


def test_bad_now_is_one_sentence(cli: Cli, demo: DemoShop) -> None:
    """`sync --now yesterday` exits 2 with one sentence showing the expected format."""
    result = demo.run("sync", "--now", "yesterday")
    cli.one_sentence_error(result, "--now 'yesterday'", "ISO-8601", "2027-02-20T10:00")


#: Another process taking the shop's real sync lock and keeping it until its stdin closes.
HOLD_THE_LOCK = """
import sys
from pathlib import Path
from openorder_sheets.adapters.local_journal import SyncLock
with SyncLock(Path(sys.argv[1]), wait_seconds=0):
    print("held", flush=True)
    sys.stdin.read()
"""


@contextmanager
def lock_held_by_another_process(state_dir: Path) -> Iterator[None]:
    """While inside, another process holds the shop's lock, as a running sync would."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(state_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    try:
        assert holder.stdout.readline() == "held\n"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()
    assert holder.returncode == 0


def test_another_sync_holding_the_lock_exits_5(cli: Cli, demo: DemoShop) -> None:
    """While another process holds the shop's lock, sync waits its 5 s, exits 5 and writes
    nothing; once the lock is free the next sync does the work."""
    demo.edit_sheet(_fix_dewi_quantity)
    before = demo.workbook.read_bytes()
    with lock_held_by_another_process(_state_dir(demo)):
        started = time.monotonic()
        result = demo.run("sync", "--now", LATER)
        waited = time.monotonic() - started
    cli.one_sentence_error(result, "Another sync", "wait for it to finish", exit_code=5)
    assert waited >= 4.5  # it waited for the lock before giving up
    assert demo.workbook.read_bytes() == before
    assert len(demo.emails()) == 18
    after = demo.run("sync", "--now", LATER)
    assert after.exit_code == 0, after.output
    assert len(demo.emails()) == 19


def test_dry_run_does_not_need_the_lock(cli: Cli, demo: DemoShop) -> None:
    """A dry run while another sync runs reports at once (it writes nothing, so takes no lock)."""
    with lock_held_by_another_process(_state_dir(demo)):
        started = time.monotonic()
        result = demo.run("sync", "--dry-run", "--now", LATER)
        took = time.monotonic() - started
    cli.no_traceback(result)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Dry run (nothing written or sent)")
    assert took < 4.5  # never waited for the lock (a real sync waits 5 s, then exits 5)


def _state_dir(demo: DemoShop) -> Path:
    """Where the shop's lock and journal live: with the workbook they protect."""
    return open_shop(load_config(demo.config)).state_dir
