"""Mistakes a seller can make: exit 2, one sentence naming the place and the fix, no traceback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl.workbook import Workbook

if TYPE_CHECKING:
    from conftest import Cli, DemoShop


def _remove_products_tab(book: Workbook) -> None:
    book.remove(book["Produk"])


def _rename_price_header(book: Workbook) -> None:
    assert book["Produk"]["C1"].value == "Harga"
    book["Produk"]["C1"] = "Harga jual"


def _capacity_in_words(book: Workbook) -> None:
    """A capacity in words on a sheet the tool has no memory of: nothing to fall back on."""
    assert book["Produk"]["E1"].value == "Kapasitas"
    book["Produk"]["E2"] = "sepuluh"
    book.remove(book["openorder (jangan diubah)"])


def _known_capacity_in_words(book: Workbook) -> None:
    """A product the tool already read fine gets its capacity mistyped."""
    assert book["Produk"]["E1"].value == "Kapasitas"
    book["Produk"]["E2"] = "sepuluh"


def _closes_before_opens(book: Workbook) -> None:
    assert book["Batch"]["C1"].value == "Tutup"
    book["Batch"]["C2"] = dt.datetime(2027, 2, 1, 9, 0)


def _rename_product_question(book: Workbook) -> None:
    sheet = book["Respons Formulir 1"]
    assert sheet["G1"].value == "Nastar Premium (jar)"
    sheet["G1"] = "Nanas (jar)"


SHEET_MISTAKES: dict[str, tuple[Callable[[Workbook], None], tuple[str, ...]]] = {
    "missing tab": (_remove_products_tab, ("no tab 'Produk'", "openorder init")),
    "missing header": (_rename_price_header, ("'Produk'", "no column 'Harga'")),
    "capacity in words": (
        _capacity_in_words,
        ("Produk row 2", "'Kapasitas'", "'sepuluh'", "whole number"),
    ),
    "closes before opens": (
        _closes_before_opens,
        ("Batch row 2", "PO Lebaran 1", "closes", "before it opens"),
    ),
    "product question not found": (
        _rename_product_question,
        ("Respons Formulir 1", "Nastar Premium", "NASTAR", "[form.products]"),
    ),
}

CONFIG_MISTAKES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "unknown key": ("[rules]\n", "[rules]\ncapacity = 10\n", ("[rules]", "unknown key `capacity`")),
    "wrong type": (
        "daily_limit = 450",
        'daily_limit = "450"',
        ("[email]", "daily_limit", "whole number"),
    ),
    "not TOML": ('name = "Dapur Bu Sari"', "name = Dapur Bu Sari", ("not valid TOML", "line")),
    "workbook missing": (
        'workbook = "shop.xlsx"',
        'workbook = "toko.xlsx"',
        ("toko.xlsx", "does not exist"),
    ),
    "bad time zone": (
        'timezone = "Asia/Jakarta"',
        'timezone = "WIB"',
        ("timezone 'WIB'", "Asia/Jakarta"),
    ),
    "templates_dir missing": (
        "[email]\n",
        '[email]\ntemplates_dir = "my-templates"\n',
        ("my-templates", "does not exist"),
    ),
}


@pytest.mark.parametrize("command", ["sync", "status", "watch"])
def test_missing_config_file(cli: Cli, command: str, tmp_path: Path) -> None:
    """No config file: exit 2, one sentence pointing to `openorder init` and `demo`."""
    result = cli.run(command, "--config", tmp_path / "openorder.toml")
    cli.one_sentence_error(result, "No config file", "openorder init", "openorder demo")


@pytest.mark.parametrize("mistake", sorted(CONFIG_MISTAKES))
def test_config_mistake_is_one_sentence(cli: Cli, mistake: str, demo: DemoShop) -> None:
    """A wrong config (unknown key, wrong type, …) makes sync exit 2 naming the key."""
    old, new, fragments = CONFIG_MISTAKES[mistake]
    demo.edit_config(old, new)
    cli.one_sentence_error(demo.run("sync"), *fragments)


@pytest.mark.parametrize("mistake", sorted(SHEET_MISTAKES))
def test_sheet_mistake_is_one_sentence_and_nothing_is_written(
    cli: Cli, mistake: str, demo: DemoShop
) -> None:
    """A broken seller tab makes sync exit 2, naming tab, row, column and value; no writes."""
    change, fragments = SHEET_MISTAKES[mistake]
    demo.edit_sheet(change)
    before = demo.workbook.read_bytes()
    cli.one_sentence_error(demo.run("sync"), *fragments)
    assert demo.workbook.read_bytes() == before
    assert len(demo.emails()) == 18


@pytest.mark.parametrize("command", ["status", "doctor"])
def test_sheet_mistake_is_reported_by_every_command(cli: Cli, command: str, demo: DemoShop) -> None:
    """status and doctor report a broken tab too (exit 2), without a traceback."""
    demo.edit_sheet(_capacity_in_words)
    result = demo.run(command)
    cli.no_traceback(result)
    assert result.exit_code == 2
    assert "'sepuluh'" in result.output


def test_doctor_reports_every_sheet_problem_at_once(cli: Cli, demo: DemoShop) -> None:
    """Three problems in three tabs: doctor prints all three ✗ lines and exits 2."""
    demo.edit_sheet(_capacity_in_words)
    demo.edit_sheet(_closes_before_opens)
    demo.edit_sheet(_rename_product_question)
    result = demo.run("doctor")
    cli.no_traceback(result)
    assert result.exit_code == 2
    failed = [line for line in result.stdout.splitlines() if line.startswith("✗")]
    assert len(failed) == 3, result.stdout
    assert "'sepuluh'" in failed[0]
    assert "before it opens" in failed[1]
    assert "Nastar Premium" in failed[2]
    assert "3 things to fix" in result.stdout


def test_sync_with_several_sheet_problems_points_to_doctor(cli: Cli, demo: DemoShop) -> None:
    """Sync shows the first sheet problem in one sentence and says doctor lists the rest."""
    demo.edit_sheet(_capacity_in_words)
    demo.edit_sheet(_closes_before_opens)
    cli.one_sentence_error(demo.run("sync"), "'sepuluh'", "1 more", "openorder doctor")


def test_a_known_products_mistyped_capacity_holds_back_nobody(cli: Cli, demo: DemoShop) -> None:
    """The product was read fine before: its last capacity is used, sync goes on (exit 0) and
    says which cell to fix; status and doctor say it too."""
    demo.edit_sheet(_known_capacity_in_words)
    result = demo.run("sync")
    cli.no_traceback(result)
    assert result.exit_code == 0, result.output
    assert "'sepuluh'" in result.stdout
    assert "the last value (40) is used" in result.stdout
    doctor = demo.run("doctor")
    assert doctor.exit_code == 0, doctor.output
    assert any(line.startswith("! ") and "'sepuluh'" in line for line in doctor.stdout.splitlines())


def test_doctor_reports_a_broken_config_as_a_check(cli: Cli, tmp_path: Path) -> None:
    """doctor with no config prints a ✗ line with the fix and exits 2 (no traceback)."""
    result = cli.run("doctor", "--config", tmp_path / "openorder.toml")
    cli.no_traceback(result)
    assert result.exit_code == 2
    assert result.stdout.startswith("✗ No config file")
    assert "1 thing to fix" in result.stdout


def test_config_that_is_a_folder(cli: Cli, tmp_path: Path) -> None:
    """--config pointing at a folder is a usage error (exit 2), not a crash."""
    result = cli.run("sync", "--config", tmp_path)
    cli.no_traceback(result)
    assert result.exit_code == 2
    assert "is a directory" in result.stderr


def test_broken_seller_template_in_preview(cli: Cli, demo: DemoShop) -> None:
    """A seller template using an unknown variable: preview exits 2 naming file and line."""
    templates = demo.folder / "my-templates"
    assert cli.run("init", "--config", demo.config, "--templates").exit_code == 0
    (demo.folder / "templates").rename(templates)
    body = templates / "id" / "order_confirmed.txt"
    body.write_text(body.read_text(encoding="utf-8") + "{{ order.nope }}\n", encoding="utf-8")
    demo.edit_config("[email]\n", '[email]\ntemplates_dir = "my-templates"\n')
    cli.one_sentence_error(demo.run("preview", "PO-0002"), "order_confirmed.txt", "'nope'")


def test_watch_with_a_bad_interval(cli: Cli, demo: DemoShop) -> None:
    """`watch --every often` exits 2 with one sentence before any sync runs."""
    before = demo.workbook.read_bytes()
    result = demo.run("watch", "--every", "often")
    cli.one_sentence_error(result, "--every 'often'", "5m")
    assert demo.workbook.read_bytes() == before
