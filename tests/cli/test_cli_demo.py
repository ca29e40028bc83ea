"""`openorder demo`: a complete shop and a readable first sync, offline, in one command."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import Result
from openpyxl import load_workbook

if TYPE_CHECKING:
    from conftest import Cli, DemoShop

#: The demo's decisions at 2027-02-20 10:00, in the SPEC's status order (an Indonesian shop).
DEMO_COUNTS = {
    "Dikonfirmasi": 10,
    "Daftar tunggu": 2,
    "Ditolak": 3,
    "Perlu dicek": 4,
    "Duplikat": 1,
}


def test_demo_creates_workbook_config_and_outbox(demo_run: tuple[Path, Result]) -> None:
    """The demo folder holds shop.xlsx with every tab, openorder.toml and one .eml per email."""
    folder, _ = demo_run
    assert (folder / "openorder.toml").is_file()
    tabs = load_workbook(folder / "shop.xlsx", read_only=True).sheetnames
    assert {"Produk", "Batch", "Respons Formulir 1", "Pesanan", "Ringkasan", "Email"} <= set(tabs)
    assert len(list((folder / "outbox").glob("*.eml"))) == 18


def test_demo_summary_counts_orders_by_status_in_order(demo_run: tuple[Path, Result]) -> None:
    """The summary gives the total and the counts by status, Confirmed first."""
    out = demo_run[1].stdout
    assert "Sync complete — Dapur Bu Sari, as of 2027-02-20 10:00 WIB" in out
    counts = " · ".join(f"{word} {count}" for word, count in DEMO_COUNTS.items())
    assert f"Orders: 20  ({counts})" in out


def test_demo_summary_shows_fill_per_product(demo_run: tuple[Path, Result]) -> None:
    """Each product of the batch shows confirmed / capacity, a bar and the waitlist."""
    lines = demo_run[1].stdout.splitlines()
    putri = next(line for line in lines if "Putri Salju" in line)
    assert "10 / 10" in putri
    assert "█" * 20 in putri
    assert "(+3 waitlisted)" in putri  # full: no "waiting for another product"
    kastengel = next(line for line in lines if "Kastengel" in line)
    assert "(+1 waitlisted, waiting for another product in the same order)" in kastengel
    lidah = next(line for line in lines if "Lidah Kucing" in line)
    assert "(no limit)" in lidah


def test_demo_summary_names_tab_row_and_column_of_each_problem(
    demo_run: tuple[Path, Result],
) -> None:
    """A bad quantity is reported with the responses tab, its row, the column and the value."""
    out = demo_run[1].stdout
    assert "Not confirmed (10):" in out
    line = next(line for line in out.splitlines() if "PO-0004" in line)
    assert "Perlu dicek" in line
    assert "Respons Formulir 1 row 5" in line
    assert '"Nastar Premium (jar)"' in line
    assert "'dua'" in line


def test_demo_summary_reports_emails_written(demo_run: tuple[Path, Result]) -> None:
    """The summary says how many emails went to the outbox and which tabs were written."""
    out = demo_run[1].stdout
    assert "Emails: 18 written to" in out
    wrote = next(line for line in out.splitlines() if line.startswith("Wrote tabs: "))
    for tab in ("Daftar packing", "Email", "Kebutuhan bahan", "Pembayaran", "Pesanan"):
        assert tab in wrote


def test_demo_again_on_the_same_folder_is_refused(cli: Cli, demo: DemoShop) -> None:
    """A second demo into a shop folder exits 2 with one sentence and touches nothing."""
    before = demo.workbook.read_bytes()
    result = cli.run("demo", demo.folder, "--now", demo.now)
    cli.one_sentence_error(result, "already holds a shop")
    assert demo.workbook.read_bytes() == before
    assert len(demo.emails()) == 18


def test_demo_with_a_bad_now_creates_nothing(cli: Cli, tmp_path: Path) -> None:
    """`demo --now soon` exits 2 with one sentence before creating the folder."""
    result = cli.run("demo", tmp_path / "shop", "--now", "soon")
    cli.one_sentence_error(result, "--now 'soon'", "2027-02-20T10:00")
    assert not (tmp_path / "shop").exists()
