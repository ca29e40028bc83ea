"""``python -m bench.year``: a year of a busy shop on the local workbook (a skeleton).

The scenario of issue 12: 24 batches of 2,000 orders, a fortnight apart, each walked through
its life — the batch opens (announcement), answers arrive (most in its first hours), buyers pay
(the seller ticks `Paid`) or let their orders expire, the seller moves it to production, one
batch is delayed (its ship date moves), it is ready, shipped, and finally archived — with a
sync every simulated hour around the busy moments and a few a day otherwise. Each sync runs in a
fresh process (``bench.worker``) with its `now` set to the simulated instant; everything the
seller does happens between syncs, saved by openpyxl as her spreadsheet program would (set-up,
not measured).

Reported per sync and per 30-day month: cells in the workbook, bytes read and written, wall and
CPU per sync, peak RSS — in ``bench/results/year.json`` and ``year.csv``.

What is still to do (a skeleton): the Google backend (the same timeline against
``bench.gserver``); the PNG chart of the months; bank-statement payments beside the ticks;
and ``openorder archive`` needs the workbook backend to delete rows (``RowDeleting``), which it
does not yet: until then an archive run copies the batch to the archive workbook and the live
rows stay (recorded as such). Quick run: ``python -m bench.year --batches 3 --orders 300``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from bench.common import META, ROOT, run_child
from bench.materialize import write_config
from bench.shopgen import generate
from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.adapters.workbook_openpyxl import load_whole
from openorder_sheets.config import Config
from openorder_sheets.core.cells import text
from openorder_sheets.service.setup import seller_tabs, tool_tabs

RESULTS = ROOT / "bench" / "results"
TIMEOUT = 3600
FORTNIGHT = dt.timedelta(days=14)
START = dt.datetime(2027, 1, 4, 9, 0)  # a Monday morning, shop-local time
PAID_SHARE = 0.85  # of confirmed orders; the rest expire unpaid
DELAYED_BATCH = 5  # this one's ship date moves three days later while in production


@dataclass(order=True)
class Moment:
    """Something that happens at ``when``: a sync, or something the seller or buyers do."""

    when: dt.datetime
    order: int  # ties: answers and the seller's edits land before the sync of that instant
    kind: str = field(compare=False)  # answers, paid, stage, delay, sync, archive
    batch: int = field(compare=False, default=0)
    detail: Any = field(compare=False, default=None)


def batch_window(index: int) -> tuple[dt.datetime, dt.datetime, dt.date]:
    opens = START + index * FORTNIGHT
    closes = opens + dt.timedelta(days=5, hours=12)
    return opens, closes, (closes + dt.timedelta(days=7)).date()


def timeline(batches: int, orders: int, seed: int) -> Iterator[Moment]:
    """Every moment of the year, in order."""
    moments: list[Moment] = []
    for index in range(batches):
        opens, closes, ships = batch_window(index)
        shop = generate(orders, batches=1, seed=seed + index)
        shift = opens - dt.datetime(2027, 2, 1, 9, 0)  # shopgen's one batch opens then
        rows = [[row[0] + shift, *row[1:]] for row in shop.responses]
        # Answers arrive hour by hour: each hour's answers come in one save before its sync.
        hours: dict[dt.datetime, list[list[Any]]] = {}
        for row in rows:
            hours.setdefault(row[0].replace(minute=0, second=0) + dt.timedelta(hours=1), []).append(
                row
            )
        moments += [Moment(hour, 0, "answers", index, batch) for hour, batch in hours.items()]
        # Syncs: hourly for the first day, every 6 hours until it closes, then twice a day.
        moments += [Moment(opens + dt.timedelta(hours=h), 9, "sync") for h in range(1, 25)]
        moments += [Moment(opens + dt.timedelta(hours=h), 9, "sync") for h in range(30, 24 * 14, 6)]
        for day in range(2, 12):
            moments.append(Moment(opens + dt.timedelta(days=day, hours=3), 1, "paid", index))
        moments.append(Moment(closes + dt.timedelta(hours=1), 1, "stage", index, "Produksi"))
        if index == DELAYED_BATCH:
            moments.append(Moment(closes + dt.timedelta(days=2), 1, "delay", index, 3))
        ready = dt.datetime.combine(ships, dt.time(8)) - dt.timedelta(days=1)
        moments.append(Moment(ready, 1, "stage", index, "Siap"))
        moments.append(Moment(ready + dt.timedelta(days=1, hours=6), 1, "stage", index, "Dikirim"))
        moments.append(Moment(ready + dt.timedelta(days=4), 10, "archive", index))
    yield from sorted(moments)


def make_shop(folder: Path, batches: int, orders: int, seed: int) -> Config:
    """The shop as ``init`` leaves it, with every batch of the year listed and no answers."""
    shop = generate(orders, batches=1, seed=seed)
    config = write_config(shop, folder, workbook="shop.xlsx")
    rows = []
    for index in range(batches):
        opens, closes, ships = batch_window(index)
        rows.append([f"PO {index + 1:02d}", opens, closes, ships, None, ""])
    tabs = seller_tabs(config, products=shop.products, materials=shop.materials, batches=rows)
    layout, _ = tabs[config.tab("responses")]
    tabs[config.tab("responses")] = (layout, [list(shop.response_headers)])
    tabs.update(tool_tabs(config))
    assert config.sheet.workbook is not None
    WorkbookBackend(config.sheet.workbook).create_tabs(tabs)
    (folder / META).write_text(
        json.dumps({"backend": "workbook", "orders": orders * batches, "now": START.isoformat()})
    )
    return config


class Seller:
    """What the seller and her buyers do between syncs, saved as her spreadsheet program would."""

    def __init__(self, config: Config, seed: int) -> None:
        self.config = config
        self.rng = random.Random(seed)
        assert config.sheet.workbook is not None
        self.path = config.sheet.workbook

    def apply(self, moments: list[Moment]) -> None:
        book = load_whole(self.path.read_bytes())
        for moment in moments:
            getattr(self, "_" + moment.kind)(book, moment)
        book.save(self.path)

    def _answers(self, book: Any, moment: Moment) -> None:
        sheet = book[self.config.tab("responses")]
        for row in moment.detail:
            sheet.append(row)

    def _paid(self, book: Any, moment: Moment) -> None:
        """Ticks `Paid` on most confirmed, unpaid orders of the batch (the rest will expire)."""
        sheet = book[self.config.tab("orders")]
        header = [text(cell.value) for cell in sheet[1]]
        batch, status, paid = (header.index(name) for name in ("Batch", "Status", "Lunas"))
        wanted = f"PO {moment.batch + 1:02d}"
        for row in sheet.iter_rows(min_row=2):
            due = text(row[status].value) == "Dikonfirmasi" and row[paid].value is None
            # About a quarter of those still due pay each day.
            if text(row[batch].value) == wanted and due and self.rng.random() < PAID_SHARE / 4:
                row[paid].value = True

    def _stage(self, book: Any, moment: Moment) -> None:
        sheet = book[self.config.tab("batches")]
        sheet.cell(row=moment.batch + 2, column=5).value = moment.detail

    def _delay(self, book: Any, moment: Moment) -> None:
        sheet = book[self.config.tab("batches")]
        cell = sheet.cell(row=moment.batch + 2, column=4)
        cell.value = cell.value + dt.timedelta(days=moment.detail)


def cells_in(path: Path) -> int:
    """Cells the workbook's tabs span (rows × columns in use), as a spreadsheet counts them."""
    book = CalamineWorkbook.from_path(str(path))
    sheets = [book.get_sheet_by_name(name) for name in book.sheet_names]
    return sum(sheet.height * sheet.width for sheet in sheets)


