"""The fingerprint of a view the sync rewrites whole (kept in the memory to skip reading it
back) is taken a row at a time: it must stay the digest earlier versions wrote, or every
upgraded shop would rewrite all its views once for nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openorder_sheets.core.layouts import TabLayout
from openorder_sheets.ports import Cell, TabUpdate
from openorder_sheets.service import tab_plan
from openorder_sheets.service.tab_plan import _fingerprint

_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.datetimes(max_value=dt.datetime(2100, 1, 1)),
)


def _as_earlier_versions_took_it(rows: list[list[Cell] | None]) -> str:
    text = json.dumps([list(row or ()) for row in rows], default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


@given(st.lists(st.one_of(st.none(), st.lists(_cell, max_size=6)), max_size=8))
def test_a_view_fingerprint_is_the_one_earlier_versions_remembered(
    rows: list[list[Cell] | None],
) -> None:
    update = TabUpdate("Packing list", (0,), rows, TabLayout(()))
    assert _fingerprint(update) == _as_earlier_versions_took_it(rows)


def test_a_long_view_is_fingerprinted_in_pieces_to_the_same_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tab_plan, "_FINGERPRINT_ROWS", 2)
    for size in range(7):
        rows: list[list[Cell] | None] = [[f"PO-{n}", n, None] for n in range(size)]
        rows[size // 2 : size // 2 + 1] = [None] * (size > 0)
        update = TabUpdate("Packing list", (0,), rows, TabLayout(()))
        assert _fingerprint(update) == _as_earlier_versions_took_it(rows)
