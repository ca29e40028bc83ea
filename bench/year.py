"""``python -m bench.year``: a year of a busy shop, on the local workbook and on Google Sheets.

The scenario of issue 12: 24 batches a fortnight apart (2,000 orders each is the full run;
``--orders-per-batch`` sets the size), each walked through its life with the product's own code
— the batch opens, answers arrive (most in its first hours), buyers pay (the seller ticks
`Paid`) or let their orders expire, the seller sets the batch's Stage to "In production", one
batch is delayed (its Ships on date moves three days later), "Ready", "Shipped", and two weeks
after shipping ``archive_batches`` moves it to a second backend (an archive workbook; on Google a
second spreadsheet on the same local Sheets server). Syncs run every simulated hour around the
busy moments (the first six hours after a batch opens, the two hours before and one after it
closes) and once a day at 10:00 otherwise.

Each backend runs in its own process (the two run side by side on the 2 cores); the shop is a
``ShopBuilder`` shop, each sync is ``run_sync`` in that process with a mail transport that counts
(keeping a year of messages would grow the heap every sync walks through; cron starts each sync
afresh), and everything the seller and her buyers do between syncs (answers pasted, `Paid`
ticked, stages) is set-up, not measured. On Google the local Sheets server runs in a process of
its own, as Google answers from another machine (its year of cells is not in the syncs' heap).
Per sync: CPU (``time.thread_time`` around ``run_sync``: the syncing thread only; ``process_time``
is kept too), of it the garbage collector's (``gc.callbacks``), wall, bytes read
and written (Google: request and response bodies as the server counted them; workbook: the file
loaded and saved, as ``bench.worker`` counts them), cells (Google: the sum of every tab's grid,
rows × columns, from the server's metadata; workbook: rows × columns in use of every tab, read by
python-calamine). Peak RSS is the process's ``ru_maxrss`` at the end of each month (it includes
the set-up). Writes ``bench/results/year.json``, ``year.md`` and
``year.png`` (matplotlib, an optional bench-only dependency: without it the PNG is skipped).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import os
import pickle
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from python_calamine import CalamineWorkbook

from bench.common import ROOT
from openorder_sheets.adapters.google_bodies import api_value, quote_tab
from openorder_sheets.adapters.local_journal import JOURNAL_NAME
from openorder_sheets.core.cells import text
from openorder_sheets.core.columns import column_letter

RESULTS = ROOT / "bench" / "results"
FORTNIGHT = dt.timedelta(days=14)
START = dt.datetime(2027, 1, 4, 9, 0)  # a Monday morning, shop-local time
DAYS = 365
PAID_SHARE = 0.85  # of confirmed orders; the rest expire unpaid
#: Of the answers, those asking to hear about the next batches. With 0 nobody hears of a new
#: batch: the year's mailing list does not grow, and what is left to grow is what the year
#: accumulated (``--opt-in-share 0``).
OPT_IN_SHARE = 0.3
DELAYED_BATCH = 5  # this one's ship date moves three days later while in production
CEILING = 10_000_000  # Google's cells per spreadsheet
RULES = {"payment_due_hours": 48, "review_after_days": 0}
PRODUCTS = [
    ("NASTAR", "Nastar", 85000),
    ("KASTENGEL", "Kastengel", 95000),
    ("PUTRI", "Putri Salju", 75000),
    ("LIDAH", "Lidah Kucing", 70000),
]


@dataclass
class Batch:
    index: int
    name: str
    opens: dt.datetime
    closes: dt.datetime
    ships: dt.date

    @property
    def shipped_at(self) -> dt.datetime:
        return dt.datetime.combine(self.ships, dt.time(8))


def batches_of(count: int) -> list[Batch]:
    result = []
    for index in range(count):
        opens = START + index * FORTNIGHT
        closes = opens + dt.timedelta(days=5, hours=12)
        ships = (closes + dt.timedelta(days=7)).date()
        result.append(Batch(index, f"PO {index + 1:02d}", opens, closes, ships))
    return result


def answers_of(
    batch: Batch, orders: int, rng: random.Random, opt_in_share: float = OPT_IN_SHARE
) -> list[list[Any]]:
    """The batch's form answers: 60 % in its first six hours, the rest until it closes;
    ``opt_in_share`` of them ask to hear about the next batches."""
    rows = []
    window = (batch.closes - batch.opens).total_seconds()
    for n in range(orders):
        if rng.random() < 0.6:
            offset = rng.uniform(60, 6 * 3600 - 60)
        else:
            offset = rng.uniform(6 * 3600, window - 60)
        stamp = (batch.opens + dt.timedelta(seconds=int(offset))).replace(microsecond=0)
        buyer = rng.randrange(orders * 3)  # buyers come back across batches
        quantities = [rng.choice([None, None, 1, 1, 2, 3]) for _ in PRODUCTS]
        if not any(quantities):
            quantities[rng.randrange(len(PRODUCTS))] = 1
        opt_in = "Yes" if rng.random() < opt_in_share else ""
        rows.append(
            [stamp, f"buyer{buyer}@example.com", f"Buyer {buyer}", "081234567890",
             f"Jl. Melati {n % 200 + 1}", "Courier", "", opt_in, *quantities]
        )  # fmt: skip
    return sorted(rows, key=lambda row: row[0])


def sync_times(batches: list[Batch]) -> list[dt.datetime]:
    """Daily at 10:00, hourly around each batch's opening and closing."""
    times = {
        dt.datetime.combine((START + dt.timedelta(days=d)).date(), dt.time(10)) for d in range(DAYS)
    }
    for batch in batches:
        times |= {batch.opens + dt.timedelta(hours=h) for h in range(1, 7)}
        times |= {batch.closes + dt.timedelta(hours=h) for h in (-2, -1, 1)}
    end = START + dt.timedelta(days=DAYS)
    return sorted(t for t in times if t < end)


