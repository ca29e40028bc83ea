"""Messages built per CPU-second: the rendering and MIME building a sync does per email.

    python -m bench.messages            # 1,000 confirmations of a generated shop, best of 3

Not a test. Prints one line; compare with the issue's target (≥ 1,000 per CPU-second).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from openorder_sheets.service import decide, messages
from openorder_sheets.testing.shops import ShopBuilder


def main(count: int = 1000, rounds: int = 3) -> None:
    folder = Path(tempfile.mkdtemp(prefix="openorder-messages-"))
    builder = ShopBuilder(folder, rules={"unique_code": True, "payment_due_hours": 48})
    builder.product("NASTAR", "Nastar", 85000, capacity=None)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    start = dt.datetime(2027, 2, 1, 9, 0)
    for index in range(count):
        moment = (start + dt.timedelta(seconds=30 * index)).isoformat(sep=" ")
        builder.response(moment, f"b{index}@example.com", f"Buyer {index}", Nastar=1 + index % 3)
    shop = builder.build()
    now = dt.datetime(2027, 2, 1, 20, 0, tzinfo=shop.config.shop.zone)
    decided = decide.decide_shop(shop.shop, now)
    build = messages.message_builder(shop.shop, decided, now)
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for entry in decided.entries:
            build(entry)
        best = min(best, time.process_time() - began)
    print(
        f"messages: {len(decided.entries)} rendered and built in {best:.2f} s CPU "
        f"(best of {rounds}) = {len(decided.entries) / best:,.0f} per CPU-second"
    )


if __name__ == "__main__":
    main()
