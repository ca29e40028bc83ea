"""``python -m bench.worker --dir DIR``: one measured sync of a prepared shop, as JSON.

The sync is the product's own ``run_sync`` on the backend the shop's ``openorder.toml`` names
(built by ``make_backend``, as the CLI does), with a null mail transport: the e-mails due are
still rendered and journalled, but not sent anywhere (mail is measured by ``bench.mail``).
Each phase runs in a fresh process, as cron would start it, so peak RSS is the sync's own.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import time
from pathlib import Path
from typing import Any

import requests

from bench.common import META, NullTransport, emit, peak_rss_mb
from openorder_sheets.adapters.templates import TemplateRenderer
from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.config import load_config
from openorder_sheets.service.composition import Shop, make_backend
from openorder_sheets.service.sync import run_sync
from openorder_sheets.testing.sheets_server import local_session


def _server_stats(base_url: str, reset: bool = False) -> dict[str, Any]:
    if reset:
        requests.post(f"{base_url}/_control/stats/reset", timeout=30).raise_for_status()
        return {}
    answer = requests.get(f"{base_url}/_control/stats", timeout=30)
    answer.raise_for_status()
    data: dict[str, Any] = answer.json()
    return data


class GcTimer:
    """Time spent in the cyclic garbage collector (``gc.callbacks``), by generation."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._started
            self.collections[info["generation"]] += 1


def _grid_cells(base_url: str, key: str) -> int:
    """Cells in the spreadsheet's grids after the sync (Google's ceiling is 10 million)."""
    session = local_session(base_url)
    answer = session.get(
        f"https://sheets.googleapis.com/v4/spreadsheets/{key}",
        params={"fields": "sheets.properties.gridProperties"},
        timeout=60,
    )
    answer.raise_for_status()
    grids = [sheet["properties"]["gridProperties"] for sheet in answer.json()["sheets"]]
    return sum(int(g["rowCount"]) * int(g["columnCount"]) for g in grids)


def prepared_shop(
    folder: Path, *, openpyxl_only: bool = False
) -> tuple[Shop, dt.datetime, dict[str, Any]]:
    """The shop `bench.prepare` left in ``folder``, built as the CLI builds it but with a null
    mail transport; the moment its sync runs at; and what `prepare` recorded (``meta``)."""
    meta: dict[str, Any] = json.loads((folder / META).read_text(encoding="utf-8"))
    config = load_config(folder / "openorder.toml")
    now = dt.datetime.fromisoformat(meta["now"]).replace(tzinfo=config.shop.zone)
    transport = NullTransport()
    backend = make_backend(config)
    if openpyxl_only and config.sheet.workbook is not None:
        backend = WorkbookBackend(config.sheet.workbook, fast=False)
    shop = Shop(
        config,
        backend,
        lambda: transport,
        TemplateRenderer(config.shop.language, config.email.templates_dir),
        config.state_dir,
    )
    return shop, now, meta


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--phase", default="first", help="a label: first or noop")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the sync here")
    parser.add_argument(
        "--openpyxl-only",
        action="store_true",
        help="the workbook backend without its fast path (as before it), for comparison",
    )
    args = parser.parse_args()
    shop, now, meta = prepared_shop(args.dir, openpyxl_only=args.openpyxl_only)
    config, backend = shop.config, shop.backend
    google = meta["backend"] == "google"
    workbook = config.sheet.workbook
    size_before = workbook.stat().st_size if workbook is not None else 0
    if google:
        _server_stats(meta["base_url"], reset=True)
    gc.collect()
    gc_timer = GcTimer()
    gc.callbacks.append(gc_timer)
    profiler = cProfile.Profile() if args.profile else None
    rss_before = peak_rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    report = run_sync(shop, now)
    if profiler is not None:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    gc.callbacks.remove(gc_timer)
    result: dict[str, Any] = {
        "backend": meta["backend"],
        "orders": meta["orders"],
        "phase": args.phase,
        "openpyxl_only": args.openpyxl_only,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_sync_mb": rss_before,
        "gc_s": round(gc_timer.seconds, 3),
        "gc_collections": gc_timer.collections,
        "requests": dict(sorted(report.requests.items())),
        "by_status": report.by_status,
        "emails_new": len(report.emails_new),
        "emails_sent": report.emails_sent,
        "emails_waiting": report.emails_waiting,
        "tabs_written": report.tabs_written,
    }
    if google:
        stats = _server_stats(meta["base_url"])
        result["server_requests"] = stats["requests"]
        result["reads"], result["writes"] = stats["reads"], stats["writes"]
        result["bytes_sent"] = stats["bytes_received"]  # request bodies, client → server
        result["bytes_received"] = stats["bytes_sent"]  # response bodies, server → client
        result["grid_cells"] = _grid_cells(meta["base_url"], meta["key"])
    else:
        assert workbook is not None
        size_after = workbook.stat().st_size
        result["reads"] = report.requests.get("read", 0)
        result["writes"] = report.requests.get("write", 0)
        result["bytes_received"] = size_before * result["reads"]  # the file loaded
        result["bytes_sent"] = size_after * result["writes"]  # the file saved, per save
        result["file_bytes"] = size_after
        if isinstance(backend, WorkbookBackend):
            result["saved_by"] = dict(backend.saved_by)
    if profiler is not None:
        profiler.dump_stats(str(args.profile))
    emit(result)


if __name__ == "__main__":
    main()
