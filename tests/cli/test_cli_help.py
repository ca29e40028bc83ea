"""Every command explains itself: help with an example, and a way in for a first-time seller."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
import pytest

from openorder_sheets.cli import main

if TYPE_CHECKING:
    from conftest import Cli


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_has_help_with_an_example(cli: Cli, name: str) -> None:
    """`openorder CMD --help` exits 0 and shows an Example block."""
    result = cli.run(name, "--help")
    assert result.exit_code == 0, result.output
    assert f"Usage: openorder {name}" in result.stdout
    assert "Example" in result.stdout


def test_commands_with_a_shop_take_config() -> None:
    """Every command that works on an existing shop accepts --config (SPEC §6)."""
    commands = dict(main.commands)
    payments = commands.pop("payments")
    assert isinstance(payments, click.Group)  # its subcommands each take --config
    commands.update({f"payments {n}": c for n, c in payments.commands.items()})
    for name, command in commands.items():
        if name == "demo":  # creates its own shop and config
            continue
        assert "--config" in {opt for param in command.params for opt in param.opts}, name


def test_no_arguments_shows_help_and_where_to_start(cli: Cli) -> None:
    """Bare `openorder` prints usage and the first commands to try, and is not an error."""
    result = cli.run()
    cli.no_traceback(result)
    assert result.exit_code == 0
    assert "Usage: openorder" in result.stdout
    assert "Start here" in result.stdout
    assert "openorder demo" in result.stdout
    assert "openorder init" in result.stdout


def test_commands_are_listed_in_the_order_a_seller_meets_them(cli: Cli) -> None:
    """The command list starts with demo, init, doctor, sync — not alphabetical."""
    listing = cli.run("--help").stdout.split("Commands:")[1]
    names = [line.split()[0] for line in listing.splitlines() if line.strip()]
    assert names[:4] == ["demo", "init", "doctor", "sync"]
    assert sorted(names) == sorted(main.commands)


def test_a_mistyped_command_suggests_the_right_one(cli: Cli) -> None:
    """`openorder synk` exits 2 and suggests `sync`."""
    result = cli.run("synk")
    assert result.exit_code == 2
    assert "sync" in result.stderr
    assert "Traceback" not in result.output


def test_version(cli: Cli) -> None:
    """`openorder --version` names the program and exits 0."""
    result = cli.run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("openorder, version ")
