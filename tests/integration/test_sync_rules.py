"""The order rules of SPEC §4 (1–10), end to end through a sync, on every backend."""

from __future__ import annotations

from openorder_sheets.core.cells import text
from openorder_sheets.testing.shops import ShopBuilder

NOW = "2027-02-16 10:00"


def test_orders_within_capacity_are_confirmed_and_the_rest_waitlisted(builder: ShopBuilder) -> None:
    """Rule 7: first come first served; the waitlist names the lines that do not fit."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Kastengel=3)
    builder.response("2027-02-02 11:00", "b@example.com", "Budi", Kastengel=2)
    builder.response("2027-02-02 12:00", "c@example.com", "Citra", Kastengel=1)
    shop = builder.build()
    shop.sync(NOW)
    assert [shop.status_of(n) for n in ("PO-0001", "PO-0002", "PO-0003")] == [
        "Confirmed",
        "Waitlisted",
        "Confirmed",
    ]
    assert "Kastengel: 2 jar wanted, 0 left" in text(shop.order("PO-0002")["Problems"])
    assert shop.transport.kinds_to("b@example.com") == ["order_waitlisted"]


def test_a_second_sync_changes_no_cell_and_sends_nothing(builder: ShopBuilder) -> None:
    """SPEC §4: running sync twice in a row changes nothing and sends nothing the second time."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=2)
    builder.response("2027-02-02 10:05", "b@example.com", "Budi", Nastar="dua")
    builder.response("2027-02-20 10:05", "c@example.com", "Citra", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    before = {key: shop.grid(key) for key in ("orders", "summary", "emails", "packing")}
    sent = len(shop.transport.sent)
    report = shop.sync(NOW)
    assert report.tabs_written == []
    assert {key: shop.grid(key) for key in before} == before
    assert len(shop.transport.sent) == sent


def test_confirmed_orders_stay_confirmed_when_capacity_is_lowered(builder: ShopBuilder) -> None:
    """Rule 8: decisions are sticky; over-capacity is shown in Summary, never hidden."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Kastengel=3)
    shop = builder.build()
    shop.sync(NOW)
    shop.set_cell("products", 2, "Capacity", 1)
    shop.sync(NOW)
    assert shop.status_of("PO-0001") == "Confirmed"
    row = next(r for r in shop.table("summary") if r["SKU"] == "KASTENGEL")
    assert row["Remaining"] == -2


def test_a_row_arriving_later_with_an_earlier_time_cannot_take_a_confirmed_place(
    builder: ShopBuilder,
) -> None:
    """Rule 8: confirmed orders consume capacity before anything else is decided."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Kastengel=4)
    shop = builder.build()
    shop.sync(NOW)
    grid = shop.grid("responses")
    row = list(grid[1])
    row[0] = row[0].replace(hour=9)  # type: ignore[union-attr]
    row[1], row[2] = "z@example.com", "Zaki"
    shop.replace_rows("responses", [grid[1], row])
    shop.sync(NOW)
    assert shop.status_of("PO-0001") == "Confirmed"
    assert shop.status_of("PO-0002") == "Waitlisted"


def test_cancelling_a_confirmed_order_promotes_the_waitlist(builder: ShopBuilder) -> None:
    """Rules 9–10: Cancel frees capacity; the first waitlisted order that fits is promoted."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Kastengel=4)
    builder.response("2027-02-02 11:00", "b@example.com", "Budi", Kastengel=3)
    shop = builder.build()
    shop.sync(NOW)
    assert shop.status_of("PO-0002") == "Waitlisted"
    shop.set_order_cell("PO-0001", "seller_action", "Cancel")
    shop.sync(NOW)
    assert shop.status_of("PO-0001") == "Cancelled"
    assert shop.status_of("PO-0002") == "Confirmed"
    assert shop.transport.kinds_to("a@example.com") == ["order_confirmed", "order_cancelled"]
    assert shop.transport.kinds_to("b@example.com") == ["order_waitlisted", "order_promoted"]
    shop.sync(NOW)
    assert len(shop.transport.sent) == 4


def test_a_buyer_edit_keeps_the_number_and_place_and_sends_order_updated(
    builder: ShopBuilder,
) -> None:
    """Rule 1: Google overwrites the row and refreshes Timestamp; the order keeps its number."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=2)
    builder.response("2027-02-02 11:00", "b@example.com", "Budi", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    submitted = shop.order("PO-0001")["Submitted"]
    grid = shop.grid("responses")
    edited = list(grid[1])
    edited[0] = edited[0].replace(day=5)  # type: ignore[union-attr]
    edited[8] = 3
    shop.replace_rows("responses", [edited, grid[2]])
    shop.sync(NOW)
    assert len(shop.orders()) == 2
    order = shop.order("PO-0001")
    assert text(order["Items"]) == "3× Nastar"
    assert order["Submitted"] == submitted
    assert shop.transport.kinds_to("a@example.com") == ["order_confirmed", "order_updated"]
    shop.sync(NOW)
    assert shop.transport.kinds_to("a@example.com") == ["order_confirmed", "order_updated"]


def test_sorting_the_responses_tab_loses_nothing(builder: ShopBuilder) -> None:
    """Rule 1: rows the seller sorts are re-matched by email and timestamp."""
    for hour, email in ((10, "a@example.com"), (11, "b@example.com"), (12, "c@example.com")):
        builder.response(f"2027-02-02 {hour}:00", email, email[0].upper(), Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    before = {text(o["Order"]): text(o["Email"]) for o in shop.orders()}
    grid = shop.grid("responses")
    shop.replace_rows("responses", list(reversed(grid[1:])))
    report = shop.sync(NOW)
    after = {text(o["Order"]): text(o["Email"]) for o in shop.orders()}
    assert after == before
    assert report.emails_new == []
    assert {text(o["Response row"]) for o in shop.orders()} == {"2", "3", "4"}


def test_the_seller_sorting_orders_and_their_columns_survive(builder: ShopBuilder) -> None:
    """SPEC §3: rows matched by Order, seller row order kept, seller columns never written."""
    for hour, email in ((10, "a@example.com"), (11, "b@example.com"), (12, "c@example.com")):
        builder.response(f"2027-02-02 {hour}:00", email, email[0].upper(), Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    shop.set_order_cell("PO-0001", "seller_note", "VIP, bonus kue")
    shop.set_order_cell("PO-0002", "paid", True)
    grid = shop.grid("orders")
    shop.replace_rows("orders", list(reversed(grid[1:])))
    responses = shop.grid("responses")
    late = [responses[1][0].replace(hour=13), "d@example.com", "D", "", "", "", "", "", 1]  # type: ignore[union-attr]
    shop.replace_rows("responses", [*responses[1:], late])
    shop.sync(NOW)
    numbers = [text(o["Order"]) for o in shop.orders()]
    assert numbers == ["PO-0003", "PO-0002", "PO-0001", "PO-0004"]
    assert shop.order("PO-0001")["Seller note"] == "VIP, bonus kue"
    assert shop.order("PO-0002")["Paid"] is True
    assert text(shop.order("PO-0002")["Progress"]) == "Paid"


def test_orders_outside_the_window_are_rejected_naming_the_next_batch(builder: ShopBuilder) -> None:
    """Rule 3: outside every window → Rejected; the email names the next batch's opening."""
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-05 21:00")
    builder.response("2027-02-16 08:00", "a@example.com", "Ani", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    assert shop.status_of("PO-0001") == "Rejected"
    assert "outside the open-order window" in text(shop.order("PO-0001")["Problems"])
    message = shop.transport.sent[0]
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "PO 2" in body
    assert "March 1, 2027" in body


def test_a_double_submission_is_a_duplicate_with_no_email(builder: ShopBuilder) -> None:
    """Rule 5: same buyer, batch and quantities within 30 minutes → Duplicate, no email."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=1)
    builder.response("2027-02-02 10:02", "A@Example.com", "Ani", Nastar=1)
    builder.response("2027-02-02 11:00", "a@example.com", "Ani", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    assert [shop.status_of(n) for n in ("PO-0001", "PO-0002", "PO-0003")] == [
        "Confirmed",
        "Duplicate",
        "Confirmed",
    ]
    assert shop.transport.kinds_to("a@example.com") == ["order_confirmed", "order_confirmed"]


def test_the_per_buyer_limit_counts_earlier_orders(builder: ShopBuilder) -> None:
    """Rule 6: earlier confirmed and waitlisted quantities count toward Max per buyer."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=3)
    builder.response("2027-02-03 10:00", "a@example.com", "Ani", Nastar=3)
    shop = builder.build()
    shop.sync(NOW)
    assert shop.status_of("PO-0002") == "Rejected"
    assert "Nastar: at most 5 jar per buyer in this batch (6 ordered)" in text(
        shop.order("PO-0002")["Problems"]
    )


def test_a_seller_fixing_a_bad_cell_gets_the_order_re_evaluated(builder: ShopBuilder) -> None:
    """Rule 2: a fixed cell in the responses tab is re-decided on the next sync; the buyer
    hears that their order needs checking, then that it is confirmed."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar="dua")
    shop = builder.build()
    shop.sync(NOW)
    assert shop.status_of("PO-0001") == "Needs attention"
    assert shop.transport.kinds_to("a@example.com") == ["order_needs_attention"]
    shop.set_cell("responses", 1, "Nastar", "2")
    shop.sync(NOW)
    assert shop.status_of("PO-0001") == "Confirmed"
    assert shop.transport.kinds_to("a@example.com") == ["order_needs_attention", "order_confirmed"]


def test_seller_confirm_wins_over_capacity_and_reject_sends_once(builder: ShopBuilder) -> None:
    """Rule 10: Confirm confirms regardless of capacity; Reject rejects; each emails once."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Kastengel=4)
    builder.response("2027-02-02 11:00", "b@example.com", "Budi", Kastengel=2)
    builder.response("2027-02-02 12:00", "c@example.com", "Citra", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    shop.set_order_cell("PO-0002", "seller_action", "Confirm")
    shop.set_order_cell("PO-0003", "seller_action", "Reject")
    shop.sync(NOW)
    shop.sync(NOW)
    assert shop.status_of("PO-0002") == "Confirmed"
    assert shop.status_of("PO-0003") == "Rejected"
    row = next(r for r in shop.table("summary") if r["SKU"] == "KASTENGEL")
    assert (row["Confirmed"], row["Remaining"]) == (6, -2)
    # No place freed up: the seller confirmed it, so it is a confirmation, not a promotion.
    assert shop.transport.kinds_to("b@example.com") == ["order_waitlisted", "order_confirmed"]
    assert shop.transport.kinds_to("c@example.com") == ["order_confirmed", "order_rejected"]


def test_a_row_both_moved_and_edited_needs_attention_never_a_silent_new_order(
    builder: ShopBuilder,
) -> None:
    """Rule 1: a response that cannot be matched safely is flagged, naming the likely order."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=1)
    builder.response("2027-02-02 11:00", "b@example.com", "Budi", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    grid = shop.grid("responses")
    moved = list(grid[1])
    moved[0] = moved[0].replace(day=3)  # type: ignore[union-attr]
    shop.replace_rows("responses", [grid[2], moved])  # sorted AND edited since the last sync
    report = shop.sync(NOW)
    assert shop.status_of("PO-0001") == "Confirmed"  # kept, never lost
    assert shop.status_of("PO-0003") == "Needs attention"
    assert "PO-0001" in text(shop.order("PO-0003")["Problems"])
    assert [e["kind"] for e in report.emails_new] == []
    again = shop.sync(NOW)  # no edit at all: the held response stays held (issue 16.6)
    assert shop.status_of("PO-0003") == "Needs attention"
    assert again.emails_new == []


def test_the_buyer_reads_their_whatsapp_number_as_people_write_it(builder: ShopBuilder) -> None:
    """What the tool normalised (+6281311112222) is for the tool; emails show it grouped."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", phone="0813-1111-2222", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    (mail,) = shop.transport.sent
    for part in ("plain", "html"):
        body = mail.get_body((part,))
        assert body is not None
        text_of = body.get_content()
        assert "+62 813-1111-2222" in text_of
        assert "+6281311112222" not in text_of


def test_items_given_back_by_an_edit_go_to_an_earlier_waiting_order_in_the_same_sync(
    builder: ShopBuilder,
) -> None:
    """Queue order, then a later order's edit frees room an earlier one is waiting for: the
    earlier change is applied now, not held now and applied next sync (two messages for one
    decision), and a re-run changes nothing (found by the lifecycle property)."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Kastengel=1)
    builder.response("2027-02-02 10:05", "b@example.com", "Budi", Kastengel=3)
    shop = builder.build()
    shop.sync("2027-02-02 11:00")
    assert [shop.status_of(n) for n in ("PO-0001", "PO-0002")] == ["Confirmed", "Confirmed"]
    # Capacity 4, all taken: Ani (first in the queue) asks for 3, Budi gives 2 back.
    shop.set_cell("responses", 1, "Kastengel", 3)
    shop.set_cell("responses", 2, "Kastengel", 1)
    shop.sync("2027-02-02 12:00")
    assert text(shop.order("PO-0001")["Items"]) == "3× Kastengel"
    assert text(shop.order("PO-0002")["Items"]) == "1× Kastengel"
    assert shop.transport.kinds_to("a@example.com") == ["order_confirmed", "order_updated"]
    sent = len(shop.transport.sent)
    report = shop.sync("2027-02-02 12:05")
    assert report.tabs_written == []
    assert len(shop.transport.sent) == sent
