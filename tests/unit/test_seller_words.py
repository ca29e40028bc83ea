"""Words sellers type in `Paid` and `Seller action` (core/seller_words.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from openorder_sheets.core.model import PaidKind, SellerAction
from openorder_sheets.core.seller_words import paid_mark, seller_action
from openorder_sheets.ports import Cell


@pytest.mark.parametrize("cell", [True, 1, "Lunas", " yes ", "SUDAH!"])
def test_a_tick_or_a_yes_word_is_paid(cell: Cell) -> None:
    """Checkbox, 1, and the words sellers use in both languages read as paid."""
    assert paid_mark(cell).kind is PaidKind.YES


@pytest.mark.parametrize("cell", [None, "", "  "])
def test_a_blank_cell_is_blank(cell: Cell) -> None:
    """Nothing written is not a 'no'."""
    assert paid_mark(cell).kind is PaidKind.BLANK


@pytest.mark.parametrize(
    ("cell", "amount"),
    [
        (165000, 165000),
        ("Rp 165.000", 165000),
        ("165,000.50", Decimal("165000.50")),
        ("150.000,-", 150000),
    ],
)
def test_an_amount_received_is_read_in_either_notation(cell: Cell, amount: Decimal) -> None:
    """Indonesian thousands dots and English commas both read as the amount."""
    mark = paid_mark(cell)
    assert (mark.kind, mark.amount) == (PaidKind.AMOUNT, Decimal(amount))


def test_a_word_the_tool_does_not_know_is_kept_to_show_the_seller() -> None:
    """`mungkin` is neither paid nor not paid: it becomes a problem with the text shown."""
    mark = paid_mark("mungkin")
    assert (mark.kind, mark.text) == (PaidKind.UNKNOWN, "mungkin")


def test_seller_actions_in_either_language_and_their_synonyms() -> None:
    """Konfirmasi/Confirm, Batalkan/cancelled, Stop email/unsubscribe; unknown text comes back."""
    assert seller_action("Konfirmasi") == (SellerAction.CONFIRM, "")
    assert seller_action(" confirm. ") == (SellerAction.CONFIRM, "")
    assert seller_action("cancelled") == (SellerAction.CANCEL, "")
    assert seller_action("unsubscribe") == (SellerAction.STOP_EMAILS, "")
    assert seller_action("-") == (SellerAction.NONE, "")
    assert seller_action("hapus saja") == (SellerAction.NONE, "hapus saja")
