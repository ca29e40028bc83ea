"""`openorder watch`: run the sync on a schedule (the `schedule` library) until stopped.

Each run is wrapped: a failing run is logged and the next one still happens. Ctrl-C (SIGINT)
and SIGTERM stop cleanly between runs — a run in progress is finished first. Runs never overlap:
the schedule runs them one after another, and the sync lock guards against other processes.
"""

from __future__ import annotations

import datetime as dt
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

import schedule

from openorder_sheets.config import load_config
from openorder_sheets.errors import ConfigError, OpenOrderError
from openorder_sheets.service.composition import open_shop
from openorder_sheets.service.sync import run_sync

_EVERY = re.compile(r"^\s*(\d+)\s*(s|sec|m|min|h|hr)?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}


def parse_every(text: str) -> int:
    """``30s``, ``5m``, ``1h`` (or plain seconds) → seconds; at least 10 seconds."""
    match = _EVERY.match(text)
    if match is None:
        raise ConfigError(f"--every '{text}' is not a duration: write it like 30s, 5m or 1h.")
    seconds = int(match.group(1)) * _UNITS[(match.group(2) or "s").lower()]
    if seconds < 10:
        raise ConfigError(f"--every {text} is too often: use 10s or more (5m suits most shops).")
    return seconds


class Stopper:
    """Turns SIGINT/SIGTERM into a flag checked between runs."""

    def __init__(self) -> None:
        self.stopped = False

    def __call__(self, _signum: int, _frame: FrameType | None) -> None:
        self.stopped = True

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self)
        signal.signal(signal.SIGINT, self)


Clock = Callable[[], dt.datetime]


def run_once(config_path: Path, say: Callable[[str], None], clock: Clock) -> bool:
    """One sync; any failure is reported and swallowed so the schedule goes on."""
    started = clock()
    try:
        config = load_config(config_path)
        report = run_sync(open_shop(config), started.astimezone(config.shop.zone))
    except OpenOrderError as error:
        say(f"{started:%H:%M:%S} sync failed: {error}")
        return False
    except Exception as error:  # a watch must survive any one bad run
        say(f"{started:%H:%M:%S} sync failed unexpectedly: {error!r}")
        return False
    attention = len(report.problems)
    say(
        f"{started:%H:%M:%S} sync ok: {sum(report.by_status.values())} orders, "
        f"{report.emails_sent} emails sent, {attention} not confirmed"
    )
    return True


def watch_forever(
    config_path: Path,
    seconds: int,
    say: Callable[[str], None],
    clock: Clock,
    stopper: Stopper | None = None,
    max_runs: int | None = None,
) -> int:
    """Sync now and then every ``seconds`` until stopped; return how many runs happened."""
    if stopper is None:
        stopper = Stopper()
        stopper.install()
    scheduler = schedule.Scheduler()
    runs = 0

    def job() -> None:
        nonlocal runs
        runs += 1
        run_once(config_path, say, clock)

    scheduler.every(seconds).seconds.do(job)
    job()
    while not stopper.stopped and (max_runs is None or runs < max_runs):
        scheduler.run_pending()
        idle = scheduler.idle_seconds
        time.sleep(min(max(idle if idle is not None else 1.0, 0.05), 0.5))
    return runs
