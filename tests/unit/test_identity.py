"""Which response row is which order (core/identity.py), on plain values.

A Google Forms edit link overwrites the buyer's row and refreshes its Timestamp: the order keeps
its number and its place in the queue. Rows the seller sorts are matched again by email and
first timestamp; a row that cannot be matched safely is flagged, never silently a new order.
Duplicates (the same order sent twice within the window) are decided later, in core/rules.py
(see tests/unit/test_rules.py).
"""

from __future__ import annotations

import datetime as dt

from openorder_sheets.core.identity import Identified, identify
from openorder_sheets.core.model import Decision, PriorOrder, Response

ZONE = dt.timezone(dt.timedelta(hours=7))
START = dt.datetime(2027, 2, 2, 10, tzinfo=ZONE)


def at(minutes: float) -> dt.datetime:
    return START + dt.timedelta(minutes=minutes)


def answer(row: int, when: dt.datetime | None, email: str, nastar: int = 1) -> Response:
    quantities = (("NASTAR", nastar),)
    return Response(row, when, email, True, "Buyer", "", "", "", "", None, quantities, ())


def known(number: str, row: int, when: dt.datetime, email: str) -> PriorOrder:
    """An order an earlier sync made from response ``row``."""
    return PriorOrder(number, "PO 1", when, email, Decision.CONFIRMED, row)


def by_number(found: list[Identified]) -> dict[str, Identified]:
    return {item.number: item for item in found}


def test_new_responses_are_numbered_in_the_order_they_were_sent() -> None:
    """Order numbers follow submission time, not the row a response landed on."""
    found = identify(
        [answer(2, at(5), "b@example.com"), answer(3, at(0), "a@example.com")], [], "PO", []
    )
    assert [(item.number, item.response.row if item.response else None) for item in found] == [
        ("PO-0001", 3),
        ("PO-0002", 2),
    ]
    assert all(item.prior is None for item in found)


def test_new_numbers_continue_after_every_number_ever_given() -> None:
    """A number is never given twice: after the highest known, used or remembered one."""
    earlier = known("PO-0003", 2, at(0), "a@example.com")
    fresh = [answer(2, at(0), "a@example.com"), answer(3, at(10), "b@example.com")]
    assert by_number(identify(fresh, [earlier], "PO", [])).keys() == {"PO-0003", "PO-0004"}
    assert by_number(identify(fresh, [earlier], "PO", ["PO-0009"])).keys() == {"PO-0003", "PO-0010"}
    # The memory's last number wins even when that order is gone from everywhere else.
    assert by_number(identify(fresh, [earlier], "PO", [], last_serial=41)).keys() == {
        "PO-0003",
        "PO-0042",
    }


def test_an_edit_through_the_form_link_keeps_the_number_and_the_queue_place() -> None:
    """Rule 1: the same row, same email, a later Timestamp is the same order, first time kept."""
    earlier = known("PO-0001", 2, at(0), "a@example.com")
    edited = answer(2, at(90), "a@example.com", nastar=3)
    [item] = identify([edited], [earlier], "PO", [])
    assert item.number == "PO-0001"
    assert item.prior is earlier
    assert item.response is edited
    assert item.submitted == at(0)  # the queue position is the first submission


def test_a_timestamp_read_back_with_float_noise_still_matches() -> None:
    """Google serial numbers come back a hair off: within a second is the same moment."""
    earlier = known("PO-0001", 2, at(0), "a@example.com")
    noisy = answer(2, at(0) - dt.timedelta(milliseconds=400), "a@example.com")
    [item] = identify([noisy], [earlier], "PO", [])
    assert (item.number, item.prior) == ("PO-0001", earlier)


