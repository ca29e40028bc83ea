"""The Google Sheets backend: the seller's spreadsheet through gspread and google-auth.

Per sync: one metadata read and one `values:batchGet` (unformatted values, dates as serial
numbers); one `values:batchUpdate` with RAW input per write (split at about 2 MB), plus one
`spreadsheets:batchUpdate` only when a tab must be created or a grid must grow, or a tab
written lacks its filter buttons or status colours (a tab made by an older version, or whose
filter the seller removed: they come back once).

Retries are our own and bounded (exponential backoff with jitter, about two minutes in all):
gspread's `BackOffHTTPClient` can retry for hours against a persistent 429. Each pause is
announced on stderr. What retrying cannot fix ends at once, in one sentence: nothing listening
at the address (a refused connection, an unknown host), and a key Google does not accept.
"""

from __future__ import annotations

import json
import random
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import gspread
import requests
from google.auth import exceptions as auth_errors
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient
from gspread.urls import SPREADSHEET_VALUES_BATCH_UPDATE_URL
from urllib3.exceptions import MaxRetryError, NewConnectionError

from openorder_sheets.adapters import google_bodies as build
from openorder_sheets.config import Config
from openorder_sheets.core.columns import column_letter
from openorder_sheets.core.labels import fold
from openorder_sheets.errors import ConfigError, SheetUnreachable
from openorder_sheets.ports import (
    Grid,
    RecordedRequests,
    Seal,
    SheetSnapshot,
    TabLayout,
    TabUpdate,
)

SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
#: Google's ceiling: cells in all tabs' grids together, blank ones included.
CELL_LIMIT = 10_000_000
_KEY = re.compile(r"/spreadsheets/d/([a-zA-Z0-9_-]+)")
_RETRYABLE = {429, 500, 502, 503, 504}
T = TypeVar("T")


def spreadsheet_key(value: str) -> str:
    """The key from a spreadsheet URL, or the value itself when it already is a key."""
    match = _KEY.search(value)
    return match.group(1) if match else value.strip()


class NoConnection(Exception):
    """Nothing answered at the address: the connection was refused or the host is unknown."""


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass
class RetryPolicy:
    """Bounded exponential backoff with jitter for 429, 5xx, timeouts and dropped connections.

    A connection that cannot even be opened (refused, unknown host) is not retried: it raises
    :class:`NoConnection` at once. Before each pause ``progress`` gets one line saying so.
    """

    budget_seconds: float = 120.0
    first_delay: float = 1.0
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    progress: Callable[[str], None] = _stderr

    def run(self, what: str, call: Callable[[], T], *, retry_dropped: bool = True) -> T:
        started = self.clock()
        attempt = 0
        while True:
            try:
                return call()
            except APIError as error:
                if error.response.status_code not in _RETRYABLE:
                    raise
                reason = f"{error.response.status_code} {_message(error)}".strip()
            except (requests.ConnectionError, requests.Timeout) as error:
                if _never_connected(error):
                    raise NoConnection(str(error)) from None
                if not retry_dropped:
                    raise SheetUnreachable(
                        f"The connection to Google dropped during {what}: run the sync again; "
                        "it repairs what was half-written."
                    ) from None
                reason = error.__class__.__name__
            delay = min(self.max_delay, self.first_delay * 2**attempt) * random.uniform(0.5, 1.0)
            attempt += 1
            spent = self.clock() - started
            if spent + delay > self.budget_seconds:
                raise SheetUnreachable(
                    f"Google Sheets kept failing during {what} ({reason}) for "
                    f"{spent:.0f} s: try again in a few minutes; if it "
                    "persists, check https://www.google.com/appsstatus."
                )
            self.progress(
                f"Google Sheets answered {reason} during {what}; retrying in {delay:.0f} s "
                f"(gives up after {self.budget_seconds:.0f} s)…"
            )
            self.sleep(delay)


