"""gspread's OWN test suite (6.2.1, recordings removed) run against the local Sheets server.

The suite lives in ``../shared/gspread-suite`` beside the repository (read-only in CI): its
``run.sh BASE_URL`` copies the tests to a temporary directory and redirects every request gspread
makes to Google to BASE_URL (see its README). Nothing is written into ``shared/``: the copy, the
JUnit report and TMPDIR all live in pytest's tmp_path, and Python writes no bytecode there.

Some of gspread's tests depend on the recording account's own Drive rather than on what they
create themselves. The server is seeded with the same kind of contents before the run:

* ``test_access_private_spreadsheet`` opens 1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc, a
  spreadsheet that exists but is not shared with the caller: seeded as private (Sheets 403,
  Drive 404), as ``python -m openorder_sheets.testing.sheets_server --private ID`` does.
* ``test_openall``, ``test_open_all_has_metadata`` and ``test_list_spreadsheet_files`` list
  every spreadsheet the account can see and need at least two with different titles: a
  spreadsheet shared with the caller (read-only) is seeded, so they do not depend on the order
  in which the suite creates its own.

With that, every test must pass; :data:`NEEDS_ANOTHER_ACCOUNT` lists the tests allowed to fail
because they need another account's Drive contents the server cannot stand in for (none today).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import gspread
import pytest

from openorder_sheets.testing.sheets_server import SheetsServer

REPOSITORY = Path(__file__).resolve().parents[2]
SUITE = REPOSITORY.parent / "shared" / "gspread-suite"
GSPREAD_VERSION = "6.2.1"
PRIVATE_SPREADSHEET = "1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc"
EXPECTED_TESTS = 149
TIMEOUT_SECONDS = 300

#: gspread test id (``file::Class::test``) → why it cannot pass against a fresh local server.
NEEDS_ANOTHER_ACCOUNT: dict[str, str] = {}

#: Stands in for vcrpy, which the suite's conftest imports for two names only (the cassette
#: plugin itself is switched off by run.sh); used when vcrpy is not installed.
VCR_STUB = {
    "__init__.py": (
        '"""Stand-in for vcrpy: gspread\'s conftest imports VCR.ensure_suffix only."""\n\n\n'
        "class VCR:\n"
        "    @staticmethod\n"
        "    def ensure_suffix(suffix):\n"
        "        return lambda path: path if path.endswith(suffix) else path + suffix\n"
    ),
    "errors.py": "class CannotOverwriteExistingCassetteException(Exception):\n    pass\n",
}


def _skip_reason() -> str | None:
    if not (SUITE / "run.sh").is_file():
        return (
            f"gspread's test suite is not at {SUITE} (the shared/ directory beside the "
            "repository); clone it there to run gspread's own tests against the server"
        )
    if gspread.__version__ != GSPREAD_VERSION:
        return (
            f"the suite in {SUITE} is gspread {GSPREAD_VERSION}'s, but gspread "
            f"{gspread.__version__} is installed; pip install gspread=={GSPREAD_VERSION}"
        )
    if shutil.which("bash") is None:
        return "run.sh needs bash, which is not on PATH"
    return None


def _outcomes(report: Path) -> dict[str, str]:
    """gspread test id → passed / failed / error / skipped, from pytest's JUnit XML."""
    outcomes: dict[str, str] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "").rsplit(".", 1)
        path = module[0].replace(".", "/") + ".py" if len(module) == 2 else "?"
        name = f"{path}::{module[-1]}::{case.get('name')}"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome = {"failure": "failed"}.get(child.tag, child.tag)
        outcomes[name] = outcome
    return outcomes


def test_gspread_suite_passes_against_the_local_server(tmp_path: Path) -> None:
    """Every test of gspread 6.2.1's suite passes, except the listed ones (with reasons)."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GS_", "GSPREAD_SUITE_"))}
    env.update(PYTHON=sys.executable, TMPDIR=str(tmp_path), PYTHONDONTWRITEBYTECODE="1")
    if importlib.util.find_spec("vcr") is None:
        stub = tmp_path / "stub" / "vcr"
        stub.mkdir(parents=True)
        for name, text in VCR_STUB.items():
            (stub / name).write_text(text, encoding="utf-8")
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(stub.parent), env.get("PYTHONPATH")]))
    report = tmp_path / "gspread-suite.xml"
    with SheetsServer() as server:
        server.create_spreadsheet(
            "Someone else's spreadsheet", spreadsheet_id=PRIVATE_SPREADSHEET, private=True
        )
        shared = server.create_spreadsheet("A spreadsheet shared with you")
        server.set_access(shared, "reader")
        run = subprocess.run(
            ["bash", str(SUITE / "run.sh"), server.base_url, f"--junitxml={report}"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
        )  # fmt: skip
    output = run.stdout[-6000:] + run.stderr[-3000:]
    assert report.is_file(), f"run.sh produced no report (exit {run.returncode}):\n{output}"
    outcomes = _outcomes(report)
    assert len(outcomes) == EXPECTED_TESTS, f"expected {EXPECTED_TESTS} tests:\n{output}"
    not_passed = {name: outcome for name, outcome in outcomes.items() if outcome != "passed"}
    unexpected = {k: v for k, v in not_passed.items() if k not in NEEDS_ANOTHER_ACCOUNT}
    assert unexpected == {}, f"gspread tests that did not pass:\n{output}"
    now_passing = sorted(set(NEEDS_ANOTHER_ACCOUNT) - set(not_passed))
    assert now_passing == [], "listed in NEEDS_ANOTHER_ACCOUNT but passing: remove them"
    assert run.returncode == (1 if not_passed else 0), output
