"""Reading the seller's columns of `Orders` (core/seller_columns.py).

Of `Orders` the tool reads back only the `Order` cell and the seller's own columns (`Paid`,
`Seller action`, `Tracking no.`, `Seller note`), found by their headers wherever the seller
moved them; the rest of the row is known from a fingerprint kept in the memory. A sheet made
before the memory tab existed is read whole once, by `legacy_priors`, to migrate.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from openorder_sheets.core.layouts import TAB_COLUMNS
from openorder_sheets.core.model import (
    Catalog,
    Decision,
    EmailState,
    LedgerEntry,
    PaidKind,
    PaidMark,
    PriorOrder,
    Product,
    SellerAction,
    SellerInputs,
)
from openorder_sheets.core.seller_columns import (
    legacy_priors,
    order_serial,
    read_seller_inputs,
    row_fingerprint,
    same_row,
    seller_inputs_from_marks,
)
from openorder_sheets.ports import Cell, Grid

JAKARTA = ZoneInfo("Asia/Jakarta")
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", None, None, True, "", 2)
KASTENGEL = Product("KASTENGEL", "Kastengel", Decimal(90000), "jar", None, None, True, "", 3)
CATALOG = Catalog(products=(NASTAR, KASTENGEL), materials=(), batches=())
ORDER_HEADERS: list[Cell] = [
    "Order", "Batch", "Submitted", "Name", "Email", "WhatsApp", "Items", "Total", "Amount to pay",
    "Status", "Progress", "Problems", "Last email", "WhatsApp link", "Response row",
    "Paid", "Seller action", "Tracking no.", "Seller note",
]  # fmt: skip
#: The seller's columns moved to the front, in their own order, beside a column of their own.
MOVED: list[Cell] = ["Seller note", "Order", "My notes", "Paid", "Tracking no.", "Seller action"]


def inputs(grid: Grid, language: str = "en") -> dict[str, SellerInputs]:
    found, _, problems = read_seller_inputs("Orders", grid, language)
    assert problems == []
    return found


def orders_row(**cells: Cell) -> list[Cell]:
    """One row of a full `Orders` tab, by column key."""
    return [cells.get(key) for key in TAB_COLUMNS["orders"]]


def fingerprint(**changes: Cell) -> str:
    shown: dict[str, Cell] = {
        "order": "PO-0001",
        "name": "Siti",
        "items": "2× Nastar",
        "total": 170000,
        "status": "Confirmed",
        "progress": "Awaiting payment",
        "last_email": "Confirmation sent",
        "response_row": 2,
        "paid": None,
    }
    return row_fingerprint({**shown, **changes})


# -- reading the seller's columns ----------------------------------------------------------------


def test_the_seller_s_columns_are_read_by_header_wherever_the_seller_moved_them() -> None:
    """A seller who drags `Paid` to the front must still have their tick honoured."""
    grid: Grid = [
        MOVED,
        ["call first", "PO-0001", "my own words", "lunas", "JNE 123", "batal"],
    ]
    [(number, seller)] = inputs(grid).items()
    assert number == "PO-0001"
    assert seller.sheet_row == 1
    assert seller.paid.kind is PaidKind.YES
    assert seller.action is SellerAction.CANCEL
    assert seller.tracking_no == "JNE 123"
    assert seller.seller_note == "call first"
    assert seller.marks == ("lunas", "batal", "JNE 123", "call first")


def test_headers_are_read_in_either_language() -> None:
    """A seller who switches `language` keeps a working sheet."""
    grid: Grid = [
        ["Pesanan", "Lunas", "Tindakan penjual", "No. resi"],
        ["PO-0001", 1, "Tolak", "x"],
    ]
    seller = inputs(grid, "en")["PO-0001"]
    assert (seller.paid.kind, seller.action, seller.tracking_no) == (
        PaidKind.YES,
        SellerAction.REJECT,
        "x",
    )


def test_ticks_words_and_amounts_in_paid_are_understood() -> None:
    """Sellers mark payment with a tick, `lunas`, `belum` or the amount they received."""
    grid: Grid = [
        ["Order", "Paid"],
        ["PO-0001", True],
        ["PO-0002", "Sudah"],
        ["PO-0003", "belum"],
        ["PO-0004", "Rp165.000"],
        ["PO-0005", 150000],
        ["PO-0006", "kayaknya"],
        ["PO-0007", None],
    ]
    marks = {number: seller.paid for number, seller in inputs(grid).items()}
    assert marks["PO-0001"].kind is PaidKind.YES
    assert marks["PO-0002"].kind is PaidKind.YES
    assert marks["PO-0003"].kind is PaidKind.NO
    assert (marks["PO-0004"].kind, marks["PO-0004"].amount) == (PaidKind.AMOUNT, Decimal(165000))
    assert (marks["PO-0005"].kind, marks["PO-0005"].amount) == (PaidKind.AMOUNT, Decimal(150000))
    assert (marks["PO-0006"].kind, marks["PO-0006"].text) == (PaidKind.UNKNOWN, "kayaknya")
    assert marks["PO-0007"] == PaidMark()


def test_a_seller_action_the_tool_does_not_understand_is_kept_as_text() -> None:
    """`maybe` is neither done nor ignored silently: it becomes a visible problem."""
    grid: Grid = [["Order", "Seller action"], ["PO-0001", "maybe"], ["PO-0002", "Stop emails"]]
    found = inputs(grid)
    assert (found["PO-0001"].action, found["PO-0001"].action_text) == (SellerAction.NONE, "maybe")
    assert (found["PO-0002"].action, found["PO-0002"].action_text) == (
        SellerAction.STOP_EMAILS,
        "",
    )


def test_a_copied_row_with_the_same_order_number_is_ignored_not_merged() -> None:
    """A seller's copy-paste must not cancel the real order or untick it."""
    grid: Grid = [
        ["Order", "Paid", "Seller action"],
        ["PO-0001", True, None],
        ["", True, "Cancel"],
        ["PO-0001", None, "Cancel"],
    ]
    found = inputs(grid)
    assert list(found) == ["PO-0001"]
    assert (found["PO-0001"].sheet_row, found["PO-0001"].action) == (1, SellerAction.NONE)
    assert found["PO-0001"].paid.kind is PaidKind.YES


