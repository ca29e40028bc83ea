"""Bank statements: the incoming transfers in an exported statement file or in rows a seller
pasted into the `Bank statement` tab (`Mutasi rekening`).

Pure: functions take the file's text or the tab's rows and return a :class:`Statement` — the
credits (money coming in), and a plain sentence for every row not taken (a debit, a pending
row, a balance line) or not readable (a problem). Nothing here reads a file or the clock.

Exports of BCA, Mandiri, BRI and BNI, personal and business, are recognised by their column
headings (:data:`LAYOUTS`); any other bank is read through a :class:`ColumnMapping`, or from
headings the tool recognises on its own. The sample files in ``tests/data/statements`` show
each layout's traits.

Numbers are read by their pattern, whatever the bank's language: ``5,000,000.00`` and
``5.000.000,00`` are both five million; a separator followed by exactly three digits groups
thousands (``150.000`` is 150000), otherwise it is the decimal point (``150123.50``).
Descriptions are kept exactly as written: a buyer's transfer note is text, never a formula.

**Identity.** A credit's key (:func:`credit_key`) is its date, time, amount and description,
spaces and case folded, so the same row pasted or imported twice counts once. Two genuinely
identical transfers — same date, same time (or no time), same amount, same description — cannot
be told apart and count once; the second is listed in ``skipped``, and the seller ticks `Paid`
by hand for the order it paid.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from enum import Enum

from openorder_sheets.core import cells
from openorder_sheets.core.labels import label
from openorder_sheets.core.model import Credit
from openorder_sheets.core.wording import quote
from openorder_sheets.errors import ConfigError
from openorder_sheets.ports import Cell

Column = str | int  # a header text (any case and spacing) or a 0-based position


@dataclass(frozen=True)
class ColumnMapping:
    """Which column holds what, for a bank whose export the tool does not know.

    Name each column by its header text (case, spaces and punctuation ignored) or its 0-based
    position. Give ``amount`` (with a direction inside, a sign, or a ``direction`` column) or
    ``credit``/``debit`` columns. ``date_format`` is a ``strptime`` format such as
    ``"%m/%d/%Y"`` (Indonesian month names work with ``%b``); without it the tool reads
    day-first dates. With positions only, every line whose date cell holds a date is read.
    """

    date: Column
    description: Column | tuple[Column, ...] = ()
    amount: Column | None = None
    credit: Column | None = None
    debit: Column | None = None
    direction: Column | None = None
    time: Column | None = None
    bank_column: Column | None = None
    date_format: str | None = None
    bank: str = ""

    def __post_init__(self) -> None:
        if self.amount is None and self.credit is None:
            raise ConfigError(
                "The column mapping names no amount column — give amount, or credit and debit."
            )

    @classmethod
    def of_roles(
        cls,
        roles: Mapping[str, Column],
        description: Column | tuple[Column, ...] = (),
        date_format: str | None = None,
    ) -> ColumnMapping:
        """The mapping from each role's column (``{"date": …, "amount": …}``, the field names)."""
        return cls(
            date=roles["date"],
            description=description,
            amount=roles.get("amount"),
            credit=roles.get("credit"),
            debit=roles.get("debit"),
            direction=roles.get("direction"),
            time=roles.get("time"),
            bank_column=roles.get("bank_column"),
            date_format=date_format,
        )

    @property
    def descriptions(self) -> tuple[Column, ...]:
        return self.description if isinstance(self.description, tuple) else (self.description,)


@dataclass(frozen=True)
class Layout:
    """A bank export the tool recognises: every ``signature`` heading is in its header row."""

    bank: str
    signature: frozenset[str]


#: Checked by the largest matching signature, so a business layout wins over a personal one.
LAYOUTS: tuple[Layout, ...] = (
    Layout("BCA", frozenset({"tanggal transaksi", "keterangan", "cabang", "jumlah"})),
    Layout("BCA (KlikBCA Bisnis)", frozenset({"keterangan", "cabang", "mutasi", "db cr"})),
    Layout("Mandiri", frozenset({"dana masuk idr", "dana keluar idr"})),
    Layout("Mandiri (MCM)", frozenset({"post date", "remarks", "credit amount", "debit amount"})),
    Layout("BRI", frozenset({"uraian transaksi", "teller", "debet", "kredit"})),
    Layout("BRI (CMS)", frozenset({"tgl tran", "jam tran", "remark"})),
    Layout("BNI", frozenset({"uraian transaksi", "tipe", "nominal"})),
    Layout("BNI (BNIDirect)", frozenset({"post date", "journal no", "db cr"})),
)


