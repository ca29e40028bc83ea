"""The tool's own memory, kept in a tab of the spreadsheet the seller is not expected to edit.

What the tool must remember between syncs lives here (SPEC §3 "Memory and views"): which
response is which order, its decided status and items, the buyer's change held back, how many
decisions the buyer was told (it versions the message keys), the message that started the
payment clock, the deadline, the unique code, what was paid, the seller's last marks (so a
deleted `Orders` tab can be rebuilt with them), the ship date last told per batch and the last
order number given. The display tabs (`Orders`, `Summary`, …) are views built from it: nothing
is ever read back from them to learn what happened.

One row per record: a key (``batch:PO Lebaran 1``, ``shop``) and a JSON object. Orders are
packed two hundred to a row (``orders:3`` holds ``PO-0600``…``PO-0799``):
their JSON records, compressed and written as URL-safe base64 behind a version tag (``z1:``). A
10,000-order shop's memory is about a tenth of what one row per order took, and a sync reads all
of it; a change to one order rewrites one row. A pack that would not fit in a cell (Google allows
50,000 characters) is split in halves (``orders:3.0``, ``orders:3.1``) down to one row per order
(``order:PO-0001``, the format every shop had before): all are always read, so a shop written by
an older version migrates on its next sync. What follows from the rest of a record is written
short (the usual confirmation key as ``1``; items asked as ``"lines"`` when they are the items
held). The tab lives in the spreadsheet, so a new machine repeats nothing. Archived orders are
packed the same way in a tab of their own, read only when a sync needs them (:class:`Archive`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import zlib
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from openorder_sheets.core import cells
from openorder_sheets.core.announcements import Voice, folded
from openorder_sheets.core.ledger import message_key
from openorder_sheets.core.model import (
    Decision,
    EmailKind,
    PriorOrder,
    Product,
    Quantities,
    SellerInputs,
)
from openorder_sheets.core.seller_columns import order_serial
from openorder_sheets.ports import Cell, Grid

HEADER = ("Key", "Data")
#: The seal of a write that takes several requests (a big write to Google): the header row's
#: cell beside `Data` holds :data:`SEAL_TEXT` from the write's first request until its last.
#: Found there, that write was cut short after the memory may have landed but before every
#: view did: the memory's fingerprints of the views and of `Orders` rows are not trusted, and
#: the sync compares the views themselves (and puts them right) before the seal is cleared.
SEAL_COLUMN = 2
SEAL_TEXT = "A sync was cut short while writing: the next sync checks every tab it shows."
_Item = TypeVar("_Item")
_ORDER, _BATCH, _SHOP, _ARCHIVED = "order:", "batch:", "shop", "archived:"
_PRODUCT = "product:"
_VIEW = "view:"
_ORDERS, _ARCHIVES = "orders:", "archives:"  # packs of records
_ARCHIVE = "archive"  # what every sync needs of the archived orders (:class:`Archive`)
_VOICES, _VOICE = "voices:", "voice:"  # the archived orders' buyers, one voice each
_PACKED = "z1:"  # zlib-compressed JSON in URL-safe base64 (no quotes or escapes in the cell)
#: Orders per pack, by their running number: a change to one order rewrites its pack only.
PACK_SIZE = 200
#: Google refuses a cell longer than 50,000 characters; a pack longer than this is written one
#: row per record instead.
CELL_ROOM = 45_000
_MAX_UNPACKED = 50_000_000  # a pack the seller pasted garbage into never fills the memory


@dataclass(frozen=True)
class ViewMark:
    """What the tool last wrote into a view it rewrites whole: a fingerprint of its cells and
    how many rows it had, so the next sync need not read the view back to compare."""

    fingerprint: str
    rows: int


@dataclass(frozen=True)
class ArchivedOrder:
    """An order moved to the archive: kept so its form answer is never taken for a new order,
    its number is never given again, and its buyer's opt-in still counts for announcements."""

    number: str
    batch: str
    email: str
    submitted: dt.datetime | None
    response_row: int | None
    status: Decision | None
    name: str = ""
    opt_in: bool | None = None
    answered: dt.datetime | None = None  # the time of the answer the opt-in comes from
    credits: tuple[str, ...] = ()  # the bank-statement rows that paid it: never counted again
    stopped: bool = False  # the seller's `Stop emails`: no announcement reaches this buyer

    def as_prior(self) -> PriorOrder:
        return PriorOrder(
            self.number, self.batch, self.submitted, self.email, self.status, self.response_row
        )