def sync(folder: Path, now: dt.datetime) -> dict[str, Any]:
    meta = json.loads((folder / META).read_text())
    meta["now"] = now.isoformat()
    (folder / META).write_text(json.dumps(meta))
    result = run_child(["bench.worker", "--dir", str(folder), "--phase", now.isoformat()], TIMEOUT)
    result["cells"] = cells_in(folder / "shop.xlsx")
    result["now"] = now.isoformat()
    return result


def archive(config: Config, now: dt.datetime) -> dict[str, Any]:
    """``openorder archive`` of the finished batches (in this process; recorded, not timed)."""
    from bench.common import NullTransport
    from openorder_sheets.adapters.templates import TemplateRenderer
    from openorder_sheets.errors import OpenOrderError
    from openorder_sheets.service.archive import archive_batches
    from openorder_sheets.service.shop import Shop, make_backend

    transport = NullTransport()
    shop = Shop(
        config,
        make_backend(config),
        lambda: transport,
        TemplateRenderer(config.shop.language),
        config.state_dir,
    )
    try:
        done = archive_batches(shop, now.replace(tzinfo=config.shop.zone))
    except OpenOrderError as error:
        return {"now": now.isoformat(), "archived": False, "why": str(error)}
    return {"now": now.isoformat(), "archived": True, "batches": [r.batch for r in done]}


def months(syncs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_month: dict[int, list[dict[str, Any]]] = {}
    for result in syncs:
        month = (dt.datetime.fromisoformat(result["now"]) - START).days // 30 + 1
        by_month.setdefault(month, []).append(result)
    summary = []
    for month, results in sorted(by_month.items()):
        cpu = sorted(r["cpu_s"] for r in results)
        summary.append(
            {
                "month": month,
                "syncs": len(results),
                "cells_max": max(r["cells"] for r in results),
                "cpu_median_s": cpu[len(cpu) // 2],
                "cpu_max_s": cpu[-1],
                "read_mb_mean": sum(r["bytes_received"] for r in results) / len(results) / 1e6,
                "written_mb_mean": sum(r["bytes_sent"] for r in results) / len(results) / 1e6,
                "peak_rss_mb": max(r["peak_rss_mb"] for r in results),
            }
        )
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.year", description=__doc__)
    parser.add_argument("--batches", type=int, default=24)
    parser.add_argument("--orders", type=int, default=2000, help="orders per batch")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--out", type=Path, default=RESULTS / "year.json")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="openorder-year-")) / "shop"
    started = time.perf_counter()
    config = make_shop(folder, args.batches, args.orders, args.seed)
    seller = Seller(config, args.seed)
    syncs: list[dict[str, Any]] = []
    archives: list[dict[str, Any]] = []
    pending: list[Moment] = []
    try:
        for moment in timeline(args.batches, args.orders, args.seed):
            if moment.kind in ("sync", "archive"):
                if pending:
                    seller.apply(pending)
                    pending = []
                if moment.kind == "sync":
                    syncs.append(sync(folder, moment.when))
                    sys.stderr.write(
                        f"{moment.when:%Y-%m-%d %H:%M} cpu {syncs[-1]['cpu_s']:6.2f} s "
                        f"{syncs[-1]['cells']:>9,} cells {syncs[-1]['tabs_written']}\n"
                    )
                else:
                    archives.append(archive(config, moment.when))
            else:
                pending.append(moment)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    results = {
        "batches": args.batches,
        "orders_per_batch": args.orders,
        "elapsed_s": round(time.perf_counter() - started, 1),
        "months": months(syncs),
        "archives": archives,
        "syncs": syncs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    with args.out.with_suffix(".csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(results["months"][0]))
        writer.writeheader()
        writer.writerows(results["months"])
    sys.stdout.write(json.dumps(results["months"], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
