"""The `Bank statement` tab and the `Payments` view (core/statement_tab.py).

The seller pastes rows from internet banking; each sync reads the credits among them (leaving
out its own result columns), writes beside every row what it paid or what to check, and never
touches the seller's own cells. `Payments` sums it up per batch and for the whole shop.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.core.matching import Match, Outcome
from openorder_sheets.core.model import Batch, Credit, Decision, Line, Order, Product, Stage
from openorder_sheets.core.statement_tab import (
    payments_rows,
    read_statement,
    result_words,
    statement_updates,
)
from openorder_sheets.ports import Cell, Grid, TabUpdate

ZONE = dt.timezone(dt.timedelta(hours=7))
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
PO1 = Batch("PO 1", OPENS, OPENS + dt.timedelta(days=7), None, Stage.NONE, "", 2)
PO2 = Batch("PO 2", OPENS + dt.timedelta(days=14), OPENS + dt.timedelta(days=21), None,
            Stage.NONE, "", 3)  # fmt: skip
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", None, None, True, "", 2)
RESULT_HEADERS_EN = ["Result", "Paid order", "Orders to check"]

#: A statement the seller pasted, with the tool's results from an earlier sync beside it.
PASTED: Grid = [
    ["Date", "Time", "Description", "Amount", "Bank", *RESULT_HEADERS_EN],
    ["02/02/2027", "10:04:00", "TRSF PO-0001 SITI", 170123, "BCA", "Paid in full", "PO-0001", ""],
    ["03/02/2027", "", "TARIK TUNAI", "-50000", "BCA", "", "", ""],
    ["04/02/2027", "11:00", "BUDI", 90000, "BCA", 99, "PO-0009", "PO-0002, PO-0003"],
]


def credit(row: int | None, amount: int = 170123) -> Credit:
    return Credit(f"key {row}", dt.date(2027, 2, 2), None, Decimal(amount), "TRSF", "", row)


def found(outcome: Outcome, row: int | None = 1, order: str | None = None, **money: int) -> Match:
    candidates = ("PO-0002", "PO-0003") if outcome is Outcome.AMBIGUOUS else ()
    amounts = {key: Decimal(value) for key, value in money.items()}
    return Match(credit(row), outcome, order, candidates, **amounts)


def update(
    grid: Grid,
    matches: list[Match],
    language: str = "en",
    notes: dict[int, str] | None = None,
) -> TabUpdate:
    [written] = statement_updates(
        "Bank statement", grid, matches, tab_layout("statement", language), "IDR", language, notes
    )
    return written


def order(
    number: str,
    batch: Batch,
    status: Decision = Decision.CONFIRMED,
    *,
    paid: int = 0,
    code: int = 0,
) -> Order:
    """Two jars of Nastar (Rp170.000) plus the unique ``code``."""
    lines = (Line(NASTAR, 2),)
    return Order(
        number, None, None, batch, OPENS, lines, status, (),
        code=code or None, paid_amount=Decimal(paid),
    )  # fmt: skip


# -- reading the pasted tab ----------------------------------------------------------------------


def test_the_credits_of_a_pasted_statement_are_read_with_their_rows() -> None:
    """Each incoming transfer is found, with the row its result is written beside."""
    statement = read_statement(PASTED, "en")
    assert [(c.row, c.day, c.time, c.amount, c.description, c.bank) for c in statement.credits] == [
        (1, dt.date(2027, 2, 2), dt.time(10, 4), Decimal(170123), "TRSF PO-0001 SITI", "BCA"),
        (3, dt.date(2027, 2, 4), dt.time(11, 0), Decimal(90000), "BUDI", "BCA"),
    ]


def test_money_going_out_is_not_a_credit_and_is_said_so() -> None:
    """A withdrawal must never pay an order; the seller is told why the row was passed over."""
    statement = read_statement(PASTED, "en")
    assert list(statement.notes) == [2]
    assert "debit" in statement.notes[2]


def test_the_tool_s_own_result_columns_are_not_read_as_the_seller_s() -> None:
    """Last sync's results (even a stray number) must not change what the statement says."""
    without_results = [row[:5] for row in PASTED]
    assert read_statement(PASTED, "en") == read_statement(without_results, "en")


def test_results_beside_a_paste_without_headers_are_not_taken_for_its_description() -> None:
    """Without headers the longest text is the description: the tool's own long sentences
    must not become it, or the same transfer would get a new key each sync."""
    pasted: Grid = [
        ["02/02/2027", "TRSF PO-0001 SITI", 170123, *RESULT_HEADERS_EN],
        ["04/02/2027", "BUDI", 90000, "Matches no order: check it", "", "PO-0002, PO-0003"],
    ]
    assert [c.description for c in read_statement(pasted, "en").credits] == [
        "TRSF PO-0001 SITI",
        "BUDI",
    ]