def test_a_tracking_number_written_safe_is_read_back_as_typed() -> None:
    """The tool guards text starting with `=` by a `'`; the buyer must get the real number."""
    grid: Grid = [["Order", "Tracking no."], ["'=PO-0001", "'+62JNE"], ["PO-0002", " JNE 9 "]]
    found = inputs(grid)
    assert found["=PO-0001"].tracking_no == "+62JNE"
    assert found["PO-0002"].tracking_no == "JNE 9"


def test_remembered_marks_keep_dates_as_text() -> None:
    """The memory holds plain values; a date in `Seller note` survives as its text."""
    grid: Grid = [["Order", "Seller note"], ["PO-0001", dt.date(2027, 2, 3)]]
    seller = inputs(grid)["PO-0001"]
    assert seller.marks == (None, None, None, "2027-02-03")
    assert seller.seller_note == "2027-02-03"


def test_an_orders_tab_without_an_order_column_reads_nothing_and_says_why() -> None:
    """Without `Order` no row can be tied to an order: nothing is guessed."""
    found, columns, problems = read_seller_inputs("Orders", [["Paid"], [True]], "en")
    assert (found, columns) == ({}, None)
    assert len(problems) == 1
    assert "'Order'" in problems[0]


def test_a_missing_or_empty_orders_tab_reads_nothing() -> None:
    """A deleted `Orders` tab is rebuilt from memory, not an error."""
    assert read_seller_inputs("Orders", None, "en") == ({}, None, [])
    assert read_seller_inputs("Orders", [], "en") == ({}, None, [])


def test_remembered_marks_give_back_the_seller_s_columns_of_a_deleted_row() -> None:
    """An `Orders` tab deleted by mistake comes back with the seller's ticks and words."""
    seller = seller_inputs_from_marks(("lunas", "Konfirmasi", "'=JNE", "note"))
    assert seller.sheet_row is None
    assert seller.paid.kind is PaidKind.YES
    assert seller.action is SellerAction.CONFIRM
    assert (seller.tracking_no, seller.seller_note) == ("=JNE", "note")
    assert seller_inputs_from_marks(()) == SellerInputs(marks=())


