"""`openorder init`: a commented config and the seller's tabs, never overwriting their work."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from openpyxl import load_workbook

if TYPE_CHECKING:
    from conftest import Cli


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty shop folder, made the current folder (init's defaults are relative)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_init_in_an_empty_folder_writes_config_and_seller_tabs(cli: Cli, folder: Path) -> None:
    """init writes openorder.toml and creates the seller tabs with their headers."""
    result = cli.run("init")
    cli.no_traceback(result)
    assert result.exit_code == 0, result.output
    config = (folder / "openorder.toml").read_text(encoding="utf-8")
    assert "[shop]" in config
    assert 'workbook = "shop.xlsx"' in config
    book = load_workbook(folder / "shop.xlsx")
    assert {"Produk", "Bahan", "Batch", "Respons Formulir 1"} <= set(book.sheetnames)
    products_header = [cell.value for cell in book["Produk"][1]]
    assert products_header[:3] == ["SKU", "Nama", "Harga"]
    assert "Created tabs in" in result.stdout
    assert "'Produk' tab" in result.stdout
    assert "openorder doctor" in result.stdout


def test_init_then_doctor_and_sync_work_on_the_empty_shop(cli: Cli, folder: Path) -> None:
    """A freshly initialised shop passes doctor and syncs with no orders."""
    assert cli.run("init").exit_code == 0
    doctor = cli.run("doctor")
    assert doctor.exit_code == 0, doctor.output
    sync = cli.run("sync")
    assert sync.exit_code == 0, sync.output
    assert "Orders: 0" in sync.stdout
    status = cli.run("status")
    assert status.exit_code == 0, status.output
    assert status.stdout.startswith("PO 1: ")
    assert "Belum ada produk: isi tab 'Produk'." in status.stdout


def test_init_in_english_uses_english_tabs(cli: Cli, folder: Path) -> None:
    """init --language en writes an English config and tabs named as in the SPEC."""
    assert cli.run("init", "--language", "en").exit_code == 0
    assert 'language = "en"' in (folder / "openorder.toml").read_text(encoding="utf-8")
    book = load_workbook(folder / "shop.xlsx")
    assert {"Products", "Materials", "Batches", "Form Responses 1"} <= set(book.sheetnames)


def test_init_again_overwrites_nothing(cli: Cli, folder: Path) -> None:
    """A second init keeps the seller's edited config and product rows."""
    assert cli.run("init").exit_code == 0
    config = folder / "openorder.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("Toko Saya", "Dapur Bu Sari"), encoding="utf-8"
    )
    book = load_workbook(folder / "shop.xlsx")
    book["Produk"].append(["NASTAR", "Nastar", 85000, "jar", 40, None, True, None])
    book.save(folder / "shop.xlsx")

    result = cli.run("init")

    assert result.exit_code == 0, result.output
    assert "already exists; keeping it" in result.stdout
    assert "All tabs already exist" in result.stdout
    assert "Dapur Bu Sari" in config.read_text(encoding="utf-8")
    rows = list(load_workbook(folder / "shop.xlsx")["Produk"].values)
    assert rows[1][:3] == ("NASTAR", "Nastar", 85000)


def test_init_templates_copies_and_never_overwrites(cli: Cli, folder: Path) -> None:
    """init --templates copies every kind's templates; a second run keeps the seller's edits."""
    result = cli.run("init", "--templates")
    assert result.exit_code == 0, result.output
    edited = folder / "templates" / "id" / "order_confirmed.txt"
    assert edited.is_file()
    assert (folder / "templates" / "en" / "batch_open.html").is_file()
    assert 'templates_dir = "templates"' in result.stdout
    edited.write_text("Terima kasih, {{ buyer.name }}!\n", encoding="utf-8")

    again = cli.run("init", "--templates")

    assert again.exit_code == 0, again.output
    assert "kept them (nothing overwritten)" in again.stdout
    assert edited.read_text(encoding="utf-8") == "Terima kasih, {{ buyer.name }}!\n"


def test_init_language_on_an_existing_config_says_it_is_ignored(cli: Cli, folder: Path) -> None:
    """--language cannot silently fail: on an existing config, init says which one is kept."""
    assert cli.run("init").exit_code == 0
    result = cli.run("init", "--language", "en")
    assert result.exit_code == 0, result.output
    assert 'yours says language = "id"' in result.stdout
    assert "Products" not in load_workbook(folder / "shop.xlsx").sheetnames
