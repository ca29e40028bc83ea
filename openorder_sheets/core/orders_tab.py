"""The `Orders` tab as this sync writes it: tool columns only, rows matched by order number.

Existing rows stay where the seller put them and their `Order` cell is never rewritten; new
orders go below the last row. Seller columns (`Paid`, `Seller action`, …) are never written,
with one exception: the tool ticks `Paid` for an order the bank statement paid in full (and
the seller may take that tick off again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

from openorder_sheets.core import cells, formatting
from openorder_sheets.core.cell_diff import comparable
from openorder_sheets.core.columns import Columns
from openorder_sheets.core.labels import (
    EMAIL_KIND_LABELS,
    EMAIL_STATE_LABELS,
    PROGRESS_LABELS,
    STATUS_LABELS,
    label,
)
from openorder_sheets.core.layouts import TAB_COLUMNS, column_spec
from openorder_sheets.core.model import Decision, EmailState, LedgerEntry, Order, Stage
from openorder_sheets.core.responses import grouped_phone
from openorder_sheets.core.rules import items_text
from openorder_sheets.core.seller_columns import ORDER_SELLER_COLUMNS, ORDER_TOOL_COLUMNS
from openorder_sheets.core.wording import say
from openorder_sheets.ports import Cell, Grid, TabLayout, TabUpdate


def progress_key(order: Order) -> str | None:
    """Where a confirmed order is in its life: payment, production, shipping."""
    if order.status is not Decision.CONFIRMED:
        return None
    stage = order.batch.stage if order.batch else Stage.NONE
    tracking = order.tracking_no
    if tracking or stage is Stage.SHIPPED:
        return "shipped"
    if stage is Stage.READY:
        return "ready"
    if stage is Stage.IN_PRODUCTION:
        return "in_production"
    if order.paid:
        return "paid"
    return "partly_paid" if order.partly_paid else "awaiting_payment"


def last_email_text(entries: Iterable[LedgerEntry], language: str) -> str:
    """``Konfirmasi terkirim · 1 Des 11.19`` / ``Confirmation sent · 1 Dec 11:19``: the newest
    message sent, else the newest one not sent (``Konfirmasi menunggu dikirim``, ``… gagal``).

    In the seller's words: the kind codes stay in the `Emails` tab, which is read back."""
    return _last_emails(entries, language, lambda _entry: "").get("", "")


def last_email_texts(entries: Iterable[LedgerEntry], language: str) -> dict[str, str]:
    """:func:`last_email_text` of each order's messages (by number), in one pass over the
    ledger: no list of messages per order is built, and equal texts are kept once."""
    return _last_emails(
        (entry for entry in entries if entry.order), language, lambda entry: entry.order
    )


def _last_emails(
    entries: Iterable[LedgerEntry], language: str, group: Callable[[LedgerEntry], str]
) -> dict[str, str]:
    """The `Last email` text of each ``group`` of ``entries``, in one pass."""
    newest: dict[str, tuple[dt.datetime, int, LedgerEntry]] = {}
    waiting: dict[str, LedgerEntry] = {}
    for index, entry in enumerate(entries):
        key = group(entry)
        if entry.state is not EmailState.SENT:
            waiting[key] = entry
        elif entry.last_attempt is not None:
            best = newest.get(key)
            if best is None or (entry.last_attempt, index) > best[:2]:
                newest[key] = (entry.last_attempt, index, entry)
    texts: dict[str, str] = {}
    found: dict[str, str] = {}
    for key in (*newest, *(k for k in waiting if k not in newest)):
        best = newest.get(key)
        if best is not None:
            when, _, entry = best
            text = f"{_email_words(entry, language)} · {formatting.day_and_time(when, language)}"
        else:
            text = _email_words(waiting[key], language)
        found[key] = texts.setdefault(text, text)
    return found


def _email_words(entry: LedgerEntry, language: str) -> str:
    """``Konfirmasi terkirim``: the kind's label, then its state's (an unknown kind as is)."""
    kind = str(entry.kind)
    what = label(EMAIL_KIND_LABELS, kind, language) if kind in EMAIL_KIND_LABELS else kind
    return f"{what} {label(EMAIL_STATE_LABELS, entry.state.value, language)}"


def phone_display(phone: str, grouped: str = "") -> str:
    """A number the tool normalised (``+6281234567890``) as people write it,
    ``+62 812-3456-7890`` (``grouped``, when the answer was read with it); anything else is the
    buyer's text, made formula-safe.

    The grouped number is written without a leading apostrophe: it is only ``+``, digits,
    spaces and ``-``, so no backend reads it as a formula (Google receives RAW input, and
    openpyxl stores a string as a formula only when it starts with ``=``)."""
    return grouped or grouped_phone(phone) or cells.safe_text(phone)


