"""``python -m bench.matching``: matching 10,000 statement credits against 10,000 unpaid orders.

A busy season's statement on one sync: most credits pay an order exactly (a fifth of them
naming it), the rest are the usual mess — repeats, second payments, short and long transfers
naming the order, totals without the unique code, near misses and strays. Prints one line: the
median of 5 timed runs (``time.perf_counter``, and their CPU time: a busy shared machine
stretches wall time) and the peak memory of one more run under ``tracemalloc``. Deterministic
from ``--seed``. Not a test.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import tracemalloc
from decimal import Decimal

from openorder_sheets.core.matching import Expected, Outcome, match
from openorder_sheets.core.model import Credit

PRICES = [85_000, 95_000, 120_000, 150_000, 175_000]
FIRST = [
    "Siti",
    "Budi",
    "Dewi",
    "Agus",
    "Rina",
    "Eko",
    "Wati",
    "Joko",
    "Putri",
    "Ani",
    "Yuni",
    "Hadi",
    "Sri",
    "Tono",
    "Lina",
    "Bayu",
]
LAST = [
    "Aminah",
    "Santoso",
    "Lestari",
    "Wijaya",
    "Sari",
    "Hartono",
    "Susanti",
    "Pratama",
    "Kusuma",
    "Nugroho",
]


def shop(size: int, rng: random.Random) -> list[Expected]:
    """`size` unpaid orders in two batches, every amount to pay different."""
    taken: set[int] = set()
    orders = []
    for serial in range(1, size + 1):
        total = rng.choice(PRICES) * rng.randint(1, 4)
        code = rng.randint(1, 999)
        while total + code in taken:
            total, code = rng.choice(PRICES) * rng.randint(1, 4), rng.randint(1, 999)
        taken.add(total + code)
        batch = "Lebaran 1" if serial <= size // 2 else "Lebaran 2"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}" if serial % 5 else rng.choice(FIRST)
        orders.append(
            Expected(
                f"PO-{serial:05d}", batch, Decimal(total + code), code, Decimal(0), name, False
            )
        )
    return orders


def statement(orders: list[Expected], size: int, rng: random.Random) -> list[Credit]:
    """`size` credits: 85 % exact payments, then every kind of mess."""
    picked = rng.sample(orders, k=len(orders))
    rows: list[tuple[Decimal, str]] = []
    for i, order in enumerate(picked[: size * 85 // 100]):
        rows.append((order.owed, f"PO-{order.number[3:]}" if i % 5 == 0 else "TRSF E-BANKING CR"))
    for order in picked[size * 85 // 100 : size * 88 // 100]:
        rows.append((order.owed - 20_000, f"DP {order.number}"))
    for order in picked[size * 88 // 100 : size * 89 // 100]:
        rows.append((order.owed + 5_000, f"{order.number} ongkir"))
    for order in picked[size * 89 // 100 : size * 92 // 100]:
        rows.append((order.owed - (order.code or 0), f"TRSF {order.name}"))
    for order in picked[size * 92 // 100 : size * 95 // 100]:
        rows.append((order.owed + order.owed // 200, f"TRSF {order.name}"))
    for order in picked[: size * 2 // 100]:
        rows.append((order.owed, "TRSF ulang"))
    while len(rows) < size * 97 // 100:
        rows.append((Decimal(rng.randint(1_000, 60_000)), "TRSF"))
    rng.shuffle(rows)
    credits = [Credit(f"row{i}", None, None, amount, text) for i, (amount, text) in enumerate(rows)]
    while len(credits) < size:  # pasted twice
        credits.insert(
            rng.randint(len(credits) // 2, len(credits)), rng.choice(credits[: size // 2])
        )
    return credits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--credits", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    orders = shop(args.orders, rng)
    credits = statement(orders, args.credits, rng)
    times, cpu = [], []
    for _ in range(5):
        start, start_cpu = time.perf_counter(), time.process_time()
        found = match(credits, orders, {})
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    tracemalloc.start()
    match(credits, orders, {})
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    paid = sum(m.outcome is Outcome.PAID for m in found)
    print(
        f"matching {len(credits):,} credits × {len(orders):,} orders: "
        f"median {statistics.median(times) * 1000:.0f} ms of 5 "
        f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; "
        f"CPU median {statistics.median(cpu) * 1000:.0f} ms), "
        f"peak {peak / 2**20:.1f} MiB traced, {paid:,} paid"
    )


if __name__ == "__main__":
    main()
