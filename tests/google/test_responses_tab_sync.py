"""The offline Google trial with the default (Indonesian) config: the local server makes
`Form Responses 1`, and sync reads the answers from it as `doctor` does."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from click.testing import CliRunner, Result

from openorder_sheets.cli import main
from openorder_sheets.config import parse_config
from openorder_sheets.testing.sheets_server import SheetsServer
from openorder_sheets.testing.shops import ShopBuilder

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path) -> Result:
    result = CliRunner().invoke(main, [str(a) for a in args], prog_name="openorder")
    assert "Traceback" not in result.output
    return result


def test_sync_reads_form_responses_1_for_an_indonesian_shop(
    tmp_path: Path, sheets_server: SheetsServer
) -> None:
    key = sheets_server.create_spreadsheet(
        "Toko",
        {
            "Form Responses 1": [
                ["Timestamp", "Email Address", "Name", "WhatsApp"],
                [dt.datetime(2027, 2, 2, 10), "ani@example.com", "Ani", "0812 1111 2222"],
            ]
        },
        time_zone="Asia/Jakarta",
    )
    shutil.copy(REPO / "credentials.example.json", tmp_path / "credentials.json")
    config = tmp_path / "openorder.toml"
    config.write_text(
        '[shop]\nname = "Dapur Bu Sari"\n'
        f'[sheet]\nspreadsheet = "{key}"\ncredentials = "credentials.json"\n'
        f'api_url = "{sheets_server.base_url}"\n',
        encoding="utf-8",
    )
    assert run("init", "--config", config).exit_code == 0
    result = run("sync", "--config", config, "--now", "2027-02-03T10:00")
    assert result.exit_code == 0, result.output
    assert "Orders: 1" in result.stdout
    assert "Respons Formulir 1" not in result.output


def test_the_display_name_in_from_names_the_sender(tmp_path: Path) -> None:
    builder = ShopBuilder(tmp_path)
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    builder.response("2027-02-02 10:00", "ani@example.com", "Ani", Nastar=1)
    built = builder.build()
    raw = {
        "shop": {"name": "Test Bakery", "timezone": "Asia/Jakarta", "language": "en"},
        "sheet": {"workbook": "shop.xlsx"},
        "email": {"from": "Dapur Bu Sari <sari@example.com>"},
    }
    built.shop.config = parse_config(raw, tmp_path / "openorder.toml")
    built.sync("2027-02-16 10:00")
    [message] = built.transport.sent
    assert str(message["From"]) == "Dapur Bu Sari <sari@example.com>"
