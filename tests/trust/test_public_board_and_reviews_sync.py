"""Trust you can see, through whole syncs: the `Public status` tab holds no personal data on
either backend, reviews are asked for once after shipping, and reviews the seller ticks appear
in the next batch's announcement and in `Summary`."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.core.cells import text
from openorder_sheets.testing.shops import ShopBuilder

FIRST = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Hendra", "Ayu", "Joko", "Putri", "Wahyu"]
LAST = ["Rahmawati", "Santoso", "Lestari", "Wijaya", "Kusuma", "Saputra", "Nugroho", "Hidayat"]
STREETS = ["Melati", "Kenanga", "Cempaka", "Mawar", "Anggrek", "Flamboyan", "Dahlia"]
NOTES = ["tolong bungkus kado", "jangan pakai kacang", "antar sore hari", "titip satpam"]


def phone(rng: random.Random) -> str:
    digits = f"812{rng.randint(10_000_000, 99_999_999)}"
    return rng.choice(
        [
            f"+62 {digits[:3]}-{digits[3:7]}-{digits[7:]}",
            f"0{digits[:3]} {digits[3:7]} {digits[7:]}",
            f"62{digits}",
            f"0{digits}",
        ]
    )


def random_shop(folder: Path, backend: str, server: Any, seed: int, buyers: int) -> ShopBuilder:
    rng = random.Random(seed)
    builder = ShopBuilder(
        folder,
        backend=backend,
        sheets_server=server,
        rules={"payment_due_hours": 0},
    )
    builder.shop = {"status_url": "https://docs.google.com/spreadsheets/d/e/x/pubhtml"}
    builder.product("NASTAR", "Nastar", 85000, capacity=buyers // 2)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    start = dt.datetime(2027, 2, 1, 9, 0)
    for index in range(buyers):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        number = phone(rng)
        email = f"{first.lower()}.{last.lower()}{index}@example.com"
        name = rng.choice([f"{first} {last}", f"{first} {last} ({number})", email, f"Bu {first}"])
        builder.response(
            (start + dt.timedelta(minutes=7 * index)).isoformat(sep=" "),
            email,
            name,
            phone=number,
            address=f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 99)}, Bandung",
            notes=f"{rng.choice(NOTES)} {number}",
            Nastar=rng.randint(1, 2),
        )
    return builder


@pytest.mark.parametrize("backend", ["workbook", "google"])
def test_the_public_board_shows_no_personal_data(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    server = request.getfixturevalue("sheets_server") if backend == "google" else None
    checked_cells = 0
    for seed in range(3):
        folder = tmp_path / f"shop{seed}"
        folder.mkdir()
        builder = random_shop(folder, backend, server, seed, 40)
        shop = builder.build()
        shop.sync("2027-02-13T10:00")
        board = shop.grid("public_status")
        assert [text(c) for c in board[0]] == ["Order", "Name", "Batch", "Status", "Ships on"]
        rows = [[text(c) for c in row] for row in board[1:] if any(row)]
        assert len(rows) == 40  # confirmed and waitlisted orders: every one is live
        secrets: set[str] = set()
        for response in builder.responses:
            row = dict(zip(builder.headers(), response, strict=False))
            secrets.add(str(row["Email Address"]).casefold())
            secrets.update(w.casefold() for w in re.findall(r"[A-Za-z]{5,}", str(row["Notes"])))
            address = str(row["Address"])
            secrets.update(w.casefold() for w in re.findall(r"[A-Za-z]{5,}", address))
        for cells in rows:
            for cell in cells:
                checked_cells += 1
                assert "@" not in cell
                assert not re.search(r"\d{6,}", re.sub(r"[\s\-+().]", "", cell)), cell
                assert not re.search(r"rp|\d{2}\.\d{3}", cell.casefold()), cell
                words = {w.casefold() for w in re.findall(r"[A-Za-z]{5,}", cell)}
                assert not words & (secrets - {"bandung"} - {"nastar"}), cell
            name = cells[1]
            assert re.fullmatch(r"[A-Z][a-z]+( [A-Z]\.)?", name), name
    # 3 shops × 40 buyers: every board row and every cell in it (blank ship dates left out).
    assert checked_cells > 3 * 40 * 4


def test_review_request_once_after_shipping_and_shown_reviews_sell_the_next_batch(
    tmp_path: Path,
) -> None:
    builder = ShopBuilder(tmp_path, rules={"payment_due_hours": 0, "review_after_days": 3})
    builder.shop = {"review_url": "https://forms.gle/ulasan"}
    builder.product("NASTAR", "Nastar", 85000, capacity=10)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    builder.response("2027-02-01 09:10", "ani@example.com", "Ani Lestari", Nastar=2, opt_in="Yes")
    builder.testimonials = []
    shop = builder.build()
    shop.sync("2027-02-01T10:00")
    shop.set_order_cell("PO-0001", "tracking_no", "JNE123")
    shop.sync("2027-02-20T10:00")  # order_shipped
    shop.sync("2027-02-22T10:00")  # two days: not yet
    kinds = [m["X-OpenOrder-Kind"] for m in shop.transport.sent]
    assert kinds == ["order_confirmed", "order_shipped"]
    shop.sync("2027-02-23T11:00")
    shop.sync("2027-02-24T11:00")
    kinds = [m["X-OpenOrder-Kind"] for m in shop.transport.sent]
    assert kinds == ["order_confirmed", "order_shipped", "review_request"]
    ask = shop.transport.sent[-1]
    assert "https://forms.gle/ulasan" in ask.get_body(preferencelist=("html",)).get_content()

    shop.replace_rows(
        "testimonials",
        [
            ["Ani Lestari", "PO-0001", "★★★★★", "Enak <b>banget</b>, pasti pesan lagi!", True],
            ["Budi", "PO-0009", "3", "biasa saja", False],
        ],
    )
    shop.sync("2027-03-01T10:00")  # PO 2 opens: Ani opted in
    news = shop.transport.sent[-1]
    assert news["X-OpenOrder-Kind"] == "batch_open"
    html = news.get_body(preferencelist=("html",)).get_content()
    plain = news.get_body(preferencelist=("plain",)).get_content()
    assert "Enak &lt;b&gt;banget&lt;/b&gt;, pasti pesan lagi!" in html
    assert "– Ani ★★★★★" in plain  # first names only
    assert plain.count("Lestari") == 1  # in her own greeting, not under her review
    assert "biasa saja" not in plain  # not ticked Show
    total = next(r for r in shop.table("summary") if text(r["Product"]) == "Total")
    assert total["Reviews"] == 1
    assert total["Average stars"] == 5