@dataclass(frozen=True)
class Statement:
    """What a statement says: its credits, and why every other row was not taken."""

    bank: str = ""  # the layout recognised ("BCA", "Mandiri (MCM)"), or "" when unknown
    credits: list[Credit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows deliberately not taken
    problems: list[str] = field(default_factory=list)  # rows or a file that cannot be read
    #: Pasted rows not taken as credits, by 0-based grid row: why, in the seller's words.
    notes: dict[int, str] = field(default_factory=dict)


TAB_HEADERS: Mapping[str, tuple[str, ...]] = {
    "en": ("Date", "Time", "Description", "Amount", "Bank"),
    "id": ("Tanggal", "Jam", "Keterangan", "Jumlah", "Bank"),
}

_WORDS: Mapping[str, Mapping[str, str]] = {
    "line": {"en": "Line {number}", "id": "Baris {number}"},
    "row": {"en": "Bank statement row {number}", "id": "Mutasi rekening baris {number}"},
    "pending": {
        "en": "{where}: pending (PEND), not yet booked by the bank — it is read once booked.",
        "id": "{where}: masih pending (PEND), belum dibukukan bank — dibaca setelah dibukukan.",
    },
    "debit": {
        "en": "{where}: money going out (debit), not an incoming transfer.",
        "id": "{where}: uang keluar (debet), bukan transfer masuk.",
    },
    "total": {
        "en": "{where}: a balance or total line ({value}), not a transfer.",
        "id": "{where}: baris saldo atau total ({value}), bukan transfer.",
    },
    "no_amount": {"en": "{where}: no amount.", "id": "{where}: tidak ada jumlahnya."},
    "same_as": {
        "en": "{where}: the same date, time, amount and description as {first}, so it counts "
        "once — if it really is a second transfer, tick Paid by hand.",
        "id": "{where}: tanggal, jam, jumlah dan keterangannya sama dengan {first}, jadi "
        "dihitung sekali — kalau memang transfer kedua, centang Lunas secara manual.",
    },
    "bad_date": {
        "en": "{where}: the date {value} cannot be read — write it like 02/01/2026.",
        "id": "{where}: tanggal {value} tidak terbaca — tulis seperti 02/01/2026.",
    },
    "no_year": {
        "en": "{where}: the date {value} has no year and no period says which — use full dates.",
        "id": "{where}: tanggal {value} tanpa tahun dan tidak ada periode — pakai tanggal lengkap.",
    },
    "bad_time": {
        "en": "{where}: the time {value} cannot be read — write it like 14:22:05.",
        "id": "{where}: jam {value} tidak terbaca — tulis seperti 14:22:05.",
    },
    "bad_amount": {
        "en": "{where}: the amount {value} is not a number — write it like 150,000.00.",
        "id": "{where}: jumlah {value} bukan angka — tulis seperti 150.000,00.",
    },
    "bad_direction": {
        "en": "{where}: {value} does not say credit or debit — expected CR or DB.",
        "id": "{where}: {value} tidak menyebut kredit atau debet — seharusnya CR atau DB.",
    },
    "no_table": {
        "en": "No line has the date and amount headings of a known bank — give a column "
        "mapping for this bank's export.",
        "id": "Tidak ada baris berjudul tanggal dan jumlah dari bank yang dikenal — isi "
        "pemetaan kolom untuk ekspor bank ini.",
    },
    "no_mapped_header": {
        "en": "No line has all the headings the column mapping names ({value}) — check their "
        "spelling against the file.",
        "id": "Tidak ada baris dengan semua judul di pemetaan kolom ({value}) — cek ejaannya "
        "di file.",
    },
    "no_dates": {
        "en": "No line has a date in the column mapping's date column — check the mapping "
        "({value}) against the file.",
        "id": "Tidak ada baris bertanggal di kolom tanggal pemetaan — cek pemetaannya "
        "({value}) dengan file.",
    },
    "no_columns": {
        "en": "The Bank statement tab has no header row and its columns cannot be told apart "
        "— add one: Date, Time, Description, Amount.",
        "id": "Tab Mutasi rekening tidak punya baris judul dan kolomnya tidak bisa dikenali "
        "— tambahkan: Tanggal, Jam, Keterangan, Jumlah.",
    },
    "unreadable_file": {
        "en": "The file cannot be read as a table ({value}) — export the statement as CSV again.",
        "id": "File tidak terbaca sebagai tabel ({value}) — ekspor ulang mutasinya sebagai CSV.",
    },
}


def _say(language: str, key: str, **params: object) -> str:
    return label(_WORDS, key, language).format(**params)


class _Flow(Enum):
    CREDIT = "credit"
    DEBIT = "debit"


class _Unreadable(ValueError):
    """A cell cannot be read; ``args[0]`` is the message key."""


_ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip  # noqa: E501
_MONTH_NAMES = (
    ("januari", "january"), ("februari", "february"), ("maret", "march"), ("april",),
    ("mei", "may"), ("juni", "june"), ("juli", "july"), ("agustus", "august", "agu", "agt", "ags"),
    ("september", "sept"), ("oktober", "october", "okt"), ("november", "nop"),
    ("desember", "december", "des"),
)  # fmt: skip
#: Indonesian and English month names and abbreviations, folded, to the month's number.
_MONTHS: Mapping[str, int] = {
    name: number
    for number, names in enumerate(_MONTH_NAMES, 1)
    for name in (*names, _ENGLISH_MONTHS[number - 1].casefold())
}

_TIME = r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
_WIB = r"(?:\s*WIB)?"
_DATES = (
    re.compile(rf"(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})(?:[/.-](?P<y>\d{{4}}|\d{{2}}))?"
               rf"(?:[ T]+{_TIME})?{_WIB}", re.IGNORECASE),
    re.compile(rf"(?P<d>\d{{1,2}})[ /-]*(?P<mon>[^\W\d_]{{3,9}})\.?[ /,-]*(?P<y>\d{{4}}|\d{{2}})"
               rf"(?:[ ,T]+{_TIME})?{_WIB}", re.IGNORECASE),
    re.compile(rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:[ T]+{_TIME})?{_WIB}"),
)  # fmt: skip
_LONE_TIME = re.compile(rf"{_TIME}{_WIB}", re.IGNORECASE)
_MONEY = re.compile(
    r"(?:(?P<pre>cr|db|dr|d|k|c)\.?\s+)?(?P<sign>[-+])?\s*(?:rp\.?|idr)?\s*(?P<sign2>[-+])?\s*"
    r"(?P<paren>\()?(?P<num>\d[\d.,]*|[.,]\d+)(?(paren)\))(?P<trail>-)?\s*(?P<suf>cr|db|dr|d|k|c)?\.?",
    re.IGNORECASE,
)
_CREDIT_WORDS = frozenset({"cr", "c", "k", "kr", "kredit", "credit", "masuk", "+"})
_DEBIT_WORDS = frozenset({"db", "dr", "d", "debet", "debit", "keluar", "-"})
_PENDING = frozenset({"pend", "pending"})
_TOTALS = (
    "saldo", "dana masuk", "dana keluar", "mutasi kredit", "mutasi debet", "mutasi debit",
    "total", "jumlah",
    "opening balance", "closing balance", "beginning balance", "ending balance", "balance",
)  # fmt: skip

_NOT_A_ROLE = frozenset({"no", "nomor", "kode", "code", "ref", "reference", "referensi", "id"})
_DIRECTION_HEADINGS = frozenset(
    {"cr db", "db cr", "d k", "k d", "d c", "c d", "dk", "tipe", "jenis", "type", "dr cr"}
    | {"debit credit", "credit debit", "debet kredit", "kredit debet"}
)
_ROLES: tuple[tuple[str, frozenset[str]], ...] = (
    ("balance", frozenset({"saldo", "balance"})),
    ("credit", frozenset({"kredit", "credit", "cr", "masuk"})),
    ("debit", frozenset({"debet", "debit", "db", "dr", "keluar"})),
    ("date", frozenset({"tanggal", "tgl", "date"})),
    ("time", frozenset({"jam", "time", "waktu", "pukul"})),
    ("amount", frozenset({"jumlah", "amount", "mutasi", "nominal", "nilai"})),
    ("description", frozenset({
        "keterangan", "ket", "description", "desc", "uraian", "remark", "remarks", "deskripsi",
        "berita", "catatan", "detail", "details", "narrative", "transaksi", "memo"})),
    ("bank_column", frozenset({"bank"})),
)  # fmt: skip


def credit_key(day: dt.date | None, time: dt.time | None, amount: Decimal, description: str) -> str:
    """The identity of a statement row: date, time, amount and description (spaces and case
    folded; ``150123.00`` and ``150123`` are the same amount).

    Two genuinely identical transfers share a key and count once (see the module docstring).
    """
    folded = " ".join(description.casefold().split())
    digest = hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return " ".join(
        (
            day.isoformat() if day else "-",
            time.replace(microsecond=0).isoformat() if time else "-",
            _amount_text(amount),
            digest,
        )
    )


def _amount_text(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def parse_export(
    text: str, mapping: ColumnMapping | None = None, *, language: str = "en"
) -> Statement:
    """The credits in an exported statement file's text (CSV with ``,``, ``;`` or tab).

    The layout is recognised from the header row (:data:`LAYOUTS`) unless ``mapping`` says
    where the columns are. Account, name and period lines above the table and totals below it
    are tolerated; a period line gives the year to dates written without one (``'02/01``).
    """
    text = text.removeprefix("\ufeff")
    best: tuple[tuple[bool, int, int], Statement] | None = None
    for delimiter in ("\t", ";", ","):
        try:
            records = [(number, list[Cell](row)) for number, row in _csv_rows(text, delimiter)]
        except csv.Error as error:
            return Statement(problems=[_say(language, "unreadable_file", value=quote(str(error)))])
        found, statement = _read_records(
            records, mapping, language, lambda n: _say(language, "line", number=n)
        )
        score = (found, len(statement.credits) + len(statement.skipped), -len(statement.problems))
        if best is None or score > best[0]:
            best = (score, statement)
    if best is None:  # no delimiter tried: cannot happen, the list is fixed
        raise ValueError("no delimiter to try")
    return best[1]


def _csv_rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(reader.line_num, row) for row in reader]


def parse_pasted(rows: Sequence[Sequence[object]], *, language: str = "en") -> Statement:
    """The credits among rows pasted into the `Bank statement` tab (``Credit.row`` is the
    0-based grid row).

    The header row is found by its words (Tanggal/Date, Keterangan/Description, Jumlah/Amount,
    Kredit/Credit, …); without one, the columns are guessed from the shapes of the values.
    """
    records = [(index, [_as_cell(value) for value in row]) for index, row in enumerate(rows)]
    return _read_records(
        records, None, language, lambda n: _say(language, "row", number=n + 1), guess=True
    )[1]


def _as_cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | dt.date | dt.time):
        return value
    return str(value)  # a Decimal or anything else a caller hands over


