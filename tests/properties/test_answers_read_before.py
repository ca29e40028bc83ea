"""Answers read before (adapters/answer_cache.py, core/responses.read_responses_known) are only
a cache: whatever the cells hold, a sync that takes answers from the file decides from exactly
what reading them afresh gives; a file from other code, another form or another shop, or a
damaged one, is never believed."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from openorder_sheets.adapters.answer_cache import FILE, AnswerCache, code_version
from openorder_sheets.core.form import FormMapping, map_form
from openorder_sheets.core.model import Catalog, Product, evolve
from openorder_sheets.core.responses import read_responses, read_responses_known, reading_context
from openorder_sheets.ports import Cell, Grid

ZONE = ZoneInfo("Asia/Jakarta")
HEADER: list[Cell] = [
    "Timestamp",
    "Email address",
    "Name",
    "WhatsApp number",
    "Address",
    "Delivery",
    "Notes",
    "Nastar (jar)",
]
CATALOG = Catalog(
    materials=(),
    batches=(),
    products=(
        Product("NASTAR", "Nastar", Decimal(85000), "jar", 40, None, True, "Nastar (jar)", 2),
    ),
)

_text = st.text(max_size=30)
_cell = st.one_of(
    st.none(),
    _text,
    st.sampled_from(['=HYPERLINK("x")', "0812-3456-7890", "+62 857 1111 2222", "a@b.id", "2x"]),
    st.integers(-3, 5),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(dt.datetime(2027, 1, 1), dt.datetime(2027, 12, 31)),
)
_rows = st.lists(st.lists(_cell, min_size=0, max_size=len(HEADER)), max_size=12)


def _mapping() -> FormMapping:
    mapping, problems = map_form("Form Responses 1", HEADER, CATALOG, {}, {})
    assert problems == []
    return mapping


@settings(max_examples=150, deadline=None)
@given(first=_rows, second=_rows, deleted=st.integers(0, 3))
def test_answers_taken_from_the_file_are_what_reading_them_gives(
    first: list[list[Cell]], second: list[list[Cell]], deleted: int
) -> None:
    """Sync 1 reads ``first`` and keeps it; by sync 2 some rows above were deleted and new
    ones came: every answer, moved or new, is what a fresh read says (its row number too)."""
    mapping = _mapping()
    context = reading_context(mapping, CATALOG, ZONE, "en", code_version())
    with tempfile.TemporaryDirectory() as folder:
        cache = AnswerCache(Path(folder))
        grid: Grid = [HEADER, *first]
        _, kept = read_responses_known(grid, mapping, CATALOG, ZONE, "en", {})
        cache.save(context, kept)
        later: Grid = [HEADER, *first[deleted:], *second]
        known = cache.load(context, ZONE)
        taken, _ = read_responses_known(later, mapping, CATALOG, ZONE, "en", known)
    fresh = read_responses(later, mapping, CATALOG, ZONE, "en")
    assert taken == fresh
    for mine, theirs in zip(taken, fresh, strict=True):
        assert mine.row == theirs.row
        if mine.timestamp is not None:  # the shop's zone, so emails say WIB, not +07:00
            assert mine.timestamp.tzinfo == theirs.timestamp.tzinfo  # type: ignore[union-attr]


def test_a_file_from_other_code_another_form_or_damaged_is_not_believed(tmp_path: Path) -> None:
    mapping = _mapping()
    grid: Grid = [HEADER, [dt.datetime(2027, 2, 1, 10), "a@b.id", "Ani", "0812", "", "", "", 2]]
    context = reading_context(mapping, CATALOG, ZONE, "en", code_version())
    cache = AnswerCache(tmp_path)
    _, kept = read_responses_known(grid, mapping, CATALOG, ZONE, "en", {})
    cache.save(context, kept)
    assert cache.load(context, ZONE) == kept
    # (each sync makes its own cache and loads it once: a fresh one for each question)
    other_code = reading_context(mapping, CATALOG, ZONE, "en", "other code")
    assert AnswerCache(tmp_path).load(other_code, ZONE) == {}
    renamed = evolve(CATALOG, products=(evolve(CATALOG.products[0], name="Nastar Keju"),))
    other_form = reading_context(mapping, renamed, ZONE, "en", code_version())
    assert AnswerCache(tmp_path).load(other_form, ZONE) == {}
    other_language = reading_context(mapping, CATALOG, ZONE, "id", code_version())
    assert AnswerCache(tmp_path).load(other_language, ZONE) == {}
    assert AnswerCache(tmp_path).load(context, ZONE) == kept
    for damage in (
        "",
        "{",
        "[]",
        json.dumps({"format": 2, "context": context, "answers": {"k": [1]}}),
        json.dumps({"format": 3, "context": context, "rows_from": None}) + '\n["k", [1]]\n',
        json.dumps({"format": 3, "context": context, "rows_from": None}) + "\n{\n",
    ):
        (tmp_path / FILE).write_text(damage, encoding="utf-8")
        assert AnswerCache(tmp_path).load(context, ZONE) == {}  # the next sync's


def test_a_folder_that_cannot_be_written_only_costs_time(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("", encoding="utf-8")
    AnswerCache(blocked).save("context", {})  # no exception: the next sync reads afresh


def test_a_sync_with_no_new_answer_leaves_the_file_alone(tmp_path: Path) -> None:
    """On a workbook (read whole) and in memory (read in part): the file is rewritten only
    when the answers read change, not at every sync."""
    from openorder_sheets.testing.shops import ShopBuilder

    for backend in ("workbook", "memory"):
        builder = ShopBuilder(tmp_path / backend, backend=backend)
        builder.product("NASTAR", "Nastar", 85000, capacity=5)
        builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00")
        builder.response("2027-02-01 09:10", "ani@example.com", "Ani", Nastar=1)
        shop = builder.build()
        shop.sync("2027-02-01 10:00")
        path = shop.shop.state_dir / FILE
        before = path.stat().st_mtime_ns
        shop.sync("2027-02-01 10:05")
        shop.sync("2027-02-01 10:10")
        assert path.stat().st_mtime_ns == before, backend