@dataclass(frozen=True)
class BatchMemory:
    name: str
    ships_told: dt.date | None = None  # the ship date buyers were last told


@dataclass
class Memory:
    """Everything the tool remembers; ``orders`` in the order they were first numbered."""

    orders: dict[str, PriorOrder] = field(default_factory=dict)
    batches: dict[str, BatchMemory] = field(default_factory=dict)
    last_serial: int = 0  # order numbers are never reused, even when a response is deleted
    archive: Archive = field(default_factory=lambda: Archive())
    #: Each product as last read fine: a cell the seller mistypes later keeps its last value.
    products: dict[str, Product] = field(default_factory=dict)
    views: dict[str, ViewMark] = field(default_factory=dict)  # by tab key
    #: Per order: a fingerprint of the tool's cells of its `Orders` row as last written, so the
    #: next sync need not read those cells back to see whether they changed.
    shown: dict[str, str] = field(default_factory=dict)


class Archive:
    """The archived orders the memory holds, read only as far as a sync needs them.

    Every sync needs a few facts of them: which batches were archived, whose emails the seller
    stopped, the newest archived answer (a form answer no newer than it may be an archived
    order's, never a new one), the newest day of a bank credit that paid one, and what their
    buyers last said about hearing of new batches. Those are kept in the memory tab, in one
    small record and the buyers' say folded one voice per buyer
    (:func:`~announcements.folded`). The orders themselves (a year of them would be most of
    the memory) live packed in a tab of their own (`openorder archived`), written when orders
    are archived and read only when a sync meets something the facts cannot settle: an answer
    as old as the archive, a credit as old as its credits, a message of an order the memory
    does not hold live, an announcement for a batch that opened before an archived order.

    A memory written before the archived orders had their own tab holds their packs in the
    memory tab: they are read from there, and moved at the next write (their tab first, so a
    write cut short leaves them in one tab or both, never in neither). An order the memory
    holds live is never taken for archived (its archiving did not finish).
    """

    def __init__(self) -> None:
        #: The orders' rows as read, not unpacked yet; ``None`` while their tab is unread.
        self._rows: list[tuple[str, str]] | None = []
        self._voice_rows: list[tuple[str, str]] = []
        self._facts: tuple[str, dict[str, Any]] | None = None  # the facts row as read
        self._orders: dict[str, ArchivedOrder] | None = {}
        self._voices: list[Voice] | None = None
        self._live: frozenset[str] = frozenset()  # numbers the memory holds live
        self._moved = False  # packs found in the memory tab (an older version's)
        self.changed = False  # orders added, or the tabs to be put right: both written anew
        self._worked_out: dict[str, Any] | None = None  # the facts, from the orders

    # What every sync reads.
    @property
    def batches(self) -> frozenset[str]:
        return frozenset(self._fact("batches", []))

    @property
    def stopped(self) -> frozenset[str]:
        return frozenset(self._fact("stopped", []))

    @property
    def newest(self) -> dt.datetime | None:
        """The newest answer (or first submission) of any archived order."""
        return _moment(self._fact("newest", None))

    @property
    def last_submitted(self) -> dt.datetime | None:
        return _moment(self._fact("submitted", None))

    @property
    def credit_day(self) -> str | None:
        """The newest day (as its key starts) of a credit that paid an archived order."""
        day = self._fact("credit_day", None)
        return str(day) if day is not None else None

    def __len__(self) -> int:
        return int(self._fact("orders", 0))

    @property
    def unread(self) -> bool:
        """Whether the orders' tab must be read before :meth:`orders`."""
        return self._rows is None

    @property
    def unknown(self) -> bool:
        """Whether the facts are missing (an older memory, or the row was lost): the orders'
        tab is then read at once, and the facts written again from it."""
        return self._facts is None and self._rows is None

    def take(self, grid: Grid | None) -> None:
        """The orders' tab as read (``None``: it does not exist)."""
        self._rows = []
        for row in (grid or [])[1:]:
            key = cells.text(row[0]) if row else ""
            raw = row[1] if len(row) > 1 else None
            if key.startswith((_ARCHIVES, _ARCHIVED)) and isinstance(raw, str):
                self._rows.append((key, raw))
        self._orders = self._worked_out = None
        if self._facts is None and self._rows:
            self.changed = True

    def voices(self) -> list[Voice]:
        """Each archived order's buyer as :func:`~announcements.audience` hears them all, for
        a batch that opened after the last of them was submitted (:attr:`last_submitted`)."""
        if self._voices is None:
            if self.changed or self._facts is None:
                self._voices = folded(archived_voices(self.orders()))
            else:
                found = []
                for key, raw in self._voice_rows:
                    records = _unpack(raw) if key.startswith(_VOICES) else _one(key, raw)
                    for email, data in records:
                        voice = _voice(email, data)
                        if voice is not None:
                            found.append(voice)
                self._voices = found
        return self._voices

    def orders(self) -> dict[str, ArchivedOrder]:
        """Every archived order, by number (unpacked at the first call)."""
        if self._rows is None:
            raise RuntimeError("the archived orders' tab was not read")  # a caller's mistake
        if self._orders is None:
            found: dict[str, ArchivedOrder] = {}
            for key, raw in self._rows:
                if key.startswith(_ARCHIVES):
                    numbers = []
                    for number, data in _unpack(raw):
                        gone = _read_archived(number, data)
                        if gone is not None and number not in self._live:
                            found[number] = gone
                            numbers.append(number)
                    if numbers and all(n in found for n in numbers):
                        members = tuple(found[n] for n in numbers)
                        _READ_ROWS[key] = (tuple(numbers), members, (None,) * len(numbers), raw)
                else:
                    for number, data in _one(key, raw):
                        gone = _read_archived(number, data)
                        if gone is not None and number not in self._live:
                            found[number] = gone
            self._orders = found
        return self._orders

    def add(self, order: ArchivedOrder) -> None:
        self.orders()[order.number] = order
        self.changed = True
        self._voices = self._worked_out = None

    def rows(self) -> list[list[Cell]]:
        """The archive's rows of the memory tab (its facts and its buyers' voices): as read
        when nothing was archived since."""
        if not self.changed:
            if self._facts is None:
                return []
            kept: list[list[Cell]] = [[_ARCHIVE, self._facts[0]]]
            kept.extend([key, raw] for key, raw in self._voice_rows)
            return kept
        orders = self.orders()
        if not orders:
            return []
        voices = sorted(self.voices(), key=lambda voice: voice.email)
        rows: list[list[Cell]] = [[_ARCHIVE, _dump(_archive_facts(orders))]]
        for start in range(0, len(voices), PACK_SIZE):
            chunk = [(v.email, _voice_data(v)) for v in voices[start : start + PACK_SIZE]]
            rows.extend(_fitted(f"{_VOICES}{start // PACK_SIZE}", _VOICE, chunk))
        return rows

    def order_rows(self) -> list[list[Cell]] | None:
        """The rows of the orders' tab under its header; ``None`` when it is to be left as it
        is (nothing was archived, nothing to put right)."""
        if not self.changed:
            return None
        return _packs(
            _ARCHIVES,
            _ARCHIVED,
            list(self.orders().items()),
            {},
            lambda gone: gone,
            lambda gone, _shown: _archived_data(gone),
        )

    def _read(self, key: str, raw: str) -> None:
        """One of the archive's rows of the memory tab, as read."""
        if key == _ARCHIVE:
            try:
                data = json.loads(raw)
            except ValueError:
                return
            if isinstance(data, dict):
                self._facts = (raw, data)
        elif key.startswith((_VOICES, _VOICE)):
            self._voice_rows.append((key, raw))
        else:  # an order's pack, in the memory tab: an older version's place for it
            self._rows = [*(self._rows or []), (key, raw)]
            self._orders = None
            self._moved = True

    def _settle(self, live: Iterable[str]) -> None:
        """After the memory tab was read: the orders live in their own tab (unread yet) unless
        an older version left them in the memory tab, to be moved at the next write."""
        self._live = frozenset(live)
        if self._moved:
            self.changed = True
        else:
            self._rows = None
            self._orders = None
            if self._facts is not None and not self._fact("orders", 0):
                self._rows, self._orders = [], {}  # nothing archived: nothing to read

    def _fact(self, name: str, default: Any) -> Any:
        if self.changed or self._facts is None:  # worked out once from the orders
            if self._worked_out is None:
                self._worked_out = _archive_facts(self.orders())
            return self._worked_out.get(name, default)
        return self._facts[1].get(name, default)


