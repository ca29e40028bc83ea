"""Every command, walked the way a new seller stumbles: --help, no arguments, a missing config,
a wrong value. Each ends in help text or one sentence, never a traceback, with the exit code
the README's "Exit codes" documents (0 done, 2 a setup or config problem to fix).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from openorder_sheets.cli import main

REPO = Path(__file__).resolve().parents[2]


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="openorder")


def listed_commands() -> list[str]:
    """The commands `openorder --help` lists, in its order."""
    text = run("--help").stdout
    block = text.split("Commands:", 1)[1]
    return re.findall(r"^  (\w+)\s", block, flags=re.MULTILINE)


COMMANDS = listed_commands()
#: Documented exit codes (README, "Exit codes").
DOCUMENTED = {0, 2, 3, 4, 5}


@pytest.fixture(autouse=True)
def in_empty_folder(tmp_path: Path) -> Iterator[Path]:
    """Each case runs in a folder of its own, with no openorder.toml."""
    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(here)


def no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{result.exception!r}\n{result.output}"
    )
    assert "Traceback" not in result.output
    assert result.exit_code in DOCUMENTED, result.output


def one_sentence(result: Result, exit_code: int = 2) -> str:
    """The error as one line: ``Error: …`` on stderr, or doctor's single ✗ line."""
    no_traceback(result)
    assert result.exit_code == exit_code, result.output
    errors = result.stderr.strip().splitlines()
    if errors:
        assert len(errors) == 1, result.stderr
        line = errors[0]
        assert line.startswith("Error: "), line
    else:  # doctor: its checks on stdout, one ✗ line for the one problem
        crosses = [line for line in result.stdout.splitlines() if line.startswith("✗ ")]
        assert len(crosses) == 1, result.stdout
        line = crosses[0]
    assert line.rstrip().endswith((".", ")")), line
    assert ": " in line[7:] or " — " in line, f"no fix given: {line}"  # what, then the fix
    return line


def test_help_lists_every_command() -> None:
    assert COMMANDS == [
        "demo",
        "init",
        "doctor",
        "sync",
        "status",
        "preview",
        "payments",
        "archive",
        "watch",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command_has_an_example(command: str) -> None:
    result = run(command, "--help")
    no_traceback(result)
    assert result.exit_code == 0
    assert f"Usage: openorder {command}" in result.stdout
    assert "Example" in result.stdout


#: With no arguments in an empty folder: demo and init do their job; the rest need a config.
NO_ARGUMENTS = {
    "demo": (0, "Created the demo shop in openorder-demo/"),
    "init": (0, "Wrote openorder.toml"),
    "doctor": (2, "No config file at"),
    "sync": (2, "No config file at"),
    "status": (2, "No config file at"),
    "preview": (2, "Missing argument 'ORDER': run `openorder preview --help`"),
    "payments": (0, "Usage: openorder payments"),
    "archive": (2, "No config file at"),
    "watch": (2, "No config file at"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_with_no_arguments(command: str) -> None:
    code, words = NO_ARGUMENTS[command]
    result = run(command)
    if code == 0:
        no_traceback(result)
        assert result.exit_code == 0, result.output
        assert words in result.stdout
    else:
        assert words in one_sentence(result, code)


#: The arguments that make each command read a config named ``missing.toml``.
WITH_CONFIG = {
    "doctor": ["doctor"],
    "sync": ["sync"],
    "status": ["status"],
    "preview": ["preview", "PO-0001"],
    "payments": ["payments", "import", "mutasi.csv"],
    "archive": ["archive"],
    "watch": ["watch"],
}


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_with_a_missing_config(command: str, in_empty_folder: Path) -> None:
    if command == "demo":  # writes its own config: a --config is a mistyped option
        line = one_sentence(run("demo", "--config", "missing.toml"))
        assert "No such option '--config': run `openorder demo --help`" in line
        return
    if command == "init":  # a missing config is what init writes
        result = run("init", "--config", "missing.toml")
        no_traceback(result)
        assert result.exit_code == 0
        assert (in_empty_folder / "missing.toml").exists()
        return
    (in_empty_folder / "mutasi.csv").write_text("Tanggal,Keterangan,Jumlah\n", encoding="utf-8")
    line = one_sentence(run(*WITH_CONFIG[command], "--config", "missing.toml"))
    assert f"No config file at {in_empty_folder / 'missing.toml'}" in line
    assert "openorder init" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_with_a_wrong_value(command: str, in_empty_folder: Path) -> None:
    if command == "demo":  # its one value: --now
        line = one_sentence(run("demo", "--now", "besok"))
        assert "--now 'besok' is not an ISO-8601 time" in line
        return
    config = in_empty_folder / "openorder.toml"
    config.write_text('[shop]\ntimezone = "Asia/Bandung"\n', encoding="utf-8")
    (in_empty_folder / "mutasi.csv").write_text("Tanggal,Keterangan,Jumlah\n", encoding="utf-8")
    args = ["init"] if command == "init" else WITH_CONFIG[command]
    line = one_sentence(run(*args, "--config", config))
    assert "[shop] timezone 'Asia/Bandung' is not a time zone: use a name like" in line


@pytest.mark.parametrize(
    "args",
    [["nope"], ["sync", "--bogus"], ["sync", "--now"], ["preview", "PO-1", "--kind", "x"]],
    ids=["unknown command", "unknown option", "option without value", "bad choice"],
)
def test_a_mistyped_command_line_is_one_line_naming_the_help(args: list[str]) -> None:
    line = one_sentence(run(*args))
    assert re.search(r"run `openorder( \w+)? --help` to see", line), line
    if args[0] != "nope":
        assert f"`openorder {args[0]} --help`" in line


def test_watch_with_a_bad_interval_is_one_sentence(in_empty_folder: Path) -> None:
    assert run("init").exit_code == 0
    line = one_sentence(run("watch", "--every", "5x"))
    assert "5x" in line
