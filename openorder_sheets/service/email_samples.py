"""Realistic render contexts for every email kind, for ``doctor`` (and the tests).

Part of the package proper: ``doctor`` renders every template with these on a plain install,
which has none of the test-only packages :mod:`openorder_sheets.testing` may need.

The values are formatted by the same functions the sync uses (core/formatting): money as
``Rp165.000``, dates as ``Sabtu, 20 Februari 2027``, date-times as ``…, 14.25 WIB``.

``hostile=True`` fills the buyer's fields with the kind of text a template must never trust: a
spreadsheet formula, a line break that would forge an email header, ``<script>`` and Jinja syntax.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from openorder_sheets.adapters.templates import KINDS
from openorder_sheets.core import formatting
from openorder_sheets.core.labels import LANGUAGES

__all__ = [
    "BATCH_KINDS",
    "ORDER_KINDS",
    "format_datetime",
    "format_day",
    "format_money",
    "sample_context",
]

BATCH_KINDS: tuple[str, ...] = ("batch_open", "batch_closing")
ORDER_KINDS: tuple[str, ...] = tuple(kind for kind in KINDS if kind not in BATCH_KINDS)

_ZONE = ZoneInfo("Asia/Jakarta")


def format_money(amount: int, language: str) -> str:
    """``Rp165.000``: exactly as the sync writes money into emails (core/formatting)."""
    return formatting.money(amount, "IDR", language)


def format_day(day: dt.date, language: str) -> str:
    """``Sabtu, 20 Februari 2027`` / ``Saturday, February 20, 2027``, as the sync writes it."""
    return formatting.long_date(day, language)


def format_datetime(moment: dt.datetime, language: str) -> str:
    """``Sabtu, 20 Februari 2027, 14.25 WIB``: a shop-time moment, as the sync writes it."""
    return formatting.moment(moment.replace(tzinfo=_ZONE), language)


_ADDRESS = "Jl. Melati No. 12, RT 03/RW 05, Kel. Sukamaju\nKec. Cilandak, Jakarta Selatan 12430"

# Wording the sync produces in each language (status labels, reasons, stage labels).
_WORDS: dict[str, dict[str, str]] = {
    "id": {
        "Confirmed": "Dikonfirmasi",
        "Waitlisted": "Daftar tunggu",
        "Rejected": "Ditolak",
        "Cancelled": "Dibatalkan",
        "Expired": "Kedaluwarsa",
        "In production": "Sedang diproduksi",
        "Ready": "Siap",
        "Shipped": "Dikirim",
        "waitlist_reason": "Kastengel Keju: sisa kuota 0 toples, Kakak memesan 1 toples",
        "window_reason": "Pesanan masuk di luar jadwal open order",
        "cancel_reason": "Dibatalkan atas permintaan Kakak lewat WhatsApp",
        "delivery": "Kirim via kurir (JNE/J&T)",
        "address": _ADDRESS,
        "notes": "Tolong dibungkus rapi ya, untuk hantaran Lebaran.",
        "unit": "toples",
        "note": "Terima kasih sudah sabar menunggu. Semua kue dibuat segar tanpa pengawet.",
        "delay_note": "Mohon maaf, pengiriman mentega dari pemasok terlambat tiga hari.",
        "cancel_note": "Oven kami rusak dan tidak bisa diperbaiki tepat waktu. Mohon maaf sekali.",
        "open_note": "Tahun ini ada varian baru: Nastar Keju Edam!",
        "review": "Nastarnya sampai utuh, rasanya persis buatan nenek. Pasti pesan lagi!",
    },
    "en": {
        "Confirmed": "Confirmed",
        "Waitlisted": "Waitlisted",
        "Rejected": "Rejected",
        "Cancelled": "Cancelled",
        "Expired": "Expired",
        "In production": "In production",
        "Ready": "Ready",
        "Shipped": "Shipped",
        "waitlist_reason": "Kastengel Keju: 0 jars left, you ordered 1 jar",
        "window_reason": "The order arrived outside the open-order window",
        "cancel_reason": "Cancelled at your request on WhatsApp",
        "delivery": "Courier (JNE/J&T)",
        "address": _ADDRESS,
        "notes": "Please wrap it nicely, it is a Lebaran gift.",
        "unit": "jar",
        "note": "Thank you for your patience. Everything is baked fresh, without preservatives.",
        "delay_note": "Sorry, our butter delivery from the supplier is three days late.",
        "cancel_note": "Our oven broke down and cannot be repaired in time. We are so sorry.",
        "open_note": "New this year: Edam Cheese Nastar!",
        "review": "The nastar arrived whole and tasted like my grandmother's. Ordering again!",
    },
}

_SUBMITTED = dt.datetime(2027, 2, 3, 14, 25)
_PAYMENT_DUE = dt.datetime(2027, 2, 5, 14, 25)
_OPENS = dt.datetime(2027, 2, 1, 9, 0)
_CLOSES = dt.datetime(2027, 2, 10, 21, 0)
_SHIPS_ON = dt.date(2027, 2, 20)
_DELAYED_TO = dt.date(2027, 2, 24)
_NEXT_OPENS = dt.datetime(2027, 2, 15, 9, 0)
_NEXT_CLOSES = dt.datetime(2027, 2, 22, 21, 0)

_STATUS_BY_KIND = {
    "order_waitlisted": "Waitlisted",
    "order_rejected": "Rejected",
    "order_expired": "Expired",
    "order_cancelled": "Cancelled",
    "batch_cancelled": "Cancelled",
}
_STAGE_BY_KIND = {
    "production_started": "In production",
    "batch_ready": "Ready",
    "order_shipped": "Shipped",
    "batch_delayed": "In production",
    "batch_cancelled": "Cancelled",
}
_AWAITING_PAYMENT = (
    "order_confirmed",
    "order_promoted",
    "order_updated",
    "payment_reminder",
    "payment_short",
)


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

    def money(amount: int) -> str:
        return format_money(amount, language)

    def when(moment: dt.datetime) -> str:
        return format_datetime(moment, language)

    buyer_name = "Siti Rahmawati"
    notes = words["notes"]
    address = words["address"]
    nastar_name = "Nastar Premium"
    if hostile:
        buyer_name = '=HYPERLINK("http://x")\r\nBcc: victim@example.com'
        notes = "<script>alert(1)</script> {{ 7*7 }} {% raw %}x{% endraw %} &amp; " + "a" * 80
        address = '<img src="http://x/track.png">\r\nJl. Melati No. 12 "Rumah <b>Biru</b>"'
        nastar_name = (
            "Nastar Premium Selai Nanas Asli Tanpa Pengawet Edisi Lebaran Isi Lima Puluh Butir"
        )

    context: dict[str, Any] = {
        "kind": kind,
        "language": language,
        "shop": {
            "name": "Dapur Bu Rina",
            "form_url": "https://forms.gle/AbCdEf123456",
            "reply_to": "dapurburina@gmail.com",
            "email": "dapurburina@gmail.com",
            "status_url": "",
            "review_url": "",
            "payment": {
                "accounts": [{"bank": "BCA", "number": "1234567890", "holder": "Rina Wulandari"}],
                "instructions": "",
            },
        },
        "buyer": {
            "name": buyer_name,
            "email": "siti.rahmawati@gmail.com",
            "whatsapp": "+6281234567890",
        },
        "order": None,
        "batch": {
            "name": "PO Lebaran 1",
            "opens": when(_OPENS),
            "closes": when(_CLOSES),
            "ships_on": format_day(_SHIPS_ON, language),
            "previous_ships_on": None,
            "note": "",
            "stage": "",
            "is_open": True,
        },
        "next_batch": None,
    }
    batch: dict[str, Any] = context["batch"]
    next_batch = {
        "name": "PO Lebaran 2",
        "opens": when(_NEXT_OPENS),
        "closes": when(_NEXT_CLOSES),
    }
    if hostile:
        batch["name"] = "PO Lebaran\r\n1"

    if kind in BATCH_KINDS:
        context["testimonials"] = [
            {"first_name": "Dewi", "stars": 5, "text": words["review"]},
        ]
        if kind == "batch_open":
            batch["note"] = words["open_note"]
        else:
            context["next_batch"] = next_batch
        if hostile:
            batch["note"] = "<b>Diskon</b> {{ 7*7 }}"
        return context

    unit = words["unit"]
    items = [
        {
            "sku": "NASTAR",
            "name": nastar_name,
            "quantity": 2,
            "unit": unit,
            "price": money(45000),
            "subtotal": money(90000),
        },
        {
            "sku": "KASTENGEL",
            "name": "Kastengel Keju",
            "quantity": 1,
            "unit": unit,
            "price": money(75000),
            "subtotal": money(75000),
        },
    ]
    awaiting = kind in _AWAITING_PAYMENT
    status = _STATUS_BY_KIND.get(kind, "Confirmed")
    reasons: list[str] = []
    if kind == "order_waitlisted":
        reasons = [words["waitlist_reason"]]
    elif kind == "order_rejected":
        reasons = [words["window_reason"]]
    elif kind == "order_cancelled":
        reasons = [words["cancel_reason"]]
    order: dict[str, Any] = {
        "number": "PO-0001",
        "batch": batch["name"],
        "submitted": when(_SUBMITTED),
        "items": items,
        "items_text": f"2× {nastar_name}, 1× Kastengel Keju",
        "total": money(165000),
        "amount_to_pay": money(165123) if awaiting else money(165000),
        "unique_code": 123 if awaiting else None,
        "status": words[status],
        "reasons": reasons,
        "address": address,
        "delivery": words["delivery"],
        "notes": notes,
        "tracking_no": "JNE 0123 4567 8901" if kind == "order_shipped" else "",
        "payment_due": when(_PAYMENT_DUE) if awaiting or kind == "order_expired" else None,
        "previous_items_text": None,
        "amount_paid": None,
        "amount_due": None,
        "requested_items_text": None,
        "qris": None,
        "waitlist_place": 3 if kind == "order_waitlisted" else None,
    }
    context["order"] = order

    if kind == "payment_short":
        order["amount_paid"] = money(100000)
        order["amount_due"] = money(65123)
    if kind == "order_updated":
        order["previous_items_text"] = f"1× {nastar_name}"
    if kind == "order_change_refused":
        order["requested_items_text"] = f"5× {nastar_name}"
    elif kind == "order_rejected":
        order["batch"] = ""
        context["batch"] = None
        context["next_batch"] = next_batch
    if kind in _STAGE_BY_KIND:
        batch["stage"] = words[_STAGE_BY_KIND[kind]]
        batch["note"] = {
            "batch_delayed": words["delay_note"],
            "batch_cancelled": words["cancel_note"],
        }.get(kind, words["note"])
    if kind == "batch_delayed":
        batch["previous_ships_on"] = batch["ships_on"]
        batch["ships_on"] = format_day(_DELAYED_TO, language)
    if hostile and context["batch"] is not None:
        batch["note"] = "<script>alert(1)</script> {{ 7*7 }}"
    return context
