"""Small helpers shared by the bench scripts: child processes, memory, a null mail transport."""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from openorder_sheets.ports import DeliveryOutcome, DeliveryResult

ROOT = Path(__file__).resolve().parent.parent
META = "bench.json"  # what the prepare step tells the workers about a shop folder
EXTRA_ANSWERS = "extra_answers.pickle"  # answers kept aside to arrive after the first syncs


class NullTransport:
    """A mail transport that accepts every message and does nothing (sync measurements)."""

    def __init__(self) -> None:
        self.sent = 0

    def open(self) -> None:
        """Nothing to connect to."""

    def send(self, message: EmailMessage) -> DeliveryResult:  # noqa: ARG002
        self.sent += 1
        return DeliveryResult(DeliveryOutcome.SENT)

    def close(self) -> None:
        """Nothing to close."""


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / 1024 if sys.platform != "darwin" else peak / 2**20, 1)


def cpu_seconds_of(pid: int) -> float | None:
    """User + system CPU seconds used so far by another process (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_child(args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``python -m <args>`` and return the JSON object it prints on its last line."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"`python -m {' '.join(args)}` failed ({done.returncode}):\n{done.stderr[-4000:]}"
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"`python -m {' '.join(args)}` printed no result:\n{done.stdout}")
    result: dict[str, Any] = json.loads(lines[-1])
    result.setdefault("process_seconds", round(time.perf_counter() - started, 2))
    return result


def emit(result: dict[str, Any]) -> None:
    """Print a child's result as one JSON line (the parent reads the last one)."""
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


def shop_arguments(prog: str) -> argparse.Namespace:
    """The options every shop-preparing step takes: size, shape, seed and folder."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--orders", type=int, required=True)
    parser.add_argument("--products", type=int, default=12)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument(
        "--extra", type=int, default=0, help="answers kept aside to arrive later (workbook)"
    )
    return parser.parse_args()
