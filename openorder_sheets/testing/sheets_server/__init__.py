"""A local Google Sheets API server, for trying the Google flow offline and for tests.

What it is
    A small HTTP server that speaks the part of the Google Sheets API v4 (and of Drive v3:
    create / get / delete / copy / list / export as CSV of spreadsheets, and Drive v2's CSV
    upload) that gspread 6 and openorder-sheets use.
    State lives in memory. It answers like Google: trailing empty cells and rows are omitted,
    empty rows in the middle come back as ``[]``, ``values`` is absent for an empty range,
    ``range`` echoes the request normalised and clipped to the grid (``'Sheet1'`` →
    ``Sheet1!A1:Z1000``), errors are ``{"error": {"code", "message", "status"}}`` (400
    ``Unable to parse range: ...``, 403 ``The caller does not have permission``, 404
    ``Requested entity was not found.``, 401 without a bearer token). Real Google answers
    recorded by gspread's test suite are replayed against it (``python -m
    openorder_sheets.testing.sheets_server.replay``).

Starting it
    From a shell (prints the URL and how to point a client at it)::

        python -m openorder_sheets.testing.sheets_server --port 8765

    ``--private ID`` (repeatable) seeds a spreadsheet that exists but is not shared with you
    (Sheets 403, Drive 404); ``--caller-email`` names the caller where Google does (a
    protected range's editors). A port already in use is one sentence on stderr and exit 1.

    From Python::

        from openorder_sheets.testing.sheets_server import SheetsServer, local_client

        with SheetsServer() as server:              # 127.0.0.1, a free port
            book_id = server.create_spreadsheet("Shop", {"Orders": [["Name", "Qty"], ["Ani", 2]]})
            gc = local_client(server.base_url)      # a gspread.Client
            print(gc.open_by_key(book_id).worksheet("Orders").get_all_values())

    gspread has no base-URL option, so :func:`local_session` returns a ``requests.Session``
    whose adapter rewrites ``https://sheets.googleapis.com`` and ``https://www.googleapis.com``
    to the local server and adds a fake ``Authorization: Bearer`` header (any token is accepted).

Faults and counting
    ``server.fail_next(429 | 500 | 503, count, kind)``, ``delay_next``, ``set_latency``,
    ``drop_next(count, kind, after_apply=...)``, ``seller_edit``, ``seller_sort``,
    ``before_next``. ``kind`` is a request kind (``metadata_get``, ``values_get``,
    ``values_batch_get``, ``values_update``, ``values_batch_update``, ``values_append``,
    ``values_clear``, ``values_batch_clear``, ``batch_update``, ``spreadsheet_create``,
    ``drive_create``, ``drive_get``, ``drive_list``, ``drive_delete``, ``drive_copy``...),
    ``"read"``, ``"write"`` or None for any. ``server.stats()`` counts requests by kind,
    reads/writes, request/response body bytes and injected faults; ``reset_stats()`` zeroes
    them. The same is reachable over HTTP under ``/_control/...`` (see :mod:`.control`) for a
    sync running in another process.

Inspecting state from tests
    ``get_values``, ``set_values``, ``sort_tab``, ``sheet_titles``, ``sheet_properties``,
    ``frozen``, ``cell_format``, ``data_validation``, ``charts``, ``protected_ranges``,
    ``spreadsheet`` (the JSON resource), ``set_access`` / ``mark_private``.

Proof
    Real Google answers recorded by gspread's suite are replayed exactly (see :mod:`.replay`),
    and gspread 6.2.1's own test suite passes against the server
    (``tests/sheets_server/test_gspread_suite.py``, from ``../shared/gspread-suite``).

Limits
    Google's 10 million cells per spreadsheet (every tab's rows × columns, blank cells too):
    a request that would pass it gets Google's 400 (see :mod:`.limits`).

What it does not implement
    Formulas beyond arithmetic, comparisons, ``&``, cell/range references (``D:D`` too) and
    SUM, AVERAGE, MIN, MAX, COUNT, COUNTA, IF, IFERROR, AND, OR, NOT, ABS, ROUND, LEN, UPPER,
    LOWER, TRIM, CONCATENATE — any other formula reads back as its own text; volatile
    functions and recalculation chains across spreadsheets; number formats beyond common
    patterns and a few locales' separators; pivot tables, filter views, banding, slicers,
    developer metadata, data-filter queries other than ``a1Range``/``gridRange``; enforcement
    of protected ranges and data validation; borders (accepted, not stored); cutPaste does not
    rewrite formulas elsewhere that pointed at the moved cells; autoResizeDimensions measures
    text with Arial's widths rather than a layout engine; Drive permissions and sharing,
    revisions, export other than CSV/TSV (PDF, XLSX, ODS, ZIP); real quotas (429s only when
    injected).
"""

from .client import (
    LocalRedirectAdapter,
    LocalSheetsSession,
    local_client,
    local_session,
    mount_local,
)
from .server import SheetsServer

__all__ = [
    "LocalRedirectAdapter",
    "LocalSheetsSession",
    "SheetsServer",
    "local_client",
    "local_session",
    "mount_local",
]
