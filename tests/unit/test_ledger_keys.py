"""The `Emails` columns a sync does not read back follow from the key: every key the tool
makes is ``{order or batch}/{kind}/{address}/{version}``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from openorder_sheets.core import ledger
from openorder_sheets.core.model import EmailKind
from openorder_sheets.ports import Grid

_names = st.text(min_size=1, max_size=20)


@given(
    st.sampled_from(["PO-0001", "PO Lebaran 1", "Batch/2"]),
    st.sampled_from(list(EmailKind)),
    _names,
    st.sampled_from(["1", "3", "2027-03-01"]),
)
def test_the_kind_and_address_are_read_from_any_key_the_tool_makes(
    head: str, kind: EmailKind, to: str, version: str
) -> None:
    """Even an address with a slash in it comes back whole."""
    assert ledger.key_parts(f"{head}/{kind}/{to}/{version}") == (str(kind), to)


def test_a_key_the_tool_did_not_make_asks_for_a_whole_read() -> None:
    """A row typed by hand has no kind to derive: the tab is read whole instead."""
    grid: Grid = [list(ledger.EMAIL_COLUMNS), ["hello", "", None, None, "sent"]]
    positions = {name: index for index, name in enumerate(ledger.EMAIL_COLUMNS)}
    assert ledger.key_parts("hello") is None
    assert not ledger.fill_derived(grid, positions, "toko.id")


def test_derived_cells_are_what_the_tool_writes() -> None:
    """Kind, To (formula-safe) and the Message-ID from the key and the sender's domain."""
    key = "PO-0007/order_confirmed/+ani@example.com/1"
    grid: Grid = [list(ledger.EMAIL_COLUMNS), [key, "PO-0007", None, None, "sent"]]
    positions = {name: index for index, name in enumerate(ledger.EMAIL_COLUMNS)}
    assert ledger.fill_derived(grid, positions, "toko.id")
    row = grid[1]
    assert row[2] == "order_confirmed"
    assert row[3] == "'+ani@example.com"
    assert row[7] == ledger.message_id(key, "toko.id")


@given(
    st.sampled_from(["PO-0001", "PO Lebaran 1", "Batch/2"]),
    st.sampled_from(list(EmailKind)),
    _names,
)
def test_the_order_is_the_keys_first_part_except_for_a_batchs_message(
    head: str, kind: EmailKind, to: str
) -> None:
    """`Order` is the key's first part (an order number, slashes and all); a batch's message
    leaves it blank here (`batch_delayed`'s order is found again from the orders)."""
    key = ledger.message_key(head, kind, to, 1)
    grid: Grid = [list(ledger.EMAIL_COLUMNS), [key, None, None, None, "sent"]]
    positions = {name: index for index, name in enumerate(ledger.EMAIL_COLUMNS)}
    assert ledger.fill_derived(grid, positions, "toko.id")
    assert grid[1][1] == ("" if kind in ledger.BATCH_KINDS else head)
