"""The `Orders` view (core/orders_tab.py): where a confirmed order is, the WhatsApp update the
seller can send, and the problems in plain words."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from openorder_sheets.core.model import (
    Batch,
    Decision,
    Line,
    Order,
    PriorOrder,
    Product,
    Response,
    SellerInputs,
    Stage,
)
from openorder_sheets.core.orders_tab import (
    problems_text,
    progress_key,
    whatsapp_link,
    whatsapp_text,
)

ZONE = dt.timezone(dt.timedelta(hours=7))
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
PO1 = Batch("PO 1", OPENS, OPENS + dt.timedelta(days=7), None, Stage.NONE, "", 2)
NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", None, None, True, "", 2)
RESPONSE = Response(
    2, OPENS, "siti@example.com", True, "Siti", "+6281234567890", "", "", "", None, (), ()
)


def order(**fields: object) -> Order:
    base = Order("PO-0001", RESPONSE, None, PO1, OPENS, (Line(NASTAR, 2),), Decision.CONFIRMED, ())
    return replace(base, **fields)  # type: ignore[arg-type]


def tracked(number: str) -> PriorOrder:
    return PriorOrder(
        "PO-0001", "PO 1", OPENS, "siti@example.com", Decision.CONFIRMED, 2,
        seller=SellerInputs(tracking_no=number),
    )  # fmt: skip


def test_progress_follows_payment_then_the_batch_stage_then_shipping() -> None:
    """Awaiting → partly paid → paid → in production → ready → shipped (a tracking no. ships)."""
    assert progress_key(order()) == "awaiting_payment"
    assert progress_key(order(paid_amount=Decimal(1000))) == "partly_paid"
    assert progress_key(order(paid_amount=Decimal(170000))) == "paid"
    assert progress_key(order(batch=replace(PO1, stage=Stage.IN_PRODUCTION))) == "in_production"
    assert progress_key(order(batch=replace(PO1, stage=Stage.READY))) == "ready"
    assert progress_key(order(prior=tracked("JNE 1"))) == "shipped"
    assert progress_key(order(status=Decision.WAITLISTED)) is None


def test_the_whatsapp_update_says_what_to_transfer_with_the_code() -> None:
    """A confirmed unpaid order asks for the amount including its unique code."""
    text = whatsapp_text(order(code=123), "Dapur Bu Rina", "IDR", "id", 123)
    assert text == (
        "Halo Kak Siti, ini Dapur Bu Rina. Pesanan PO-0001 (2× Nastar) sudah dikonfirmasi. "
        "Mohon transfer Rp170.123 (termasuk kode unik 123) ya."
    )
    shipped = whatsapp_text(order(prior=tracked("JNE 1")), "Shop", "IDR", "en", None)
    assert shipped.endswith("has shipped, tracking no. JNE 1.")


def test_an_undecided_order_tells_its_status_and_why() -> None:
    """A waitlisted order names its status and its reason instead of a progress."""
    text = whatsapp_text(
        order(status=Decision.WAITLISTED, problems=("sold out",)), "Shop", "IDR", "en", None
    )
    assert text.endswith("status: Waitlisted (sold out).")


def test_the_whatsapp_link_needs_an_international_number() -> None:
    """``wa.me`` takes +62… only; a number the tool could not read gets no link."""
    link = whatsapp_link(order(), "Shop", "IDR", "en")
    assert link.startswith("https://wa.me/6281234567890?text=Hi%20Siti")
    assert whatsapp_link(order(response=replace(RESPONSE, phone="0812")), "Shop", "IDR", "en") == ""


def test_a_held_change_is_explained_with_the_items_asked_for() -> None:
    """When the buyer's change could not be applied, the seller reads what was asked and why."""
    held = order(held=(Line(NASTAR, 9),), problems=("over capacity",))
    (text,) = problems_text(held, "en")
    assert "9× Nastar" in text
    assert "over capacity" in text
    assert problems_text(order(problems=("a",), seller_problems=("b",)), "en") == ("a", "b")
