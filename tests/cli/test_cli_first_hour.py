"""A seller's first hour: what `init` and `doctor` say about the examples still in the config,
where the crontab line points, and a `from` written the way mail programs write it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import Result

from openorder_sheets.adapters.message import sender_address
from openorder_sheets.cli_text import openorder_executable, schedule_lines
from openorder_sheets.config import load_config, parse_config
from openorder_sheets.testing.shops import ShopBuilder

if TYPE_CHECKING:
    from conftest import Cli, DemoShop


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(here)


def test_doctor_on_a_fresh_init_warns_about_every_example_left(cli: Cli, folder: Path) -> None:
    """Not "All good": the example name and addresses, no form link and no products."""
    assert cli.run("init").exit_code == 0
    result = cli.run("doctor")
    cli.no_traceback(result)
    assert result.exit_code == 0, result.output  # warnings: a sync would still run
    warnings = [line for line in result.stdout.splitlines() if line.startswith("! ")]
    assert warnings == [
        "! [shop] name is still the example 'Toko Saya': write your shop's name there (buyers "
        "see it in every email).",
        "! [shop] reply_to is still the example toko.saya@example.com: write the email address "
        "where buyers' replies should reach you.",
        "! [email] from is still the example toko.saya@example.com: write the address the "
        "emails are sent from (the one you log in to the mail server with).",
        "! [shop] form_url is empty: paste your Google Form's link there (Send → link) so the "
        "announcement emails tell buyers where to order.",
        "! The Produk tab has no products yet: add one row per product (SKU, name, price, "
        "capacity).",
        "! No way to pay is set, so the emails ask buyers to reply for your account number: "
        'add [[payment.accounts]] with bank = "BCA", number = "…", holder = "…" to '
        'openorder.toml (and qris = "…" if you have a QRIS sticker).',
    ]
    assert "All good." not in result.stdout
    assert "Nothing blocks a sync, but fix the 6 ! lines above before buyers order." in (
        result.stdout
    )


def test_the_warnings_go_once_the_seller_fills_the_config_in(cli: Cli, folder: Path) -> None:
    assert cli.run("init").exit_code == 0
    config = folder / "openorder.toml"
    text = config.read_text(encoding="utf-8")
    text = text.replace('"Toko Saya"', '"Dapur Bu Sari"')
    text = text.replace("toko.saya@example.com", "sari@dapur.id")
    text = text.replace('form_url = ""', 'form_url = "https://forms.gle/abc"')
    # The commented example account, uncommented as the comment says.
    for line in ("[[payment.accounts]]", 'bank = "BCA"', 'number = "1234567890"'):
        text = text.replace(f"# {line}\n", f"{line}\n")
    text = text.replace('# holder = "Sari Wulandari"', 'holder = "Sari Wulandari"')
    config.write_text(text, encoding="utf-8")
    warnings = [line for line in cli.run("doctor").stdout.splitlines() if line.startswith("!")]
    assert len(warnings) == 1
    assert "no products yet" in warnings[0]


def crontab_line(result: Result) -> str:
    lines = result.stdout.splitlines()
    heading = lines.index("To sync every 5 minutes, add this line with `crontab -e`:")
    return lines[heading + 1].strip()


def test_init_and_doctor_print_the_crontab_line_of_this_install(cli: Cli, folder: Path) -> None:
    """The absolute path of the running command and of the shop's folder: no guessing."""
    init = cli.run("init")
    doctor = cli.run("doctor")
    line = crontab_line(init)
    assert line == crontab_line(doctor)
    program = openorder_executable()
    assert line == f"*/5 * * * * cd {folder} && {program} sync --quiet"
    assert Path(program.split(" -m ")[0]).is_absolute()
    assert "/usr/local/bin" not in line or program.startswith("/usr/local/bin")


def test_the_command_is_the_running_script_when_it_is_openorder(tmp_path: Path) -> None:
    script = tmp_path / "venv" / "bin" / "openorder"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    assert openorder_executable(str(script)) == str(script)
    assert openorder_executable("/nowhere/pytest") != "/nowhere/pytest"


