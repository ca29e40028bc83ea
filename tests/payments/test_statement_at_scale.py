"""Matching at a real Lebaran size, through a whole sync on each backend: 1,000 unpaid orders
and a pasted statement of 1,200 rows (exact transfers, repeats, near misses, transfers without
the unique code, short payments naming their order, strangers), every row decided right; and
what happens past 999 unpaid orders of the same total."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.core.cells import text
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

PRICES = {"NASTAR": 85000, "KASTENGEL": 95000, "PUTRI": 75000}


def big_shop(folder: Path, backend: str, server: Any, orders: int, seed: int) -> BuiltShop:
    rng = random.Random(seed)
    builder = ShopBuilder(
        folder,
        backend=backend,
        sheets_server=server,
        rules={"unique_code": True, "payment_due_hours": 0},
    )
    builder.product("NASTAR", "Nastar", PRICES["NASTAR"], capacity=None)
    builder.product("KASTENGEL", "Kastengel", PRICES["KASTENGEL"], capacity=None)
    builder.product("PUTRI", "Putri Salju", PRICES["PUTRI"], capacity=None)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    start = dt.datetime(2027, 2, 1, 9, 0)
    for index in range(orders):
        pick = rng.sample(["Nastar", "Kastengel", "Putri Salju"], rng.randint(1, 2))
        builder.response(
            (start + dt.timedelta(minutes=5 * index)).isoformat(sep=" "),
            f"buyer{index}@example.com",
            f"Pembeli {index}",
            **{name.replace(" ", "_"): rng.randint(1, 3) for name in pick},
        )
    builder.statement = []
    return builder.build()


def test_1000_orders_and_a_1200_row_statement_every_row_decided_right(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    server = request.getfixturevalue("sheets_server") if backend == "google" else None
    shop = big_shop(tmp_path, backend, server, 1000, seed=7)
    shop.sync("2027-02-13T10:00")
    rows = shop.orders()
    owed = {text(r["Order"]): int(r["Amount to pay"] or 0) for r in rows}
    totals = {text(r["Order"]): int(r["Total"] or 0) for r in rows}
    assert len(owed) == 1000
    assert len(set(owed.values())) == 1000, "every amount to pay is unique"

    rng = random.Random(11)
    numbers = sorted(owed)
    rng.shuffle(numbers)
    exact, short, no_code = numbers[:800], numbers[800:850], numbers[850:900]
    statement: list[list[Any]] = []
    expected: list[tuple[str, str]] = []  # (result starts with, order)

    def add(description: str, amount: int, result: str, order: str = "") -> None:
        second = len(statement)  # one transfer a second from 08:00
        clock = f"08:{second // 60:02d}:{second % 60:02d}"
        statement.append(["14/02/2027", clock, description, amount, "BCA"])
        expected.append((result, order))

    for number in exact:
        add(
            f"TRSF E-BANKING CR {rng.randint(1000, 9999)} BUYER",
            owed[number],
            "Paid in full",
            number,
        )
    for number in short:
        add(f"TRSF {number} SEBAGIAN", owed[number] - 10000, "Short by", number)
    for number in no_code:
        add("TRSF TANPA KODE", totals[number], "The amount without the unique code")
    taken = set(owed.values()) | set(totals.values()) | {10000}  # 10000: the short ones' rest
    for _ in range(200):
        amount = rng.randint(1, 3_000_000)
        while amount in taken:
            amount += 7
        taken.add(amount)
        add("SETORAN TUNAI", amount, "Matches no order")
    for index in range(100):  # the first hundred exact rows pasted a second time
        statement.append(list(statement[index]))
        expected.append(("The same date, time, amount and description", ""))
    assert len(statement) == 1200

    shop.replace_rows("statement", statement)
    shop.sync("2027-02-14T20:00")

    got = [(text(r.get("Result")), text(r.get("Paid order"))) for r in shop.table("statement")]
    assert len(got) == 1200
    wrong = [
        (index + 2, want, have)
        for index, (want, have) in enumerate(zip(expected, got, strict=True))
        if not have[0].startswith(want[0]) or have[1] != want[1]
    ]
    assert not wrong, wrong[:5]
    paid = [r for r in shop.orders() if r["Paid"] is True]
    assert len(paid) == 800
    total = shop.table("payments")[-1]
    assert total["Paid orders"] == 800
    assert total["Transfers matched"] == 850
    assert total["Transfers to check"] == 250


@pytest.fixture(params=["workbook", "google"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_past_999_unpaid_orders_of_one_total_the_rest_owe_the_plain_total(tmp_path: Path) -> None:
    """Codes are 1–999: with 1,050 unpaid orders of the same total, 999 get a code each and
    51 owe the plain total; a transfer of that total is shown as fitting several orders, never
    given to one by a guess."""
    builder = ShopBuilder(tmp_path, rules={"unique_code": True, "payment_due_hours": 0})
    builder.product("NASTAR", "Nastar", 85000, capacity=None)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00")
    start = dt.datetime(2027, 2, 1, 9, 0)
    for index in range(1050):
        moment = (start + dt.timedelta(minutes=index)).isoformat(sep=" ")
        builder.response(moment, f"b{index}@example.com", f"B {index}", Nastar=1)
    builder.statement = [["14/02/2027", "", "TRSF", 85000, "BCA"]]
    shop = builder.build()
    shop.sync("2027-02-13T10:00")
    amounts = [int(r["Amount to pay"] or 0) for r in shop.orders()]
    coded = [a for a in amounts if a != 85000]
    assert len(coded) == 999
    assert len(set(coded)) == 999
    assert amounts.count(85000) == 51
    (row,) = shop.table("statement")
    assert text(row["Result"]).startswith("Fits several orders")
    assert text(row["Paid order"]) == ""
    assert len(text(row["Orders to check"]).split(", ")) == 51