def _never_connected(error: Exception) -> bool:
    """Whether the connection was never opened (refused, unknown host), not dropped midway."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, NewConnectionError | ConnectionRefusedError):
            return True
        if isinstance(current, MaxRetryError):
            current = current.reason
            continue
        nested = current.args[0] if current.args else None
        current = nested if isinstance(nested, BaseException) else current.__cause__
    return False


def _message(error: APIError) -> str:
    try:
        return str(error.response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return error.response.reason or ""


@dataclass
class _Sheet:
    sheet_id: int
    title: str
    rows: int
    columns: int
    used_rows: int = 0
    chart_id: int | None = None  # the tab's first chart, and the rows its categories cover
    chart_rows: tuple[int, int] | None = None
    basic_filter: dict[str, Any] | None = None  # as the metadata has it: range, the seller's sort
    formulas: set[str] = field(default_factory=set)  # of its conditional format rules


@dataclass
class GoogleSheetBackend:
    """A :class:`~openorder_sheets.ports.SheetBackend` on a Google spreadsheet."""

    http: HTTPClient
    key: str
    client_email: str = ""
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    requests: RecordedRequests = field(default_factory=RecordedRequests)
    bytes_sent: int = 0
    _sheets: dict[str, _Sheet] = field(default_factory=dict)
    timezone: str = ""
    api_url: str = ""  # a local Sheets API server instead of Google
    form_answers_stay: bool = field(default=True, init=False)  # ports.FormLinked

    def __repr__(self) -> str:
        return f"GoogleSheetBackend(key={self.key!r})"

    @classmethod
    def from_config(cls, config: Config) -> GoogleSheetBackend:
        key = spreadsheet_key(config.sheet.spreadsheet)
        if config.sheet.api_url:
            # A local Sheets API server (offline trials and tests): no token to sign, but the
            # key file's client_email still names who the seller must share the sheet with.
            from openorder_sheets.adapters.local_api import redirected_session

            session = redirected_session(config.sheet.api_url)
            http = HTTPClient(auth=None, session=session)  # type: ignore[arg-type]
            http.set_timeout((10, 120))
            return cls(
                http,
                key,
                client_email=_client_email(config.sheet.credentials),
                api_url=config.sheet.api_url,
            )
        credentials, email = load_credentials(config.sheet.credentials)
        http = HTTPClient(auth=credentials)
        http.set_timeout((10, 120))
        return cls(http, key, client_email=email)

    # -- errors ----------------------------------------------------------------------------
    def _call(
        self, kind: str, what: str, call: Callable[[], T], *, retry_dropped: bool = True
    ) -> T:
        def counted() -> T:
            self.requests.add(kind)
            return call()

        try:
            return self.retry.run(what, counted, retry_dropped=retry_dropped)
        except APIError as error:
            raise self._explain(error) from None
        except NoConnection:
            raise self._no_connection() from None
        except auth_errors.RefreshError as error:
            raise self._refused_key(error) from None
        except auth_errors.TransportError:
            raise SheetUnreachable(
                "Could not reach Google to sign in with the service-account key: check this "
                "computer's internet connection, then run the command again."
            ) from None

    def _no_connection(self) -> SheetUnreachable:
        if self.api_url:
            return SheetUnreachable(
                f"Nothing answers at {self.api_url} (api_url under [sheet]): start the local "
                "Sheets server there, or remove the api_url line to use Google."
            )
        return SheetUnreachable(
            "Could not connect to Google Sheets (sheets.googleapis.com): check this computer's "
            "internet connection, then run the command again."
        )

    def _refused_key(self, error: auth_errors.RefreshError) -> SheetUnreachable:
        """Google's token endpoint refused the key (deleted, revoked, wrong clock) or failed."""
        detail = str(error.args[0]) if error.args else str(error)
        if "invalid_grant" in detail or "invalid_client" in detail or "unauthorized" in detail:
            who = f" {self.client_email}" if self.client_email else ""
            return SheetUnreachable(
                f"Google refused the service account{who}'s key ({detail.split(':')[0]}): the "
                "key was deleted or the account disabled, or this computer's clock is wrong — "
                "create a new JSON key (Service accounts → Keys → Add key) and save it as the "
                "`credentials` file under [sheet]."
            )
        return SheetUnreachable(
            f"Google could not sign in with the service-account key ({detail}): check this "
            "computer's internet connection and clock, then run the command again."
        )

    def _explain(self, error: APIError) -> Exception:
        status = error.response.status_code
        if status == 403:
            who = f" ({self.client_email})" if self.client_email else ""
            return SheetUnreachable(
                f"Google refused access to spreadsheet {self.key}: open it, click Share, and "
                f"add the service account{who} as an Editor."
            )
        if status == 404:
            return ConfigError(
                f"There is no spreadsheet with key {self.key}: copy the spreadsheet's URL into "
                "`spreadsheet` under [sheet] in openorder.toml."
            )
        if status == 401:
            return ConfigError(
                "Google did not accept the credentials: download a new key for the service "
                "account and point `credentials` under [sheet] at it."
            )
        return SheetUnreachable(
            f"Google Sheets answered {status} {_message(error)}: check the sheet and try again."
        )

    # -- reading ---------------------------------------------------------------------------
    def tab_names(self) -> list[str]:
        """Every tab's name, in the spreadsheet's order (one metadata request)."""
        self._metadata()
        return [sheet.title for sheet in self._sheets.values()]

    def _metadata(self) -> None:
        params: dict[str, Any] = {
            "fields": (
                "properties.timeZone,sheets.properties,sheets.charts(chartId,spec),"
                "sheets.basicFilter,sheets.conditionalFormats(booleanRule(condition))"
            ),
            "prettyPrint": "false",
        }
        meta = self._call(
            "metadata_get",
            "reading the spreadsheet's tabs",
            lambda: self.http.fetch_sheet_metadata(self.key, params=params),
        )
        self.timezone = str(meta.get("properties", {}).get("timeZone", ""))
        self._sheets = {}
        for sheet in meta.get("sheets", []):
            props = sheet["properties"]
            grid = props.get("gridProperties", {})
            self._sheets[fold(props["title"])] = _Sheet(
                int(props["sheetId"]),
                props["title"],
                int(grid.get("rowCount", 1000)),
                int(grid.get("columnCount", 26)),
            )
            found = self._sheets[fold(props["title"])]
            found.chart_id, found.chart_rows = _first_chart(sheet.get("charts", []))
            found.basic_filter = sheet.get("basicFilter")
            found.formulas = {
                build.rule_formula(rule) for rule in sheet.get("conditionalFormats", [])
            }

    def read(self, tabs: Sequence[str]) -> SheetSnapshot:
        return self.read_skipping(tabs, {})

    def read_skipping(
        self,
        tabs: Sequence[str],
        skip: Mapping[str, frozenset[int]],
        rows_from: Mapping[str, int] | None = None,
    ) -> SheetSnapshot:
        """Every tab in one `values:batchGet`; of a tab in ``skip``, its header row and then the
        runs of columns not skipped (``'Orders'!A2:A``, ``'Orders'!P2:S``), and of a tab in
        ``rows_from`` its header row and the rows from that one on, so the bytes Google sends
        are those of the cells the sync decides from."""
        self._metadata()
        found: dict[str, Grid | None] = dict.fromkeys(tabs)
        present = [tab for tab in tabs if fold(tab) in self._sheets]
        skipped: dict[str, frozenset[int]] = {}
        later: dict[str, int] = {}
        ranges: list[str] = []
        parts: list[tuple[str, int]] = []  # per range: its tab, its first column (-1: whole)
        for tab in present:
            sheet = self._sheets[fold(tab)]
            quoted = build.quote_tab(sheet.title)
            columns = frozenset(c for c in skip.get(tab, ()) if c < sheet.columns)
            first_row = (rows_from or {}).get(tab, 0)
            if not columns and first_row > 1:
                later[tab] = first_row
                ranges.append(f"{quoted}!1:1")
                parts.append((tab, -1))
                if first_row < sheet.rows:
                    ranges.append(f"{quoted}!{first_row + 1}:{sheet.rows}")
                    parts.append((tab, -2))
                continue
            if not columns:
                ranges.append(quoted)
                parts.append((tab, -1))
                continue
            skipped[tab] = frozenset(skip[tab])
            ranges.append(f"{quoted}!1:1")
            parts.append((tab, -1))
            for first, last in _kept_runs(sheet.columns, columns):
                ranges.append(f"{quoted}!{column_letter(first)}2:{column_letter(last)}")
                parts.append((tab, first))
        if ranges:
            params: dict[str, Any] = {
                "valueRenderOption": "UNFORMATTED_VALUE",
                "dateTimeRenderOption": "SERIAL_NUMBER",
                "majorDimension": "ROWS",
                "prettyPrint": "false",  # Google indents its JSON otherwise: twice the bytes
            }
            reply = self._call(
                "values_batch_get",
                "reading the tabs",
                lambda: self.http.values_batch_get(self.key, ranges, params),
            )
            value_ranges = reply.get("valueRanges", [])
            del reply
            for (tab, first), value_range in zip(parts, value_ranges, strict=False):
                rows: Grid = value_range.get("values", [])  # lists already: kept, not copied
                grid = found[tab]
                if first == -2:  # the rows from `later[tab]` on, under rows left unread
                    if rows:
                        head = (grid or [[]])[:1]
                        found[tab] = [*head, *([] for _ in range(later[tab] - 1)), *rows]
                elif first < 0:
                    found[tab] = rows if grid is None else [*rows[:1], *grid[1:]]
                else:
                    found[tab] = _placed(grid or [[]], rows, first)
            for tab in [*skipped, *later]:
                if not any(found[tab] or ()):  # nothing at all, as a whole read would say
                    found[tab] = []
            for tab in present:
                self._sheets[fold(tab)].used_rows = len(found[tab] or ())
        names = frozenset(sheet.title for sheet in self._sheets.values())
        return SheetSnapshot(found, self.timezone or None, names, skipped, later)

    # -- writing ---------------------------------------------------------------------------
    def delete_rows(self, tab: str, rows: Sequence[int]) -> None:
        """Delete whole rows (0-based) in one batchUpdate; the seller's formulas below move up
        with their rows, as when rows are deleted in the browser."""
        if not self._sheets:
            self._metadata()
        sheet = self._sheets.get(fold(tab))
        if sheet is None or not rows:
            return
        requests = [
            {
                "deleteDimension": {
                    "range": {
                        "sheetId": sheet.sheet_id,
                        "dimension": "ROWS",
                        "startIndex": start,
                        "endIndex": end,
                    }
                }
            }
            for start, end in _runs(sorted(set(rows), reverse=True))
        ]
        self._call(
            "batch_update",
            "deleting rows",
            lambda: self.http.batch_update(self.key, {"requests": requests}),
            retry_dropped=False,
        )
        sheet.rows -= len(set(rows))
        sheet.used_rows = max(sheet.used_rows - len(set(rows)), 0)

    def write(self, updates: Sequence[TabUpdate]) -> None:
        self._write(updates, None)

    def write_sealed(self, updates: Sequence[TabUpdate], seal: Seal) -> None:
        self._write(updates, seal)

    def _write(self, updates: Sequence[TabUpdate], seal: Seal | None) -> None:
        if not updates:
            return
        if not self._sheets:
            self._metadata()
        structure = self._structure(updates)
        structure.extend(self._look(updates))
        data: list[dict[str, Any]] = []
        for update in updates:
            height = self._sheets[fold(update.tab)].used_rows
            data.extend(build.value_ranges(update, height))
        chunks = list(build.chunked(data))
        if (
            seal is not None
            and len(chunks) > 1
            and any(fold(u.tab) == fold(seal.tab) for u in updates)
        ):
            # Set with the first request, emptied with the last: a cut in between leaves it.
            sheet = self._sheets[fold(seal.tab)]
            structure.extend(self._widen(sheet, seal.column + 1))
            chunks[0] = [_one_cell(seal, seal.text), *chunks[0]]
            chunks[-1] = [*chunks[-1], _one_cell(seal, None)]
        if structure:
            self._call(
                "batch_update",
                "creating tabs",
                lambda: self.http.batch_update(self.key, {"requests": structure}),
                retry_dropped=False,
            )
        for update in updates:
            sheet = self._sheets[fold(update.tab)]
            sheet.used_rows = max(sheet.used_rows, update.start_row + len(update.rows))
        for chunk in chunks:
            self._send_values({"valueInputOption": "RAW", "data": chunk})

    def _send_values(self, body: dict[str, Any]) -> None:
        # Encoded once, as UTF-8: gspread's json= would encode it again, escaping every
        # non-ASCII character (names, emoji) into six bytes or twelve.
        data = json.dumps(body, ensure_ascii=False).encode()
        self.bytes_sent += len(data)
        url = SPREADSHEET_VALUES_BATCH_UPDATE_URL % self.key
        headers = {"Content-Type": "application/json; charset=UTF-8"}
        self._call(
            "values_batch_update",
            "writing the tabs",
            lambda: self.http.request("post", url, data=data, headers=headers).json(),
        )

    def _structure(self, updates: Sequence[TabUpdate]) -> list[dict[str, Any]]:
        """Requests creating missing tabs and growing grids too small for the write."""
        requests_: list[dict[str, Any]] = []
        needed: dict[str, tuple[int, int, TabUpdate]] = {}
        for update in updates:
            rows = update.start_row + len(update.rows)
            columns = max(update.columns, default=0) + 1
            old = needed.get(fold(update.tab))
            if old is not None:
                rows, columns = max(rows, old[0]), max(columns, old[1])
                update = old[2] if old[2].start_row == 0 else update
            needed[fold(update.tab)] = (rows, columns, update)
        used = {sheet.sheet_id for sheet in self._sheets.values()}
        cells = sum(sheet.rows * sheet.columns for sheet in self._sheets.values())
        for folded, (rows, columns, update) in needed.items():
            sheet = self._sheets.get(folded)
            if sheet is None:
                sheet_id = _new_id(used)
                requests_.extend(
                    build.add_sheet_requests(
                        sheet_id, update.tab, update.layout, rows + 500, columns=columns
                    )
                )
                width = max(len(update.layout.columns), columns, 1)
                self._sheets[folded] = _Sheet(sheet_id, update.tab, max(rows + 500, 1000), width)
                cells += self._sheets[folded].rows * width
                continue
            if rows > sheet.rows:
                # Room to grow into (fewer resizes later), but never past Google's ceiling.
                spare = max(500, rows // 2)
                room = (CELL_LIMIT - cells) // max(sheet.columns, 1) - (rows - sheet.rows)
                grow = rows - sheet.rows + max(0, min(spare, room))
                cells += grow * sheet.columns
                requests_.append(
                    {
                        "appendDimension": {
                            "sheetId": sheet.sheet_id,
                            "dimension": "ROWS",
                            "length": grow,
                        }
                    }
                )
                sheet.rows += grow
                requests_.extend(self._grown_filter(sheet, sheet.rows - grow, sheet.columns))
            if columns > sheet.columns:
                cells += (columns - sheet.columns) * sheet.rows
                requests_.extend(self._widen(sheet, columns))
            chart = update.layout.chart
            if chart is not None and sheet.chart_id is not None:
                wanted = (chart.first_row, chart.last_row + 1)
                if sheet.chart_rows != wanted:  # the current batch moved: follow it
                    requests_.append(
                        build.chart_update(sheet.chart_id, sheet.sheet_id, update.layout)
                    )
                    sheet.chart_rows = wanted
        return requests_

    def _widen(self, sheet: _Sheet, columns: int) -> list[dict[str, Any]]:
        """The requests growing ``sheet`` to at least ``columns`` columns (none if it has them)."""
        grow = columns - sheet.columns
        if grow <= 0:
            return []
        request = {
            "appendDimension": {"sheetId": sheet.sheet_id, "dimension": "COLUMNS", "length": grow}
        }
        sheet.columns += grow
        return [request, *self._grown_filter(sheet, sheet.rows, sheet.columns - grow)]

    def _look(self, updates: Sequence[TabUpdate]) -> list[dict[str, Any]]:
        """Filter buttons and status colours the written tabs lack (see the module's note on
        printing, which the API cannot set)."""
        requests_: list[dict[str, Any]] = []
        for update in updates:
            sheet = self._sheets[fold(update.tab)]
            specs = list(zip(update.columns, update.layout.columns, strict=False))
            requests_.extend(
                build.look_requests(
                    sheet.sheet_id,
                    specs,
                    sheet.rows,
                    sheet.columns,
                    has_filter=sheet.basic_filter is not None,
                    formulas=sheet.formulas,
                )
            )
            if sheet.basic_filter is None and any(spec.filter for _, spec in specs):
                sheet.basic_filter = build.whole_grid_filter(
                    sheet.sheet_id, sheet.rows, sheet.columns
                )
        return requests_

    @staticmethod
    def _grown_filter(sheet: _Sheet, rows: int, columns: int) -> list[dict[str, Any]]:
        """The tab's filter, when it reached the last row or column of the grid before it grew
        (``rows`` × ``columns``), grown to the new edge."""
        if sheet.basic_filter is None:
            return []
        grown = build.grown_filter(sheet.basic_filter, rows, columns, sheet.rows, sheet.columns)
        if grown is None:
            return []
        sheet.basic_filter = grown
        return [build.set_basic_filter(grown)]

    def create_tabs(self, layouts: Mapping[str, tuple[TabLayout, Grid]]) -> list[str]:
        self._metadata()
        used = {sheet.sheet_id for sheet in self._sheets.values()}
        requests_: list[dict[str, Any]] = []
        created = []
        for tab, (layout, rows) in layouts.items():
            if fold(tab) in self._sheets:
                continue
            sheet_id = _new_id(used)
            requests_.extend(
                build.add_sheet_requests(
                    sheet_id,
                    tab,
                    layout,
                    max(1000, len(rows) + 500),
                    header=rows[0] if rows else None,
                )
            )
            requests_.extend(
                build.look_requests(
                    sheet_id,
                    list(enumerate(layout.columns)),
                    max(1000, len(rows) + 500),
                    max(len(layout.columns), len(rows[0]) if rows else 0, 1),
                    has_filter=False,
                    formulas=set(),
                )
            )
            if len(rows) > 1:
                width = max(len(row) for row in rows[1:])
                requests_.append(
                    {
                        "updateCells": {
                            "range": {
                                "sheetId": sheet_id,
                                "startRowIndex": 1,
                                "endRowIndex": len(rows),
                                "startColumnIndex": 0,
                                "endColumnIndex": max(width, 1),
                            },
                            "rows": [{"values": [_cell_data(v) for v in row]} for row in rows[1:]],
                            "fields": "userEnteredValue",
                        }
                    }
                )
            created.append(tab)
        if requests_:
            self._call(
                "batch_update",
                "creating tabs",
                lambda: self.http.batch_update(self.key, {"requests": requests_}),
                retry_dropped=False,
            )
        return created


def _first_chart(charts: list[Any]) -> tuple[int | None, tuple[int, int] | None]:
    """The first chart's id and the rows its categories span, from the metadata."""
    if not charts:
        return None, None
    chart = charts[0]
    try:
        source = chart["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"][0]
        rows = (int(source.get("startRowIndex", 0)), int(source.get("endRowIndex", 0)))
    except (KeyError, IndexError, TypeError, ValueError):
        rows = None
    return int(chart["chartId"]), rows


def _client_email(path: Path | None) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8")) if path else {}
    except (OSError, ValueError):
        return ""
    return str(info.get("client_email", "")) if isinstance(info, dict) else ""


def _cell_data(value: object) -> dict[str, Any]:
    converted = build.api_value(value)  # type: ignore[arg-type]
    if isinstance(converted, bool):
        return {"userEnteredValue": {"boolValue": converted}}
    if isinstance(converted, int | float):
        return {"userEnteredValue": {"numberValue": converted}}
    return {"userEnteredValue": {"stringValue": str(converted)}}


def _new_id(used: set[int]) -> int:
    while True:
        candidate = random.randint(1, 2_000_000_000)
        if candidate not in used:
            used.add(candidate)
            return candidate


def load_credentials(path: Path | None) -> tuple[Any, str]:
    """Service-account or OAuth user credentials from a JSON file; and the account's email."""
    if path is None:
        raise ConfigError(
            "No credentials for the Google spreadsheet: set `credentials` under "
            "[sheet] to the service account's JSON key file."
        )
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"The credentials file {path} does not exist: download the service "
            "account's JSON key and save it there."
        ) from None
    except (OSError, ValueError):
        raise ConfigError(
            f"{path} is not a JSON key file: download the key again from the "
            "Google Cloud console (Service accounts → Keys → Add key → JSON)."
        ) from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind == "service_account":
        from google.oauth2.service_account import Credentials

        try:
            credentials = Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                info, scopes=SCOPES
            )
        except (ValueError, KeyError) as error:
            raise ConfigError(
                f"{path} is not a usable service-account key ({error}): download a new key."
            ) from None
        return credentials, str(info.get("client_email", ""))
    if kind == "authorized_user" or (isinstance(info, dict) and "installed" in info):
        client = (
            gspread.oauth(credentials_filename=str(path), scopes=SCOPES)
            if "installed" in info
            else gspread.oauth(authorized_user_filename=str(path), scopes=SCOPES)
        )
        return client.http_client.auth, ""
    raise ConfigError(
        f"{path} is neither a service-account key nor OAuth client credentials: "
        "use the JSON key of a service account."
    )


