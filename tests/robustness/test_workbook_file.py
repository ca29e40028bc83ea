"""Issue 16 points 1, 4, 7, 8 and issue 10's lock file: the workbook file stays the seller's.

The seller keeps the `.xlsx` open beside the cron job: saves it mid-sync, has it open in Excel
or LibreOffice, merges title cells, keeps it behind a symlink in a synced folder with group
permissions. None of that may cost the seller an edit, crash a sync or change the file's kind.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import time
import warnings
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.cli import main
from openorder_sheets.core.cells import text
from openorder_sheets.core.layouts import tab_layout
from openorder_sheets.errors import SheetChangedDuringSync, SheetUnreachable, WorkbookInUse
from openorder_sheets.ports import DeliveryResult, SheetSnapshot, TabUpdate, Transport
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

NOW = "2027-02-16 10:00"
RUN_TIMEOUT = 60

#: Another program saving the workbook: open it with openpyxl, change cells, save in place.
#: argv: path, then (tab, row, header, value) quadruples; row 0 = append a new row.
SELLER_SAVE = r"""
import sys
from openpyxl import load_workbook
path, edits = sys.argv[1], sys.argv[2:]
book = load_workbook(path)
for i in range(0, len(edits), 4):
    tab, row, header, value = edits[i:i + 4]
    sheet = book[tab]
    headers = [str(c.value) for c in sheet[1]]
    if int(row) == 0:
        new = [None] * len(headers)
        for pair in value.split("|"):
            name, _, cell = pair.partition("=")
            new[headers.index(name)] = cell
        sheet.append(new)
    else:
        sheet.cell(row=int(row), column=headers.index(header) + 1, value=value)
book.save(path)
"""


def seller_saves(path: Path, *edits: str) -> None:
    """Run a second process that edits and saves the workbook (as Excel would, in place)."""
    subprocess.run(
        [sys.executable, "-c", SELLER_SAVE, str(path), *edits], check=True, timeout=RUN_TIMEOUT
    )


def _builder(folder: Path) -> ShopBuilder:
    shop = ShopBuilder(folder, backend="workbook")
    shop.product("NASTAR", "Nastar", 85000, capacity=10)
    shop.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    shop.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=2)
    shop.response("2027-02-02 11:00", "b@example.com", "Budi", Nastar=1)
    return shop


def _workbook(built: BuiltShop) -> Path:
    backend = built.backend
    assert isinstance(backend, WorkbookBackend)
    return backend.path


def _cell(path: Path, tab: str, row: int, header: str) -> object:
    sheet = load_workbook(path)[tab]
    headers = [text(c.value) for c in sheet[1]]
    return sheet.cell(row=row, column=headers.index(header) + 1).value


def _leftovers(folder: Path) -> list[Path]:
    return sorted(folder.glob(".openorder-*.xlsx"))


# -- 1. a seller's save between the read and the write -------------------------------------------


def test_a_save_by_another_process_between_read_and_write_is_kept_and_nothing_written(
    tmp_path: Path,
) -> None:
    """Read, another process saves, write → SheetChangedDuringSync, the seller's file intact."""
    built = _builder(tmp_path).build()
    built.sync(NOW)
    path = _workbook(built)
    backend = WorkbookBackend(path)
    backend.read(["Orders"])
    seller_saves(path, "Orders", "2", "Seller note", "call her first")
    theirs = path.read_bytes()
    update = TabUpdate("Orders", (9,), [["Tool wrote this"]], tab_layout("orders", "en"), 1)
    with pytest.raises(SheetChangedDuringSync) as raised:
        backend.write([update])
    assert raised.value.exit_code == 3
    assert "shop.xlsx was saved by another program" in str(raised.value)
    assert path.read_bytes() == theirs  # not one byte of the seller's save was replaced
    assert _leftovers(tmp_path) == []
    # Deciding again from the seller's version keeps their edit and adds the tool's.
    backend.read(["Orders"])
    backend.write([update])
    assert _cell(path, "Orders", 2, "Seller note") == "call her first"
    assert _cell(path, "Orders", 2, "Status") == "Tool wrote this"