def rows_to_append(existing: Statement, imported: Statement) -> list[Credit]:
    """The imported credits not already in the tab: importing a file twice appends nothing.

    A key already in the tab is not new. A row pasted without its time also matches one
    imported credit with the same date, amount and description (and the other way round), so
    a seller's paste and the bank's file of the same transfer count once.
    """
    keys = {credit.key for credit in existing.credits}
    without_time = Counter(_loose(c) for c in existing.credits if c.time is None)
    with_time = Counter(_loose(c) for c in existing.credits if c.time is not None)
    new: list[Credit] = []
    for credit in imported.credits:
        if credit.key in keys:
            continue
        loose = _loose(credit)
        unmatched = without_time if credit.time is not None else with_time
        if unmatched[loose] > 0:
            unmatched[loose] -= 1
            continue
        keys.add(credit.key)
        new.append(replace(credit, row=None))
    return new


def _loose(credit: Credit) -> tuple[dt.date | None, str, str]:
    return credit.day, _amount_text(credit.amount), " ".join(credit.description.casefold().split())


def tab_header(language: str) -> list[Cell]:
    """The `Bank statement` tab's header row in ``language`` (English when unknown)."""
    return list(TAB_HEADERS.get(language, TAB_HEADERS["en"]))


def tab_rows(
    credits: Sequence[Credit], language: str, *, with_header: bool = False
) -> list[list[Cell]]:
    """The rows to append to the `Bank statement` tab: Date, Time, Description, Amount, Bank.

    The date is a real ``date`` value; the time is text ``HH:MM:SS`` (the sheets have no time
    type the adapters write); the amount a number; a description that a spreadsheet would
    read as a formula gets a leading ``'``. :func:`parse_pasted` reads them back to the same
    keys. ``with_header`` puts :func:`tab_header` first, for an empty tab.
    """
    rows: list[list[Cell]] = [tab_header(language)] if with_header else []
    for credit in credits:
        whole = credit.amount == credit.amount.to_integral_value()
        rows.append(
            [
                credit.day,
                credit.time.strftime("%H:%M:%S") if credit.time else "",
                _escape(credit.description.strip()),
                int(credit.amount) if whole else float(credit.amount),
                _escape(credit.bank.strip()),
            ]
        )
    return rows