class Seller:
    """The seller's and buyers' edits between syncs, on one built shop (set-up, not measured)."""

    def __init__(self, built: Any, backend: str) -> None:
        self.built, self.backend = built, backend
        self.book: Any = None  # the workbook, open in "her spreadsheet program" until saved

    def _book(self) -> Any:
        from openpyxl import load_workbook

        if self.book is None:
            self.book = load_workbook(self.built.backend.path)
        return self.book

    def save(self) -> None:
        """Everything done since the last sync, saved once (as a seller saves before cron)."""
        if self.book is not None:
            self.book.save(self.built.backend.path)
            self.book = None

    def append_answers(self, rows: list[list[Any]]) -> None:
        name = self.built.config.tab("responses")
        if self.backend == "workbook":
            book = self._book()
            for row in rows:
                book[name].append(row)
            return
        have = len(self.built.grid("responses"))
        self.built.sheets_server.grow(self.built.backend.key, name, have + len(rows) + 1)
        width = len(rows[0])
        end = f"{column_letter(width - 1)}{have + len(rows)}"
        values = [[api_value(v) if v is not None else "" for v in row] for row in rows]
        self.built.sheets_server.set_values(
            self.built.backend.key, f"{quote_tab(name)}!A{have + 1}:{end}", values
        )

    def edit(self, key: str, cells: list[tuple[int, str, Any]]) -> None:
        """Set cells (0-based grid row, header, value) of one tab in one save."""
        if not cells:
            return
        if self.backend == "google":
            name = self.built.config.tab(key)
            headers = [text(c) for c in self.built.grid(key)[0]]
            for row, header, value in cells:
                cell = f"{quote_tab(name)}!{column_letter(headers.index(header))}{row + 1}"
                self.built.sheets_server.set_values(
                    self.built.backend.key, cell, [[api_value(value)]]
                )
            return
        book = self._book()
        sheet = book[self.built.config.tab(key)]
        headers = [text(c.value) for c in sheet[1]]
        for row, header, value in cells:
            sheet.cell(row=row + 1, column=headers.index(header) + 1, value=value)

    def pay(self, rng: random.Random, decided: dict[str, bool]) -> int:
        """Tick `Paid` on confirmed orders whose buyer pays (decided once per order)."""
        grid = self.built.grid("orders")
        if len(grid) < 2:
            return 0
        header = [text(c) for c in grid[0]]
        status, paid = header.index("Status"), header.index("Paid")
        cells = []
        for row_index, row in enumerate(grid[1:], start=1):
            row = list(row) + [None] * (len(header) - len(row))
            number = text(row[0])
            if text(row[status]) != "Confirmed" or row[paid] in (True, "TRUE"):
                continue
            if number not in decided:
                decided[number] = rng.random() < PAID_SHARE
            if decided[number]:
                cells.append((row_index, "Paid", True))
        self.edit("orders", cells)
        return len(cells)

    def batch_row(self, name: str) -> int:
        grid = self.built.grid("batches")
        return [text(r[0]) if r else "" for r in grid].index(name)


def cells_by_tab(built: Any, backend: str) -> dict[str, int]:
    """Each tab's cells: its grid on Google (what counts against the ceiling), its used range
    in the workbook."""
    if backend == "google":
        meta = built.sheets_server.spreadsheet(built.backend.key)
        return {
            s["properties"]["title"]: int(s["properties"]["gridProperties"]["rowCount"])
            * int(s["properties"]["gridProperties"]["columnCount"])
            for s in meta["sheets"]
        }
    book = CalamineWorkbook.from_path(str(built.backend.path))
    sheets = {name: book.get_sheet_by_name(name) for name in book.sheet_names}
    return {name: sheet.height * sheet.width for name, sheet in sheets.items()}


def cells_used(built: Any, backend: str) -> int:
    return sum(cells_by_tab(built, backend).values())


def rss_now_mb() -> float:
    """The resident set now, after a full collection: what a long-running `openorder watch`
    keeps between syncs (the peak is a high-water mark and never comes down)."""
    gc.collect()
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


