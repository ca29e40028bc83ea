"""Building small shops for tests and experiments, on any backend, with plain Python values.

shop = ShopBuilder(tmp_path).product("NASTAR", "Nastar", 85000, capacity=10)
shop.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
shop.response("2027-02-02 10:00", "siti@example.com", "Siti", Nastar=2)
built = shop.build()            # MemorySheet by default; backend="workbook" for .xlsx
report = built.sync("2027-02-20 10:00")
built.orders()[0]["Status"]     # "Confirmed"
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gspread.http_client import HTTPClient
from openpyxl import load_workbook

from openorder_sheets.adapters.google_bodies import api_value, quote_tab
from openorder_sheets.adapters.gsheet import GoogleSheetBackend, RetryPolicy
from openorder_sheets.adapters.templates import TemplateRenderer
from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.config import Config, parse_config
from openorder_sheets.core.cells import CellError, text, when
from openorder_sheets.core.columns import column_letter
from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.ports import Cell, Grid, SheetBackend
from openorder_sheets.service.composition import Shop
from openorder_sheets.service.setup import seller_tabs
from openorder_sheets.service.sync import SyncReport, run_sync
from openorder_sheets.testing.fakes import MemorySheet, RecordingTransport
from openorder_sheets.testing.sheets_server import local_session

ZONE_NAME = "Asia/Jakarta"


def at(value: str | dt.datetime) -> dt.datetime:
    """``"2027-02-01 09:00"`` → a naive datetime (sheet cells hold shop-local wall time)."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


