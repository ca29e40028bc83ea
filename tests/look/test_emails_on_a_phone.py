"""The main emails read on a 390 px phone: rendered by headless Chromium, nothing is wider than
the screen (no sideways scrolling), and the QRIS image fits. Runs where Chromium is installed
(Debian: `apt install chromium`); skipped with the reason elsewhere, never silently."""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import subprocess
from email.message import EmailMessage
from pathlib import Path

import pytest

from openorder_sheets.testing.qr_decode import static_qris
from openorder_sheets.testing.shops import ShopBuilder

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = 390
# Headless Chromium's window is at least 500 px wide: the page itself is held to a phone's
# width, and the widest right edge of anything on it is measured.
PHONE_PAGE = f"<style>html{{width:{PHONE}px !important;}}</style>"
MEASURE = (
    "<script>document.documentElement.setAttribute('data-width', String(Math.ceil(Math.max("
    "...Array.from(document.querySelectorAll('body *'), e => e.getBoundingClientRect().right)"
    "))));</script>"
)

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")


def mails(folder: Path) -> list[EmailMessage]:
    builder = ShopBuilder(
        folder, language="id", rules={"unique_code": True, "payment_due_hours": 48}
    )
    builder.payment = {
        "accounts": [{"bank": "BCA", "number": "1234567890", "holder": "Sari Wulandari"}],
        "qris": static_qris("DAPUR BU SARI"),
    }
    builder.product(
        "NASTAR", "Nastar Premium Selai Nanas Asli Tanpa Pengawet Edisi Lebaran", 85000, capacity=2
    )
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    name = "Nastar_Premium_Selai_Nanas_Asli_Tanpa_Pengawet_Edisi_Lebaran"
    builder.response(
        "2027-02-01 09:10", "ani@example.com", "Ani Lestari", opt_in="Ya",
        notes="https://contoh.example.com/" + "x" * 120, **{name: 2},
    )  # fmt: skip
    builder.response("2027-02-01 09:20", "budi@example.com", "Budi", **{name: 1})
    builder.testimonials = [["Ani", "PO-0001", 5, "Enak sekali! " * 20, True]]
    builder.statement = []
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    owed = int(shop.order("PO-0001")["Jumlah bayar"] or 0)
    shop.replace_rows("statement", [["02/02/2027", "", "TRSF PO-0001", owed - 5000, "BCA"]])
    shop.sync("2027-02-02T10:00")
    shop.sync("2027-03-01T10:00")
    return list(shop.transport.sent)


def rendered_width(html: str, folder: Path) -> int:
    page = folder / "mail.html"
    page.write_text(
        html.replace("</head>", PHONE_PAGE + "</head>").replace("</body>", MEASURE + "</body>"),
        encoding="utf-8",
    )
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={folder / 'profile'}", f"--window-size={PHONE},900",
        "--virtual-time-budget=2000", "--dump-dom", page.as_uri(),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
    found = re.search(r'data-width="(\d+)"', result.stdout)
    assert found, result.stderr[-2000:]
    return int(found.group(1))


def test_every_main_email_fits_a_390_px_phone_without_sideways_scrolling(tmp_path: Path) -> None:
    sent = mails(tmp_path)
    kinds = {m["X-OpenOrder-Kind"] for m in sent}
    assert {"order_confirmed", "order_waitlisted", "payment_short", "batch_open"} <= kinds
    for message in sent:
        part = message.get_body(preferencelist=("html",))
        assert part is not None
        html = part.get_content()
        for image in message.walk():
            if image.get_content_type() == "image/png":
                cid = str(image["Content-ID"]).strip("<>")
                data = base64.b64encode(image.get_content()).decode()
                html = html.replace(f"cid:{cid}", f"data:image/png;base64,{data}")
        kind = message["X-OpenOrder-Kind"]
        assert rendered_width(html, tmp_path) <= PHONE, kind


def test_the_measure_sees_something_wider_than_the_phone(tmp_path: Path) -> None:
    """The check itself can fail: a 600 px picture on the page is measured as 600 px."""
    page = "<html><head></head><body><div style='width:600px'>x</div></body></html>"
    assert rendered_width(page, tmp_path) >= 600
