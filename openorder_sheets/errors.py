"""The errors a user can cause, each with the exit code SPEC §6 gives it.

Messages are one sentence that names the place (file, tab, row, column, value) and the fix.
The CLI prints the message and exits with ``exit_code``; it never shows a traceback for these.
"""

from __future__ import annotations


class OpenOrderError(Exception):
    """Base of every error a seller can cause or fix."""

    exit_code = 1


class ConfigError(OpenOrderError):
    """The config file, the sheet's set-up or the form mapping is wrong (exit 2)."""

    exit_code = 2


class SheetSetupError(ConfigError):
    """A tab, header or seller cell in the spreadsheet needs fixing (exit 2).

    ``problems`` lists every problem found, so ``doctor`` can show them all at once.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        first = problems[0] if problems else "the spreadsheet needs fixing"
        more = f" (and {len(problems) - 1} more: run `openorder doctor` to see all)"
        super().__init__(first + (more if len(problems) > 1 else ""))


class SheetUnreachable(OpenOrderError):
    """The spreadsheet cannot be read or written, even after retries (exit 3)."""

    exit_code = 3


class TransportFailed(OpenOrderError):
    """Email could not be sent at all this run; the sheet is updated, messages stay queued.

    ``report`` carries the sync's report when the failure happened after the sheet was written.
    """

    exit_code = 4
    report: object = None


class LockHeld(OpenOrderError):
    """Another sync is running for this shop on this machine (exit 5)."""

    exit_code = 5


class SheetChangedDuringSync(SheetUnreachable):
    """The sheet changed on disk between this sync's read and its write (exit 3).

    Nothing was written: the other program's (the seller's) version is kept as it is. The
    caller may read the sheet again and decide again; raised before the file is touched.
    """


class WorkbookInUse(SheetUnreachable):
    """The workbook is open in Excel or LibreOffice (its lock file is beside it) (exit 3).

    Nothing was written: a save by the spreadsheet program would undo the sync's work.
    """