_NEWS = {
    "awaiting_payment": {
        "id": "sudah dikonfirmasi. Mohon transfer {amount}{code} ya",
        "en": "is confirmed. Please transfer {amount}{code}",
    },
    "paid": {"id": "pembayarannya sudah kami terima", "en": "is paid, thank you"},
    "partly_paid": {
        "id": "sudah dibayar sebagian. Mohon transfer kekurangannya {amount} ya",
        "en": "is partly paid. Please transfer the remaining {amount}",
    },
    "in_production": {"id": "sedang kami buat", "en": "is being made"},
    "ready": {"id": "sudah siap", "en": "is ready"},
    "shipped": {"id": "sudah dikirim{tracking}", "en": "has shipped{tracking}"},
}
_CODE = {"id": " (termasuk kode unik {code})", "en": " (including the unique code {code})"}
_TRACKING = {"id": ", no. resi {tracking}", "en": ", tracking no. {tracking}"}


def whatsapp_text(
    order: Order, shop_name: str, currency: str, language: str, code: int | None
) -> str:
    """The current update for this buyer, as a seller would type it into WhatsApp."""
    lang = "id" if language == "id" else "en"
    response = order.response
    name = response.name if response else ""
    items = items_text(order.lines)
    progress = progress_key(order)
    if progress is not None:
        tracking = order.tracking_no
        owed = order.amount_to_pay - (order.paid_amount if progress == "partly_paid" else 0)
        news = _NEWS[progress][lang].format(
            amount=formatting.money(owed, currency, language),
            code=_CODE[lang].format(code=code) if code else "",
            tracking=_TRACKING[lang].format(tracking=tracking) if tracking else "",
        )
    else:
        status = label(STATUS_LABELS, order.status.value, language)
        reasons = "; ".join(order.problems)
        news = f"status: {status}" + (f" ({reasons})" if reasons else "")
    if lang == "id":
        return f"Halo Kak {name}, ini {shop_name}. Pesanan {order.number} ({items}) {news}."
    return f"Hi {name}, this is {shop_name}. Your order {order.number} ({items}) {news}."


def whatsapp_link(
    order: Order, shop_name: str, currency: str, language: str, code: int | None = None
) -> str:
    """A ``https://wa.me/<number>?text=…`` link with this order's current news prefilled."""
    response = order.response
    if response is None or not response.phone.startswith("+"):
        return ""
    message = whatsapp_text(order, shop_name, currency, language, code)
    return f"https://wa.me/{response.phone.lstrip('+')}?text={quote(message, safe='')}"


def order_values(
    order: Order,
    ledger: Iterable[LedgerEntry],
    shop_name: str,
    currency: str,
    language: str,
    code: int | None = None,
) -> dict[str, Cell]:
    """The tool columns of one order, by key; buyer text made formula-safe."""
    response = order.response
    progress = progress_key(order)
    total = _number(order.total)
    values: dict[str, Cell] = {
        **_read_values(order, language),
        "batch": cells.safe_text(order.batch.name) if order.batch else "",
        "submitted": order.submitted.replace(tzinfo=None) if order.submitted else None,
        "items": cells.safe_text(items_text(order.lines)),
        "total": total,
        "amount_to_pay": _number(order.total + (code or 0)),
        "progress": label(PROGRESS_LABELS, progress, language) if progress else "",
        "problems": cells.safe_text("; ".join(problems_text(order, language))),
        "last_email": last_email_text(ledger, language),
        "whatsapp_link": whatsapp_link(order, shop_name, currency, language, code),
    }
    if response is not None:
        values.update(
            {
                "name": cells.safe_text(response.name),
                "email": cells.safe_text(response.email),
                "whatsapp": phone_display(response.phone, response.phone_grouped),
            }
        )
    return values


def _read_values(order: Order, language: str) -> dict[str, Cell]:
    """The tool's cells of an `Orders` row that every sync reads back (``READ_ORDER_COLUMNS``:
    the order's number, its status, the `Response row` witness)."""
    values: dict[str, Cell] = {
        "order": order.number,
        "status": label(STATUS_LABELS, order.status.value, language),
    }
    row = witness(order)
    if row is not None:
        values["response_row"] = row
    return values


def witness(order: Order) -> int | None:
    """The `Response row` cell the tool writes for ``order`` (``None``: the cell is left as it
    was): which order's cells a row holds."""
    return order.response.row if order.response is not None else None


def _read_cells_hold(order: Order, grid: Grid, positions: Mapping[str, int], language: str) -> bool:
    """The tool's cells of ``order``'s row that the sync read hold what it would write (a
    seller may have blanked a `Status`): only then may a row otherwise unchanged be left
    alone."""
    index = order.prior.sheet_row if order.prior is not None else None
    if index is None or index >= len(grid):
        return False
    row = grid[index]
    for key, value in _read_values(order, language).items():
        at = positions[key]
        old = row[at] if at < len(row) else None
        if comparable(value) != comparable(old):
            return False
    return True