def test_the_backends_own_saves_do_not_count_as_changes(tmp_path: Path) -> None:
    """Several writes of one sync (tabs, checkpoints, ledger) each follow the last one's file."""
    built = _builder(tmp_path).build()
    built.sync(NOW)
    path = _workbook(built)
    backend = WorkbookBackend(path)
    backend.read(["Orders"])
    layout = tab_layout("orders", "en")
    for n in range(3):
        backend.write([TabUpdate("Orders", (11,), [[f"note {n}"]], layout, 1)])
    os.utime(path)  # touched, same bytes: nothing of the seller's to lose
    backend.write([TabUpdate("Orders", (11,), [["last"]], layout, 1)])
    assert _cell(path, "Orders", 2, "Problems") == "last"


class _SellerSavesAfterRead(WorkbookBackend):
    """The sync's backend, with a seller saving in another process right after its read."""

    edits: tuple[str, ...] = ()

    def read(self, tabs: list[str]) -> SheetSnapshot:  # type: ignore[override]
        snapshot = super().read(tabs)
        if self.edits:
            edits, self.edits = self.edits, ()
            seller_saves(self.path, *edits)
        return snapshot


def test_a_sync_never_reverts_a_seller_save_made_while_it_ran(tmp_path: Path) -> None:
    """A seller note and a new form answer saved mid-sync survive; no email goes twice."""
    built = _builder(tmp_path).build()
    built.sync(NOW)
    path = _workbook(built)
    # A new answer since the last sync, so this sync has orders and emails to write.
    seller_saves(
        path,
        "Form Responses 1", "0", "",
        "Timestamp=2027-02-02 12:00|Email Address=e@example.com|Name=Eka|Nastar=1",
    )  # fmt: skip
    racing = _SellerSavesAfterRead(path)
    racing.edits = (
        "Orders", "2", "Seller note", "call her first",
        "Form Responses 1", "0", "",
        "Timestamp=2027-02-03 09:00|Email Address=c@example.com|Name=Citra|Nastar=1",
    )  # fmt: skip
    built.shop.backend = racing
    # Until the service retries, the sync stops with nothing written; the next one decides again.
    with contextlib.suppress(SheetChangedDuringSync):
        built.sync(NOW)
    assert _cell(path, "Orders", 2, "Seller note") == "call her first"
    responses = load_workbook(path)["Form Responses 1"]
    assert [c.value for c in responses[responses.max_row]][1] == "c@example.com"
    built.shop.backend = WorkbookBackend(path)
    built.sync(NOW)
    assert _cell(path, "Orders", 2, "Seller note") == "call her first"
    assert "c@example.com" in [text(o["Email"]) for o in built.orders()]
    ids = [m["Message-ID"] for m in built.transport.sent]
    assert len(ids) == len(set(ids))


class _SellerSavesWhileSending:
    """A transport during whose first send the seller saves the workbook in another process."""

    def __init__(self, inner: Transport, path: Path) -> None:
        self.inner, self.path, self.armed = inner, path, True

    def open(self) -> None:
        self.inner.open()

    def send(self, message: EmailMessage) -> DeliveryResult:
        if self.armed:
            self.armed = False
            seller_saves(self.path, "Orders", "2", "Seller note", "wants it gift-wrapped")
        return self.inner.send(message)

    def close(self) -> None:
        self.inner.close()


def test_a_seller_save_during_sending_is_kept_and_nothing_is_sent_twice(tmp_path: Path) -> None:
    """The ledger write after sending meets a seller save: it is kept; the re-run sends nothing."""
    builder = _builder(tmp_path)
    builder.response("2027-02-02 12:00", "c@example.com", "Citra", Nastar=1)
    built = builder.build()
    path = _workbook(built)
    inner = built.transport
    racing = _SellerSavesWhileSending(inner, path)
    built.shop.make_transport = lambda: racing
    # The emails went and are journalled; the sheet's write waits for a re-read.
    with contextlib.suppress(SheetChangedDuringSync):
        built.sync(NOW)
    assert _cell(path, "Orders", 2, "Seller note") == "wants it gift-wrapped"
    sent = len(inner.sent)
    assert sent == 3
    built.shop.make_transport = lambda: inner
    built.sync(NOW)
    assert len(inner.sent) == sent
    assert _cell(path, "Orders", 2, "Seller note") == "wants it gift-wrapped"
    assert {text(row["State"]) for row in built.table("emails")} == {"sent"}


# -- issue 10: Excel or LibreOffice has the workbook open ----------------------------------------