def test_rows_the_seller_sorted_are_matched_again_by_email_and_first_timestamp() -> None:
    """Rule 1: sorting the responses tab loses no order and makes no new one."""
    first = known("PO-0001", 2, at(0), "a@example.com")
    second = known("PO-0002", 3, at(10), "b@example.com")
    swapped = [answer(2, at(10), "b@example.com"), answer(3, at(0), "a@example.com")]
    found = by_number(identify(swapped, [first, second], "PO", []))
    assert found.keys() == {"PO-0001", "PO-0002"}
    assert found["PO-0001"].response is swapped[1]
    assert found["PO-0002"].response is swapped[0]
    assert all(item.unmatched_like == () for item in found.values())


def test_a_row_both_moved_and_edited_is_flagged_as_resembling_the_lost_order() -> None:
    """SPEC §4.1: no safe match → the old order stays (without a row) and the row is flagged."""
    first = known("PO-0001", 2, at(0), "a@example.com")
    other = known("PO-0002", 3, at(10), "b@example.com")
    rows = [answer(2, at(10), "b@example.com"), answer(3, at(60), "a@example.com", nastar=2)]
    found = by_number(identify(rows, [first, other], "PO", []))
    assert found["PO-0001"].response is None  # kept, never lost
    assert found["PO-0001"].prior is first
    assert found["PO-0003"].response is rows[1]
    assert found["PO-0003"].unmatched_like == ("PO-0001",)
    assert found["PO-0002"].response is rows[0]


def test_an_archived_order_whose_answer_was_not_read_stands_for_no_new_answer() -> None:
    """An archived (closed) order's answer may be left unread at the top of the form's tab:
    its buyer ordering again is a plain new order, not one resembling a lost answer."""
    old = known("PO-0001", 2, at(0), "a@example.com")
    rows = [answer(9, at(60 * 24 * 30), "a@example.com", nastar=2)]
    found = by_number(identify(rows, [old], "PO", [], closed={"PO-0001"}))
    assert found["PO-0001"].response is None
    assert found["PO-0002"].response is rows[0]
    assert found["PO-0002"].unmatched_like == ()
    assert by_number(identify(rows, [old], "PO", []))["PO-0002"].unmatched_like == ("PO-0001",)


def test_another_buyer_on_an_orders_row_is_not_that_order() -> None:
    """A row now holding someone else's email is a new order; the old one keeps its number."""
    earlier = known("PO-0001", 2, at(0), "a@example.com")
    found = by_number(identify([answer(2, at(5), "z@example.com")], [earlier], "PO", []))
    assert found["PO-0001"].response is None
    assert found["PO-0002"].response is not None
    assert found["PO-0002"].response.email == "z@example.com"
    assert found["PO-0002"].unmatched_like == ()  # nothing of z@ was lost


def test_a_row_older_than_the_order_on_it_is_not_that_order() -> None:
    """A form edit only moves Timestamp later; an earlier time on the row is another response."""
    earlier = known("PO-0001", 2, at(30), "a@example.com")
    older = answer(2, at(0), "a@example.com")
    found = by_number(identify([older], [earlier], "PO", []))
    assert found["PO-0001"].response is None
    assert found["PO-0002"].response is older
    assert found["PO-0002"].unmatched_like == ("PO-0001",)


def test_the_result_is_in_queue_order_with_undated_rows_last() -> None:
    """Rules decide in queue order: first submission, then row; a row without a time goes last."""
    later = known("PO-0001", 4, at(30), "c@example.com")
    rows = [
        answer(2, None, "x@example.com"),
        answer(3, at(10), "b@example.com"),
        answer(4, at(31), "c@example.com"),
    ]
    found = identify(rows, [later], "PO", [])
    assert [item.number for item in found] == ["PO-0002", "PO-0001", "PO-0003"]
    assert found[-1].submitted is None


def test_the_queue_key_of_an_order_without_its_row_uses_the_remembered_row() -> None:
    """An order whose row is gone keeps its place, with the row it was last seen on."""
    gone = Identified("PO-0001", None, known("PO-0001", 7, at(0), "a@x.com"), at(0))
    assert gone.queue_key == (0, at(0), 7)
