"""The `Public status` board: masked names, plain statuses, and nothing private."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from openorder_sheets.core.model import (
    Batch,
    Catalog,
    Decision,
    Line,
    Order,
    PriorOrder,
    Product,
    Response,
    SellerInputs,
    Stage,
)
from openorder_sheets.core.public_board import (
    BOARD_HEADERS,
    board_rows,
    mask_name,
    short_date,
    waitlist_places,
)

JAKARTA = ZoneInfo("Asia/Jakarta")
OPENS = dt.datetime(2026, 12, 1, 9, tzinfo=JAKARTA)
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", 10, None, True, "", 2)
PO1 = Batch("PO 1", OPENS, OPENS + dt.timedelta(days=7), dt.date(2026, 12, 12), Stage.NONE, "", 2)
PO2 = Batch(
    "PO 2",
    OPENS + dt.timedelta(days=14),
    OPENS + dt.timedelta(days=21),
    dt.date(2027, 1, 2),
    Stage.NONE,
    "",
    3,
)
CATALOG = Catalog((NASTAR,), (), (PO1, PO2))


def make_order(
    number: str,
    status: Decision = Decision.CONFIRMED,
    *,
    name: str = "Siti Rahmawati",
    batch: Batch | None = PO1,
    minutes: int = 0,
    row: int = 2,
    paid: Decimal = Decimal(0),
    tracking: str = "",
    problems: tuple[str, ...] = (),
) -> Order:
    submitted = OPENS + dt.timedelta(minutes=minutes)
    response = Response(
        row=row,
        timestamp=submitted,
        email="siti.rahma@gmail.com",
        email_ok=True,
        name=name,
        phone="+6281234567890",
        address="Jl. Melati No. 12, Cilandak",
        delivery="Courier",
        notes="Tolong dibungkus rapi",
        opt_in=True,
        quantities=(("NASTAR", 2),),
        problems=(),
    )
    prior = PriorOrder(
        number,
        batch.name if batch else "",
        submitted,
        response.email,
        status,
        row,
        seller=SellerInputs(tracking_no=tracking, seller_note="pelanggan rewel"),
    )
    return Order(
        number=number,
        response=response,
        prior=prior,
        batch=batch,
        submitted=submitted,
        lines=(Line(NASTAR, 2),),
        status=status,
        problems=problems,
        paid_amount=paid,
    )


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Siti Rahmawati", "Siti R."),
        ("Hendra Wijaya Kusuma", "Hendra K."),
        ("Siti", "Siti"),
        ("siti rahma", "Siti R."),
        ("Bu Siti Rahmawati", "Siti R."),
        ("Kak Ani", "Ani"),
        ("Siti (siti.rahma@gmail.com)", "Siti"),
        ("Siti Rahma siti@gmail.com", "Siti R."),
        ("Siti WA 0812-3456-7890", "Siti"),
        ("Budi +62 812 3456 7890 Santoso", "Budi S."),
        ("Ani2", "Ani"),
        ("siti.rahma@gmail.com", "Pembeli"),
        ("+62 812-3456-7890", "Pembeli"),
        ("081234567890", "Pembeli"),
        ("", "Pembeli"),
        ("  ", "Pembeli"),
        ('=HYPERLINK("http://x")', "Pembeli"),
    ],
)
def test_mask_name_keeps_the_given_name_and_one_initial(name: str, masked: str) -> None:
    """First given name + initial of the last word; contact details and greetings dropped."""
    assert mask_name(name, "id") == masked


def test_a_name_that_is_only_contact_details_is_buyer_in_english() -> None:
    """The fallback word follows the shop's language."""
    assert mask_name("0812 3456 7890", "en") == "Buyer"
    assert mask_name("ani@example.com", "en") == "Buyer"


def test_ship_date_is_written_the_way_a_person_writes_it() -> None:
    """``12 Des 2026`` / ``12 Dec 2026`` through Babel."""
    assert short_date(dt.date(2026, 12, 12), "id") == "12 Des 2026"
    assert short_date(dt.date(2026, 12, 12), "en") == "12 Dec 2026"


def test_row_holds_the_five_public_columns_only() -> None:
    """Order, masked name, batch, status, ship date — no email, phone, address, note, amount."""
    order = make_order("PO-0001", paid=Decimal(85000 * 2), tracking="JNE123456789")
    (row,) = board_rows([order], CATALOG, "id")
    assert row == ["PO-0001", "Siti R.", "PO 1", "Dikirim", "12 Des 2026"]  # tracking: shipped
    assert len(BOARD_HEADERS["id"]) == len(BOARD_HEADERS["en"]) == len(row)
    flat = " ".join(row)
    for private in ("gmail", "812", "Melati", "dibungkus", "rewel", "JNE", "170", "Rp"):
        assert private not in flat


