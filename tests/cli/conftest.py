"""CLI fixtures: run `openorder` in-process, and one demo shop copied for every test that edits it.

The demo is the richest shop we have (bad rows, waitlist, duplicates, two batches); building it
takes about a second, copying its folder a few milliseconds. The helpers are reached through
fixtures (not imported), so these tests run under any pytest import mode.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from openpyxl.workbook import Workbook

from openorder_sheets.cli import main

#: The instant the demo is created and synced at (the demo's batch closed the evening before).
DEMO_NOW = "2027-02-20T10:00"


class Cli:
    """Runs `openorder` in-process and checks what a seller would see."""

    def run(self, *args: str | Path) -> Result:
        """``openorder ARGS``, with stdout and stderr kept apart."""
        return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="openorder")

    def no_traceback(self, result: Result) -> None:
        """The command ended by itself (an exit code), not by an exception escaping."""
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"unexpected {result.exception!r}\n{result.output}"
        )
        assert "Traceback" not in result.output

    def one_sentence_error(self, result: Result, *fragments: str, exit_code: int = 2) -> str:
        """Exit ``exit_code``; stderr is a single ``Error: …`` line containing every fragment."""
        self.no_traceback(result)
        assert result.exit_code == exit_code, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("Error: "), lines[0]
        for fragment in fragments:
            assert fragment in lines[0], f"{fragment!r} not in {lines[0]!r}"
        return lines[0]


@dataclass
class DemoShop:
    """A copy of the demo shop that a test may edit like a seller would."""

    folder: Path
    cli: Cli
    now: str = DEMO_NOW

    @property
    def config(self) -> Path:
        return self.folder / "openorder.toml"

    @property
    def workbook(self) -> Path:
        return self.folder / "shop.xlsx"

    def emails(self) -> list[Path]:
        return sorted((self.folder / "outbox").glob("*.eml"))

    def run(self, command: str, *args: str | Path) -> Result:
        """``openorder COMMAND --config <this shop> ARGS``."""
        return self.cli.run(command, "--config", self.config, *args)

    def edit_config(self, old: str, new: str) -> None:
        text = self.config.read_text(encoding="utf-8")
        assert old in text, old
        self.config.write_text(text.replace(old, new, 1), encoding="utf-8")

    def edit_sheet(self, change: Callable[[Workbook], None]) -> None:
        book = load_workbook(self.workbook)
        change(book)
        book.save(self.workbook)


@pytest.fixture(scope="session")
def cli() -> Cli:
    """`openorder` in-process, with the checks every CLI test shares."""
    return Cli()


@pytest.fixture(scope="session")
def demo_run(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """The demo created and synced once: its folder and the command's result."""
    folder = tmp_path_factory.mktemp("demo-template") / "toko"
    result = cli.run("demo", folder, "--now", DEMO_NOW)
    assert result.exit_code == 0, result.output
    return folder, result


@pytest.fixture
def demo(cli: Cli, demo_run: tuple[Path, Result], tmp_path: Path) -> DemoShop:
    """A fresh copy of the synced demo shop in this test's own folder."""
    copy = tmp_path / "toko"
    shutil.copytree(demo_run[0], copy)
    return DemoShop(copy, cli)