def _archive_facts(orders: Mapping[str, ArchivedOrder]) -> dict[str, Any]:
    """What every sync needs of the archived orders (:class:`Archive`)."""
    answers = [when for g in orders.values() if (when := g.answered or g.submitted)]
    submitted = [g.submitted for g in orders.values() if g.submitted is not None]
    days = [key.split(" ", 1)[0] for g in orders.values() for key in g.credits]
    facts = {
        "orders": len(orders),
        "batches": sorted({g.batch for g in orders.values()}),
        "stopped": sorted({g.email for g in orders.values() if g.stopped}),
        "newest": _iso(max(answers, default=None)),
        "submitted": _iso(max(submitted, default=None)),
        "credit_day": max(days, default=None),
    }
    return {k: v for k, v in facts.items() if v not in (None, [])}


def archived_voices(orders: Mapping[str, ArchivedOrder]) -> list[Voice]:
    """What archived orders told about their buyers, in the order they are packed."""
    return [
        Voice(
            gone.email,
            gone.name,
            gone.submitted,
            gone.answered or gone.submitted,
            gone.opt_in,
            gone.status is Decision.WAITLISTED,
        )
        for gone in sorted(orders.values(), key=lambda g: (order_serial(g.number), g.number))
        if gone.submitted is not None and gone.email
    ]