@pytest.mark.parametrize(
    ("lock_name", "program"),
    [("~$shop.xlsx", "Excel"), (".~lock.shop.xlsx#", "LibreOffice")],
)
def test_a_workbook_open_in_excel_or_libreoffice_is_not_written(
    tmp_path: Path, lock_name: str, program: str
) -> None:
    """Their lock file beside it: one sentence naming the program, exit 3, not a byte written."""
    built = _builder(tmp_path).build()
    path = _workbook(built)
    before = path.read_bytes()
    (tmp_path / lock_name).write_text("seller,laptop,2027-02-16T09:58;")
    with pytest.raises(WorkbookInUse) as raised:
        built.sync(NOW)
    message = str(raised.value)
    assert message.startswith(f"shop.xlsx is open in {program} — close it, then run sync again")
    assert "\n" not in message
    assert raised.value.exit_code == 3
    assert isinstance(raised.value, SheetUnreachable)
    assert path.read_bytes() == before
    assert built.transport.sent == []  # refused before anything was sent
    (tmp_path / lock_name).unlink()
    built.sync(NOW)
    assert len(built.transport.sent) == 2


def test_the_cli_says_the_workbook_is_open_in_one_sentence_with_exit_code_3(tmp_path: Path) -> None:
    """`openorder sync` on a workbook LibreOffice has open: one line, no traceback, exit 3."""
    runner = CliRunner()
    folder = tmp_path / "demo"
    assert runner.invoke(main, ["demo", str(folder)]).exit_code == 0
    book = load_workbook(folder / "shop.xlsx")
    for sheet in book.worksheets:
        if sheet.title in ("Pesanan", "Orders"):
            sheet.cell(row=2, column=10).value = None  # a status the sync must write back
    book.save(folder / "shop.xlsx")
    (folder / ".~lock.shop.xlsx#").write_text("seller,laptop,2027-02-16T09:58;")
    result = runner.invoke(main, ["sync", "--config", str(folder / "openorder.toml")])
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    assert "shop.xlsx is open in LibreOffice — close it, then run sync again" in result.output


# -- 4. merged cells in the tabs the tool writes ---------------------------------------------------


def test_merged_cells_in_every_tool_tab_are_unmerged_where_the_tool_writes(tmp_path: Path) -> None:
    """Merges over tool cells (titles, rows) no longer crash a sync; seller-column merges stay."""
    builder = _builder(tmp_path)
    builder.response("2027-02-02 12:00", "c@example.com", "Citra", Nastar=1)
    built = builder.build()
    built.sync(NOW)
    path = _workbook(built)
    book = load_workbook(path)
    book["Orders"].merge_cells("A1:C1")  # a seller's title over the first headers
    book["Orders"].merge_cells("B2:D3")  # and over two orders' tool cells
    book["Orders"].merge_cells("S2:S4")  # a seller note spanning rows: the tool never writes it
    book["Summary"].merge_cells("A1:D2")
    book["Packing list"].merge_cells("A2:C3")
    book["Emails"].merge_cells("A1:B1")
    book["Materials needed"].merge_cells("A1:D1")
    book.save(path)
    builder_row = ["Timestamp=2027-02-03 09:00|Email Address=d@example.com|Name=Dewi|Nastar=1"]
    seller_saves(path, "Form Responses 1", "0", "", *builder_row)
    built.sync(NOW)  # crashed with AttributeError: 'MergedCell' before
    built.sync(NOW)
    orders = built.orders()
    assert [text(o["Order"]) for o in orders] == ["PO-0001", "PO-0002", "PO-0003", "PO-0004"]
    assert all(text(o["Batch"]) == "PO 1" and text(o["Status"]) for o in orders)
    assert built.transport.kinds_to("d@example.com") == ["order_confirmed"]
    book = load_workbook(path)
    merged = {
        (tab, str(cells)) for tab in book.sheetnames for cells in book[tab].merged_cells.ranges
    }
    # Gone where the tool writes; the seller column's merge stays. (A merged header keeps only
    # its first value, as in Excel: the headers it swallowed are written again, further right.)
    assert ("Orders", "S2:S4") in merged
    for written in [("Orders", "B2:D3"), ("Summary", "A1:D2"), ("Packing list", "A2:C3")]:
        assert written not in merged
    assert [text(row["Order"]) for row in built.table("packing") if text(row["Order"])][-4:] == [
        "PO-0001",
        "PO-0002",
        "PO-0003",
        "PO-0004",
    ]