def test_the_first_row_of_a_paste_without_headers_shows_its_result_under_the_headers() -> None:
    """Pasted over the header row, the first transfer's result would have no cell of its own:
    it is written under the result headers in the same cells, and those cells are still found
    (and left out) as the tool's next sync."""
    pasted: Grid = [
        ["02/02/2027", "TRSF PO-0001 SITI", 170123],
        ["04/02/2027", "BUDI", 90000],
    ]
    statement = read_statement(pasted, "en")
    assert [c.row for c in statement.credits] == [0, 1]
    written = update(pasted, [found(Outcome.PAID, 0, "PO-0001"), found(Outcome.AMBIGUOUS, 1)])
    assert written.columns == (3, 4, 5)
    assert written.rows[0] == ["Result\nPaid in full", "Paid order\nPO-0001", "Orders to check"]
    assert written.rows[1] == [
        "Fits several orders: tick Paid by hand for the right one",
        "",
        "PO-0002, PO-0003",
    ]
    after = [[*row, *(cells or [])] for row, cells in zip(pasted, written.rows, strict=True)]
    assert read_statement(after, "en") == statement
    again = update(after, [found(Outcome.PAID, 0, "PO-0001"), found(Outcome.AMBIGUOUS, 1)])
    assert (again.columns, again.rows) == (written.columns, written.rows)


def test_the_result_columns_are_left_out_wherever_the_seller_moved_them() -> None:
    """Found by their headers in either language, not by position."""
    moved: Grid = [
        ["Tanggal", "Hasil", "Keterangan", "Jumlah"],
        ["02/02/2027", 170123, "PO-0001", 170123],
    ]
    [paid] = read_statement(moved, "id").credits
    assert (paid.amount, paid.description) == (Decimal(170123), "PO-0001")


def test_an_empty_or_missing_tab_holds_no_credits() -> None:
    """A shop that does not use the statement tab reads nothing from it."""
    assert read_statement(None, "en").credits == []
    assert read_statement([], "en").credits == []


# -- the result columns beside each row ----------------------------------------------------------


def test_results_are_written_in_three_columns_after_the_seller_s() -> None:
    """The seller's five columns are never written; results go right after them."""
    written = update([row[:5] for row in PASTED], [found(Outcome.PAID, 1, "PO-0001")])
    assert written.columns == (5, 6, 7)
    assert written.start_row == 0
    assert written.clear_below
    assert written.rows[0] == RESULT_HEADERS_EN
    assert written.rows[1] == ["Paid in full", "PO-0001", ""]
    assert [spec.header for spec in written.layout.columns] == RESULT_HEADERS_EN


def test_the_result_columns_are_rewritten_where_the_seller_moved_them() -> None:
    """A seller who moved `Hasil` keeps it there; the others follow the seller's columns."""
    moved: Grid = [["Tanggal", "Hasil", "Keterangan", "Jumlah"], ["02/02/2027", "", "PO-1", 5]]
    written = update(moved, [found(Outcome.PAID, 1, "PO-0001")], "id")
    assert written.columns == (1, 4, 5)
    assert written.rows[0] == ["Hasil", "Pesanan dibayar", "Pesanan yang perlu dicek"]
    assert written.rows[1] == ["Lunas", "PO-0001", ""]


def test_result_columns_the_seller_deleted_come_back_after_the_one_kept() -> None:
    """Three distinct columns, never two results in one, and none over the seller's."""
    kept_one: Grid = [["Tanggal", "", "Keterangan", "Jumlah", "Hasil"], ["02/02/2027"]]
    written = update(kept_one, [found(Outcome.PAID, 1, "PO-0001")], "id")
    assert written.columns == (4, 5, 6)


def test_each_row_says_what_it_paid_or_what_to_check() -> None:
    """The seller sees per transfer which order it paid, or which orders could be meant."""
    written = update(
        PASTED,
        [
            found(Outcome.UNDERPAID, 1, "PO-0001", missing=1500),
            found(Outcome.AMBIGUOUS, 3),
        ],
    )
    assert written.rows[1] == [
        "Short by Rp1.500: the buyer was asked for the rest",
        "PO-0001",
        "",
    ]
    assert written.rows[3] == [
        "Fits several orders: tick Paid by hand for the right one",
        "",
        "PO-0002, PO-0003",
    ]


def test_a_row_that_is_not_a_credit_gets_its_reason_capitalised() -> None:
    """The seller learns why a pasted row paid nothing; a match always wins over a note."""
    notes = {0: "header", 1: "not this", 2: "money going out (debit), not an incoming transfer."}
    written = update(PASTED, [found(Outcome.PAID, 1, "PO-0001")], notes=notes)
    assert written.rows[0] == RESULT_HEADERS_EN
    assert written.rows[1] == ["Paid in full", "PO-0001", ""]
    assert written.rows[2] == ["Money going out (debit), not an incoming transfer.", "", ""]


def test_an_old_result_beside_a_row_that_is_no_longer_a_credit_is_cleared() -> None:
    """A stale `Paid in full` would tell the seller an order is paid when it is not."""
    written = update(PASTED, [found(Outcome.PAID, 4, "PO-0004")])
    assert written.rows[1] == ["", "", ""]  # had `Paid in full`
    assert written.rows[2] is None  # had nothing: left alone
    assert written.rows[3] == ["", "", ""]
    assert written.rows[4] == ["Paid in full", "PO-0004", ""]


