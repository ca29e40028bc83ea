"""`openorder watch`: runs on a schedule, survives a failing run, stops cleanly on signals."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from openorder_sheets.errors import ConfigError
from openorder_sheets.service.demo import create_demo
from openorder_sheets.service.watch import Stopper, parse_every, watch_forever

NOW = dt.datetime(2027, 2, 20, 10, tzinfo=dt.UTC)


def test_parse_every_reads_seconds_minutes_and_hours() -> None:
    """--every takes 30s, 5m, 1h; nonsense and too-often are clear errors."""
    assert (parse_every("30s"), parse_every("5m"), parse_every("1h")) == (30, 300, 3600)
    with pytest.raises(ConfigError, match="not a duration"):
        parse_every("sering")
    with pytest.raises(ConfigError, match="too often"):
        parse_every("1s")


def test_a_failing_run_is_logged_and_the_next_still_runs(tmp_path: Path) -> None:
    """A run that fails (the workbook is gone) is reported; the following runs go on."""
    config = create_demo(tmp_path / "shop", NOW).path
    workbook = tmp_path / "shop" / "shop.xlsx"
    hidden = tmp_path / "hidden.xlsx"
    workbook.rename(hidden)
    said: list[str] = []

    def say(line: str) -> None:
        said.append(line)
        if len(said) == 1:
            hidden.rename(workbook)  # the seller puts the file back before the next run

    runs = watch_forever(config, 1, say, lambda: NOW, stopper=Stopper(), max_runs=3)
    assert runs == 3
    assert len(said) == 3, said
    assert "sync failed" in said[0]
    assert "does not exist" in said[0]
    assert all("sync ok" in line for line in said[1:])


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_watch_cleanly_between_runs(tmp_path: Path, sig: signal.Signals) -> None:
    """SIGTERM and Ctrl-C end the loop after the current run, with exit code 0."""
    config = create_demo(tmp_path / "shop", NOW).path
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "openorder_sheets",
            "watch",
            "--config",
            str(config),
            "--every",
            "10s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:  # the process ended by itself: never a clean stop
            break
        lines.append(line)
        if "sync ok" in line or "sync failed" in line:
            break
    process.send_signal(sig)
    output, _ = process.communicate(timeout=30)
    said = "".join(lines) + output
    # The first run must have succeeded: a watch whose every run fails also "stops cleanly".
    assert lines, said
    assert "sync ok" in lines[-1], said
    assert "sync failed" not in said
    assert process.returncode == 0, said
    assert "Stopped." in output
    assert "Traceback" not in said