# -- order numbers ---------------------------------------------------------------------------


def test_the_running_number_is_read_from_the_end_of_an_order_number() -> None:
    """New orders continue the count: PO-0042 is followed by 43, whatever the prefix."""
    assert order_serial("PO-0042") == 42
    assert order_serial("KUE 7 ") == 7
    assert order_serial("2027-PO-0103") == 103
    assert order_serial("PO-") == 0
    assert order_serial("") == 0


# -- the fingerprint of a row ----------------------------------------------------------------


def test_a_row_s_fingerprint_is_stable_whatever_the_order_of_its_cells() -> None:
    """The same row twice must read as unchanged, or every sync would rewrite it."""
    assert fingerprint() == fingerprint()
    shown: dict[str, Cell] = {"items": "2× Nastar", "total": 170000, "response_row": 2}
    assert row_fingerprint(shown) == row_fingerprint(dict(reversed(list(shown.items()))))
    assert len(fingerprint()) == 8  # 48 bits


def test_a_row_s_fingerprint_changes_when_a_cell_the_tool_does_not_read_back_changes() -> None:
    """A changed total or items cell must make the next sync rewrite the row."""
    assert fingerprint(items="3× Nastar") != fingerprint()
    assert fingerprint(total=255000) != fingerprint()
    assert fingerprint(progress="Paid") != fingerprint()
    assert fingerprint(response_row=3) != fingerprint()  # the witness of whose cells these are


def test_cells_read_every_sync_are_left_out_of_the_fingerprint() -> None:
    """`Order`, `Status`, `Last email` and the seller's columns are read anyway: a seller typing
    in `Paid` must not look like damage to the tool's cells."""
    assert fingerprint(status="Lunas") == fingerprint()
    assert fingerprint(order="PO-0009") == fingerprint()
    assert fingerprint(last_email="Payment reminder sent") == fingerprint()
    assert fingerprint(paid=True) == fingerprint()


# -- migrating a sheet made before the memory tab --------------------------------------------


def migrate(grid: Grid, ledger: list[LedgerEntry]) -> list[PriorOrder]:
    found, columns, _ = read_seller_inputs("Orders", grid, "en")
    return legacy_priors(grid, columns, found, CATALOG, ledger, JAKARTA)


def sent(key: str) -> LedgerEntry:
    order, kind, to, _ = key.split("/")
    return LedgerEntry(key, order, kind, to, EmailState.SENT)


LEGACY: Grid = [
    ORDER_HEADERS,
    orders_row(
        order="PO-0001",
        batch="PO 1",
        submitted="2027-02-01 10:00",
        email="Siti@Example.com",
        items="2× Nastar, 1× Kastengel",
        total=260000,
        amount_to_pay=260123,
        status="Confirmed",
        problems="late answer; check address",
        response_row=2,
        paid=True,
    ),
    orders_row(
        order="PO-0002",
        batch="PO 1",
        submitted="not a date",
        email="budi@example.com",
        items="1× Bolu",
        total=85000,
        amount_to_pay=85000,
        status="Daftar tunggu",
        response_row="three",
        paid=True,
    ),
    orders_row(
        order="PO-0003",
        batch="PO 1",
        email="dewi@example.com",
        items="1× Nastar",
        total=85000,
        amount_to_pay=85045,
        status="Cancelled",
        response_row=4,
        paid="lunas",
    ),
]
LEDGER = [
    sent("PO-0001/order_updated/siti@example.com/3"),
    sent("PO-0001/order_confirmed/siti@example.com/1"),
    sent("PO-0001/payment_received/siti@example.com/1"),
    sent("PO-0002/order_waitlisted/budi@example.com/1"),
    sent("PO-0003/order_confirmed/dewi@example.com/1"),
    sent("PO-0003/order_cancelled/dewi@example.com/2"),
]