def test_imported_credits_without_a_row_write_nothing_and_an_empty_tab_no_update() -> None:
    """Credits from an imported file have no row yet; an empty tab has nothing to annotate."""
    written = update(PASTED[:1], [found(Outcome.PAID, None, "PO-0001")])
    assert written.rows == [RESULT_HEADERS_EN]
    assert (
        statement_updates("Bank statement", [], [], tab_layout("statement", "en"), "IDR", "en")
        == []
    )


def test_a_blank_header_cell_does_not_let_results_overwrite_a_seller_column() -> None:
    """The seller's own columns are never written, even with an un-headed column among them."""
    klikbca: Grid = [
        ["Tanggal", "Keterangan", "Cabang", "Mutasi", "", "Saldo"],
        ["02/02/2027", "TRSF PO-0001 SITI", "0000", "170,123.00", "CR", "5,000,000.00"],
    ]
    [paid] = read_statement(klikbca, "id").credits
    written = update(klikbca, [Match(paid, Outcome.PAID, "PO-0001", ())], "id")
    assert min(written.columns) >= len(klikbca[0])


# -- the words of each result ----------------------------------------------------------------


def test_result_words_name_the_money_in_the_seller_s_language() -> None:
    """Rupiah as Indonesians read it, in both languages; unknown languages read English."""
    overpaid = found(Outcome.OVERPAID, 1, "PO-0001", extra=2000)
    assert result_words(overpaid, "IDR", "id") == "Lebih Rp2.000: kembalikan atau kabari pembeli"
    assert result_words(overpaid, "IDR", "en") == (
        "Paid Rp2.000 too much: refund it or tell the buyer"
    )
    assert result_words(found(Outcome.REPEATED), "IDR", "fr") == "Same row as above: counted once"


@pytest.mark.parametrize("outcome", list(Outcome))
def test_every_outcome_has_words_in_both_languages(outcome: Outcome) -> None:
    """A new outcome without words would crash the sync that meets it."""
    english = result_words(found(outcome), "IDR", "en")
    indonesian = result_words(found(outcome), "IDR", "id")
    assert english
    assert indonesian
    assert english != indonesian


# -- the Payments view ---------------------------------------------------------------------------


def test_payments_sums_up_each_batch_and_the_whole_shop() -> None:
    """The seller sees per batch what is expected, received and still owed."""
    orders = [
        order("PO-0001", PO1, paid=170123, code=123),
        order("PO-0002", PO1, paid=100000),
        order("PO-0003", PO2, code=7),
        order("PO-0004", PO1, Decision.WAITLISTED),
        order("PO-0005", PO1, Decision.CANCELLED, paid=170000),
    ]
    rows = payments_rows(orders, [], "en")
    assert rows == [
        ["PO 1", 340123, 270123, 70000, 1, 1, 0, None],
        ["PO 2", 170007, 0, 170007, 0, 1, 0, None],
        ["All batches", 510130, 270123, 240007, 1, 2, 0, 0],
    ]


def test_overpaid_money_does_not_lower_what_other_orders_still_owe() -> None:
    """One buyer's extra transfer is not another buyer's payment."""
    rows = payments_rows([order("PO-0001", PO1, paid=200000), order("PO-0002", PO1)], [], "id")
    assert rows[0][1:4] == [340000, 200000, 170000]
    assert rows[-1][0] == "Semua batch"


def test_transfers_are_counted_matched_per_batch_or_to_check_for_the_shop() -> None:
    """Refunds (a second payment) and unknown transfers land in `Transfers to check`."""
    orders = [order("PO-0001", PO1), order("PO-0002", PO2), order("PO-0003", PO1)]
    matches = [
        found(Outcome.PAID, 1, "PO-0001"),
        found(Outcome.OVERPAID, 8, "PO-0003", extra=1),
        found(Outcome.UNDERPAID, 2, "PO-0002", missing=5),
        found(Outcome.AGAIN, 3, "PO-0001"),
        found(Outcome.UNMATCHED, 4),
        found(Outcome.CODE_MISSING, 5),
        found(Outcome.AMBIGUOUS, 6),
        found(Outcome.REPEATED, 7),
    ]
    rows = payments_rows(orders, matches, "en")
    assert [row[6] for row in rows] == [2, 1, 3]
    assert rows[-1][7] == 4


def test_cents_are_kept_and_a_batch_name_cannot_become_a_formula() -> None:
    """A dollar shop's cents show; a batch named `=SUM(…)` stays text."""
    named = Batch("=PO 1", OPENS, OPENS + dt.timedelta(days=7), None, Stage.NONE, "", 2)
    half = Product("HALF", "Half", Decimal("10.50"), "pc", None, None, True, "", 2)
    cheap = Order("PO-0001", None, None, named, OPENS, (Line(half, 1),), Decision.CONFIRMED, ())
    first: list[Cell] = payments_rows([cheap], [], "en")[0]
    assert first[:4] == ["'=PO 1", 10.5, 0, 10.5]
