"""`init` and `doctor` against the local Sheets API server, through the real CLI."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from click.testing import CliRunner

from openorder_sheets.adapters.google_bodies import api_value
from openorder_sheets.cli import main
from openorder_sheets.testing.sheets_server import SheetsServer

REPO = Path(__file__).resolve().parents[2]
EMAIL = "openorder@toko-saya-openorder.iam.gserviceaccount.com"


def google_config(folder: Path, server: SheetsServer, key: str, language: str = "id") -> Path:
    shutil.copy(REPO / "credentials.example.json", folder / "credentials.json")
    (folder / "credentials.json").chmod(0o600)
    path = folder / "openorder.toml"
    path.write_text(
        f'[shop]\nname = "Dapur Bu Sari"\nlanguage = "{language}"\n'
        f'[sheet]\nspreadsheet = "https://docs.google.com/spreadsheets/d/{key}/edit"\n'
        f'credentials = "credentials.json"\napi_url = "{server.base_url}"\n'
        '[email]\nfrom = "dapur@example.com"\n',
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_init_creates_every_tab_in_one_batch_request(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """Headers, frozen rows, dropdowns, checkboxes, currency formats and the chart, at once."""
    key = sheets_server.create_spreadsheet("Dapur Bu Sari", time_zone="Asia/Jakarta")
    config = google_config(tmp_path, sheets_server, key)
    sheets_server.reset_stats()
    code, output = run("init", "--config", str(config))
    assert code == 0, output
    assert sheets_server.request_count("batch_update") == 1
    titles = sheets_server.sheet_titles(key)
    for tab in (
        "Produk",
        "Bahan",
        "Batch",
        "Pesanan",
        "Ringkasan",
        "Kebutuhan bahan",
        "Daftar packing",
        "Email",
    ):
        assert tab in titles
        assert sheets_server.frozen(key, tab)[0] == 1
    assert "Respons Formulir 1" not in titles  # the linked Form creates it
    assert sheets_server.get_values(key, "Produk")[0][:3] == ["SKU", "Nama", "Harga"]
    stage = sheets_server.data_validation(key, "Batch", "E2")
    assert stage is not None
    assert stage["condition"]["type"] == "ONE_OF_LIST"
    paid = sheets_server.data_validation(key, "Pesanan", "P2")
    assert paid is not None
    assert paid["condition"]["type"] == "BOOLEAN"
    action = sheets_server.data_validation(key, "Pesanan", "Q2")
    assert [v["userEnteredValue"] for v in action["condition"]["values"]] == [  # type: ignore[index]
        "Konfirmasi",
        "Batalkan",
        "Tolak",
        "Stop email",
    ]
    price = sheets_server.cell_format(key, "Produk", "C2")
    assert price is not None
    assert price["numberFormat"]["type"] == "CURRENCY"
    assert len(sheets_server.charts(key)) == 1
    problems = sheets_server.cell_format(key, "Pesanan", "L2")  # Masalah: long text wraps
    assert problems is not None
    assert problems["wrapStrategy"] == "WRAP"
    assert "Nama" in output  # the form questions to create
    assert "No. WhatsApp" in output
    code, output = run("init", "--config", str(config))
    assert code == 0
    assert "already exist" in output


def test_doctor_names_the_service_account_on_a_403(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """A spreadsheet not shared with the service account prints its client_email and the fix.

    Exit 3, as `sync` exits for the same refusal (the spreadsheet cannot be reached).
    """
    key = sheets_server.create_spreadsheet("Private", private=True)
    code, output = run("doctor", "--config", str(google_config(tmp_path, sheets_server, key)))
    assert code == 3
    assert EMAIL in output
    assert "Share" in output


def test_doctor_says_a_wrong_key_is_wrong(tmp_path: Path, sheets_server: SheetsServer) -> None:
    """A 404 means the key in the config is wrong."""
    config = google_config(tmp_path, sheets_server, "1NoSuchSpreadsheetKeyAtAll000000000000000")
    code, output = run("doctor", "--config", str(config))
    assert code == 2
    assert "There is no spreadsheet with key 1NoSuchSpreadsheetKeyAtAll" in output


def test_doctor_names_missing_tabs_and_headers(tmp_path: Path, sheets_server: SheetsServer) -> None:
    """Missing tabs and headers are each named with the fix."""
    key = sheets_server.create_spreadsheet(
        "Half",
        {
            "Produk": [["SKU", "Nama", "Harga jual"]],
            "Respons Formulir 1": [["Stempel waktu", "Alamat email", "Nama"]],
        },
    )
    code, output = run("doctor", "--config", str(google_config(tmp_path, sheets_server, key)))
    assert code == 2
    assert "has no column 'Harga'" in output
    assert "has no tab 'Batch'" in output


def test_sync_runs_end_to_end_on_the_server(tmp_path: Path, sheets_server: SheetsServer) -> None:
    """After init and a few form answers, sync decides and writes the Google tabs."""
    key = sheets_server.create_spreadsheet(
        "Toko",
        {
            "Form Responses 1": [
                ["Timestamp", "Email Address", "Name", "WhatsApp", "Nastar"],
                [dt.datetime(2027, 2, 2, 10), "a@example.com", "Ani", "0812 1111 2222", 2],
                [dt.datetime(2027, 2, 2, 11), "b@example.com", "Budi", "0812 3333 4444", 1],
            ]
        },
        time_zone="Asia/Jakarta",
    )
    config = google_config(tmp_path, sheets_server, key, language="en")
    assert run("init", "--config", str(config))[0] == 0
    sheets_server.set_values(
        key, "'Products'!A2:H2", [["NASTAR", "Nastar", 85000, "jar", 2, "", True, ""]]
    )
    sheets_server.set_values(
        key,
        "'Batches'!A2:C2",
        [["PO 1", api_value(dt.datetime(2027, 2, 1, 9)), api_value(dt.datetime(2027, 2, 15, 21))]],
    )
    code, output = run("sync", "--config", str(config), "--now", "2027-02-16T10:00")
    assert code == 0, output
    orders = sheets_server.get_values(key, "Orders")
    assert [row[9] for row in orders[1:]] == ["Confirmed", "Waitlisted"]
    assert orders[1][5] == "+62 812-1111-2222"
    code, output = run("sync", "--config", str(config), "--now", "2027-02-16T10:05")
    assert code == 0
    assert "nothing (no changes)" in output or "no changes" in output


def test_doctor_warns_when_the_spreadsheet_zone_differs(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    """Form timestamps follow the spreadsheet's zone: a different shop zone is flagged."""
    key = sheets_server.create_spreadsheet("Zone", time_zone="America/Los_Angeles")
    config = google_config(tmp_path, sheets_server, key)
    assert run("init", "--config", str(config))[0] == 0
    code, output = run("doctor", "--config", str(config))
    assert "America/Los_Angeles" in output
    assert "Asia/Jakarta" in output
    assert "! The spreadsheet's time zone" in output  # a warning line, not a failure
    assert code == 2  # the fresh spreadsheet has no form responses tab yet
