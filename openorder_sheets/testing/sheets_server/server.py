"""The server object (:class:`SheetsServer`): lifecycle and the Python API for tests and users."""

from __future__ import annotations

import copy
import threading
from collections.abc import Mapping
from typing import Any

from . import seeding
from .fault_api import FaultApi
from .faults import Faults, Stats
from .handler import HTTPServer
from .sheet_json import sheet_properties, spreadsheet_json
from .store import DEFAULT_CALLER, Store

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class SheetsServer(FaultApi):
    """A local Google Sheets v4 / Drive v3 server with state in memory.

    ``with SheetsServer() as server: client = local_client(server.base_url)``. It binds
    127.0.0.1 on a free port unless told otherwise (loopback only).
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int | None = None,
        require_auth: bool = True,
        verbose: bool = False,
        caller_email: str = DEFAULT_CALLER,
    ) -> None:
        if host not in LOOPBACK:
            raise ValueError("the sheets server only binds a loopback address")
        self.host, self.requested_port = host, port
        self.store = Store(seed)
        self.store.caller_email = caller_email  # listed as a protected range's editor
        self.faults = Faults()
        self.counters = Stats()
        self.require_auth = require_auth
        self.verbose = verbose
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> SheetsServer:
        """Start serving in a background thread; returns self."""
        if self._httpd is None:
            self._httpd = HTTPServer((self.host, self.requested_port), self)
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="sheets-server", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._httpd, self._thread = None, None

    @property
    def running(self) -> bool:
        """True while the background thread serves."""
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> SheetsServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` — give this to :func:`local_client`."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def reset(self) -> None:
        """Forget every spreadsheet, fault and counter."""
        with self.store.lock:
            self.store.books.clear()
        self.faults.clear()
        self.counters.reset()

    # --- spreadsheets -------------------------------------------------------------------------

    def create_spreadsheet(
        self,
        title: str = "Untitled spreadsheet",
        sheets: Mapping[str, seeding.SeedRows] | None = None,
        *,
        spreadsheet_id: str | None = None,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        private: bool = False,
        value_input_option: str = "USER_ENTERED",
    ) -> str:
        """Create a spreadsheet with tabs ``{name: rows}`` (Sheet1 when none); returns its id.

        Strings are read like typed input (USER_ENTERED) unless told ``RAW``; ``date`` and
        ``datetime`` values become serial numbers with a date format, like in Sheets.
        """
        return seeding.create(
            self.store,
            title,
            sheets,
            spreadsheet_id=spreadsheet_id,
            locale=locale,
            time_zone=time_zone,
            access="none" if private else "writer",
            option=value_input_option,
        )

    def delete_spreadsheet(self, spreadsheet_id: str) -> None:
        """Remove a spreadsheet (later requests get 404)."""
        self.store.delete(spreadsheet_id)

    def list_spreadsheets(self) -> list[dict[str, str]]:
        """``[{"id", "title", "access"}]`` for every spreadsheet."""
        with self.store.lock:
            return [
                {"id": b.id, "title": b.title, "access": b.access}
                for b in self.store.books.values()
            ]

    def set_access(self, spreadsheet_id: str, access: str) -> None:
        """``"writer"`` (default), ``"reader"`` (writes get 403) or ``"none"`` (everything 403)."""
        if access not in ("writer", "reader", "none"):
            raise ValueError("access must be writer, reader or none")
        with self.store.lock:
            seeding.book_of(self.store, spreadsheet_id).access = access

    def mark_private(self, spreadsheet_id: str, private: bool = True) -> None:
        """Make a spreadsheet answer 403 PERMISSION_DENIED (or undo it)."""
        self.set_access(spreadsheet_id, "none" if private else "writer")

    def get_values(
        self, spreadsheet_id: str, tab: str, render: str = "FORMATTED_VALUE"
    ) -> list[list[Any]]:
        """A tab's (or any A1 range's) values as values.get returns them."""
        with self.store.lock:
            return seeding.values(self.store, spreadsheet_id, tab, render)

    def set_values(
        self,
        spreadsheet_id: str,
        range_text: str,
        rows: seeding.SeedRows,
        value_input_option: str = "USER_ENTERED",
    ) -> None:
        """Write values directly (as the seller typing into the sheet)."""
        with self.store.lock:
            seeding.set_values(self.store, spreadsheet_id, range_text, rows, value_input_option)

    def sort_tab(
        self,
        spreadsheet_id: str,
        tab: str,
        column: int | str,
        *,
        ascending: bool = True,
        header_rows: int = 1,
    ) -> None:
        """Sort a tab's rows below ``header_rows`` by a column (index or letters)."""
        with self.store.lock:
            seeding.sort_tab(self.store, spreadsheet_id, tab, column, ascending, header_rows)

    def spreadsheet(self, spreadsheet_id: str, include_grid_data: bool = False) -> dict[str, Any]:
        """The Spreadsheet resource, as ``GET /v4/spreadsheets/{id}`` would answer it."""
        with self.store.lock:
            return spreadsheet_json(
                seeding.book_of(self.store, spreadsheet_id), grid=include_grid_data
            )

    def sheet_titles(self, spreadsheet_id: str) -> list[str]:
        """Tab names in order."""
        with self.store.lock:
            return [s.title for s in seeding.book_of(self.store, spreadsheet_id).sheets]

    def sheet_properties(self, spreadsheet_id: str, tab: str) -> dict[str, Any]:
        """A tab's SheetProperties (grid size, frozen counts, tab colour...)."""
        with self.store.lock:
            book = seeding.book_of(self.store, spreadsheet_id)
            return sheet_properties(book, seeding.sheet_of(self.store, spreadsheet_id, tab))

    def frozen(self, spreadsheet_id: str, tab: str) -> tuple[int, int]:
        """(frozen rows, frozen columns) of a tab."""
        grid = self.sheet_properties(spreadsheet_id, tab)["gridProperties"]
        return int(grid.get("frozenRowCount", 0)), int(grid.get("frozenColumnCount", 0))

    def cell_format(self, spreadsheet_id: str, tab: str, a1: str) -> dict[str, Any] | None:
        """The ``userEnteredFormat`` of one cell (e.g. ``"B2"``), or None."""
        with self.store.lock:
            found: dict[str, Any] | None = seeding.cell_extra(
                self.store, spreadsheet_id, tab, a1, "userEnteredFormat"
            )
            return copy.deepcopy(found)

    def data_validation(self, spreadsheet_id: str, tab: str, a1: str) -> dict[str, Any] | None:
        """The data validation rule of one cell, or None."""
        with self.store.lock:
            found: dict[str, Any] | None = seeding.cell_extra(
                self.store, spreadsheet_id, tab, a1, "dataValidation"
            )
            return copy.deepcopy(found)

    def charts(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """Every chart (``chartId``, ``spec``, ``position``) of the spreadsheet."""
        with self.store.lock:
            return copy.deepcopy(
                [c for s in seeding.book_of(self.store, spreadsheet_id).sheets for c in s.charts]
            )

    def protected_ranges(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """Every protected range of the spreadsheet."""
        with self.store.lock:
            book = seeding.book_of(self.store, spreadsheet_id)
            return copy.deepcopy([p for s in book.sheets for p in s.protected_ranges])

    # --- seller actions between requests ---------------------------------------------

    def seller_edit(
        self,
        spreadsheet_id: str,
        range_text: str,
        rows: seeding.SeedRows,
        *,
        before: str | None = "values_batch_update",
        value_input_option: str = "USER_ENTERED",
    ) -> None:
        """Have the seller type ``rows`` into ``range_text`` just before the next ``before``."""
        data = [list(r) for r in rows]
        self.before_next(
            before,
            lambda: self.set_values(spreadsheet_id, range_text, data, value_input_option),
            label=f"seller edit {range_text}",
        )

    def seller_sort(
        self,
        spreadsheet_id: str,
        tab: str,
        column: int | str,
        *,
        before: str | None = "values_batch_update",
        ascending: bool = True,
        header_rows: int = 1,
    ) -> None:
        """Have the seller sort ``tab`` by ``column`` just before the next ``before`` request."""
        self.before_next(
            before,
            lambda: self.sort_tab(
                spreadsheet_id, tab, column, ascending=ascending, header_rows=header_rows
            ),
            label=f"seller sort {tab}",
        )
