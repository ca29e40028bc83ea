"""The memory tab's packed encoding: what the tool writes it reads back unchanged, a memory
written by an older version (one JSON row per order) is still read, a change to one order
rewrites one row, and no cell value makes reading crash."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zlib
from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from openorder_sheets.core import memory as mem
from openorder_sheets.core.memory import HEADER, Memory, memory_rows, read_memory
from openorder_sheets.core.model import Decision, PriorOrder, SellerInputs
from openorder_sheets.ports import Cell

_text = st.text(max_size=12)
_moments = st.none() | st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1), timezones=st.just(dt.UTC)
)
_lines = st.lists(st.tuples(st.sampled_from(["NASTAR", "KASTENGEL", "SAGU"]), st.integers(1, 9)))


@st.composite
def prior_orders(draw: st.DrawFn, number: str) -> PriorOrder:
    marks = draw(st.sampled_from([(), (True, "Confirm", "JNE123", "note"), ("lunas", None, "", 5)]))
    return PriorOrder(
        number=number,
        batch=draw(_text),
        submitted=draw(_moments),
        email=draw(st.sampled_from(["a@b.id", "", "Ann@X.COM"]) | _text),
        status=draw(st.none() | st.sampled_from(list(Decision))),
        response_row=draw(st.none() | st.integers(2, 200_000)),
        lines=tuple(draw(_lines)),
        asked=draw(st.none() | _lines.map(tuple)),
        held=draw(st.none() | _lines.map(tuple)),
        problems=tuple(draw(st.lists(_text, max_size=2))),
        seq=draw(st.integers(0, 5)),
        confirmed_key=draw(_text),
        deadline=draw(_moments),
        code=draw(st.none() | st.integers(1, 999)),
        paid_amount=Decimal(draw(st.integers(0, 10_000_000))),
        receipts=draw(st.integers(0, 3)),
        settled=draw(st.booleans()),
        bank=tuple(
            (key, Decimal(amount))
            for key, amount in draw(st.lists(st.tuples(_text, st.integers(1, 99)), max_size=2))
        ),
        seller=SellerInputs(marks=marks),
    )


@st.composite
def memories(draw: st.DrawFn) -> Memory:
    serials = draw(st.lists(st.integers(1, 1_000), unique=True, max_size=40))
    memory = Memory(last_serial=max(serials, default=0))
    for serial in sorted(serials):
        number = f"PO-{serial:04d}"
        memory.orders[number] = draw(prior_orders(number))
        if draw(st.booleans()):
            memory.shown[number] = draw(
                st.text("abcdefABCDEF0123456789-_", min_size=1, max_size=12)
            )
    return memory


def _read_back(rows: list[list[Cell]]) -> Memory:
    found = read_memory([list(HEADER), *rows])
    assert found is not None
    return found


def _legacy_rows(memory: Memory) -> list[list[Cell]]:
    """The memory as versions before packing wrote it: one JSON row per order."""
    rows: list[list[Cell]] = [
        ["order:" + number, mem._dump(mem._order_data(order))]
        for number, order in memory.orders.items()
    ]
    rows.append(["shop", mem._dump({"last_serial": memory.last_serial})])
    return rows


@settings(max_examples=40, deadline=None)
@given(memories())
def test_what_is_written_is_read_back_the_same(memory: Memory) -> None:
    """Packing round-trips: every order, its fields and its Orders-row fingerprint."""
    rows = memory_rows(memory)
    again = _read_back(rows)
    assert list(again.orders) == list(memory.orders)
    assert again.shown == memory.shown
    assert again.last_serial == memory.last_serial
    assert memory_rows(again) == rows  # the same text: a no-op sync writes nothing


@settings(max_examples=40, deadline=None)
@given(memories())
def test_a_memory_written_one_row_per_order_is_still_read(memory: Memory) -> None:
    """A shop whose memory an older version wrote loses nothing: it is read as before and the
    next sync writes it packed."""
    memory.shown.clear()  # older versions kept no fingerprint
    again = _read_back(_legacy_rows(memory))
    assert again.orders == memory.orders
    assert memory_rows(again) == memory_rows(memory)


def test_a_change_to_one_order_rewrites_one_row() -> None:
    """Orders are packed by running number: changing one touches its pack only."""
    count = 3 * mem.PACK_SIZE + 50
    memory = Memory(last_serial=count)
    for serial in range(1, count + 1):
        number = f"PO-{serial:04d}"
        memory.orders[number] = PriorOrder(number, "PO 1", None, f"b{serial}@x.id", None, serial)
    before = memory_rows(memory)
    changed = memory.orders["PO-0150"]
    memory.orders["PO-0150"] = PriorOrder(changed.number, "PO 1", None, "new@x.id", None, 150)
    after = memory_rows(memory)
    assert len(after) == len(before) == 5  # four packs and the shop row
    assert [a == b for a, b in zip(before, after, strict=True)] == [False, True, True, True, True]
    assert all(len(str(row[1])) < 50_000 for row in after)


def test_a_pack_too_long_for_a_cell_is_halved_until_it_fits() -> None:
    """Orders with long problems (text that does not compress): the pack is split in halves
    rather than costing a row per order; every half fits in a cell and reads back."""
    memory = Memory(last_serial=mem.PACK_SIZE - 1)
    for serial in range(1, mem.PACK_SIZE):
        number = f"PO-{serial:04d}"
        problems = tuple(hashlib.sha256(f"{serial}/{i}".encode()).hexdigest() for i in range(6))
        memory.orders[number] = PriorOrder(number, "", None, "", None, None, problems=problems)
    rows = memory_rows(memory)
    names = [str(row[0]) for row in rows]
    assert names[-1] == "shop"
    assert 2 <= len(names) - 1 < 10
    assert all(name.startswith("orders:0.") for name in names[:-1])
    assert all(len(str(row[1])) <= mem.CELL_ROOM for row in rows)
    assert _read_back(rows).orders == memory.orders


def test_what_follows_from_the_record_is_written_short_and_read_back_whole() -> None:
    """The usual confirmation key and items asked equal to the items held are not spelled
    out; an unusual key (a later confirmation) and different items are."""
    usual = "PO-0001/order_confirmed/ani@x.id/1"
    lines = (("NASTAR", 2),)
    orders = [
        PriorOrder("PO-0001", "PO 1", None, "ani@x.id", None, 2, lines=lines, asked=lines,
                   confirmed_key=usual),
        PriorOrder("PO-0002", "PO 1", None, "budi@x.id", None, 3, lines=lines,
                   asked=(("NASTAR", 5),), confirmed_key="PO-0002/order_confirmed/budi@x.id/2"),
        PriorOrder("PO-0003", "PO 1", None, "citra@x.id", None, 4, lines=(), asked=()),
    ]  # fmt: skip
    data = [mem._order_data(order) for order in orders]
    assert data[0]["confirmed_key"] == 1
    assert data[0]["asked"] == "lines"
    assert data[1]["confirmed_key"].endswith("/2")
    assert data[1]["asked"] == [["NASTAR", 5]]
    memory = Memory(orders={o.number: o for o in orders}, last_serial=3)
    assert _read_back(memory_rows(memory)).orders == memory.orders


def test_a_pack_too_long_for_a_cell_is_written_one_row_per_order() -> None:
    """Google's 50,000-character cell limit is never passed: such orders get a row each."""
    memory = Memory(last_serial=3)
    for serial in range(1, 4):
        number = f"PO-{serial:04d}"
        # Text that does not compress (digests), as long as a very unusual order's problems.
        problems = tuple(hashlib.sha256(f"{serial}/{i}".encode()).hexdigest() for i in range(900))
        memory.orders[number] = PriorOrder(number, "", None, "", None, None, problems=problems)
    rows = memory_rows(memory)
    assert [row[0] for row in rows] == ["order:PO-0001", "order:PO-0002", "order:PO-0003", "shop"]
    assert _read_back(rows).orders == memory.orders


