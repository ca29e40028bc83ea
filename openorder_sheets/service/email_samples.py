"""Realistic render contexts for every email kind, for ``doctor`` and the template tests.

Part of the package proper: ``doctor`` renders every template with these on a plain install,
which has none of the test-only packages :mod:`openorder_sheets.testing` may need.

A sample is not written by hand: a sample shop (config, products, two batches) and an order in
the state its kind is sent in go through the same code the sync uses (`service/context.py`), so
money reads ``Rp165.000``, dates ``Sabtu, 20 Februari 2027``, statuses and stages the labels of
`core/labels.py`, exactly as in a real email.

``hostile=True`` fills the buyer's fields with the kind of text a template must never trust: a
spreadsheet formula, a line break that would forge an email header, ``<script>`` and Jinja syntax.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from openorder_sheets.adapters.templates import KINDS
from openorder_sheets.config import Config, parse_config
from openorder_sheets.core.labels import LANGUAGES
from openorder_sheets.core.model import (
    Batch,
    Catalog,
    Decision,
    EmailKind,
    Line,
    Order,
    PriorOrder,
    Product,
    Response,
    SellerInputs,
    Stage,
)
from openorder_sheets.service.context import (
    Extras,
    batch_message_context,
    message_context,
)

__all__ = ["BATCH_KINDS", "ORDER_KINDS", "sample_context"]

BATCH_KINDS: tuple[str, ...] = (EmailKind.BATCH_OPEN, EmailKind.BATCH_CLOSING)
ORDER_KINDS: tuple[str, ...] = tuple(kind for kind in KINDS if kind not in BATCH_KINDS)

_ZONE = ZoneInfo("Asia/Jakarta")


def _at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=_ZONE)


_SUBMITTED = _at("2027-02-03 14:25")
_PAYMENT_DUE = _at("2027-02-05 14:25")
_OPENS, _CLOSES = _at("2027-02-01 09:00"), _at("2027-02-10 21:00")
_NEXT_OPENS, _NEXT_CLOSES = _at("2027-02-15 09:00"), _at("2027-02-22 21:00")
_SHIPS_ON = dt.date(2027, 2, 20)
_DELAYED_TO = dt.date(2027, 2, 24)

_ADDRESS = "Jl. Melati No. 12, RT 03/RW 05, Kel. Sukamaju\nKec. Cilandak, Jakarta Selatan 12430"

#: What a seller and a buyer write, in each language (the sync passes such text through).
_WORDS: dict[str, dict[str, str]] = {
    "id": {
        "waitlist_reason": "Kastengel Keju: sisa kuota 0 toples, Kakak memesan 1 toples",
        "window_reason": "Pesanan masuk di luar jadwal open order",
        "cancel_reason": "Dibatalkan atas permintaan Kakak lewat WhatsApp",
        "delivery": "Kirim via kurir (JNE/J&T)",
        "notes": "Tolong dibungkus rapi ya, untuk hantaran Lebaran.",
        "unit": "toples",
        "note": "Terima kasih sudah sabar menunggu. Semua kue dibuat segar tanpa pengawet.",
        "delay_note": "Mohon maaf, pengiriman mentega dari pemasok terlambat tiga hari.",
        "cancel_note": "Oven kami rusak dan tidak bisa diperbaiki tepat waktu. Mohon maaf sekali.",
        "open_note": "Tahun ini ada varian baru: Nastar Keju Edam!",
        "review": "Nastarnya sampai utuh, rasanya persis buatan nenek. Pasti pesan lagi!",
    },
    "en": {
        "waitlist_reason": "Kastengel Keju: 0 jars left, you ordered 1 jar",
        "window_reason": "The order arrived outside the open-order window",
        "cancel_reason": "Cancelled at your request on WhatsApp",
        "delivery": "Courier (JNE/J&T)",
        "notes": "Please wrap it nicely, it is a Lebaran gift.",
        "unit": "jar",
        "note": "Thank you for your patience. Everything is baked fresh, without preservatives.",
        "delay_note": "Sorry, our butter delivery from the supplier is three days late.",
        "cancel_note": "Our oven broke down and cannot be repaired in time. We are so sorry.",
        "open_note": "New this year: Edam Cheese Nastar!",
        "review": "The nastar arrived whole and tasted like my grandmother's. Ordering again!",
    },
}

#: The order's status when its kind is sent (Confirmed for every other kind).
_STATUS_BY_KIND = {
    EmailKind.ORDER_WAITLISTED: Decision.WAITLISTED,
    EmailKind.ORDER_REJECTED: Decision.REJECTED,
    EmailKind.ORDER_EXPIRED: Decision.EXPIRED,
    EmailKind.ORDER_CANCELLED: Decision.CANCELLED,
    EmailKind.BATCH_CANCELLED: Decision.CANCELLED,
}
#: The batch's stage when its kind is sent, and the seller's note that goes with it.
_STAGE_BY_KIND = {
    EmailKind.PRODUCTION_STARTED: (Stage.IN_PRODUCTION, "note"),
    EmailKind.BATCH_READY: (Stage.READY, "note"),
    EmailKind.ORDER_SHIPPED: (Stage.SHIPPED, "note"),
    EmailKind.BATCH_DELAYED: (Stage.IN_PRODUCTION, "delay_note"),
    EmailKind.BATCH_CANCELLED: (Stage.CANCELLED, "cancel_note"),
}
#: Kinds sent while the order waits for its transfer: it has a unique code and a deadline.
_AWAITING_PAYMENT = frozenset(
    {
        EmailKind.ORDER_CONFIRMED,
        EmailKind.ORDER_PROMOTED,
        EmailKind.ORDER_UPDATED,
        EmailKind.PAYMENT_REMINDER,
        EmailKind.PAYMENT_SHORT,
    }
)
#: Kinds sent once the order is paid in full.
_PAID = frozenset(
    {
        EmailKind.PAYMENT_RECEIVED,
        EmailKind.PRODUCTION_STARTED,
        EmailKind.BATCH_READY,
        EmailKind.ORDER_SHIPPED,
        EmailKind.REVIEW_REQUEST,
    }
)


def _config(language: str) -> Config:
    raw = {
        "shop": {
            "name": "Dapur Bu Rina",
            "language": language,
            "form_url": "https://forms.gle/AbCdEf123456",
            "reply_to": "dapurburina@gmail.com",
        },
        "payment": {
            "accounts": [{"bank": "BCA", "number": "1234567890", "holder": "Rina Wulandari"}]
        },
    }
    return parse_config(raw, Path("openorder.toml"))


def sample_context(kind: str, language: str, *, hostile: bool = False) -> dict[str, object]:
    """A complete render context for ``kind`` in ``language`` (``"id"`` or ``"en"``).

    Every key of the contract is present (``None`` where the kind has no such thing). With
    ``hostile`` the buyer's name, notes and address carry formulas, header-forging line breaks,
    markup and template syntax, and a product name is very long, to prove none of it is trusted.
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, not {language!r}")
    if kind not in ORDER_KINDS and kind not in BATCH_KINDS:
        raise ValueError(f"unknown email kind {kind!r}")
    words = _WORDS[language]
    config = _config(language)
    buyer_name, notes, address = "Siti Rahmawati", words["notes"], _ADDRESS
    nastar_name, batch_name = "Nastar Premium", "PO Lebaran 1"
    if hostile:
        buyer_name = '=HYPERLINK("http://x")\r\nBcc: victim@example.com'
        notes = "<script>alert(1)</script> {{ 7*7 }} {% raw %}x{% endraw %} &amp; " + "a" * 80
        address = '<img src="http://x/track.png">\r\nJl. Melati No. 12 "Rumah <b>Biru</b>"'
        nastar_name = (
            "Nastar Premium Selai Nanas Asli Tanpa Pengawet Edisi Lebaran Isi Lima Puluh Butir"
        )
        batch_name = "PO Lebaran\r\n1"

    stage, note_key = _STAGE_BY_KIND.get(EmailKind(kind), (Stage.NONE, ""))
    if kind == EmailKind.BATCH_OPEN:
        note_key = "open_note"
    note = words[note_key] if note_key else ""
    if hostile:
        note = (
            "<b>Diskon</b> {{ 7*7 }}"
            if kind in BATCH_KINDS
            else "<script>alert(1)</script> {{ 7*7 }}"
        )
    delayed = kind == EmailKind.BATCH_DELAYED
    batch = Batch(
        batch_name, _OPENS, _CLOSES, _DELAYED_TO if delayed else _SHIPS_ON, stage, note, 2
    )
    next_batch = Batch("PO Lebaran 2", _NEXT_OPENS, _NEXT_CLOSES, None, Stage.NONE, "", 3)
    unit = words["unit"]
    nastar = Product("NASTAR", nastar_name, Decimal(45000), unit, 40, None, True, "", 2)
    kastengel = Product("KASTENGEL", "Kastengel Keju", Decimal(75000), unit, 30, None, True, "", 3)
    catalog = Catalog((nastar, kastengel), (), (batch, next_batch))

    if kind in BATCH_KINDS:
        context = batch_message_context(
            kind, batch, buyer_name, "siti.rahmawati@gmail.com", catalog, config
        )
        context["testimonials"] = [{"first_name": "Dewi", "stars": 5, "text": words["review"]}]
        return context

    return message_context(
        kind,
        _order(EmailKind(kind), words, batch, nastar, kastengel, buyer_name, notes, address),
        catalog,
        config,
        _SUBMITTED,
        Extras(
            code=123 if kind in _AWAITING_PAYMENT else None,
            deadline=(
                _PAYMENT_DUE
                if kind in _AWAITING_PAYMENT or kind == EmailKind.ORDER_EXPIRED
                else None
            ),
            previous_ships_on=_SHIPS_ON if delayed else None,
            place=3 if kind == EmailKind.ORDER_WAITLISTED else None,
        ),
    )


