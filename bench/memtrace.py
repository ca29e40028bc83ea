"""``python -m bench.memtrace --dir DIR``: where a sync's memory goes, phase by phase.

Runs one sync of a prepared shop (like ``bench.worker``) while a thread samples this process's
resident set every 50 ms, and prints the peak RSS inside each step of the sync (read, decide,
plan, diff, write, deliver). A diagnostic for the Performance work, not part of the table.
"""

from __future__ import annotations

import argparse
import functools
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import emit
from bench.worker import prepared_shop
from openorder_sheets.service import sync


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler:
    """Samples RSS every 50 ms; ``wrap`` makes a function a named step (entry, peak, exit)."""

    def __init__(self) -> None:
        self.current: list[dict[str, Any]] = []
        self.steps: list[dict[str, Any]] = []
        self.calls: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.note()

    def note(self) -> None:
        rss = _rss_mb()
        for step in list(self.current):
            step["peak_mb"] = max(step["peak_mb"], round(rss))

    def wrap(self, owner: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(original)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            rss = round(_rss_mb())
            step = {
                "step": f"{'  ' * len(self.current)}{name}#{self.calls[name]}",
                "entry_mb": rss,
                "peak_mb": rss,
            }
            self.steps.append(step)
            self.current.append(step)
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.note()
                step["exit_mb"] = round(_rss_mb())
                step["seconds"] = round(time.perf_counter() - started, 2)
                self.current.remove(step)

        setattr(owner, name, wrapped)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memtrace")
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    shop, now, _ = prepared_shop(args.dir)
    backend = shop.backend
    sampler = Sampler()
    for name in ("decide_shop", "plan_updates", "changed_cells", "deliver", "_report"):
        sampler.wrap(sync, name)
    for name in ("read", "write"):
        sampler.wrap(backend, name)
    with sampler:
        started = time.perf_counter()
        sync.run_sync(shop, now)
        wall = time.perf_counter() - started
    emit(
        {
            "wall_s": round(wall, 1),
            "steps": sampler.steps,
        }
    )


if __name__ == "__main__":
    main()