def _voice_data(voice: Voice) -> dict[str, Any]:
    data = {
        "name": voice.name,
        "submitted": _iso(voice.submitted),
        "when": _iso(voice.when),
        "opt_in": voice.opt_in,  # an explicit no is kept: it outlives a later blank
        "waited": voice.waited or None,
    }
    return {k: v for k, v in data.items() if v is not None and v != ""}


def _voice(email: str, data: dict[str, Any]) -> Voice | None:
    try:
        submitted, when = _moment(data.get("submitted")), _moment(data.get("when"))
    except (TypeError, ValueError):
        return None
    if submitted is None or when is None:
        return None
    opt_in = data.get("opt_in")
    return Voice(
        email,
        str(data.get("name", "")),
        submitted,
        when,
        opt_in if isinstance(opt_in, bool) else None,
        data.get("waited") is True,
    )


def _one(key: str, raw: str) -> list[tuple[str, dict[str, Any]]]:
    """A record written a row of its own (a pack too long for a cell)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return []
    name = key.split(":", 1)[1] if ":" in key else key
    return [(name, data)] if isinstance(data, dict) and name else []


def _read_archived(number: str, data: dict[str, Any]) -> ArchivedOrder | None:
    try:
        return _archived(number, data)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def read_memory(grid: Grid | None) -> Memory | None:
    """The memory the last sync wrote; ``None`` when the tab does not exist yet.

    A row that cannot be read is skipped: it was not written by the tool.
    """
    if grid is None:
        return None
    _READ_ROWS.clear()
    _SHARED.clear()
    memory = Memory()
    for row in grid[1:]:
        key = cells.text(row[0]) if row else ""
        raw = row[1] if len(row) > 1 else None
        if not key or not isinstance(raw, str):
            continue
        if key == _ARCHIVE or key.startswith((_ARCHIVES, _ARCHIVED, _VOICES, _VOICE)):
            memory.archive._read(key, raw)
            continue
        if key.startswith(_ORDERS):
            numbers = []
            for number, data in _unpack(raw):
                _remember(memory, _ORDER + number, data)
                numbers.append(number)
            members = _members(memory, numbers)
            if members is not None:
                _READ_ROWS[key] = (tuple(numbers), *members, raw)
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        if isinstance(data, dict):
            _remember(memory, key, data)
    memory.archive._settle(memory.orders)
    if cut_short(grid):  # the views may not show what these fingerprints say they show
        memory.views.clear()
        memory.shown.clear()
    return memory


def cut_short(grid: Grid | None) -> bool:
    """Whether the memory tab still holds the seal of a write cut short (:data:`SEAL_COLUMN`)."""
    header = grid[0] if grid else ()
    return len(header) > SEAL_COLUMN and cells.text(header[SEAL_COLUMN]) != ""


def _remember(memory: Memory, key: str, data: dict[str, Any]) -> None:
    """One record into ``memory``; a record that cannot be read is left out."""
    try:
        if key.startswith(_ORDER):
            order = _order(key[len(_ORDER) :], data)
            memory.orders[order.number] = order
            shown = data.get("shown")
            if isinstance(shown, str) and shown:
                memory.shown[order.number] = shown
        elif key.startswith(_BATCH):
            name = key[len(_BATCH) :]
            memory.batches[name] = BatchMemory(name, _date(data.get("ships_told")))
        elif key.startswith(_VIEW):
            view = key[len(_VIEW) :]
            memory.views[view] = ViewMark(str(data["hash"]), int(data["rows"]))
        elif key.startswith(_PRODUCT):
            product = _product(key[len(_PRODUCT) :], data)
            memory.products[product.sku] = product
        elif key == _SHOP:
            memory.last_serial = int(data.get("last_serial", 0))
    except (TypeError, ValueError, KeyError, InvalidOperation, AttributeError):
        return


#: The packs of the memory last read, by row: their members' numbers, each member as read
#: (with its `Orders` row fingerprint), and the cell as read. A pack whose members all say the
#: same at the next write (:func:`_order_facts`) is written back as read without being built
#: again (most of a no-op's memory cost, and on a shop with a year of archived orders, most of
#: all). The members, not their facts, are kept: they are alive anyway, facts are not small.
_READ_ROWS: dict[str, tuple[tuple[str, ...], tuple[Any, ...], tuple[str | None, ...], str]] = {}


def _unpack(raw: str) -> list[tuple[str, dict[str, Any]]]:
    """The records of a pack, in order; nothing when the cell is not a pack the tool wrote."""
    if not raw.startswith(_PACKED):
        return []
    try:
        packed = base64.urlsafe_b64decode(raw[len(_PACKED) :] + "=" * (-len(raw) % 4))
        inflate = zlib.decompressobj()
        text = inflate.decompress(packed, _MAX_UNPACKED)
        if inflate.unconsumed_tail:
            return []
        records = json.loads(text)
    except (binascii.Error, zlib.error, ValueError):
        return []
    if not isinstance(records, list):
        return []
    return [
        (record[0], record[1])
        for record in records
        if isinstance(record, list)
        and len(record) == 2
        and isinstance(record[0], str)
        and record[0]
        and isinstance(record[1], dict)
    ]


def pack(records: Iterable[tuple[str, dict[str, Any]]]) -> str:
    """Records as one cell: compressed JSON, the same text for the same records."""
    text = json.dumps(
        [[number, data] for number, data in records],
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    packed = zlib.compress(text.encode(), 9)
    return _PACKED + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def memory_rows(memory: Memory) -> list[list[Cell]]:
    """The rows of the memory tab under its header, in a stable order."""
    rows: list[list[Cell]] = []
    for name in sorted(memory.batches):
        batch = memory.batches[name]
        rows.append([_BATCH + name, _dump({"ships_told": _iso(batch.ships_told)})])
    for view in sorted(memory.views):
        mark = memory.views[view]
        rows.append([_VIEW + view, _dump({"hash": mark.fingerprint, "rows": mark.rows})])
    for sku in sorted(memory.products):
        rows.append([_PRODUCT + sku, _dump(_product_data(memory.products[sku]))])
    rows.extend(memory.archive.rows())
    rows.extend(
        _packs(
            _ORDERS,
            _ORDER,
            list(memory.orders.items()),
            memory.shown,
            _order_facts,
            _order_data,
        )
    )
    # Last, so a write cut short never records a last number whose orders did not land.
    rows.append([_SHOP, _dump({"last_serial": memory.last_serial})])
    return rows


def _packs(
    pack_prefix: str,
    row_prefix: str,
    items: list[tuple[str, _Item]],
    shown: Mapping[str, str],
    facts_of: Callable[[_Item], object],
    data_of: Callable[[_Item, str | None], dict[str, Any]],
) -> list[list[Cell]]:
    """Records packed by their running number, a pack per row (halved when too long for a
    cell); a pack whose members say what they said when read is the cell as read."""
    by_pack: dict[int, list[tuple[str, _Item]]] = {}
    for number, item in items:
        by_pack.setdefault(order_serial(number) // PACK_SIZE, []).append((number, item))
    rows: list[list[Cell]] = []
    for index in sorted(by_pack):
        name, members = f"{pack_prefix}{index}", by_pack[index]
        read = _READ_ROWS.get(name)
        if (
            read is not None
            and len(read[0]) == len(members)
            and all(
                number == was
                and shown.get(number) == was_shown
                and (item is was_item or facts_of(item) == facts_of(was_item))
                for (number, item), was, was_item, was_shown in zip(
                    members, read[0], read[1], read[2], strict=True
                )
            )
        ):
            rows.append([name, read[3]])
            continue
        records = [(number, data_of(item, shown.get(number))) for number, item in members]
        rows.extend(_fitted(name, row_prefix, records))
    return rows


def _members(
    memory: Memory, numbers: list[str]
) -> tuple[tuple[Any, ...], tuple[str | None, ...]] | None:
    """Each of ``numbers`` just read, and each one's fingerprint (``None`` when one could not
    be read)."""
    try:
        return (
            tuple(memory.orders[n] for n in numbers),
            tuple(memory.shown.get(n) for n in numbers),
        )
    except KeyError:
        return None


def _order_facts(order: PriorOrder) -> tuple[object, ...]:
    """Everything :func:`_order_data` writes of ``order``, in a form compared exactly (the
    same facts always make the same record): times as written, amounts as text, the seller's
    marks with their types (a tick is not the number 1)."""
    return (
        order.number,
        order.batch,
        _iso(order.submitted),
        order.email,
        order.status,
        order.response_row,
        order.lines,
        order.asked,
        order.held,
        order.problems,
        order.seq,
        order.confirmed_key,
        _iso(order.deadline),
        _iso(order.reminder_sent),
        order.code,
        str(order.paid_amount),
        order.paid_memo,
        order.receipts,
        order.settled,
        order.unmatched_like,
        tuple((key, str(amount)) for key, amount in order.bank),
        order.bank_ticked,
        order.refused_credits,
        _marks_facts(order.seller.marks),
    )


def _marks_facts(marks: tuple[Any, ...]) -> tuple[tuple[type, Any], ...] | None:
    """The seller's marks as :func:`_order_data` writes them: none when all are blank."""
    if not any(mark not in (None, "") for mark in marks):
        return None
    return tuple((type(mark), mark) for mark in marks)