def _escape(value: str) -> str:
    """Text no spreadsheet reads as a formula, that :func:`_unescape` gives back exactly.

    Like :func:`cells.safe_text`, and a text already starting with ``'`` gets one more, so a
    description such as ``'=x`` survives the round trip.
    """
    return "'" + value if value.startswith((*cells.FORMULA_STARTS, "'")) else value


def _unescape(value: str) -> str:
    if value.startswith("'") and value[1:2] and value[1:2] in (*cells.FORMULA_STARTS, "'"):
        return value[1:]
    return value


# Reading a table ---------------------------------------------------------------------------


def _read_records(
    records: list[tuple[int, list[Cell]]],
    mapping: ColumnMapping | None,
    language: str,
    where: Callable[[int], str],
    *,
    guess: bool = False,
) -> tuple[bool, Statement]:
    """(whether a table was found, what it says)."""
    table = _table(records, mapping, guess=guess)
    if isinstance(table, str):  # the problem's key
        if table == "empty":
            return False, Statement()
        named = [str(c) for c in _mapped_columns(mapping)] if mapping else []
        problem = _say(language, table, value=", ".join(named))
        return False, Statement(bank=mapping.bank if mapping else "", problems=[problem])
    start, columns, bank = table
    reader = _RowReader(language, where, bank, _period(records), columns)
    for number, row in records[start:]:
        reader.read(number, row, keep_row=guess)
    return True, Statement(bank, reader.credits, reader.skipped, reader.problems, reader.notes)


