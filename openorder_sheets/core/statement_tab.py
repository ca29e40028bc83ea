"""The `Bank statement` tab (id: `Mutasi rekening`) and the `Payments` view.

The seller pastes rows from internet banking into the statement tab (or `openorder payments
import` appends an exported file's credits); each sync writes, in three columns to the right of
the seller's, what every credit row did: which order it paid, or what the seller should check
and which orders could be meant. The seller's own columns are never written. `Payments` sums
it up per batch: expected, received, still owed, matched and unmatched transfers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from openorder_sheets.core import cells, formatting
from openorder_sheets.core.bank_statements import Statement, parse_pasted
from openorder_sheets.core.labels import COLUMN_LABELS, fold, label
from openorder_sheets.core.layouts import STATEMENT_SELLER_COLUMNS, STATEMENT_TOOL_COLUMNS
from openorder_sheets.core.matching import MONEY, Match, Outcome
from openorder_sheets.core.model import Decision, Order
from openorder_sheets.ports import Cell, Grid, TabLayout, TabUpdate

#: Transfers the seller must look at: no order was given the money.
TO_CHECK = frozenset({Outcome.UNMATCHED, Outcome.CODE_MISSING, Outcome.AMBIGUOUS})

_RESULT_WORDS: Mapping[Outcome, Mapping[str, str]] = {
    Outcome.PAID: {"en": "Paid in full", "id": "Lunas"},
    Outcome.COMPLETES: {"en": "Pays the rest: now paid in full", "id": "Melunasi kekurangan"},
    Outcome.UNDERPAID: {
        "en": "Short by {missing}: the buyer was asked for the rest",
        "id": "Kurang {missing}: pembeli sudah diminta melunasi",
    },
    Outcome.OVERPAID: {
        "en": "Paid {extra} too much: refund it or tell the buyer",
        "id": "Lebih {extra}: kembalikan atau kabari pembeli",
    },
    Outcome.AGAIN: {
        "en": "A second payment for a paid order: refund it",
        "id": "Transfer kedua untuk pesanan yang sudah lunas: kembalikan",
    },
    Outcome.CODE_MISSING: {
        "en": "The amount without the unique code: check the orders and tick Paid by hand",
        "id": "Jumlahnya tanpa kode unik: cek pesanannya lalu centang Lunas sendiri",
    },
    Outcome.AMBIGUOUS: {
        "en": "Fits several orders: tick Paid by hand for the right one",
        "id": "Cocok dengan beberapa pesanan: centang Lunas sendiri di pesanan yang benar",
    },
    Outcome.UNMATCHED: {
        "en": "Matches no order: check it",
        "id": "Tidak cocok dengan pesanan mana pun: cek",
    },
    Outcome.REPEATED: {
        "en": "Same row as above: counted once",
        "id": "Baris yang sama dengan di atas: dihitung sekali",
    },
}


def result_words(found: Match, currency: str, language: str) -> str:
    """What one credit did, in the seller's words."""
    words = _RESULT_WORDS[found.outcome]
    text = words.get(language, words["en"])
    return text.format(
        missing=formatting.money(found.missing, currency, language),
        extra=formatting.money(found.extra, currency, language),
    )


def _headed_tool_columns(header: Sequence[Cell]) -> dict[str, int]:
    """The tool's columns found by their headers (in either language)."""
    found: dict[str, int] = {}
    # A header cell may carry the first row's result below it (a paste without headers).
    folded = [fold(cells.text(cell).split("\n", 1)[0]) for cell in header]
    for key in STATEMENT_TOOL_COLUMNS:
        names = {fold(text) for text in COLUMN_LABELS[key].values()}
        for index, text in enumerate(folded):
            if text in names:
                found[key] = index
                break
    return found


def _seller_width(grid: Grid) -> int:
    """How many columns the seller's own cells reach, in any row: a blank header cell (the
    un-headed CR/DB column of a KlikBCA paste) or an un-headed last column is still theirs."""
    tool = set(_headed_tool_columns(grid[0]).values())
    return 1 + max(
        (
            index
            for row in grid
            for index, cell in enumerate(row)
            if index not in tool and cell not in (None, "")
        ),
        default=-1,
    )


def _tool_positions(header: Sequence[Cell], width: int, language: str) -> dict[str, int]:
    """Where the tool's three columns are: found by their headers, else after the last."""
    found = _headed_tool_columns(header)
    next_free = max([width, *(p + 1 for p in found.values())])
    for key in STATEMENT_TOOL_COLUMNS:
        if key not in found:
            found[key] = next_free
            next_free += 1
    del language
    return found


def read_statement(grid: Grid | None, language: str) -> Statement:
    """The credits the seller's rows hold (the tool's own result columns left out)."""
    if not grid:
        return Statement()
    header = list(grid[0])
    tool = set(_tool_positions(header, len(header), language).values())
    rows = [[cell for index, cell in enumerate(row) if index not in tool] for row in grid]
    return parse_pasted(rows, language=language)


def _money_prefixes() -> tuple[str, ...]:
    """How a result that gave an order money begins, in either language."""
    return tuple(
        text.split("{", 1)[0] for outcome in MONEY for text in _RESULT_WORDS[outcome].values()
    )