def test_a_pre_memory_confirmed_paid_order_migrates_with_its_facts() -> None:
    """Upgrading must not re-confirm, re-bill or re-thank a buyer: the old sheet's facts
    and the ledger's versions carry over."""
    siti = migrate(LEGACY, LEDGER)[0]
    assert siti.number == "PO-0001"
    assert siti.batch == "PO 1"
    assert siti.submitted == dt.datetime(2027, 2, 1, 10, tzinfo=JAKARTA)
    assert siti.email == "siti@example.com"
    assert siti.status is Decision.CONFIRMED
    assert siti.response_row == 2
    assert siti.lines == siti.asked == (("NASTAR", 2), ("KASTENGEL", 1))
    assert siti.problems == ("late answer", "check address")
    assert siti.code == 123  # amount to pay minus total: the unique code
    assert (siti.paid_amount, siti.settled) == (Decimal(260123), True)
    assert siti.seq == 3
    assert siti.confirmed_key == "PO-0001/order_confirmed/siti@example.com/1"
    assert siti.receipts == 1


def test_a_pre_memory_order_that_was_not_confirmed_is_never_taken_as_paid() -> None:
    """A tick on a waitlisted row is not money received; unreadable cells become blanks."""
    budi = migrate(LEGACY, LEDGER)[1]
    assert budi.status is Decision.WAITLISTED
    assert (budi.paid_amount, budi.settled) == (Decimal(0), False)
    assert budi.confirmed_key == ""
    assert budi.code is None
    assert budi.lines == ()  # `Bolu` is not a product of the catalog
    assert (budi.submitted, budi.response_row) == (None, None)
    assert budi.seq == 1


def test_a_pre_memory_cancelled_order_keeps_no_confirmation_and_no_payment() -> None:
    """Its old confirmation must not count as the one a payment deadline runs from."""
    dewi = migrate(LEGACY, LEDGER)[2]
    assert dewi.status is Decision.CANCELLED
    assert dewi.seq == 2
    assert dewi.confirmed_key == ""
    assert (dewi.paid_amount, dewi.settled) == (Decimal(0), False)
    assert dewi.code == 45
    assert dewi.lines == (("NASTAR", 1),)


def test_nothing_to_migrate_without_an_orders_tab() -> None:
    """A brand-new shop has no old sheet to read."""
    assert legacy_priors(None, None, {}, CATALOG, LEDGER, JAKARTA) == []


def test_a_fingerprint_an_older_version_kept_still_names_its_row() -> None:
    """Versions before kept 72 bits of the same hash: a shop upgraded mid-batch is not
    rewritten row by row, and a different row is still told apart."""
    import base64
    import hashlib
    import json

    shown = {"items": "1× Nastar", "total": 85000, "response_row": 2}
    text = json.dumps(shown, default=str, ensure_ascii=False, sort_keys=True)
    older = base64.urlsafe_b64encode(hashlib.blake2b(text.encode(), digest_size=9).digest())
    assert same_row(older.decode(), row_fingerprint(shown))
    assert same_row(row_fingerprint(shown), row_fingerprint(shown))
    assert not same_row(older.decode(), row_fingerprint({**shown, "total": 90000}))
    assert not same_row(None, row_fingerprint(shown))


def test_a_pre_memory_order_with_a_typed_amount_keeps_it_and_is_not_thanked_again() -> None:
    """`Paid` holding the amount received (not a tick) migrates as that amount: paid in full
    it is settled (its receipt went out before the upgrade, so no second one is due), short
    it stays owed."""
    grid: Grid = [
        ORDER_HEADERS,
        orders_row(
            order="PO-0004", batch="PO 1", email="rina@example.com", items="1× Nastar",
            total=85000, amount_to_pay=85004, status="Confirmed", paid=85004,
        ),
        orders_row(
            order="PO-0005", batch="PO 1", email="tono@example.com", items="1× Nastar",
            total=85000, amount_to_pay=85005, status="Confirmed", paid=50000,
        ),
    ]  # fmt: skip
    ledger = [
        sent("PO-0004/order_confirmed/rina@example.com/1"),
        sent("PO-0004/payment_received/rina@example.com/1"),
        sent("PO-0005/order_confirmed/tono@example.com/1"),
    ]
    rina, tono = migrate(grid, ledger)
    assert (rina.paid_amount, rina.settled, rina.receipts) == (Decimal(85004), True, 1)
    assert (tono.paid_amount, tono.settled, tono.receipts) == (Decimal(50000), False, 0)