def _table(
    records: list[tuple[int, list[Cell]]], mapping: ColumnMapping | None, *, guess: bool
) -> tuple[int, ColumnMapping, str] | str:
    """Where the rows start, the columns in positions and the bank; or a problem's key."""
    if mapping is not None:
        located = _locate_mapping(records, mapping)
        if located is None:
            named = any(isinstance(c, str) for c in _mapped_columns(mapping))
            return "no_mapped_header" if named else "no_dates"
        return located[0], located[1], mapping.bank
    header = _find_header(records)
    if header is not None:
        return header[0] + 1, header[1], _layout_name(records[header[0]][1])
    if not guess:
        return "no_table"
    guessed = _guess_columns([row for _, row in records])
    if guessed is None:
        filled = any(not cells.is_blank(c) for _, row in records for c in row)
        return "no_columns" if filled else "empty"
    return 0, guessed, ""


def _mapped_columns(mapping: ColumnMapping) -> list[Column]:
    columns: list[Column] = list(mapping.descriptions)
    for name in ("date", "amount", "credit", "debit", "direction", "time", "bank_column"):
        value = getattr(mapping, name)
        if value is not None:
            columns.append(value)
    return columns


def _locate_mapping(
    records: list[tuple[int, list[Cell]]], mapping: ColumnMapping
) -> tuple[int, ColumnMapping] | None:
    """Where the table starts and the mapping in positions.

    Named columns: just below the first line holding every name. Positions only: at the first
    line whose date cell holds a date, so the lines above (account, period) are passed over.
    """
    names = {_fold(c) for c in _mapped_columns(mapping) if isinstance(c, str)}
    if not names:
        for index, (_, row) in enumerate(records):
            inside = isinstance(mapping.date, int) and 0 <= mapping.date < len(row)
            cell = row[mapping.date] if inside and isinstance(mapping.date, int) else None
            try:
                _date(cell, mapping.date_format, None)
            except _Unreadable as error:
                if error.args[0] != "no_year" and cells.text(cell).casefold() not in _PENDING:
                    continue
            return index, mapping
        return None
    for index, (_, row) in enumerate(records):
        positions = {_fold(c): i for i, c in reversed(list(enumerate(row))) if isinstance(c, str)}
        if names <= positions.keys():
            return index + 1, _in_positions(mapping, positions)
    return None


def _in_positions(mapping: ColumnMapping, positions: Mapping[str, int]) -> ColumnMapping:
    def at(column: Column) -> int:
        return positions[_fold(column)] if isinstance(column, str) else column

    def maybe(column: Column | None) -> int | None:
        return None if column is None else at(column)

    return replace(
        mapping,
        date=at(mapping.date),
        description=tuple(at(c) for c in mapping.descriptions),
        amount=maybe(mapping.amount),
        credit=maybe(mapping.credit),
        debit=maybe(mapping.debit),
        direction=maybe(mapping.direction),
        time=maybe(mapping.time),
        bank_column=maybe(mapping.bank_column),
    )


def _fold(value: Cell) -> str:
    """A heading as words: ``"Dana Masuk (IDR)"`` → ``"dana masuk idr"``."""
    return " ".join(re.findall(r"[^\W_]+", cells.text(value).casefold()))


def _role(value: Cell) -> str | None:
    if not isinstance(value, str):
        return None
    words = _fold(value).split()
    if not words or len(words) > 4 or _NOT_A_ROLE & set(words):
        return None
    if " ".join(words) in _DIRECTION_HEADINGS:
        return "direction"
    return next((role for role, vocabulary in _ROLES if vocabulary & set(words)), None)


def _find_header(records: list[tuple[int, list[Cell]]]) -> tuple[int, ColumnMapping] | None:
    for index, (_, row) in enumerate(records):
        roles = [_role(value) for value in row]
        if "date" in roles and ("amount" in roles or "credit" in roles):
            first: dict[str, int] = {}
            for position, role in enumerate(roles):
                if role is not None and role != "description":
                    first.setdefault(role, position)
            descriptions = tuple(i for i, role in enumerate(roles) if role == "description")
            return index, ColumnMapping.of_roles(first, descriptions)
    return None


