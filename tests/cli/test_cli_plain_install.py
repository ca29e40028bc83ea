"""A plain install (`pip install openorder-sheets`, no extras) runs every command, and the test
helpers that need the `testing` extra say so in one sentence instead of a bare ImportError."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import openorder_sheets

#: Makes ``openorder_sheets.testing`` (and the test-only packages) unimportable in a child.
_BLOCK = """
import sys
for name in ("openorder_sheets.testing", "aiosmtpd", "pytest", "hypothesis"):
    sys.modules[name] = None
"""


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``code`` in a child Python that imports this same openorder_sheets."""
    package_root = str(Path(openorder_sheets.__file__).resolve().parents[1])
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": package_root},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_modules() -> list[str]:
    prefix = openorder_sheets.__name__ + "."
    return sorted(
        info.name
        for info in pkgutil.walk_packages(openorder_sheets.__path__, prefix)
        if not info.name.startswith(prefix + "testing") and not info.name.endswith("__main__")
    )


def test_production_code_never_imports_the_testing_package(tmp_path: Path) -> None:
    """Every module outside openorder_sheets.testing imports; demo and doctor run without it."""
    modules = production_modules()
    assert "openorder_sheets.service.doctor" in modules
    result = run_python(
        _BLOCK
        + f"""
import importlib
for name in {modules!r}:
    importlib.import_module(name)
from openorder_sheets.cli import main
for args in (["demo", "shop", "--now", "2027-02-20T10:00"],
             ["doctor", "--config", "shop/openorder.toml", "--now", "2027-02-20T10:00"]):
    try:
        main(args, prog_name="openorder")
    except SystemExit as done:
        assert done.code in (0, None), (args, done.code)
print("plain install ok")
""",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "plain install ok" in result.stdout
    assert "All good." in result.stdout


def test_the_local_smtp_server_without_the_extra_says_how_to_install_it(tmp_path: Path) -> None:
    result = run_python(
        """
import sys
sys.modules["aiosmtpd"] = None
try:
    import openorder_sheets.testing.smtp_server
except ModuleNotFoundError as error:
    print(error)
""",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    message = result.stdout.strip()
    assert message.startswith("The local SMTP server (openorder_sheets.testing) needs aiosmtpd")
    assert "pip install 'openorder-sheets[testing]'" in message
    assert len(message.splitlines()) == 1
