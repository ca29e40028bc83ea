"""The local workbook keeps the tabs it parsed (``.openorder/grids``): a tab whose bytes have not
changed is not parsed again, and what comes back is exactly what parsing would give."""

from __future__ import annotations

import datetime as dt
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from openorder_sheets.adapters import workbook_grids, workbook_values
from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.adapters.workbook_package import Package
from openorder_sheets.adapters.workbook_values import read_values
from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.ports import TabUpdate
from openorder_sheets.service.composition import make_backend
from openorder_sheets.testing.shops import ShopBuilder
from tests.adapters.test_workbook_fast_path import (
    HOSTILE_NAMES,
    LATER,
    NOW,
    _as_init,
    _hostile,
    _same,
    _shop,
)


def _tabs(path: Path) -> list[str]:
    return [sheet.name for sheet in Package(path.read_bytes()).sheets()]


def _parsed_fresh(path: Path) -> dict[str, Any]:
    """Every tab as the reader gives it with no cache at all."""
    return read_values(Package(path.read_bytes()), _tabs(path))


class _Parses:
    """Counts the tabs python-calamine parses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tabs: list[str] = []
        real = workbook_values.FastReader.grid

        def counted(reader: Any, sheet: Any) -> Any:
            self.tabs.append(sheet.name)
            return real(reader, sheet)

        monkeypatch.setattr(workbook_values.FastReader, "grid", counted)


def _synced_shop(folder: Path) -> Path:
    built = _as_init(_hostile(ShopBuilder(folder, backend="workbook")).build())
    built.sync(NOW)
    return folder / "shop.xlsx"


def test_an_unchanged_tab_is_not_parsed_again_and_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hostile buyer text, dates, numbers, ticks: the second read parses nothing and gives the
    same values of the same types as parsing does."""
    path = _synced_shop(tmp_path)
    tabs = _tabs(path)
    WorkbookBackend(path, state_dir=tmp_path / "state").read(tabs)
    parses = _Parses(monkeypatch)
    backend = WorkbookBackend(path, state_dir=tmp_path / "state")
    again = backend.read(tabs).tabs
    assert parses.tabs == []
    assert backend.grids is not None
    assert backend.grids.hits == len(tabs)
    fresh = _parsed_fresh(path)
    for tab in tabs:
        assert _same(again[tab], fresh[tab]), tab


def test_a_sellers_edit_is_read_not_the_kept_grid(tmp_path: Path) -> None:
    """The seller changes one cell and saves (openpyxl, as her program would): the tab is
    parsed again and the new value read."""
    path = _synced_shop(tmp_path)
    state = tmp_path / "state"
    WorkbookBackend(path, state_dir=state).read(_tabs(path))
    book = load_workbook(path)
    book["Form Responses 1"]["C2"] = "Bu Ani diganti"
    book.save(path)
    read = WorkbookBackend(path, state_dir=state).read(["Form Responses 1"]).tabs
    grid = read["Form Responses 1"]
    assert grid is not None
    assert "Bu Ani diganti" in grid[1]
    assert _same(read, read_values(Package(path.read_bytes()), ["Form Responses 1"]))


def test_a_tab_changed_alone_is_read_again_the_others_are_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One tab's cell changes and nothing else in the file does (a write that patches one
    tab): that tab is parsed again and shows the change; the others come back as kept."""
    path = _synced_shop(tmp_path)
    state = tmp_path / "state"
    tabs = _tabs(path)
    WorkbookBackend(path, state_dir=state).read(tabs)
    other = WorkbookBackend(path)  # keeps nothing: the next read cannot have been told
    other.read(["Orders"])
    other.write([TabUpdate("Orders", (9,), [["Tool wrote this"]], tab_layout("orders", "en"), 1)])
    parses = _Parses(monkeypatch)
    read = WorkbookBackend(path, state_dir=state).read(tabs).tabs
    assert parses.tabs == ["Orders"]
    orders = read["Orders"]
    assert orders is not None
    assert orders[1][9] == "Tool wrote this"
    assert _same(read, _parsed_fresh(path))


def test_a_new_version_of_the_reader_parses_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _synced_shop(tmp_path)
    WorkbookBackend(path, state_dir=tmp_path / "state").read(["Orders"])
    monkeypatch.setattr(workbook_grids, "reader_version", lambda: b"another reader")
    parses = _Parses(monkeypatch)
    WorkbookBackend(path, state_dir=tmp_path / "state").read(["Orders"])
    assert parses.tabs == ["Orders"]


def test_a_damaged_or_foreign_cache_file_is_only_a_miss_and_runs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cut-short file, and a pickle that would run a command: both are ignored (the tab is
    parsed again) and nothing in them is run."""
    path = _synced_shop(tmp_path)
    state = tmp_path / "state"
    WorkbookBackend(path, state_dir=state).read(["Orders", "Form Responses 1"])
    kept = sorted((state / "grids").glob("*.pickle"))
    assert len(kept) == 2
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.makedirs, (str(marker),))

    kept[0].write_bytes(pickle.dumps([[Evil()]]))
    kept[1].write_bytes(kept[1].read_bytes()[:100])
    parses = _Parses(monkeypatch)
    read = WorkbookBackend(path, state_dir=state).read(["Orders", "Form Responses 1"]).tabs
    assert not marker.exists()
    assert sorted(parses.tabs) == ["Form Responses 1", "Orders"]
    assert _same(read, read_values(Package(path.read_bytes()), ["Orders", "Form Responses 1"]))