def _layout_name(header: list[Cell]) -> str:
    headings = {_fold(value) for value in header}
    matches = [layout for layout in LAYOUTS if layout.signature <= headings]
    return max(matches, key=lambda layout: len(layout.signature)).bank if matches else ""


def _period(records: list[tuple[int, list[Cell]]]) -> tuple[dt.date, dt.date] | None:
    """The statement's period from a ``Periode : 01/01/2026 - 31/01/2026`` line, if any."""
    for _, row in records:
        line = " ".join(cells.text(value) for value in row)
        if not _fold(line).startswith(("periode", "period")):
            continue
        found = re.findall(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}[ -][^\W\d_]{3,9}[ -]\d{4}", line)
        try:
            days = [_date(value, None, None)[0] for value in found]
        except _Unreadable:
            return None
        return (days[0], days[-1]) if days else None
    return None


class _RowReader:
    """Reads table rows one at a time into credits, skipped rows and problems."""

    def __init__(
        self,
        language: str,
        where: Callable[[int], str],
        bank: str,
        period: tuple[dt.date, dt.date] | None,
        columns: ColumnMapping,
    ) -> None:
        self._language, self._where, self._bank = language, where, bank
        self._period, self._columns = period, columns
        self._first: dict[str, str] = {}  # key → where it was first seen
        self.credits: list[Credit] = []
        self.skipped: list[str] = []
        self.problems: list[str] = []
        self.notes: dict[int, str] = {}  # pasted rows not taken: why, without the "where"

    def read(self, number: int, row: list[Cell], *, keep_row: bool) -> None:
        if all(cells.is_blank(value) for value in row):
            return
        columns, here = self._columns, self._where(number)

        def at(position: Column | None) -> Cell:
            inside = isinstance(position, int) and 0 <= position < len(row)
            return row[position] if inside and isinstance(position, int) else None

        def text(position: Column | None) -> str:
            value = cells.text(at(position))
            return _unescape(value) if keep_row else value

        def skip(key: str, **params: object) -> None:
            self.skipped.append(_say(self._language, key, where=here, **params))
            if keep_row:
                self.notes[number] = _say(self._language, key, where="", **params)[2:]

        date_cell = at(columns.date)
        if cells.text(date_cell).casefold() in _PENDING:
            skip("pending")
            return
        first_text = next((cells.text(value) for value in row if not cells.is_blank(value)), "")
        try:
            day, time = _date(date_cell, columns.date_format, self._period)
            amount, flow = self._amount(at)
            if columns.time is not None:
                time = _time(at(columns.time)) or time
        except _Unreadable as error:
            if _is_total(first_text):
                skip("total", value=quote(first_text))
            elif error.args[0] not in ("bad_date", "no_year") or self._has_amount(at):
                value = quote(error.args[1])
                self.problems.append(_say(self._language, error.args[0], where=here, value=value))
                if keep_row:
                    words = _say(self._language, error.args[0], where="", value=value)
                    self.notes[number] = words[2:]
            return  # a line without a date or an amount: a note or a wrapped line
        description = " ".join(part for part in map(text, columns.descriptions) if part)
        if amount == 0:
            skip("total" if _is_total(description) else "no_amount", value=quote(description))
            return
        if flow is _Flow.DEBIT:
            skip("debit")
            return
        key = credit_key(day, time, amount, description)
        if key in self._first:
            skip("same_as", first=self._first[key])
            return
        self._first[key] = here
        bank = text(columns.bank_column) or self._bank
        row_number = number if keep_row else None
        self.credits.append(Credit(key, day, time, amount, description, bank, row_number))

    def _has_amount(self, at: Callable[[Column | None], Cell]) -> bool:
        columns = self._columns
        return any(
            not cells.is_blank(at(position))
            for position in (columns.amount, columns.credit, columns.debit)
            if position is not None
        )

    def _amount(self, at: Callable[[Column | None], Cell]) -> tuple[Decimal, _Flow]:
        """The amount and whether it comes in; anything unclear counts as going out."""
        columns = self._columns
        if columns.credit is not None or columns.debit is not None:
            for position, flow in ((columns.credit, _Flow.CREDIT), (columns.debit, _Flow.DEBIT)):
                if position is None:
                    continue
                value, sign = _money(at(position))
                if value:
                    return value, _Flow.DEBIT if _Flow.DEBIT in (flow, sign) else _Flow.CREDIT
            if columns.amount is None:
                return Decimal(0), _Flow.CREDIT
        value, sign = _money(at(columns.amount))
        if columns.direction is None or not value:
            return value, sign or _Flow.CREDIT
        word = at(columns.direction)
        written = _flow_word(word)
        if written is None:
            raise _Unreadable("bad_direction", cells.text(word) or "(blank)")
        return value, _Flow.DEBIT if _Flow.DEBIT in (written, sign) else _Flow.CREDIT


