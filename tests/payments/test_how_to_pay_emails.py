"""Every email that asks for money says how to pay: the shop's accounts, the exact amount and,
when the seller pasted a QRIS, a QR image of a dynamic QRIS for exactly that amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path

from openorder_sheets.core import qris
from openorder_sheets.testing.qr_decode import decoded, static_qris
from openorder_sheets.testing.shops import ShopBuilder

STATIC = static_qris("TOKO KUE BU SARI")
ACCOUNTS = [
    {"bank": "BCA", "number": "1234567890", "holder": "Sari Wulandari"},
    {"bank": "Mandiri", "number": "1370012345678", "holder": "Sari Wulandari"},
]


def shop_with(folder: Path, payment: dict[str, object]) -> ShopBuilder:
    builder = ShopBuilder(folder, rules={"unique_code": True, "payment_due_hours": 48})
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.response("2027-02-01 09:10", "ani@example.com", "Ani", Nastar=2)
    builder.payment = payment
    return builder


def confirmation(folder: Path, payment: dict[str, object]) -> tuple[EmailMessage, int]:
    shop = shop_with(folder, payment).build()
    shop.sync("2027-02-01T10:00")
    (message,) = shop.transport.sent
    assert message["X-OpenOrder-Kind"] == "order_confirmed"
    return message, int(shop.order("PO-0001")["Amount to pay"] or 0)


def test_the_confirmation_lists_every_account_and_the_instructions(tmp_path: Path) -> None:
    message, owed = confirmation(
        tmp_path, {"accounts": ACCOUNTS, "instructions": "Konfirmasi lewat WhatsApp 0812-0000"}
    )
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for body in (text, html):
        assert "BCA 1234567890" in body.replace("<strong>", "").replace("</strong>", "")
        assert "Mandiri 1370012345678" in body.replace("<strong>", "").replace("</strong>", "")
        assert "Konfirmasi lewat WhatsApp 0812-0000" in body
    assert f"{owed:,}".replace(",", ".") in text or f"{owed:,}" in text
    assert "reply and we will send them" not in text  # the old placeholder is gone


def test_without_payment_settings_the_buyer_is_asked_to_reply(tmp_path: Path) -> None:
    message, _ = confirmation(tmp_path, {})
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "reply and we will send them" in text
    assert not [part for part in message.walk() if part.get_content_type() == "image/png"]


def test_a_qris_image_decodes_to_a_dynamic_qris_for_the_exact_amount(tmp_path: Path) -> None:
    message, owed = confirmation(tmp_path, {"accounts": ACCOUNTS[:1], "qris": STATIC})
    (image,) = [part for part in message.walk() if part.get_content_type() == "image/png"]
    cid = str(image["Content-ID"]).strip("<>")
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'src="cid:{cid}"' in html
    assert "QRIS" in html
    (payload,) = decoded(image.get_content())
    assert payload == qris.with_amount(STATIC, Decimal(owed))
    parsed = qris.parse(payload)
    assert parsed.amount == Decimal(owed)
    assert parsed.is_dynamic
    assert parsed.crc == qris.crc16(payload[:-4])
    assert parsed.merchant_name == "TOKO KUE BU SARI"


def test_a_damaged_qris_sends_the_email_without_an_image(tmp_path: Path) -> None:
    broken = STATIC[:-4] + ("0000" if not STATIC.endswith("0000") else "1111")
    message, _ = confirmation(tmp_path, {"accounts": ACCOUNTS[:1], "qris": broken})
    assert not [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert "BCA 1234567890" in message.get_body(preferencelist=("plain",)).get_content()


def test_preview_shows_the_accounts_and_the_qris_inside_the_html(tmp_path: Path) -> None:
    """`openorder preview` has no attachments: the QR is in the HTML itself, and decodes."""
    import base64
    import re

    from openorder_sheets.service.views import preview_email

    shop = shop_with(tmp_path, {"accounts": ACCOUNTS[:1], "qris": STATIC}).build()
    shop.sync("2027-02-01T10:00")
    owed = int(shop.order("PO-0001")["Amount to pay"] or 0)
    now = dt.datetime(2027, 2, 1, 11, 0, tzinfo=shop.config.shop.zone)
    kind, rendered = preview_email(shop.shop, "PO-0001", "payment_reminder", now)
    assert kind == "payment_reminder"
    assert "BCA 1234567890" in rendered.text
    found = re.search(r'src="data:image/png;base64,([^"]+)"', rendered.html)
    assert found
    (payload,) = decoded(base64.b64decode(found.group(1)))
    assert qris.parse(payload).amount == Decimal(owed)