def paid_rows(grid: Grid | None) -> dict[int, str]:
    """Rows (0-based) whose `Result` said they gave money to the order in `Paid order`, as the
    tool last wrote them. Read only to rebuild a lost memory (which transfer paid which order
    only the memory knew); never to learn what happened while the memory exists."""
    if not grid:
        return {}
    found = _headed_tool_columns(grid[0])
    result_at, order_at = found.get("match_result"), found.get("match_order")
    if result_at is None or order_at is None:
        return {}
    prefixes = _money_prefixes()
    paid: dict[int, str] = {}
    for index, row in enumerate(grid):
        said = [cells.text(row[at]) if at < len(row) else "" for at in (result_at, order_at)]
        if index == 0:  # under the headers: the first row of a paste without headers
            said = [text.split("\n", 1)[1] if "\n" in text else "" for text in said]
        result, order = said
        if order and result.startswith(prefixes):
            paid[index] = order
    return paid


def statement_updates(
    tab: str,
    grid: Grid | None,
    matches: Iterable[Match],
    layout: TabLayout,
    currency: str,
    language: str,
    notes: Mapping[int, str] | None = None,
    problem: str = "",
) -> list[TabUpdate]:
    """The result columns beside each credit row (and their headers when missing); a row
    that is not a credit gets its ``notes`` (why it was not taken: a repeat, money going out,
    an unreadable date). A ``problem`` with the whole tab (its columns cannot be told apart)
    is written under the `Result` header, where a seller who never sees the sync's output
    looks."""
    if not grid:
        return []
    header = list(grid[0])
    width = max((len(row) for row in grid), default=0)
    seller_width = _seller_width(grid) or width
    positions = _tool_positions(header, seller_width, language)
    specs = {spec.header: spec for spec in layout.columns}
    keys = STATEMENT_TOOL_COLUMNS
    columns = tuple(positions[key] for key in keys)
    tool_layout = TabLayout(
        tuple(specs[label(COLUMN_LABELS, key, language)] for key in keys), layout.currency_format
    )
    by_row: dict[int, list[Cell]] = {}
    for found in matches:
        row = found.credit.row
        if row is None:
            continue
        by_row[row] = [
            result_words(found, currency, language),
            found.order or "",
            ", ".join(found.candidates),
        ]
    headers = [label(COLUMN_LABELS, key, language) for key in keys]
    for row, note in (notes or {}).items():
        if row not in by_row and row > 0:
            first = note[:1].upper() + note[1:]
            by_row[row] = [first, "", ""]
    if 0 in by_row:  # a paste without headers: its first row is a credit, not a header
        headers = [
            f"{head}\n{said}" if said else head
            for head, said in zip(headers, by_row[0], strict=True)
        ]
    if problem:
        headers[0] = f"{headers[0]}\n{problem}"
    rows: list[list[Cell] | None] = [list(headers)]
    last = max([0, *by_row])
    for index in range(1, last + 1):
        current = grid[index] if index < len(grid) else []
        if index in by_row:
            rows.append(by_row[index])
        elif any(current[p] not in (None, "") for p in columns if p < len(current)):
            rows.append(["", "", ""])  # a row that is no longer a credit: its old result goes
        else:
            rows.append(None)
    return [TabUpdate(tab, columns, rows, tool_layout, 0, clear_below=True)]


def payments_rows(
    orders: Sequence[Order], matches: Sequence[Match], language: str
) -> list[list[Cell]]:
    """Per batch: expected, received, still owed, paid and unpaid orders, transfers matched;
    then one row for the whole shop with the transfers still to check."""
    expected: dict[str, Decimal] = defaultdict(Decimal)
    received: dict[str, Decimal] = defaultdict(Decimal)
    owed: dict[str, Decimal] = defaultdict(Decimal)
    paid: Counter[str] = Counter()
    unpaid: Counter[str] = Counter()
    names: list[str] = []
    batch_of: dict[str, str] = {}
    for order in orders:
        if order.batch is None or order.status is not Decision.CONFIRMED:
            continue
        name = order.batch.name
        if name not in expected:
            names.append(name)
        batch_of[order.number] = name
        expected[name] += order.amount_to_pay
        received[name] += order.paid_amount
        owed[name] += max(order.amount_to_pay - order.paid_amount, Decimal(0))
        if order.paid:
            paid[name] += 1
        else:
            unpaid[name] += 1
    matched: Counter[str] = Counter()
    to_check = 0
    for found in matches:
        if found.outcome in MONEY and found.order is not None:
            matched[batch_of.get(found.order, "")] += 1
        elif found.outcome in TO_CHECK or found.outcome is Outcome.AGAIN:
            to_check += 1
    rows: list[list[Cell]] = [
        [
            cells.safe_text(name),
            _num(expected[name]),
            _num(received[name]),
            _num(owed[name]),
            paid[name],
            unpaid[name],
            matched[name],
            None,
        ]
        for name in names
    ]
    everything = "Semua batch" if language == "id" else "All batches"
    rows.append(
        [
            everything,
            _num(sum(expected.values(), Decimal(0))),
            _num(sum(received.values(), Decimal(0))),
            _num(sum(owed.values(), Decimal(0))),
            sum(paid.values()),
            sum(unpaid.values()),
            sum(matched.values()),
            to_check,
        ]
    )
    return rows


def _num(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


__all__ = [
    "STATEMENT_SELLER_COLUMNS",
    "TO_CHECK",
    "paid_rows",
    "payments_rows",
    "read_statement",
    "result_words",
    "statement_updates",
]