def _is_total(value: str) -> bool:
    folded = _fold(value)
    return any(folded == total or folded.startswith(total + " ") for total in _TOTALS)


def _flow_word(value: Cell) -> _Flow | None:
    word = cells.text(value).casefold().strip().rstrip(".")
    if word in _CREDIT_WORDS:
        return _Flow.CREDIT
    if word in _DEBIT_WORDS:
        return _Flow.DEBIT
    return None


# Reading cells -----------------------------------------------------------------------------


def _money(value: Cell) -> tuple[Decimal, _Flow | None]:
    """A non-negative amount, and the direction written with it (``CR``/``DB``, a sign)."""
    if cells.is_blank(value):
        return Decimal(0), None
    shown = cells.text(value)
    flow: _Flow | None = None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise _Unreadable("bad_amount", shown)
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise _Unreadable("bad_amount", shown)
        amount = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    else:
        match = _MONEY.fullmatch(value.strip().lstrip("'").strip())
        if match is None:
            raise _Unreadable("bad_amount", shown)
        amount = _number(match["num"], shown)
        word = match["pre"] or match["suf"]
        flow = _flow_word(word) if word else None
        if "-" in (match["sign"], match["sign2"], match["trail"]) or match["paren"]:
            amount = -amount
    if abs(amount) > cells.MAX_AMOUNT:
        raise _Unreadable("bad_amount", shown)
    return abs(amount), _Flow.DEBIT if amount < 0 else flow


def _number(digits: str, shown: str) -> Decimal:
    """``5,000,000.00``, ``5.000.000,00``, ``150.000``, ``150123.5``: decided by the pattern."""
    if len(digits) > 24:
        raise _Unreadable("bad_amount", shown)
    if digits[0] in ",.":
        digits = "0" + digits  # `.00`
    if "," in digits and "." in digits:
        point: str | None = max(",", ".", key=digits.rfind)
    elif "," in digits or "." in digits:
        separator = "," if "," in digits else "."
        grouped = digits.count(separator) > 1 or len(digits.rpartition(separator)[2]) == 3
        point = None if grouped else separator
    else:
        point = None
    whole, _, fraction = digits.partition(point) if point else (digits, "", "")
    group = next((s for s in ",." if s in whole), None)
    if group and not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+", whole):
        raise _Unreadable("bad_amount", shown)
    if (point and not fraction.isdigit()) or not whole:
        raise _Unreadable("bad_amount", shown)
    plain = whole.replace(group, "") if group else whole
    try:
        return Decimal(f"{plain}.{fraction}" if fraction else plain)
    except InvalidOperation:
        raise _Unreadable("bad_amount", shown) from None


def _date(
    value: Cell, date_format: str | None, period: tuple[dt.date, dt.date] | None
) -> tuple[dt.date, dt.time | None]:
    """A statement date, and the time when written with it (``02/01/2026 14:22``)."""
    if isinstance(value, dt.datetime):
        clock = value.time().replace(microsecond=0, tzinfo=None)
        return value.date(), clock if clock != dt.time() else None
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 < value < 80000:
        moment = cells.from_serial(value, whole_seconds=True)
        return moment.date(), moment.time() if moment.time() != dt.time() else None
    shown = cells.text(value)
    written = shown.lstrip("'").strip()
    if date_format:
        return _formatted_date(written, date_format, shown)
    match = next((m for m in (p.fullmatch(written) for p in _DATES) if m), None)
    if match is None:
        raise _Unreadable("bad_date", shown or "(blank)")
    parts = match.groupdict()
    month = int(parts["m"]) if parts.get("m") else _MONTHS.get(parts["mon"].casefold())
    if month is None:
        raise _Unreadable("bad_date", shown)
    day = int(parts["d"])
    if parts["y"] is None:
        year = _year_in(period, month, day, shown)
    else:
        year = int(parts["y"]) + (2000 if len(parts["y"]) == 2 else 0)
    try:
        return dt.date(year, month, day), _clock(parts["h"], parts["mi"], parts["s"], shown)
    except ValueError:
        raise _Unreadable("bad_date", shown) from None


def _formatted_date(written: str, date_format: str, shown: str) -> tuple[dt.date, dt.time | None]:
    def english(match: re.Match[str]) -> str:
        number = _MONTHS.get(match[0].casefold())
        return _ENGLISH_MONTHS[number - 1] if number else match[0]

    try:
        moment = dt.datetime.strptime(re.sub(r"[^\W\d_]+", english, written), date_format)
    except ValueError:
        raise _Unreadable("bad_date", shown) from None
    has_time = any(code in date_format for code in ("%H", "%I", "%M", "%S", "%X", "%c"))
    return moment.date(), moment.time() if has_time else None