def _fitted(
    name: str, row_prefix: str, members: list[tuple[str, dict[str, Any]]]
) -> list[list[Cell]]:
    """One pack as rows that each fit in a cell: halved until they do, one record a row at
    the end."""
    packed = pack(members)
    if len(packed) <= CELL_ROOM:
        return [[name, packed]]
    if len(members) == 1:
        return [[row_prefix + number, _dump(data)] for number, data in members]
    half = len(members) // 2
    return [
        *_fitted(f"{name}.0", row_prefix, members[:half]),
        *_fitted(f"{name}.1", row_prefix, members[half:]),
    ]


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _order_data(order: PriorOrder, shown: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "shown": shown,
        "batch": order.batch,
        "submitted": _iso(order.submitted),
        "email": order.email,
        "status": order.status.value if order.status else None,
        "row": order.response_row,
        "lines": _pairs(order.lines),
        "asked": _asked(order),
        "held": _pairs(order.held) if order.held is not None else None,
        "problems": list(order.problems),
        "seq": order.seq,
        "confirmed_key": 1 if order.confirmed_key == _usual_key(order) else order.confirmed_key,
        "deadline": _iso(order.deadline),
        "reminder_sent": _iso(order.reminder_sent),
        "code": order.code,
        "paid": str(order.paid_amount),
        "paid_memo": order.paid_memo,
        "receipts": order.receipts,
        "settled": order.settled,
        "unmatched_like": list(order.unmatched_like),
        "bank": [[key, str(amount)] for key, amount in order.bank],
        "bank_ticked": order.bank_ticked,
        "refused": list(order.refused_credits),
        "marks": list(order.seller.marks)
        if any(m not in (None, "") for m in order.seller.marks)
        else None,
    }
    # Keep rows short: defaults are left out (an empty `asked` or `held` is not a default).
    return {k: v for k, v in data.items() if v is not None and not _default(k, v)}


