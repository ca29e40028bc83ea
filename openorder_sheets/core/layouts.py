"""How every tab looks: column headers in the shop's language, formats, widths, dropdowns.

Both backends draw from these, so the local workbook and the Google spreadsheet look alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from openorder_sheets.core.catalog import BATCH_COLUMNS, MATERIAL_COLUMNS, PRODUCT_COLUMNS
from openorder_sheets.core.columns import column_letter
from openorder_sheets.core.labels import (
    COLUMN_LABELS,
    PROGRESS_LABELS,
    SELLER_ACTION_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    label,
)
from openorder_sheets.core.ledger import EMAIL_COLUMNS
from openorder_sheets.core.seller_columns import ORDER_SELLER_COLUMNS, ORDER_TOOL_COLUMNS
from openorder_sheets.ports import ChartSpec, ColumnKind, ColumnSpec, Highlight, TabLayout

K = ColumnKind

_KINDS: Mapping[str, tuple[ColumnKind, int]] = {
    "sku": (K.TEXT, 12),
    "product_name": (K.TEXT, 24),
    "price": (K.MONEY, 12),
    "unit": (K.TEXT, 8),
    "capacity": (K.INTEGER, 10),
    "max_per_buyer": (K.INTEGER, 12),
    "active": (K.CHECKBOX, 8),
    "form_question": (K.TEXT, 28),
    "material": (K.TEXT, 18),
    "quantity_per_unit": (K.NUMBER, 14),
    "batch": (K.TEXT, 18),
    "opens": (K.DATETIME, 17),
    "closes": (K.DATETIME, 17),
    "ships_on": (K.DATE, 12),
    "stage": (K.DROPDOWN, 14),
    "note_to_buyers": (K.TEXT, 36),
    "order": (K.TEXT, 10),
    "submitted": (K.DATETIME, 17),
    "name": (K.TEXT, 22),
    "email": (K.TEXT, 26),
    "whatsapp": (K.TEXT, 18),  # "+62 812-3456-7890" whole, on screen and on paper
    "items": (K.TEXT, 34),
    "total": (K.MONEY, 12),
    "amount_to_pay": (K.MONEY, 13),
    "status": (K.TEXT, 14),
    "progress": (K.TEXT, 22),
    "problems": (K.TEXT, 44),
    "last_email": (K.TEXT, 34),
    "whatsapp_link": (K.LINK, 18),
    "response_row": (K.INTEGER, 9),
    "paid": (K.CHECKBOX, 7),
    "paid_word": (K.TEXT, 9),
    "seller_action": (K.DROPDOWN, 14),
    "tracking_no": (K.TEXT, 16),
    "seller_note": (K.TEXT, 24),
    "product": (K.TEXT, 30),
    "confirmed": (K.INTEGER, 12),
    "waitlisted": (K.INTEGER, 12),
    "remaining": (K.INTEGER, 10),
    "filled": (K.PERCENT, 9),
    "revenue": (K.MONEY, 14),
    "paid_revenue": (K.MONEY, 14),
    "quantity": (K.NUMBER, 12),
    "address": (K.TEXT, 36),
    "delivery": (K.TEXT, 14),
    "notes": (K.TEXT, 30),
    "key": (K.TEXT, 40),
    "kind": (K.TEXT, 18),
    "to": (K.TEXT, 26),
    "state": (K.TEXT, 10),
    "attempts": (K.INTEGER, 9),
    "last_attempt": (K.DATETIME, 17),
    "message_id": (K.TEXT, 36),
    "error": (K.TEXT, 40),
    "data": (K.TEXT, 80),
    "statement_date": (K.DATE, 12),
    "statement_time": (K.TEXT, 9),
    "description": (K.TEXT, 44),
    "amount": (K.MONEY, 14),
    "bank": (K.TEXT, 12),
    "match_result": (K.TEXT, 34),
    "match_order": (K.TEXT, 14),
    "candidates": (K.TEXT, 24),
    "expected": (K.MONEY, 15),
    "received": (K.MONEY, 15),
    "outstanding": (K.MONEY, 15),
    "orders_paid": (K.INTEGER, 12),
    "orders_unpaid": (K.INTEGER, 14),
    "credits_matched": (K.INTEGER, 14),
    "credits_unmatched": (K.INTEGER, 16),
    "reviews": (K.INTEGER, 9),
    "average_stars": (K.NUMBER, 12),
    "stars": (K.TEXT, 9),
    "review": (K.TEXT, 50),
    "show": (K.CHECKBOX, 10),
    "board_status": (K.TEXT, 34),
}

SUMMARY_COLUMNS = (
    "batch",
    "sku",
    "product",
    "capacity",
    "confirmed",
    "waitlisted",
    "remaining",
    "filled",
    "revenue",
    "paid_revenue",
    "reviews",
    "average_stars",
)
MATERIALS_NEEDED_COLUMNS = ("batch", "material", "quantity", "unit")
PACKING_COLUMNS = (
    "order",
    "name",
    "whatsapp",
    "address",
    "delivery",
    "items",
    "notes",
    "paid_word",
)

#: The seller pastes (or `payments import` appends) these; the tool fills the three after them.
STATEMENT_SELLER_COLUMNS = ("statement_date", "statement_time", "description", "amount", "bank")
STATEMENT_TOOL_COLUMNS = ("match_result", "match_order", "candidates")
PAYMENTS_COLUMNS = (
    "batch",
    "expected",
    "received",
    "outstanding",
    "orders_paid",
    "orders_unpaid",
    "credits_matched",
    "credits_unmatched",
)

TAB_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "products": PRODUCT_COLUMNS,
    "materials": MATERIAL_COLUMNS,
    "batches": BATCH_COLUMNS,
    "orders": (*ORDER_TOOL_COLUMNS, *ORDER_SELLER_COLUMNS),
    "summary": SUMMARY_COLUMNS,
    "materials_needed": MATERIALS_NEEDED_COLUMNS,
    "packing": PACKING_COLUMNS,
    "emails": EMAIL_COLUMNS,
    "state": ("key", "data"),
    "archived": ("key", "data"),
    "statement": (*STATEMENT_SELLER_COLUMNS, *STATEMENT_TOOL_COLUMNS),
    "payments": PAYMENTS_COLUMNS,
    "testimonials": ("name", "order", "stars", "review", "show"),
    "public_status": ("order", "name", "batch", "board_status", "ships_on"),
}

#: Tabs the seller is not expected to see: hidden where the backend allows.
HIDDEN_TABS = frozenset({"state", "archived"})
#: Tabs the tool rewrites whole: anything typed there is replaced (or, in the memory, breaks
#: what the tool remembers), so every column is guarded. `Orders` and `Bank statement` guard
#: only the tool's own columns: the others are the seller's.
WRITTEN_TABS = frozenset(
    {"summary", "materials_needed", "packing", "emails", "state", "archived", "payments",
     "public_status"}
)  # fmt: skip
WRITTEN_COLUMNS: Mapping[str, frozenset[str]] = {
    "orders": frozenset(ORDER_TOOL_COLUMNS),
    "statement": frozenset(STATEMENT_TOOL_COLUMNS),
}


def _options(key: str, language: str) -> tuple[str, ...]:
    if key == "stage":
        return tuple(label(STAGE_LABELS, k, language) for k in STAGE_LABELS)
    if key == "seller_action":
        return tuple(label(SELLER_ACTION_LABELS, k, language) for k in SELLER_ACTION_LABELS)
    return ()


#: Long free text: items, problems, addresses, notes, errors; and the packing list's `Paid`,
#: whose "Kurang Rp150.000" would be cut off at the printed page's edge.
WRAPPED = frozenset(
    {
        "items",
        "problems",
        "address",
        "notes",
        "note_to_buyers",
        "error",
        "match_result",
        "review",
        "paid_word",
    }
)


def column_spec(key: str, language: str) -> ColumnSpec:
    kind, width = _KINDS[key]
    return ColumnSpec(
        label(COLUMN_LABELS, key, language), kind, width, _options(key, language), key in WRAPPED
    )


def _words(table: Mapping[str, Mapping[str, str]], *keys: str) -> tuple[str, ...]:
    """The labels of ``keys`` in every language: colours survive a change of language."""
    return tuple(dict.fromkeys(text for key in keys for text in table[key].values()))


# Status colours: the light fill and dark text of the spreadsheet programs' own "Good",
# "Neutral" and "Bad" cell styles, and a grey for orders that are over; light enough that the
# text stays readable when printed in black and white.
_GOOD = ("C6EFCE", "006100")
_NEUTRAL = ("FFEB9C", "9C5700")
_BAD = ("FFC7CE", "9C0006")
_OVER = ("E7E6E6", "595959")

#: (tab, column) → the colours of its words.
HIGHLIGHTS: Mapping[tuple[str, str], tuple[Highlight, ...]] = {
    ("orders", "status"): (
        Highlight(_words(STATUS_LABELS, "confirmed"), *_GOOD),
        Highlight(_words(STATUS_LABELS, "waitlisted"), *_NEUTRAL),
        Highlight(_words(STATUS_LABELS, "needs_attention", "rejected"), *_BAD),
        Highlight(_words(STATUS_LABELS, "duplicate", "cancelled", "expired"), *_OVER),
    ),
    ("orders", "progress"): (
        Highlight(_words(PROGRESS_LABELS, "paid"), *_GOOD),
        Highlight(_words(PROGRESS_LABELS, "partly_paid"), *_NEUTRAL),
    ),
    # The packing list's `Lunas`/`Paid` is the same word as the paid progress.
    ("packing", "paid_word"): (Highlight(_words(PROGRESS_LABELS, "paid"), *_GOOD),),
}

#: Tabs with filter buttons on their header row.
FILTERED_TABS = frozenset({"orders"})

#: Tabs laid out for paper (one page wide, header on every page), and the last column they
#: print. A print area is one block of columns (Excel and LibreOffice print each block of a
#: several-block area on pages of its own), so it runs from the first column through this one.
#: `Orders` stops after `Problems`: `Last email`, `WhatsApp link`, `Response row` and the
#: seller's own columns are for the screen, and leaving them off keeps the text readable.
PRINTED_THROUGH: Mapping[str, str] = {"orders": "problems", "packing": "paid_word"}


def highlight_formula(column: int, highlight: Highlight) -> str:
    """The condition of a status colour on 0-based sheet ``column``, written for its first
    row under the header and relative, so it moves down the column (both backends use it):
    ``OR(J2="Dikonfirmasi",J2="Confirmed")``."""
    cell = f"{column_letter(column)}2"
    words = ",".join(f'{cell}="{word.replace(chr(34), chr(34) * 2)}"' for word in highlight.words)
    return f"OR({words})"


def _with_look(tab_key: str, key: str, spec: ColumnSpec) -> ColumnSpec:
    through = PRINTED_THROUGH.get(tab_key)
    on_paper = None
    if through is not None:
        keys = TAB_COLUMNS[tab_key]
        on_paper = keys.index(key) <= keys.index(through)
    return replace(
        spec,
        highlights=HIGHLIGHTS.get((tab_key, key), ()),
        filter=tab_key in FILTERED_TABS,
        on_paper=on_paper,
        guarded=tab_key in WRITTEN_TABS or key in WRITTEN_COLUMNS.get(tab_key, ()),
    )


def tab_layout(tab_key: str, language: str, currency: str = "IDR") -> TabLayout:
    """The layout of one tab (by internal key) in ``language``."""
    columns = tuple(
        _with_look(tab_key, key, column_spec(key, language)) for key in TAB_COLUMNS[tab_key]
    )
    return TabLayout(
        columns, currency_format=currency_format(currency), hidden=tab_key in HIDDEN_TABS
    )


def currency_format(currency: str) -> str:
    """A spreadsheet number format for the currency (no decimals for rupiah)."""
    if currency.upper() == "IDR":
        return '"Rp"#,##0'
    return f'"{currency.upper()} "#,##0.00'


def summary_chart(language: str, batch: str = "", first: int = 1, last: int = 30) -> ChartSpec:
    """The `Summary` tab's chart: filled % (column H) by product (column C) over a batch's rows,
    beside the table (column N)."""
    title = "Terisi %" if language == "id" else "Filled %"
    product = SUMMARY_COLUMNS.index("product")
    filled = SUMMARY_COLUMNS.index("filled")
    beside = len(SUMMARY_COLUMNS) + 1
    return ChartSpec(f"{title} — {batch}" if batch else title, product, filled, first, last, beside)