@dataclass
class BuiltShop:
    """A shop ready to sync, with handles to read and edit its sheet like a seller."""

    shop: Shop
    transport: RecordingTransport
    config: Config
    sheets_server: Any = None  # the local Sheets API server, for the Google backend

    @property
    def backend(self) -> SheetBackend:
        return self.shop.backend

    def sync(self, now: str | dt.datetime, *, dry_run: bool = False) -> SyncReport:
        moment = at(now).replace(tzinfo=self.config.shop.zone)
        return run_sync(self.shop, moment, dry_run=dry_run)

    def grid(self, key: str) -> Grid:
        """A tab's cells; the responses tab's timestamps come back as datetimes on every backend."""
        name = self.config.tab(key)
        grid = self.backend.read([name]).tabs[name] or []
        if key == "responses":
            for row in grid[1:]:
                stamp = row[0] if row else None
                if isinstance(stamp, int | float) and not isinstance(stamp, bool):
                    with contextlib.suppress(CellError):  # not a date: left as it is
                        moment = when(stamp, self.config.shop.zone)  # as the sync reads it
                        row[0] = moment.replace(tzinfo=None, microsecond=0) if moment else stamp
        return grid

    def table(self, key: str) -> list[dict[str, Cell]]:
        """A tab's rows as dicts keyed by header (empty rows skipped)."""
        grid = self.grid(key)
        if not grid:
            return []
        header = [text(cell) for cell in grid[0]]
        rows = []
        for row in grid[1:]:
            if any(cell not in (None, "") for cell in row):
                padded = list(row) + [None] * (len(header) - len(row))
                rows.append(dict(zip(header, padded, strict=False)))
        return rows

    def orders(self) -> list[dict[str, Cell]]:
        return self.table("orders")

    def order(self, number: str) -> dict[str, Cell]:
        return next(row for row in self.orders() if row[self._header("order")] == number)

    def status_of(self, number: str) -> str:
        return text(self.order(number)[self._header("status")])

    def _header(self, key: str) -> str:
        from openorder_sheets.core.labels import COLUMN_LABELS, label

        return label(COLUMN_LABELS, key, self.config.shop.language)

    def set_cell(self, key: str, row: int, header: str, value: Cell) -> None:
        """Set the cell under ``header`` in 0-based grid ``row`` of tab ``key``, as a seller."""
        name = self.config.tab(key)
        if isinstance(self.backend, MemorySheet):
            grid = self.backend.tabs[name]
            column = [text(c) for c in grid[0]].index(header)
            while len(grid) <= row:
                grid.append([])
            if len(grid[row]) <= column:
                grid[row].extend([None] * (column + 1 - len(grid[row])))
            grid[row][column] = value
            return
        if isinstance(self.backend, GoogleSheetBackend):
            assert self.sheets_server is not None
            headers = [text(c) for c in self.grid(key)[0]]
            cell = f"{quote_tab(name)}!{column_letter(headers.index(header))}{row + 1}"
            self.sheets_server.set_values(self.backend.key, cell, [[api_value(value)]])
            return
        assert isinstance(self.backend, WorkbookBackend)
        book = load_workbook(self.backend.path)
        sheet = book[name]
        headers = [text(c.value) for c in sheet[1]]
        sheet.cell(row=row + 1, column=headers.index(header) + 1, value=value)
        book.save(self.backend.path)

    def set_order_cell(self, number: str, key: str, value: Cell) -> None:
        grid = self.grid("orders")
        numbers = [text(r[0]) if r else "" for r in grid]
        self.set_cell("orders", numbers.index(number), self._header(key), value)

    def _grow(self, tab: str, rows: int) -> None:
        """Give a Google tab at least ``rows`` rows, as the browser does on a big paste."""
        from openorder_sheets.testing.sheets_server import seeding

        server, backend = self.sheets_server, self.backend
        if not isinstance(backend, GoogleSheetBackend):
            return
        with server.store.lock:
            sheet = seeding.sheet_of(server.store, backend.key, tab)
            if sheet.grid["rowCount"] < rows:
                sheet.resize(rows=rows)

    def replace_rows(self, key: str, rows: Grid) -> None:
        """Replace every row under the header (to sort or move rows like a seller)."""
        name = self.config.tab(key)
        if isinstance(self.backend, MemorySheet):
            self.backend.tabs[name] = [self.backend.tabs[name][0], *rows]
            return
        if isinstance(self.backend, GoogleSheetBackend):
            assert self.sheets_server is not None
            old = len(self.grid(key))
            width = max([len(r) for r in [*rows, *self.grid(key)]] or [1])
            self._grow(name, len(rows) + 1)  # pasting in the browser adds the rows it needs
            padded = [[api_value(v) for v in r] + [""] * (width - len(r)) for r in rows]
            padded += [[""] * width for _ in range(max(old - 1 - len(rows), 0))]
            if padded:
                end = f"{column_letter(width - 1)}{len(padded) + 1}"
                self.sheets_server.set_values(
                    self.backend.key, f"{quote_tab(name)}!A2:{end}", padded
                )
            return
        assert isinstance(self.backend, WorkbookBackend)
        book = load_workbook(self.backend.path)
        sheet = book[name]
        sheet.delete_rows(2, sheet.max_row)
        for row in rows:
            sheet.append(list(row))
        book.save(self.backend.path)