_KEPT = frozenset({"asked", "held", "shown", "code"})  # an empty or zero value says something
_TEXT_DEFAULTS = {"paid": "0", "paid_memo": "blank"}


def _default(key: str, value: Any) -> bool:
    """Whether ``value`` is what reading the field back gives when it is left out (only that
    field's own default: a confirmed key or an address that reads "0" or "blank" is kept)."""
    if key in _KEPT:
        return False
    if key in _TEXT_DEFAULTS:
        return bool(value == _TEXT_DEFAULTS[key])
    return isinstance(value, str | list | int) and not value


def _usual_key(order: PriorOrder) -> str:
    """The key of an order's first confirmation, which most orders' clocks start from."""
    return message_key(order.number, EmailKind.ORDER_CONFIRMED, order.email, 1)


def _asked(order: PriorOrder) -> list[list[Any]] | str | None:
    if order.asked is None:
        return None
    return "lines" if order.asked == order.lines else _pairs(order.asked)


def _product_data(product: Product) -> dict[str, Any]:
    return {
        "name": product.name,
        "price": str(product.price),
        "unit": product.unit,
        "capacity": product.capacity,
        "max_per_buyer": product.max_per_buyer,
        "active": product.active,
        "form_question": product.form_question,
        "row": product.row,
    }