@pytest.mark.parametrize(
    ("stage", "tracking", "paid", "id_words", "en_words"),
    [
        (Stage.NONE, "", 0, "Dikonfirmasi · menunggu pembayaran", "Confirmed · awaiting payment"),
        (Stage.NONE, "", 100000, "Dikonfirmasi · dibayar sebagian", "Confirmed · partly paid"),
        (Stage.NONE, "", 170000, "Dikonfirmasi · sudah dibayar", "Confirmed · paid"),
        (Stage.IN_PRODUCTION, "", 170000, "Sedang dibuat", "Being made"),
        (Stage.READY, "", 170000, "Siap dikirim", "Ready to ship"),
        (Stage.SHIPPED, "", 170000, "Dikirim", "Shipped"),
        (Stage.NONE, "JNE1", 170000, "Dikirim", "Shipped"),
    ],
)
def test_confirmed_orders_show_their_progress_in_plain_words(
    stage: Stage, tracking: str, paid: int, id_words: str, en_words: str
) -> None:
    """Payment, production, ready and shipped read as a buyer would say them."""
    order = make_order("PO-0001", batch=replace(PO1, stage=stage), tracking=tracking)
    order = replace(order, paid_amount=Decimal(paid))
    assert board_rows([order], CATALOG, "id")[0][3] == id_words
    assert board_rows([order], CATALOG, "en")[0][3] == en_words


def test_waitlist_places_count_per_batch_in_submission_order() -> None:
    """Each batch's waitlist is numbered from 1, first submitted first, whatever the list order."""
    orders = [
        make_order("PO-0004", Decision.WAITLISTED, minutes=40, row=5),
        make_order("PO-0002", Decision.WAITLISTED, minutes=10, row=3),
        make_order("PO-0009", Decision.WAITLISTED, batch=PO2, minutes=20_200, row=9),
        make_order("PO-0003", Decision.WAITLISTED, minutes=10, row=4),  # same time, later row
        make_order("PO-0001", Decision.CONFIRMED, minutes=0, row=2),
    ]
    assert waitlist_places(orders) == {"PO-0002": 1, "PO-0003": 2, "PO-0004": 3, "PO-0009": 1}
    rows = board_rows(orders, CATALOG, "id")
    assert [row[0] for row in rows] == ["PO-0001", "PO-0002", "PO-0003", "PO-0004", "PO-0009"]
    assert rows[3][3] == "Daftar tunggu no. 3"
    assert rows[3][4] == ""  # a waitlisted order was promised no ship date
    assert board_rows(orders, CATALOG, "en")[1][3] == "Waitlist no. 1"


def test_dead_orders_are_not_on_the_board() -> None:
    """Cancelled, rejected, duplicate and expired orders never appear."""
    dead = [
        make_order(f"PO-000{i}", status)
        for i, status in enumerate(
            (Decision.CANCELLED, Decision.REJECTED, Decision.DUPLICATE, Decision.EXPIRED), start=1
        )
    ]
    assert board_rows(dead, CATALOG, "id") == []


def test_orders_of_a_cancelled_batch_and_waitlisted_orders_not_made_are_left_out() -> None:
    """A cancelled batch, or a batch in production for a waitlisted order, is not live."""
    cancelled = replace(PO1, stage=Stage.CANCELLED)
    producing = replace(PO1, stage=Stage.IN_PRODUCTION)
    orders = [
        make_order("PO-0001", batch=cancelled),
        make_order("PO-0002", Decision.WAITLISTED, batch=producing),
    ]
    assert board_rows(orders, CATALOG, "en") == []


def test_needs_attention_shows_as_being_checked_without_the_problem() -> None:
    """The buyer sees the order arrived; the problem text stays with the seller."""
    order = make_order(
        "PO-0005",
        Decision.NEEDS_ATTENTION,
        problems=("kolom \"Nastar\" berisi 'dua' — tulis angka bulat",),
    )
    (row,) = board_rows([order], CATALOG, "id")
    assert row == ["PO-0005", "Siti R.", "PO 1", "Sedang dicek penjual", ""]


def test_an_order_without_its_response_shows_buyer_and_no_batch_last() -> None:
    """A response row that is gone leaves no name to show; orders without a batch sort last."""
    gone = replace(make_order("PO-0001"), response=None)
    loose = make_order("PO-0002", Decision.NEEDS_ATTENTION, batch=None)
    rows = board_rows([loose, gone], CATALOG, "en")
    assert rows[0][:3] == ["PO-0001", "Buyer", "PO 1"]
    assert rows[1][:3] == ["PO-0002", "Siti R.", ""]


def test_seller_text_in_a_batch_name_never_becomes_a_formula() -> None:
    """A batch name starting with = is written as text."""
    odd = replace(PO1, name="=PO 1")
    (row,) = board_rows([make_order("PO-0001", batch=odd)], Catalog((NASTAR,), (), (odd,)), "en")
    assert row[2] == "'=PO 1"