class RemoteSheets:
    """The local Sheets API server in a child process, driven over HTTP: Google keeps its
    spreadsheets on another machine, so they must not sit in the heap of the syncs measured
    (a year of answers there makes every garbage collection of the syncing process longer)."""

    GOOGLE = "https://sheets.googleapis.com/v4/spreadsheets"

    def __init__(self) -> None:
        from openorder_sheets.testing.sheets_server import local_session

        self.process = subprocess.Popen(
            [sys.executable, "-m", "openorder_sheets.testing.sheets_server", "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if "listening on" not in first:
            self.stop()
            raise RuntimeError("the local Sheets API server did not start")
        self.base_url = first.rsplit(" ", 1)[-1].strip()
        self.session = local_session(self.base_url)

    def _call(self, method: str, url: str, **kwargs: Any) -> Any:
        answer = self.session.request(method, url, timeout=300, **kwargs)
        answer.raise_for_status()
        return answer.json() if answer.content else None

    def create_spreadsheet(self, title: str, *, time_zone: str = "Etc/GMT") -> str:
        body = {"properties": {"title": title, "timeZone": time_zone}}
        return str(self._call("POST", self.GOOGLE, json=body)["spreadsheetId"])

    def set_values(self, key: str, range_text: str, rows: list[list[Any]]) -> None:
        self._call(
            "PUT",
            f"{self.GOOGLE}/{key}/values/{quote(range_text, safe='')}",
            params={"valueInputOption": "USER_ENTERED"},
            json={"values": rows},
        )

    def spreadsheet(self, key: str) -> dict[str, Any]:
        return dict(self._call("GET", f"{self.GOOGLE}/{key}"))

    def grow(self, key: str, tab: str, rows: int) -> None:
        """Give a tab at least ``rows`` rows, as the browser does on a big paste."""
        for sheet in self.spreadsheet(key)["sheets"]:
            props = sheet["properties"]
            have = int(props["gridProperties"]["rowCount"])
            if props["title"] == tab and have < rows:
                grow = {"sheetId": props["sheetId"], "dimension": "ROWS", "length": rows - have}
                self._call(
                    "POST", f"{self.GOOGLE}/{key}:batchUpdate",
                    json={"requests": [{"appendDimension": grow}]},
                )  # fmt: skip

    def reset_stats(self) -> None:
        self._call("POST", f"{self.base_url}/_control/stats/reset", json={})

    def stats(self) -> dict[str, Any]:
        return dict(self._call("GET", f"{self.base_url}/_control/stats"))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


class GcClock:
    """Seconds the garbage collector ran in the syncing thread (``gc.callbacks``): a heap the
    bench itself grows makes every collection longer, which is not the product's cost."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.seconds = 0.0
        self._began = 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, _info: dict[str, Any]) -> None:
        if threading.get_ident() != self.thread:
            return
        if phase == "start":
            self._began = time.thread_time()
        else:
            self.seconds += time.thread_time() - self._began

    def close(self) -> None:
        gc.callbacks.remove(self._tick)


class CountingTransport:
    """Mail that is counted, not kept: a recording transport holding a year of messages (tens
    of thousands, with their pictures) would grow the heap every sync walks through."""

    def __init__(self) -> None:
        self.count = 0

    def open(self) -> None:
        pass

    def send(self, message: Any) -> Any:
        from openorder_sheets.ports import DeliveryOutcome, DeliveryResult

        del message  # built and handed over: that is what a sync costs
        self.count += 1
        return DeliveryResult(DeliveryOutcome.SENT)

    def close(self) -> None:
        pass


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_backend(
    backend: str,
    batch_count: int,
    orders: int,
    seed: int,
    profile: Path | None = None,
    opt_in_share: float = OPT_IN_SHARE,
    daily_limit: int | None = None,
    checkpoint: Path | None = None,
) -> dict[str, Any]:
    """The whole year on one backend, in this process.

    ``profile``: a folder for one cProfile file per month of syncs (``{backend}-month-NN.prof``,
    the syncing thread only), to see what grows; the CPU figures of such a run are inflated.

    ``checkpoint`` (the local workbook only): a folder where the run keeps, after each month,
    the shop's files and where the year stands; a run given a folder that holds one goes on
    from there (the full-size year takes longer than a working session here). The process's
    peak RSS starts again at a resumed month.
    """
    from gspread.http_client import HTTPClient

    from openorder_sheets.adapters.gsheet import GoogleSheetBackend
    from openorder_sheets.adapters.workbook import WorkbookBackend
    from openorder_sheets.service.archive import archive_batches
    from openorder_sheets.service.sync import run_sync
    from openorder_sheets.testing.sheets_server import local_session
    from openorder_sheets.testing.shops import ShopBuilder

    started = time.perf_counter()
    rng = random.Random(seed)
    saved = _resumed(checkpoint) if checkpoint is not None and backend == "workbook" else None
    if saved is not None and checkpoint is not None:
        folder = Path(saved["folder"])
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(checkpoint / "shop", folder)
    else:
        folder = Path(tempfile.mkdtemp(prefix=f"openorder-year-{backend}-"))
    server = RemoteSheets() if backend == "google" else None
    builder = ShopBuilder(folder, backend=backend, sheets_server=server, rules=dict(RULES))
    if daily_limit is not None:
        builder.email = {"daily_limit": daily_limit}
    for sku, name, price in PRODUCTS:
        builder.product(sku, name, price)
    batches = batches_of(batch_count)
    for batch in batches:
        builder.batch(batch.name, batch.opens, batch.closes, ships_on=batch.ships)
    built = builder.build() if saved is None else _reopened(builder)
    mail = CountingTransport()
    built.shop.make_transport = lambda: mail
    if server is not None:
        key = server.create_spreadsheet("Test Bakery — archive")
        http = HTTPClient(auth=None, session=local_session(server.base_url))  # type: ignore[arg-type]
        archive: Any = GoogleSheetBackend(http, key)
    else:
        from openpyxl import Workbook

        if saved is None:
            Workbook().save(folder / "shop-archive.xlsx")  # an empty workbook beside the shop's
        archive = WorkbookBackend(folder / "shop-archive.xlsx")
    seller = Seller(built, backend)
    zone = built.config.shop.zone
    pending = sorted(
        (row for batch in batches for row in answers_of(batch, orders, rng, opt_in_share)),
        key=lambda r: r[0],
    )
    decided: dict[str, bool] = {}
    stages: list[tuple[dt.datetime, Batch, str]] = []
    for batch in batches:
        stages.append((batch.closes + dt.timedelta(days=1), batch, "In production"))
        stages.append((batch.shipped_at - dt.timedelta(days=1), batch, "Ready"))
        stages.append((batch.shipped_at, batch, "Shipped"))
    delayed = batches[DELAYED_BATCH] if batch_count > DELAYED_BATCH else None
    if delayed is not None:
        delayed.ships += dt.timedelta(days=3)
        stages = [(w + dt.timedelta(days=3) if b is delayed and s != "In production" else w, b, s)
                  for w, b, s in stages]  # fmt: skip
    stages.sort(key=lambda s: s[0])
    archive_at = {b.name: b.shipped_at + dt.timedelta(days=14, hours=2) for b in batches}
    syncs: list[dict[str, Any]] = []
    archives: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    month_rss: dict[int, float] = {}
    month_end: dict[int, dict[str, Any]] = {}  # at each month's last sync
    profilers: dict[int, cProfile.Profile] = {}
    delay_done = False
    gc_clock = GcClock()
    times = sync_times(batches)
    first = 0
    if saved is not None:  # where the checkpoint left the year (the set-up above is the same)
        rng.setstate(saved["rng"])
        pending, decided, stages = saved["pending"], saved["decided"], saved["stages"]
        archive_at, delay_done = saved["archive_at"], saved["delay_done"]
        syncs, archives, events = saved["syncs"], saved["archives"], saved["events"]
        month_rss, month_end = saved["month_rss"], saved["month_end"]
        mail.count, first = saved["mail"], saved["next"]
        started -= saved["elapsed_s"]
    for index, now in enumerate(times):
        if index < first:
            continue
        # What happened since the last sync (set-up, not measured).
        arrived = []
        while pending and pending[0][0] <= now:
            arrived.append(pending.pop(0))
        if arrived:
            seller.append_answers(arrived)
        if now.hour == 10:  # the seller checks her bank once a day
            ticked = seller.pay(rng, decided)
            if ticked:
                events.append({"now": now.isoformat(), "paid": ticked})
        while stages and stages[0][0] <= now:
            _, batch, stage = stages.pop(0)
            seller.edit("batches", [(seller.batch_row(batch.name), "Stage", stage)])
            events.append({"now": now.isoformat(), "batch": batch.name, "stage": stage})
        if delayed is not None and not delay_done and now >= delayed.closes + dt.timedelta(days=2):
            seller.edit("batches", [(seller.batch_row(delayed.name), "Ships on", delayed.ships)])
            events.append(
                {"now": now.isoformat(), "batch": delayed.name, "delay_to": str(delayed.ships)}
            )
            delay_done = True
        seller.save()
        # The measured sync.
        size_before = built.backend.path.stat().st_size if backend == "workbook" else 0
        if server is not None:
            server.reset_stats()
        counter = getattr(built.backend, "requests", None)
        seen = dict(counter.counts) if counter is not None else {}
        month = min((now - START).days // 30 + 1, 12)  # the year's last 5 days join month 12
        profiler = profilers.setdefault(month, cProfile.Profile()) if profile else None
        collecting = gc_clock.seconds
        wall, cpu, thread = time.perf_counter(), time.process_time(), time.thread_time()
        if profiler is not None:
            profiler.enable()
        report = run_sync(built.shop, now.replace(tzinfo=zone))
        if profiler is not None:
            profiler.disable()
        thread = time.thread_time() - thread
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if server is not None:
            stats = server.stats()
            read, written = stats["bytes_sent"], stats["bytes_received"]
        else:
            size_after = built.backend.path.stat().st_size
            # The backend counts its loads and saves over its life: this sync's are the change.
            counts = dict(report.requests)
            loads = counts.get("read", 0) - seen.get("read", 0)
            saves = counts.get("write", 0) - seen.get("write", 0)
            read, written = size_before * loads, size_after * saves
        syncs.append(
            {
                "now": now.isoformat(),
                "month": month,
                "cpu_s": round(thread, 4),
                "process_cpu_s": round(cpu, 4),
                "gc_s": round(gc_clock.seconds - collecting, 4),
                "wall_s": round(wall, 4),
                "read_bytes": read,
                "written_bytes": written,
                "cells": cells_used(built, backend),
                "orders_live": sum(report.by_status.values()),
                "emails_new": len(report.emails_new),
                "tabs_written": report.tabs_written,
                "journal_bytes": _size(built.shop.state_dir / JOURNAL_NAME),
            }
        )
        month_rss[month] = peak_rss_mb()
        following = times[index + 1] if index + 1 < len(times) else None
        month_over = following is None or min((following - START).days // 30 + 1, 12) != month
        if month_over:
            month_end[month] = {
                "cells_by_tab": cells_by_tab(built, backend),
                "rss_after_gc_mb": rss_now_mb(),
            }
        # Archive what shipped two weeks ago (not measured as a sync; its time is recorded).
        due = [name for name, when in archive_at.items() if when <= now]
        if due:
            for name in due:
                del archive_at[name]
            spent = time.perf_counter()
            try:
                done = archive_batches(built.shop, now.replace(tzinfo=zone), due, archive=archive)
                archives.append(
                    {
                        "now": now.isoformat(),
                        "due": due,
                        "archived": [r.batch for r in done if not r.not_finished],
                        "not_finished": {r.batch: r.not_finished for r in done if r.not_finished},
                        "orders": sum(r.orders for r in done),
                        "emails": sum(r.emails for r in done),
                        "wall_s": round(time.perf_counter() - spent, 2),
                    }
                )
            except Exception as error:  # recorded, the year goes on
                archives.append({"now": now.isoformat(), "due": due, "error": repr(error)})
        if checkpoint is not None and backend == "workbook" and month_over:
            _save(checkpoint, folder, {
                "folder": str(folder), "next": index + 1, "rng": rng.getstate(),
                "pending": pending, "decided": decided, "stages": stages,
                "archive_at": archive_at, "delay_done": delay_done, "syncs": syncs,
                "archives": archives, "events": events, "month_rss": month_rss,
                "month_end": month_end, "mail": mail.count,
                "elapsed_s": time.perf_counter() - started,
            })  # fmt: skip
        if len(syncs) % 25 == 0:
            last = syncs[-1]
            sys.stderr.write(
                f"[{backend}] {now:%Y-%m-%d %H:%M} month {month} cpu {last['cpu_s']:.3f} s "
                f"cells {last['cells']:,} live orders {last['orders_live']} "
                f"({time.perf_counter() - started:.0f} s, syncs "
                f"{sum(s['wall_s'] for s in syncs):.0f} s)\n"
            )
    gc_clock.close()
    if server is not None:
        server.stop()
    if profile is not None:
        profile.mkdir(parents=True, exist_ok=True)
        for month, profiler in profilers.items():
            profiler.dump_stats(str(profile / f"{backend}-month-{month:02d}.prof"))
    return {
        "backend": backend,
        "elapsed_s": round(time.perf_counter() - started, 1),
        "syncs": syncs,
        "archives": archives,
        "events": events,
        "month_peak_rss_mb": month_rss,
        "month_end": month_end,
        "emails_sent_total": mail.count,
    }


def _save(checkpoint: Path, folder: Path, state: dict[str, Any]) -> None:
    """The shop's files and where the year stands, replacing the last checkpoint whole (a kill
    while saving leaves the one before, as ``.old``)."""
    fresh = checkpoint.with_name(checkpoint.name + ".new")
    old = checkpoint.with_name(checkpoint.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(folder, fresh / "shop")
    (fresh / "state.pickle").write_bytes(pickle.dumps(state))
    shutil.rmtree(old, ignore_errors=True)
    if checkpoint.exists():
        checkpoint.rename(old)
    fresh.rename(checkpoint)
    shutil.rmtree(old, ignore_errors=True)


def _resumed(checkpoint: Path) -> dict[str, Any] | None:
    """The state a checkpoint folder holds (from the bench's own run), or ``None``."""
    old = checkpoint.with_name(checkpoint.name + ".old")
    if not (checkpoint / "state.pickle").exists() and (old / "state.pickle").exists():
        old.rename(checkpoint)  # killed between the two renames of a save
    path = checkpoint / "state.pickle"
    if not path.exists():
        return None
    state: dict[str, Any] = pickle.loads(path.read_bytes())  # the bench's own file
    sys.stderr.write(f"resuming the year at sync {state['next']} from {checkpoint}\n")
    return state


def _reopened(builder: Any) -> Any:
    """The built shop over the files a checkpoint brought back (nothing is created)."""
    from openorder_sheets.adapters.templates import TemplateRenderer
    from openorder_sheets.adapters.workbook import WorkbookBackend
    from openorder_sheets.service.composition import Shop
    from openorder_sheets.testing.fakes import RecordingTransport
    from openorder_sheets.testing.shops import BuiltShop

    config = builder.config()
    path = config.sheet.workbook or builder.folder / "shop.xlsx"
    backend = WorkbookBackend(path, state_dir=config.state_dir)
    transport = RecordingTransport()
    renderer = TemplateRenderer(config.shop.language)
    shop = Shop(config, backend, lambda: transport, renderer, config.state_dir)
    return BuiltShop(shop, transport, config, None)


def months(part: dict[str, Any]) -> list[dict[str, Any]]:
    by_month: dict[int, list[dict[str, Any]]] = {}
    for result in part["syncs"]:
        by_month.setdefault(result["month"], []).append(result)
    summary = []
    for month, results in sorted(by_month.items()):
        cpu = sorted(r["cpu_s"] for r in results)
        n = len(results)
        summary.append(
            {
                "month": month,
                "syncs": n,
                "cells_max": max(r["cells"] for r in results),
                "orders_live_max": max(r["orders_live"] for r in results),
                "cpu_mean_s": round(sum(cpu) / n, 4),
                "cpu_median_s": cpu[n // 2],
                "cpu_max_s": cpu[-1],
                "gc_mean_s": round(sum(r.get("gc_s", 0.0) for r in results) / n, 4),
                "read_kb_mean": round(sum(r["read_bytes"] for r in results) / n / 1e3, 1),
                "written_kb_mean": round(sum(r["written_bytes"] for r in results) / n / 1e3, 1),
                "peak_rss_mb": part["month_peak_rss_mb"].get(month)
                or part["month_peak_rss_mb"].get(str(month)),
                **_month_end(part, month),
            }
        )
    return summary


def _month_end(part: dict[str, Any], month: int) -> dict[str, Any]:
    ends = part.get("month_end") or {}
    end = ends.get(month) or ends.get(str(month))
    if not end:
        return {}
    return {"cells_by_tab": end["cells_by_tab"], "rss_after_gc_mb": end["rss_after_gc_mb"]}


def targets(
    summary: list[dict[str, Any]], syncs: list[dict[str, Any]] | None = None, batches: int = 0
) -> dict[str, Any]:
    first, last = summary[0], summary[-1]
    cells = max(m["cells_max"] for m in summary)
    ratio = last["cpu_mean_s"] / first["cpu_mean_s"] if first["cpu_mean_s"] else None
    read_ratio = last["read_kb_mean"] / first["read_kb_mean"] if first["read_kb_mean"] else None
    found = {
        "cells_max": cells,
        "cells_max_share": round(cells / CEILING, 4),
        "cells_under_half": cells < CEILING / 2,
        "cpu_month12_over_month1": round(ratio, 3) if ratio else None,
        "read_month12_over_month1": round(read_ratio, 3) if read_ratio else None,
        "month12_within_20pct": ratio is not None and ratio <= 1.2,
        "first_month": first["month"],
        "last_month": last["month"],
    }
    if syncs:
        found.update(like_for_like(syncs, batches))
    return found


def like_for_like(syncs: list[dict[str, Any]], batches: int) -> dict[str, Any]:
    """The second fortnight against the last full one: the same syncs at the same moments of a
    batch's life (a batch opens, fills, closes, is made, ships; the one before is archived).

    Months are not alike: month 12 has no batch opening, so its syncs are quieter than month
    1's whatever the year left behind. From the second fortnight on, every fortnight repeats
    the same schedule, so comparing two of them isolates what the year accumulated.
    """
    by: dict[int, list[dict[str, Any]]] = {}
    for result in syncs:
        day = (dt.datetime.fromisoformat(result["now"]) - START).days
        by.setdefault(day // 14, []).append(result)
    full = [f for f in by if 1 <= f < batches and (f + 1) * 14 <= DAYS]  # a batch opens in f
    if len(full) < 2:
        return {}
    a, b = by[min(full)], by[max(full)]
    cpu_a, cpu_b = (sum(r["cpu_s"] for r in x) / len(x) for x in (a, b))
    read_a, read_b = (sum(r["read_bytes"] for r in x) / len(x) for x in (a, b))
    mail_a, mail_b = (sum(r["emails_new"] for r in x) for x in (a, b))
    cpu = cpu_b / cpu_a if cpu_a else None
    return {
        "fortnights": [min(full) + 1, max(full) + 1],
        "fortnight_cpu_ms": [round(cpu_a * 1000), round(cpu_b * 1000)],
        "fortnight_read_kb": [round(read_a / 1e3), round(read_b / 1e3)],
        "fortnight_cpu_ratio": round(cpu, 3) if cpu else None,
        "fortnight_read_ratio": round(read_b / read_a, 3) if read_a else None,
        "fortnight_emails": [mail_a, mail_b],
        "fortnight_within_20pct": cpu is not None and cpu <= 1.2,
    }


NAMES = {"workbook": "local workbook", "google": "Sheets API (local)"}


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"# A year of a busy shop: {results['batches']} batches × "
        f"{results['orders_per_batch']:,} orders"
        + (
            f", {results['opt_in_share']:.0%} of answers opting in to news"
            if results.get("opt_in_share", OPT_IN_SHARE) != OPT_IN_SHARE
            else ""
        ),
        "",
        f"`{results['command']}` — commit {results['commit']}, wall {results['wall_s']:.0f} s. "
        "Mean per sync in the month; cells = the most in the month.",
        "",
    ]
    for backend, data in results["backends"].items():
        lines += [
            f"## {NAMES[backend]} ({len(data['syncs'])} syncs, {data['elapsed_s']:.0f} s"
            + (f", commit {data['commit']})" if data.get("commit") else ")"),
            "",
            "| month | syncs | live orders (max) | cells (max) | % of 10 M | read / sync | "
            "written / sync | CPU / sync (mean) | CPU (median) | CPU (max) | of it GC | "
            "peak RSS | RSS after GC, month end |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for m in data["months"]:
            after = m.get("rss_after_gc_mb")
            lines.append(
                f"| {m['month']} | {m['syncs']} | {m['orders_live_max']:,} | {m['cells_max']:,} | "
                f"{m['cells_max'] / CEILING:.1%} | {m['read_kb_mean']:,.0f} kB | "
                f"{m['written_kb_mean']:,.0f} kB | {m['cpu_mean_s'] * 1000:,.0f} ms | "
                f"{m['cpu_median_s'] * 1000:,.0f} ms | {m['cpu_max_s'] * 1000:,.0f} ms | "
                f"{m.get('gc_mean_s', 0.0) * 1000:,.0f} ms | {m['peak_rss_mb']:,.0f} MB | "
                + (f"{after:,.0f} MB |" if after is not None else "– |")
            )
        lines += _tabs_table(data["months"])
        t = data["targets"]
        archived = sum(len(a.get("archived", [])) for a in data["archives"])
        errors = [a for a in data["archives"] if "error" in a or a.get("not_finished")]
        lines += [
            "",
            f"Targets: cells at most {t['cells_max']:,} ({t['cells_max_share']:.1%} of 10 M): "
            f"**{'held' if t['cells_under_half'] else 'not held'}**; CPU per sync month "
            f"{t['last_month']} / month {t['first_month']} = {t['cpu_month12_over_month1']}× "
            f"(bytes read {t['read_month12_over_month1']}×): "
            f"**{'held' if t['month12_within_20pct'] else 'not held'}**. "
            f"Batches archived: {archived}; archive runs with errors or unfinished batches: "
            f"{len(errors)}.",
            "",
        ]
        if t.get("fortnights"):
            f1, f2 = t["fortnights"]
            (c1, c2), (r1, r2) = t["fortnight_cpu_ms"], t["fortnight_read_kb"]
            lines += [
                f"Like for like (month 12 has no batch opening, so it is quieter than month 1): "
                f"fortnight {f2} against fortnight {f1}, the same syncs at the same moments of a "
                f"batch's life — CPU per sync {c1:,} → {c2:,} ms ({t['fortnight_cpu_ratio']}×), "
                f"read per sync {r1:,} → {r2:,} kB ({t['fortnight_read_ratio']}×): "
                f"**{'held' if t['fortnight_within_20pct'] else 'not held'}**"
                + (
                    " (messages queued in the fortnight: {:,} → {:,}).".format(
                        *t["fortnight_emails"]
                    )
                    if t.get("fortnight_emails")
                    else "."
                ),
                "",
            ]
    return "\n".join(lines) + "\n"


def _tabs_table(summary: list[dict[str, Any]]) -> list[str]:
    """Cells per tab at the end of the first, middle and last months (what grows, and where)."""
    ends = [m for m in summary if m.get("cells_by_tab")]
    if not ends:
        return []
    picked = [ends[0], ends[len(ends) // 2], ends[-1]] if len(ends) > 2 else ends
    tabs = sorted(
        {tab for m in picked for tab in m["cells_by_tab"]},
        key=lambda tab: -picked[-1]["cells_by_tab"].get(tab, 0),
    )
    lines = [
        "",
        "Cells per tab at the end of the month:",
        "",
        "| tab | " + " | ".join(f"month {m['month']}" for m in picked) + " |",
        "|---|" + "---:|" * len(picked),
    ]
    for tab in tabs:
        counts = [m["cells_by_tab"].get(tab) for m in picked]
        lines.append(
            f"| {tab} | " + " | ".join(f"{c:,}" if c is not None else "–" for c in counts) + " |"
        )
    return lines


def chart(results: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.stderr.write("matplotlib is not installed: no PNG (pip install matplotlib)\n")
        return False
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for backend, data in results["backends"].items():
        ms = [m["month"] for m in data["months"]]
        left.plot(
            ms, [m["cells_max"] / 1e6 for m in data["months"]], marker="o", label=NAMES[backend]
        )
        right.plot(
            ms, [m["cpu_mean_s"] * 1000 for m in data["months"]], marker="o", label=NAMES[backend]
        )
    left.axhline(CEILING / 2 / 1e6, color="red", linestyle="--", label="target: 50 % of 10 M")
    left.set(title="Cells used in the live spreadsheet (max in month)", xlabel="month",
             ylabel="million cells")  # fmt: skip
    left.set_yscale("log")
    from matplotlib.ticker import FuncFormatter, LogLocator

    plain = FuncFormatter(lambda value, _: f"{value:g}")  # 0.5, 1, 5: not 5×10⁻¹
    left.yaxis.set_major_formatter(plain)
    left.yaxis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0)))
    left.yaxis.set_minor_formatter(plain)
    right.set(title="CPU per sync (mean in month)", xlabel="month", ylabel="ms")
    right.set_ylim(bottom=0)
    for axis in (left, right):
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    figure.suptitle(
        f"A year of a busy shop: {results['batches']} batches × {results['orders_per_batch']:,} "
        "orders, a fortnight apart"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.year", description=__doc__)
    parser.add_argument("--batches", type=int, default=24)
    parser.add_argument(
        "--orders-per-batch", type=int, default=2000, help="orders per batch (2000: the full run)"
    )
    parser.add_argument("--backends", default="workbook,google")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument(
        "--opt-in-share",
        type=float,
        default=OPT_IN_SHARE,
        help="of the answers, those asking to hear about new batches (0: the mailing list "
        "does not grow, so what grows is what the year accumulated)",
    )
    parser.add_argument(
        "--daily-limit",
        type=int,
        help="the shop's [email] daily_limit (default: the product's, 450 a day, which cannot "
        "tell 2,000 buyers of a batch in time: the full-size run needs about 20000)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "year.json")
    parser.add_argument(
        "--profile", type=Path, help="a folder for one cProfile file per backend and month"
    )
    parser.add_argument(
        "--checkpoint",
        type=Path,
        help="the local workbook's year: a folder to keep where the year stands after each "
        "month, and to go on from when it already holds one",
    )
    parser.add_argument("--part", type=Path, help=argparse.SUPPRESS)  # one backend, in a child
    parser.add_argument(  # BACKEND=PATH: that backend's year, already run (same size and seed)
        "--reuse", action="append", default=[], help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    backends = args.backends.split(",")
    if args.part is not None:
        (backend,) = backends
        part = run_backend(
            backend,
            args.batches,
            args.orders_per_batch,
            args.seed,
            args.profile,
            args.opt_in_share,
            args.daily_limit,
            args.checkpoint,
        )
        args.part.write_text(json.dumps(part, default=str), encoding="utf-8")
        return 0
    started = time.perf_counter()
    commit = subprocess.run(  # the code that runs (others may commit while it does)
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    workdir = Path(tempfile.mkdtemp(prefix="openorder-year-"))
    children = []
    reused = dict(item.split("=", 1) for item in args.reuse)
    for backend in backends:  # side by side, one process each
        if backend in reused:
            continue
        part = workdir / f"{backend}.json"
        command = [sys.executable, "-m", "bench.year", "--backends", backend, "--part", str(part),
                   "--batches", str(args.batches), "--orders-per-batch", str(args.orders_per_batch),
                   "--seed", str(args.seed), "--opt-in-share", str(args.opt_in_share)]  # fmt: skip
        if args.daily_limit is not None:
            command += ["--daily-limit", str(args.daily_limit)]
        if args.profile is not None:
            command += ["--profile", str(args.profile)]
        if args.checkpoint is not None and backend == "workbook":
            command += ["--checkpoint", str(args.checkpoint)]
        children.append((backend, part, subprocess.Popen(command, cwd=ROOT)))
    parts = {}
    for backend, part, child in children:
        if child.wait() != 0:
            sys.stderr.write(f"{backend}: failed ({child.returncode})\n")
            return 1
        parts[backend] = {"commit": commit, **json.loads(part.read_text(encoding="utf-8"))}
    for backend, path in reused.items():
        parts[backend] = json.loads(Path(path).read_text(encoding="utf-8"))
    command = "python -m bench.year " + " ".join(argv if argv is not None else sys.argv[1:])
    results: dict[str, Any] = {
        "command": command.strip(),
        "commit": commit,
        "batches": args.batches,
        "orders_per_batch": args.orders_per_batch,
        "opt_in_share": args.opt_in_share,
        "daily_limit": args.daily_limit,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        # The backends run side by side: the run lasts as long as the slower one (or this merge).
        "wall_s": round(
            max([time.perf_counter() - started] + [p["elapsed_s"] for p in parts.values()]), 1
        ),
        "backends": {},
    }
    for backend, part in parts.items():
        summary = months(part)
        targets_found = targets(summary, part["syncs"], args.batches)
        results["backends"][backend] = {**part, "months": summary, "targets": targets_found}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    table = markdown(results)
    args.out.with_suffix(".md").write_text(table, encoding="utf-8")
    chart(results, args.out.with_suffix(".png"))
    sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
