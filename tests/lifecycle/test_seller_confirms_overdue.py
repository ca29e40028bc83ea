"""The seller's `Confirm` on a confirmed order whose time to pay already ran out (the laptop was
closed, so the sync that would have expired it never ran): the seller keeps the order, so the
buyer is confirmed anew with a new deadline — once — instead of getting `order_expired` from
the sync after (found by the lifecycle machine: a re-run of the same sync expired it).
A `Confirm` on an order still within its time changes nothing and tells nobody anything.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.lifecycle.test_thirteen_situations import ANI, BUDI, Shop, bakery, deadline_in


def test_confirm_on_an_overdue_order_confirms_it_anew_with_a_new_deadline(tmp_path: Path) -> None:
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    shop = Shop(tmp_path, builder)
    [ani_first, _] = shop.sync("2027-02-01T10:00")
    assert deadline_in(ani_first) == dt.datetime(2027, 2, 3, 10, 0)
    reminders = shop.sync("2027-02-03T00:00")  # 12 hours before: both reminded
    assert sorted(m.kind for m in reminders) == ["payment_reminder", "payment_reminder"]

    # Four days later the seller opens the sheet, and keeps Ani's order.
    shop.seller("PO-0001", "Seller action", "Confirm")
    mails = shop.sync("2027-02-07T09:00")
    assert sorted((m.to, m.kind) for m in mails) == [
        (ANI, "order_confirmed"),
        (BUDI, "order_expired"),
    ]
    again = next(m for m in mails if m.to == ANI)
    assert deadline_in(again) == dt.datetime(2027, 2, 9, 9, 0)  # 48 hours from now
    assert shop.status("PO-0001") == "Confirmed"
    assert shop.sync("2027-02-07T09:00") == []  # the same sync again: nothing
    assert shop.sync("2027-02-07T10:00") == []

    # The new deadline runs like any other: a reminder, then the expiry if still unpaid.
    assert shop.kinds(ANI, shop.sync("2027-02-08T21:00")) == ["payment_reminder"]
    assert shop.kinds(ANI, shop.sync("2027-02-09T10:00")) == ["order_expired"]
    assert shop.sync("2027-02-09T11:00") == []


def test_confirm_on_an_order_still_within_its_time_tells_nobody_anything(tmp_path: Path) -> None:
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    shop.seller("PO-0001", "Seller action", "Confirm")
    assert shop.sync("2027-02-02T10:00") == []
    assert shop.status("PO-0001") == "Confirmed"
    assert shop.kinds(ANI, shop.sync("2027-02-03T00:00")) == ["payment_reminder"]
    assert shop.kinds(ANI, shop.sync("2027-02-03T12:00")) == ["order_expired"]