def test_crontab_line_quotes_spaces_escapes_percent_and_names_another_config() -> None:
    config = Path("/home/sari/Toko Kue 100%/toko.toml")
    [heading, line] = schedule_lines(config, "/home/sari/.venv/bin/openorder", platform="linux")
    assert heading.endswith("`crontab -e`:")
    assert line == (
        "  */5 * * * * cd '/home/sari/Toko Kue 100\\%' && /home/sari/.venv/bin/openorder "
        "sync --quiet --config toko.toml"
    )


def test_a_smtp_shop_is_told_the_job_needs_the_password_variable() -> None:
    lines = schedule_lines(
        Path("/srv/toko/openorder.toml"),
        "/srv/venv/bin/openorder",
        platform="linux",
        password_env="OPENORDER_SMTP_PASSWORD",
    )
    assert "`OPENORDER_SMTP_PASSWORD=<app password>` just before the command" in lines[-1]


def test_windows_gets_a_task_scheduler_command() -> None:
    lines = schedule_lines(
        Path("C:/Users/Sari/toko/openorder.toml"),
        "C:/Users/Sari/toko/.venv/Scripts/openorder.exe",
        platform="win32",
        password_env="OPENORDER_SMTP_PASSWORD",
    )
    assert lines[0].startswith("To sync every 5 minutes while this computer is on")
    assert lines[1].startswith("  schtasks /Create /SC MINUTE /MO 5 /TN openorder /TR ")
    assert '\\"C:/Users/Sari/toko/.venv/Scripts/openorder.exe\\" sync --quiet --config' in lines[1]
    assert "setx OPENORDER_SMTP_PASSWORD" in lines[2]


# -- `from` with a display name ---------------------------------------------------------------


def test_from_with_a_display_name_is_read_as_name_and_address(demo: DemoShop) -> None:
    demo.edit_config(
        'from = "dapur.bu.sari@example.com"', 'from = "Dapur Bu Sari <sari@example.com>"'
    )
    config = load_config(demo.config)
    assert config.email.sender == "sari@example.com"
    assert config.email.sender_name == "Dapur Bu Sari"


def test_a_display_name_from_gives_a_well_formed_from_header(tmp_path: Path) -> None:
    """Was `Dapur Bu Sari <"Dapur Bu Sari <sari"@example.com>>`; Message-IDs used `example.com>`."""
    builder = ShopBuilder(tmp_path)
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    builder.response("2027-02-02 10:00", "ani@example.com", "Ani", Nastar=1)
    built = builder.build()
    raw = {
        "shop": {"name": "Dapur Bu Sari", "timezone": "Asia/Jakarta", "language": "en"},
        "sheet": {"workbook": "shop.xlsx"},
        "email": {"from": "Dapur Bu Sari <sari@example.com>"},
    }
    built.shop.config = parse_config(raw, tmp_path / "openorder.toml")
    built.sync("2027-02-16 10:00")
    [message] = built.transport.sent
    assert message["From"].addresses[0].addr_spec == "sari@example.com"
    assert str(message["From"]) == "Dapur Bu Sari <sari@example.com>"
    assert str(message["Message-ID"]).endswith("@example.com>")


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("sari@example.com", "Toko <sari@example.com>"),
        ("Dapur Bu Sari <sari@example.com>", "Dapur Bu Sari <sari@example.com>"),
        ('"Bu Sari, Dapur" <sari@example.com>', '"Bu Sari, Dapur" <sari@example.com>'),
    ],
)
def test_sender_address_takes_either_form(given: str, shown: str) -> None:
    assert str(sender_address("Toko", given)) == shown


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("from", "Dapur Bu Sari sari@example.com"),
        ("from", "a@example.com, b@example.com"),
        ("reply_to", "sari"),
    ],
)
def test_a_from_that_is_not_one_address_is_refused_with_both_forms(
    cli: Cli, demo: DemoShop, key: str, value: str
) -> None:
    old = 'from = "dapur.bu.sari@example.com"' if key == "from" else 'reply_to = "'
    new = f'from = "{value}"' if key == "from" else f'reply_to = "{value}"\n# was "'
    demo.edit_config(old, new)
    section = "[email] from" if key == "from" else "[shop] reply_to"
    cli.one_sentence_error(
        demo.run("sync"),
        f"{section} = '{value}' is not one email address",
        '"sari@example.com" or "Dapur Bu Sari <sari@example.com>"',
    )