def test_a_pack_the_tool_cannot_read_is_skipped() -> None:
    """A damaged pack loses its own orders, never the sync: the other rows are still read."""
    good = Memory(last_serial=201)
    good.orders["PO-0201"] = PriorOrder("PO-0201", "PO 1", None, "a@b.id", None, 2)
    rows = memory_rows(good)
    damaged: list[list[Cell]] = [["orders:0", "z1:not base64 at all!"], ["orders:1", "z1:AAAA"]]
    found = _read_back([*damaged, *rows])
    assert list(found.orders) == ["PO-0201"]


def _packed_json(value: object) -> str:
    """Any JSON value packed the way the tool packs its records (most are not records)."""
    packed = zlib.compress(json.dumps(value).encode())
    return mem._PACKED + base64.urlsafe_b64encode(packed).decode()


_cells = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
_keys = st.sampled_from(["orders:0", "archives:0", "order:PO-0001", "view:summary", "shop"])
_payloads: st.SearchStrategy[Any] = st.one_of(
    _cells,
    st.text(max_size=30).map(lambda t: "z1:" + t),
    st.builds(lambda v: mem.pack([("PO-0001", v)]), st.dictionaries(_text, _cells, max_size=3)),
    st.builds(json.dumps, st.dictionaries(_text, _cells, max_size=3)),
    st.builds(_packed_json, st.recursive(_cells, lambda inner: st.lists(inner, max_size=3))),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(_keys, _cells, _payloads), max_size=3), max_size=6))