def test_an_unwritable_state_folder_only_costs_speed(tmp_path: Path) -> None:
    path = _synced_shop(tmp_path)
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be")
    read = WorkbookBackend(path, state_dir=blocked).read(["Orders"]).tabs
    assert _same(read, read_values(Package(path.read_bytes()), ["Orders"]))


def test_after_a_writing_sync_only_the_tabs_it_wrote_are_parsed_then_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A late answer is synced (the tool writes `Orders`, `Emails`, its memory); the next sync
    parses only the tabs that sync wrote, the seller's come back as kept, and it does what a
    sync without kept grids does (nothing); the sync after that parses nothing at all."""
    path = _synced_shop(tmp_path)
    config = _hostile(ShopBuilder(tmp_path, backend="workbook")).config()
    backend = make_backend(config)
    assert isinstance(backend, WorkbookBackend)
    assert backend.grids is not None
    writing = _shop(tmp_path, backend, _hostile)
    writing.set_cell("responses", len(HOSTILE_NAMES) + 1, "Email Address", "late@example.com")
    for header, value in [("Timestamp", "2027-02-03 08:00"), ("Name", "Late"), ("Nastar", 1)]:
        writing.set_cell("responses", len(HOSTILE_NAMES) + 1, header, value)
    first = writing.sync(LATER)
    assert "Orders" in first.tabs_written
    assert len(writing.transport.kinds_to("late@example.com")) == 1
    before = path.read_bytes()
    for parsed in (set(first.tabs_written), set()):
        parses = _Parses(monkeypatch)
        backend = make_backend(config)
        assert isinstance(backend, WorkbookBackend)
        again = _shop(tmp_path, backend, _hostile).sync(LATER)
        assert set(parses.tabs) <= parsed
        assert "Form Responses 1" not in parses.tabs
        assert again.tabs_written == []
        assert again.emails_sent == 0
        assert path.read_bytes() == before
    assert parses.tabs == []


_CELL = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32).filter(lambda f: abs(f) < 1e15),
    st.sampled_from(HOSTILE_NAMES),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2090, 1, 1)),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_CELL, min_size=1, max_size=5), min_size=1, max_size=6))
def test_kept_grids_are_what_parsing_gives_for_any_cells(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[Any]]
) -> None:
    """Whatever a tab holds (and whichever reader the tab needs: calamine, or openpyxl where
    the two differ), a read through kept grids, cold and warm, gives what no cache gives."""
    folder = tmp_path_factory.mktemp("cells")
    path = folder / "shop.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Cells"
    for row in rows:
        sheet.append(row)
    book.save(path)
    fresh = _parsed_fresh(path)
    for _ in range(2):  # cold, then warm
        kept = WorkbookBackend(path, state_dir=folder / "state").read(["Cells"]).tabs
        assert _same(kept["Cells"], fresh["Cells"])


def test_a_deleted_tab_and_a_store_cut_short_leave_no_file_behind(tmp_path: Path) -> None:
    """`grids/` holds one file per tab the workbook has: a tab the seller deletes loses its
    file at the next read, and so does a half-written file a killed run left."""
    path = _synced_shop(tmp_path)
    state = tmp_path / "state"
    WorkbookBackend(path, state_dir=state).read(_tabs(path))
    folder = state / workbook_grids.FOLDER
    kept = sorted(folder.iterdir())
    assert len(kept) == len(_tabs(path))
    leftover = kept[0].with_suffix(".4242.part")
    leftover.write_bytes(b"cut short")
    book = load_workbook(path)
    gone = book.sheetnames[-1]
    del book[gone]
    book.save(path)
    WorkbookBackend(path, state_dir=state).read(_tabs(path))
    assert not leftover.exists()
    assert len(list(folder.iterdir())) == len(_tabs(path)) == len(kept) - 1