def _year_in(period: tuple[dt.date, dt.date] | None, month: int, day: int, shown: str) -> int:
    """The year of a ``dd/mm`` date: the one that puts it inside the statement's period."""
    if period is None:
        raise _Unreadable("no_year", shown)
    start, end = period
    for year in range(start.year, end.year + 1):
        try:
            if start <= dt.date(year, month, day) <= end:
                return year
        except ValueError:
            continue
    return start.year


def _clock(hour: str | None, minute: str | None, second: str | None, shown: str) -> dt.time | None:
    if hour is None or minute is None:
        return None
    try:
        return dt.time(int(hour), int(minute), int(second or 0))
    except ValueError:
        raise _Unreadable("bad_time", shown) from None


def _time(value: Cell) -> dt.time | None:
    """A time of day: ``14:22:05``, ``14.22``, ``92205`` (HHMMSS), a time or a day fraction."""
    if cells.is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0, tzinfo=None)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0, tzinfo=None)
    shown = cells.text(value)
    if isinstance(value, float) and 0 <= value < 1:
        seconds = min(round(value * 86400), 86399)
        return dt.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    if isinstance(value, dt.date | bool):
        raise _Unreadable("bad_time", shown)
    written = shown.lstrip("'").strip()
    if re.fullmatch(r"[0-9]{1,6}", written):
        padded = written.zfill(6)
        return _clock(padded[:2], padded[2:4], padded[4:], shown)
    match = _LONE_TIME.fullmatch(written)
    if match is None:
        raise _Unreadable("bad_time", shown)
    return _clock(match["h"], match["mi"], match["s"], shown)


# Guessing columns without a header row -----------------------------------------------------


def _guess_columns(rows: list[list[Cell]]) -> ColumnMapping | None:
    """Columns told apart by the shapes of their values, or ``None`` when the amount is unclear.

    With several number columns (an amount and a balance, or debit and credit) the amount is
    the one written with CR/DB or a sign, or the first when a CR/DB column follows.
    """
    width = max((len(row) for row in rows), default=0)
    columns = [[row[i] for row in rows if i < len(row) and not cells.is_blank(row[i])]
               for i in range(width)]  # fmt: skip
    kinds = [_kind(values) for values in columns]

    def first(kind: str) -> int | None:
        return next((i for i, found in enumerate(kinds) if found == kind), None)

    date, direction = first("date"), first("flow")
    numbers = [i for i, kind in enumerate(kinds) if kind == "money"]
    signed = [i for i in numbers if any(_hint(value) for value in columns[i])]
    if date is None or not numbers:
        return None
    if len(numbers) == 1 or len(signed) == 1:
        amount = signed[0] if len(signed) == 1 else numbers[0]
    elif direction is not None:
        amount = numbers[0]
    else:
        return None
    texts = [i for i, kind in enumerate(kinds) if kind == "text"]
    longest = max(texts, key=lambda i: sum(len(cells.text(v)) for v in columns[i]), default=None)
    return ColumnMapping(
        date=date,
        description=() if longest is None else (longest,),
        amount=amount,
        direction=direction,
        time=first("time"),
    )


def _kind(values: list[Cell]) -> str:
    shapes = Counter(_shape(value) for value in values)
    if not shapes:
        return "blank"
    kind, count = shapes.most_common(1)[0]
    if kind == "money" and _is_counter(values):
        return "counter"  # a `No.` column: 1, 2, 3, …
    return kind if count * 2 >= len(values) else "text"


def _is_counter(values: list[Cell]) -> bool:
    wholes = [
        int(v) for v in values if isinstance(v, int) or (isinstance(v, float) and v.is_integer())
    ]
    return len(wholes) == len(values) and wholes == list(range(wholes[0], wholes[0] + len(wholes)))


def _shape(value: Cell) -> str:
    if isinstance(value, dt.datetime | dt.date):
        return "date"
    if isinstance(value, dt.time):
        return "time"
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return "text"
    if isinstance(value, int | float):
        return "money"
    written = value.strip().lstrip("'")
    if written.casefold() in _PENDING:
        return "date"
    try:
        _date(written, None, None)
        return "date"
    except _Unreadable as error:
        if error.args[0] == "no_year":
            return "date"
    if re.fullmatch(r"\d{1,2}:\d{2}(?::\d{2})?", written):
        return "time"
    if _flow_word(written):
        return "flow"
    try:
        _money(written)
    except _Unreadable:
        return "text"
    return "money"


def _hint(value: Cell) -> bool:
    try:
        return _money(value)[1] is not None
    except _Unreadable:
        return False