def _order(
    kind: EmailKind,
    words: dict[str, str],
    batch: Batch,
    nastar: Product,
    kastengel: Product,
    buyer_name: str,
    notes: str,
    address: str,
) -> Order:
    """The order PO-0001 as the sync holds it when it sends ``kind``."""
    reasons = {
        EmailKind.ORDER_WAITLISTED: words["waitlist_reason"],
        EmailKind.ORDER_REJECTED: words["window_reason"],
        EmailKind.ORDER_CANCELLED: words["cancel_reason"],
    }
    lines = (Line(nastar, 2), Line(kastengel, 1))
    total = sum((line.subtotal for line in lines), Decimal(0))
    response = Response(
        row=2,
        timestamp=_SUBMITTED,
        email="siti.rahmawati@gmail.com",
        email_ok=True,
        name=buyer_name,
        phone="+6281234567890",
        address=address,
        delivery=words["delivery"],
        notes=notes,
        opt_in=True,
        quantities=(("NASTAR", 2), ("KASTENGEL", 1)),
        problems=(),
    )
    tracking = "JNE 0123 4567 8901" if kind == EmailKind.ORDER_SHIPPED else ""
    prior = PriorOrder(
        number="PO-0001",
        batch=batch.name,
        submitted=_SUBMITTED,
        email=response.email,
        status=Decision.CONFIRMED,
        response_row=2,
        lines=(("NASTAR", 1),),  # before the buyer's edit (order_updated)
        seller=SellerInputs(tracking_no=tracking),
    )
    paid = {EmailKind.PAYMENT_SHORT: Decimal(100000)}.get(kind, total if kind in _PAID else 0)
    return Order(
        number="PO-0001",
        response=response,
        prior=prior,
        batch=None if kind == EmailKind.ORDER_REJECTED else batch,
        submitted=_SUBMITTED,
        lines=lines,
        status=_STATUS_BY_KIND.get(kind, Decision.CONFIRMED),
        problems=(reasons[kind],) if kind in reasons else (),
        edited=kind == EmailKind.ORDER_UPDATED,
        held=(Line(nastar, 5),) if kind == EmailKind.ORDER_CHANGE_REFUSED else None,
        code=123 if kind in _AWAITING_PAYMENT else None,
        paid_amount=Decimal(paid),
    )