def _product(sku: str, data: dict[str, Any]) -> Product:
    capacity, limit = data.get("capacity"), data.get("max_per_buyer")
    return Product(
        sku=sku,
        name=str(data.get("name", sku)),
        price=Decimal(str(data.get("price", "0"))),
        unit=str(data.get("unit", "")),
        capacity=int(capacity) if capacity is not None else None,
        max_per_buyer=int(limit) if limit is not None else None,
        active=bool(data.get("active", True)),
        form_question=str(data.get("form_question", "")),
        row=int(data.get("row", 0)),
    )


def _archived_data(order: ArchivedOrder) -> dict[str, Any]:
    data: dict[str, Any] = {
        "batch": order.batch,
        "email": order.email,
        "submitted": _iso(order.submitted),
        "row": order.response_row,
        "status": order.status.value if order.status else None,
        "name": order.name,
        "opt_in": order.opt_in,
        "answered": _iso(order.answered),
        "credits": list(order.credits),
        "stopped": order.stopped,
    }
    # An explicit no (``opt_in`` false) is kept: read as blank, a waitlisted buyer who said
    # no would hear of the next batch.
    return {
        k: v
        for k, v in data.items()
        if v not in (None, "", [], False) or (k == "opt_in" and v is False)
    }


def _archived(number: str, data: dict[str, Any]) -> ArchivedOrder:
    status = data.get("status")
    opt_in = data.get("opt_in")
    return ArchivedOrder(
        number=number,
        batch=str(data.get("batch", "")),
        email=str(data.get("email", "")),
        submitted=_moment(data.get("submitted")),
        response_row=int(data["row"]) if data.get("row") is not None else None,
        status=Decision(status) if status else None,
        name=str(data.get("name", "")),
        opt_in=opt_in if isinstance(opt_in, bool) else None,
        answered=_moment(data.get("answered")),
        credits=tuple(str(key) for key in data.get("credits", [])),
        stopped=data.get("stopped") is True,
    )