# -- 7. the file stays the seller's: symlink, permissions ------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symlinks and permission bits")
def test_a_symlinked_workbook_stays_a_link_and_keeps_its_permissions(tmp_path: Path) -> None:
    """The link's target is written (the link stays), and a 0664 workbook stays 0664."""
    built = _builder(tmp_path).build()
    path = _workbook(built)
    cloud = tmp_path / "Dropbox"
    cloud.mkdir()
    real = cloud / "shop.xlsx"
    path.rename(real)
    path.symlink_to(real)
    real.chmod(0o664)
    owner = real.stat().st_uid, real.stat().st_gid
    built.shop.backend = WorkbookBackend(path)
    built.sync(NOW)
    assert path.is_symlink()
    assert path.resolve() == real.resolve()
    assert stat.S_IMODE(real.stat().st_mode) == 0o664
    assert (real.stat().st_uid, real.stat().st_gid) == owner
    assert "Orders" in load_workbook(real).sheetnames
    assert _leftovers(cloud) == []
    assert _leftovers(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_a_new_workbook_gets_ordinary_permissions_not_a_temporary_files(tmp_path: Path) -> None:
    """A workbook the tool creates is readable like any file the seller saves (umask applies)."""
    mask = os.umask(0o022)
    try:
        built = _builder(tmp_path).build()
    finally:
        os.umask(mask)
    assert stat.S_IMODE(_workbook(built).stat().st_mode) == 0o644


# -- 8. no openpyxl warnings, no leftovers of killed saves -----------------------------------------


def test_openpyxl_warnings_are_not_shown_when_the_workbook_is_loaded(tmp_path: Path) -> None:
    """A workbook with features openpyxl drops loads without a UserWarning reaching the seller."""
    path = tmp_path / "shop.xlsx"
    book = Workbook()
    book.active.title = "Products"
    book.save(path)
    _add_unsupported_extension(path)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        with pytest.warns(UserWarning, match="extension is not supported"):
            load_workbook(path)  # the file really makes openpyxl warn
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning escaping the backend fails the test
        snapshot = WorkbookBackend(path).read(["Products"])
    assert snapshot.tabs["Products"] == []


def _add_unsupported_extension(path: Path) -> None:
    """Give the first sheet a conditional-formatting extension (openpyxl warns and drops it)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    extension = b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}"/></extLst>'
    parts[sheet] = parts[sheet].replace(b"</worksheet>", extension + b"</worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


#: A save that is killed: it creates its temporary file, locks it as a save does, and waits.
KILLED_SAVE = r"""
import fcntl, sys, time
handle = open(sys.argv[1], "wb")
fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
handle.write(b"PK half a workbook")
handle.flush()
print("saving", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the live-save lock is POSIX flock")
def test_temporaries_of_killed_saves_are_removed_at_the_next_start_but_live_ones_kept(
    tmp_path: Path,
) -> None:
    """A killed save's .openorder-*.xlsx goes at the next read; a running save's stays."""
    built = _builder(tmp_path).build()
    path = _workbook(built)
    killed, live = tmp_path / ".openorder-killed.xlsx", tmp_path / ".openorder-live.xlsx"
    saves = [
        subprocess.Popen(
            [sys.executable, "-c", KILLED_SAVE, str(target)], stdout=subprocess.PIPE, text=True
        )
        for target in (killed, live)
    ]
    try:
        for save in saves:
            assert save.stdout is not None
            assert save.stdout.readline() == "saving\n"
        saves[0].send_signal(signal.SIGKILL)
        saves[0].wait(RUN_TIMEOUT)
        old = time.time() - 30
        for target in (killed, live):
            os.utime(target, (old, old))
        fresh = tmp_path / ".openorder-fresh.xlsx"  # created a moment ago, not locked yet
        fresh.write_bytes(b"")
        WorkbookBackend(path).read(["Orders"])
        assert not killed.exists()
        assert live.exists()
        assert fresh.exists()
    finally:
        for save in saves:
            save.kill()
            save.wait(RUN_TIMEOUT)
            if save.stdout is not None:
                save.stdout.close()