def test_any_value_in_the_memory_tab_never_crashes_reading(rows: list[list[Cell]]) -> None:
    """Whatever the cells hold, reading skips what it cannot use."""
    read_memory([list(HEADER), *rows])


def test_an_unchanged_pack_is_written_back_as_it_was_read() -> None:
    """A pack another zlib (or another level) compressed is not rewritten just because this
    one would compress it differently; a changed pack is compressed afresh."""
    memory = Memory(orders={"PO-0001": PriorOrder("PO-0001", "PO 1", None, "a@x.id", None, 2)})
    (pack_row,) = [row for row in memory_rows(memory) if str(row[0]).startswith("orders:")]
    text = zlib.decompress(base64.urlsafe_b64decode(str(pack_row[1])[3:] + "=" * 4))
    other = "z1:" + base64.urlsafe_b64encode(zlib.compress(text, 1)).decode().rstrip("=")
    assert other != pack_row[1]
    read = read_memory([list(HEADER), [pack_row[0], other]])
    assert read is not None
    assert read.orders == memory.orders
    assert [row for row in memory_rows(read) if row[0] == pack_row[0]] == [[pack_row[0], other]]
    read.orders["PO-0001"] = PriorOrder("PO-0001", "PO 1", None, "b@x.id", None, 2)
    assert [row for row in memory_rows(read) if row[0] == pack_row[0]] != [[pack_row[0], other]]


@settings(max_examples=60, deadline=None)
@given(memories(), st.data())
def test_a_pack_written_back_as_read_is_exactly_what_building_it_again_gives(
    memory: Memory, data: st.DataObject
) -> None:
    """A pack is written back as read only when building it again would give the same: any
    change to any order (here an order's every field taken from another drawn order, and a tick
    become the number 1) is written."""
    rows = memory_rows(memory)
    read = _read_back(rows)
    if read.orders:
        number = data.draw(st.sampled_from(list(read.orders)))
        other = data.draw(prior_orders(number))
        if data.draw(st.booleans()):  # the same order, its tick now the number 1
            same = read.orders[number]
            marks = tuple(1 if mark is True else mark for mark in same.seller.marks)
            other = replace(same, seller=SellerInputs(marks=marks))
        read.orders[number] = other
    fast = memory_rows(read)
    mem._READ_ROWS.clear()
    assert fast == memory_rows(read)


def test_blank_seller_marks_read_back_as_none_still_leave_the_pack_as_read() -> None:
    """The sync hands the memory each order with the seller's cells as read (blank ones
    included); a record keeps no marks when all are blank. That is no change: the pack is
    written back as read (here compressed differently, so a rebuilt pack would differ)."""
    memory = Memory(orders={"PO-0001": PriorOrder("PO-0001", "PO 1", None, "a@x.id", None, 2)})
    (pack_row,) = [row for row in memory_rows(memory) if str(row[0]).startswith("orders:")]
    text = zlib.decompress(base64.urlsafe_b64decode(str(pack_row[1])[3:] + "=" * 4))
    other = "z1:" + base64.urlsafe_b64encode(zlib.compress(text, 1)).decode().rstrip("=")
    read = read_memory([list(HEADER), [pack_row[0], other]])
    assert read is not None
    blank = SellerInputs(marks=(None, "", None, None))
    read.orders["PO-0001"] = replace(read.orders["PO-0001"], seller=blank)
    assert [row for row in memory_rows(read) if row[0] == pack_row[0]] == [[pack_row[0], other]]