def problems_text(order: Order, language: str) -> tuple[str, ...]:
    """What the seller should know about an order, in plain words."""
    found = list(order.problems)
    if order.held:
        reasons = "; ".join(order.problems)
        found = [say(language, "change_held", items=items_text(order.held), reasons=reasons)]
    return (*found, *order.seller_problems)


def _number(amount: object) -> int | float:
    as_float = float(amount)  # type: ignore[arg-type]
    return int(as_float) if as_float.is_integer() else as_float


def orders_updates(
    tab: str,
    orders: list[Order],
    grid: Grid | None,
    columns: Columns | None,
    last_emails: Mapping[str, str],
    layout: TabLayout,
    shop_name: str,
    currency: str,
    language: str,
    codes: Mapping[str, int] | None = None,
    known: dict[int, dict[str, Cell]] | None = None,
    unchanged: Mapping[int, str] | None = None,
) -> list[TabUpdate]:
    """The writes for the `Orders` tab: header cells that are missing, existing rows, new rows.

    ``known`` remembers each order's cells between the two plans of one sync (keyed by the
    order object's id, so pass the same orders): only `Last email` depends on delivery.
    ``unchanged`` names (by id) the orders whose row holds what the tool would write but for
    `Last email`, with the text that cell shows: such a row is left alone while it still
    says that, and written whole once it does not.
    """
    keys = TAB_COLUMNS["orders"]
    positions: dict[str, int] = dict(columns.index) if columns else {}
    width = max([columns.width if columns else 0, *(p + 1 for p in positions.values())])
    header_cells: dict[int, Cell] = {}
    for key in keys:
        if key not in positions:
            positions[key] = width
            header_cells[width] = column_spec(key, language).header
            width += 1
    updates: list[TabUpdate] = []
    specs = {spec.header: spec for spec in layout.columns}

    def layout_of(keys_: Sequence[str]) -> TabLayout:
        return TabLayout(
            tuple(specs[column_spec(k, language).header] for k in keys_), layout.currency_format
        )

    if header_cells:
        by_position = {positions[k]: k for k in keys}
        order_cols = tuple(sorted(header_cells))
        updates.append(
            TabUpdate(
                tab,
                order_cols,
                [[header_cells[c] for c in order_cols]],
                layout_of([by_position[c] for c in order_cols]),
                0,
            )
        )
    tool = [key for key in ORDER_TOOL_COLUMNS if key != "order"]
    existing_rows: dict[int, list[Cell]] = {}
    fresh: list[list[Cell]] = []
    current = grid or []
    for order in orders:
        last_email = last_emails.get(order.number, "")
        shown_last = unchanged.get(id(order)) if unchanged else None
        if (
            shown_last is not None
            and last_email == shown_last
            and _read_cells_hold(order, current, positions, language)
        ):
            continue
        values = known.get(id(order)) if known is not None else None
        if values is None:
            values = order_values(
                order, (), shop_name, currency, language, (codes or {}).get(order.number)
            )
            if known is not None:
                known[id(order)] = values
        if values.get("last_email") != last_email:
            values = {**values, "last_email": last_email}
        sheet_row = order.prior.sheet_row if order.prior is not None else None
        if sheet_row is not None:
            row = current[sheet_row] if sheet_row < len(current) else []
            old = {
                key: (row[positions[key]] if positions[key] < len(row) else None) for key in tool
            }
            existing_rows[sheet_row] = [values.get(key, old[key]) for key in tool]
        else:
            marks = order.prior.seller.marks if order.prior is not None else ()
            seller: list[Cell] = list((*marks, None, None, None, None)[: len(ORDER_SELLER_COLUMNS)])
            if order.tick_paid:
                seller[ORDER_SELLER_COLUMNS.index("paid")] = True
            fresh.append([*(values.get(key) for key in ORDER_TOOL_COLUMNS), *seller])
    ticks = {
        order.prior.sheet_row: True
        for order in orders
        if order.tick_paid and order.prior is not None and order.prior.sheet_row is not None
    }
    if ticks:
        first, last = min(ticks), max(ticks)
        updates.append(
            TabUpdate(
                tab,
                (positions["paid"],),
                [[True] if index in ticks else None for index in range(first, last + 1)],
                layout_of(["paid"]),
                first,
            )
        )
    if existing_rows:
        first, last = min(existing_rows), max(existing_rows)
        rows = [existing_rows.get(index) for index in range(first, last + 1)]
        updates.append(
            TabUpdate(tab, tuple(positions[k] for k in tool), rows, layout_of(tool), first)
        )
    if fresh:
        start = max(len(current), 1)
        everything = (*ORDER_TOOL_COLUMNS, *ORDER_SELLER_COLUMNS)
        updates.append(
            TabUpdate(
                tab,
                tuple(positions[k] for k in everything),
                fresh,
                layout_of(everything),
                start,
            )
        )
    return updates