def _order(number: str, data: dict[str, Any]) -> PriorOrder:
    status = data.get("status")
    lines = _quantities(data.get("lines")) or ()
    email = str(data.get("email", ""))
    confirmed = data.get("confirmed_key", "")
    if confirmed == 1 and not isinstance(confirmed, bool):
        confirmed = message_key(number, EmailKind.ORDER_CONFIRMED, email, 1)
    return PriorOrder(
        number=number,
        batch=_shared(str(data.get("batch", ""))),
        submitted=_moment(data.get("submitted")),
        email=email,
        status=Decision(status) if status else None,
        response_row=int(data["row"]) if data.get("row") is not None else None,
        lines=lines,
        asked=lines if data.get("asked") == "lines" else _quantities(data.get("asked")),
        held=_quantities(data.get("held")),
        problems=tuple(str(p) for p in data.get("problems", [])),
        seq=int(data.get("seq", 0)),
        confirmed_key=str(confirmed),
        deadline=_moment(data.get("deadline")),
        reminder_sent=_moment(data.get("reminder_sent")),
        code=int(data["code"]) if data.get("code") is not None else None,
        paid_amount=_decimal(str(data.get("paid", "0"))),
        paid_memo=_shared(str(data.get("paid_memo", "blank"))),
        receipts=int(data.get("receipts", 0)),
        settled=bool(data.get("settled", False)),
        unmatched_like=tuple(str(n) for n in data.get("unmatched_like", [])),
        bank=tuple((str(key), Decimal(str(amount))) for key, amount in data.get("bank", [])),
        bank_ticked=bool(data.get("bank_ticked", False)),
        refused_credits=tuple(str(key) for key in data.get("refused", [])),
        seller=_seller(tuple(_mark(m) for m in data.get("marks") or ())),
    )


#: Equal values read from the memory, kept once: a big shop's orders share a few batch names,
#: products, amounts and (mostly blank) seller marks, and each record read would otherwise hold
#: its own copies (a fifth of what the memory costs in RAM). Cleared at each read.
_SHARED: dict[Any, Any] = {}
_Shared = TypeVar("_Shared", bound=Hashable)


def _shared(value: _Shared) -> _Shared:
    """``value``, or the equal one read before it (only for values whose equal ones are
    interchangeable: strings, tuples of them and of ints; not marks, where ``True == 1``)."""
    found: _Shared = _SHARED.setdefault(value, value)
    return found


_NO_MARKS = SellerInputs()


def _seller(marks: tuple[str | int | float | bool | None, ...]) -> SellerInputs:
    """The seller's marks as remembered: most orders have none, and share one record."""
    return SellerInputs(marks=marks) if marks else _NO_MARKS


def _decimal(text: str) -> Decimal:
    """An amount; the same text gives the same object (keyed by text: ``1.0`` and ``1`` are
    equal Decimals that are written differently)."""
    key = ("decimal", text)
    found: Decimal | None = _SHARED.get(key)
    if found is None:
        found = _SHARED[key] = Decimal(text)
    return found


def _mark(value: Any) -> str | int | float | bool | None:
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _pairs(quantities: Quantities) -> list[list[Any]]:
    return [[sku, quantity] for sku, quantity in quantities]


def _quantities(value: Any) -> Quantities | None:
    if value is None:
        return None
    return _shared(tuple((_shared(str(sku)), int(quantity)) for sku, quantity in value))


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: Any) -> dt.datetime | None:
    """A time as written; its fixed offset is kept once for all the times read (each parse
    makes a zone object of its own)."""
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value)
    zone = moment.tzinfo
    if zone is not None:
        shared = _SHARED.setdefault(("zone", zone), zone)
        if shared is not zone:
            moment = moment.replace(tzinfo=shared)
    return moment


def _date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