@dataclass
class ShopBuilder:
    """Products, batches and responses for a test shop; English labels by default."""

    folder: Path
    language: str = "en"
    backend: str = "memory"  # "memory", "workbook" or "google" (needs sheets_server)
    sheets_server: Any = None
    rules: dict[str, Any] = field(default_factory=dict)
    products: list[list[Cell]] = field(default_factory=list)
    batches: list[list[Cell]] = field(default_factory=list)
    responses: list[list[Cell]] = field(default_factory=list)
    #: Rows pasted in the `Bank statement` tab (Date, Time, Description, Amount, Bank); the
    #: tab exists only when this is not None.
    statement: list[list[Cell]] | None = None
    payment: dict[str, Any] = field(default_factory=dict)  # the [payment] section
    email: dict[str, Any] = field(default_factory=dict)  # more [email] keys (daily_limit, …)
    shop: dict[str, Any] = field(default_factory=dict)  # more [shop] keys (status_url, …)
    #: Rows of the `Testimonials` tab (Name, Order, Stars, Review, Show); None: no such tab.
    testimonials: list[list[Cell]] | None = None

    def product(
        self,
        sku: str,
        name: str,
        price: Cell,
        *,
        capacity: Cell = None,
        max_per_buyer: Cell = None,
        active: Cell = True,
        unit: str = "jar",
    ) -> ShopBuilder:
        self.products.append([sku, name, price, unit, capacity, max_per_buyer, active, ""])
        return self

    def batch(
        self,
        name: str,
        opens: Cell,
        closes: Cell,
        *,
        ships_on: Cell = None,
        stage: Cell = None,
        note: str = "",
    ) -> ShopBuilder:
        opens = at(opens) if isinstance(opens, str) else opens
        closes = at(closes) if isinstance(closes, str) else closes
        self.batches.append([name, opens, closes, ships_on, stage, note])
        return self

    def response(
        self,
        when: Cell,
        email: Cell,
        name: Cell,
        *,
        phone: Cell = "081234567890",
        notes: Cell = "",
        opt_in: Cell = "",
        address: Cell = "Jl. Melati 1",
        **quantities: Cell,
    ) -> ShopBuilder:
        stamp = at(when) if isinstance(when, str) else when
        names = [str(p[1]) for p in self.products]
        row: list[Cell] = [stamp, email, name, phone, address, "Courier", notes, opt_in]
        row += [quantities.get(n.replace(" ", "_"), quantities.get(n)) for n in names]
        self.responses.append(row)
        return self

    def headers(self) -> list[str]:
        return [
            "Timestamp",
            "Email Address",
            "Name",
            "WhatsApp",
            "Address",
            "Delivery",
            "Notes",
            "Tell me about future batches",
            *(str(p[1]) for p in self.products),
        ]

    def config(self) -> Config:
        raw = {
            "shop": {
                "name": "Test Bakery",
                "language": self.language,
                "timezone": ZONE_NAME,
                "reply_to": "bakery@example.com",
                **self.shop,
            },
            "sheet": {"workbook": "shop.xlsx"},
            "rules": self.rules,
            "email": {"from": "bakery@example.com", **self.email},
            "payment": self.payment,
        }
        return parse_config(raw, self.folder / "openorder.toml")

    def build(self) -> BuiltShop:
        config = self.config()
        tabs = seller_tabs(
            config,
            products=self.products,
            batches=self.batches,
            statement=self.statement,
            with_statement=self.statement is not None,
        )
        if self.testimonials is not None:
            layout = tab_layout("testimonials", config.shop.language, config.shop.currency)
            header: list[Cell] = [spec.header for spec in layout.columns]
            tabs[config.tab("testimonials")] = (layout, [header, *self.testimonials])
        layout, _ = tabs[config.tab("responses")]
        tabs[config.tab("responses")] = (layout, [list[Cell](self.headers()), *self.responses])
        backend: SheetBackend
        if self.backend == "workbook":
            # As `make_backend` makes it: with the state folder, so tabs are kept between syncs.
            backend = WorkbookBackend(
                config.sheet.workbook or self.folder / "shop.xlsx", state_dir=config.state_dir
            )
        elif self.backend == "google":
            assert self.sheets_server is not None, "the google backend needs a SheetsServer"
            key = self.sheets_server.create_spreadsheet("Test Bakery", time_zone=ZONE_NAME)
            http = HTTPClient(auth=None, session=local_session(self.sheets_server.base_url))  # type: ignore[arg-type]
            backend = GoogleSheetBackend(
                http, key, retry=RetryPolicy(budget_seconds=5, first_delay=0.05)
            )
        else:
            backend = MemorySheet()
        backend.create_tabs(tabs)
        transport = RecordingTransport()
        shop = Shop(
            config,
            backend,
            lambda: transport,
            TemplateRenderer(config.shop.language),
            config.state_dir,
        )
        return BuiltShop(shop, transport, config, self.sheets_server)