def _kept_runs(width: int, skipped: frozenset[int]) -> list[tuple[int, int]]:
    """The 0-based ``(first, last)`` columns, inclusive, of each run not skipped; the last run
    reaches the grid's last column, so the seller's columns past ours are read too."""
    runs: list[tuple[int, int]] = []
    for column in range(width):
        if column in skipped:
            continue
        if runs and runs[-1][1] == column - 1:
            runs[-1] = (runs[-1][0], column)
        else:
            runs.append((column, column))
    return runs


def _placed(grid: Grid, rows: Grid, first: int) -> Grid:
    """``grid`` (header first) with ``rows`` of a run of columns starting at ``first`` put in
    under the header: a cell not read is ``None``."""
    while len(grid) < len(rows) + 1:
        grid.append([])
    for target, row in zip(grid[1:], rows, strict=False):
        if not row:
            continue
        if len(target) < first:
            target.extend([None] * (first - len(target)))
        target[first : first + len(row)] = row
    return grid


def _runs(descending: Sequence[int]) -> list[tuple[int, int]]:
    """Rows (highest first) as ``[start, end)`` runs, bottom run first, so each deletion leaves
    the rows of the next one where they were."""
    runs: list[tuple[int, int]] = []
    for row in descending:
        if runs and runs[-1][0] == row + 1:
            runs[-1] = (row, runs[-1][1])
        else:
            runs.append((row, row + 1))
    return runs


def _one_cell(seal: Seal, text: str | None) -> dict[str, Any]:
    """The value range setting (or, with ``None``, emptying) the seal's cell."""
    return {
        "range": build.a1(seal.tab, seal.row, seal.column, seal.row, seal.column),
        "majorDimension": "ROWS",
        "values": [[build.api_value(text)]],
    }
