"""Reviews from buyers: the seller's `Testimonials` tab, and asking for a review after shipping.

The tab belongs to the seller (the tool only reads it): one row per review, typed or pasted from
a reply, or written by a second Google Form linked to it (which adds its `Timestamp` column
first). Headers are read in either language, and a linked form's questions are recognised by
their words (``Berapa bintang?``, ``Nomor pesanan``). Stars may be written as ``5``, ``★★★★★``,
``4/5`` or ``5 bintang``; a `Show` / `Tampilkan` tick (TRUE, ✓, ya, v, x…) picks the reviews that
appear in the next batch's announcements and on the public board, first name only.

A review whose stars cannot be read still counts as a review that came back, without stars (so
it is left out of the average), and is shown without stars when ticked; the problem names the
row and the cell so the seller can fix it. Buyer text stays exactly as typed: it is data for the
templates, which escape it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from openorder_sheets.core import cells
from openorder_sheets.core.labels import COLUMN_LABELS, TAB_LABELS, fold, label
from openorder_sheets.core.layouts import TAB_COLUMNS
from openorder_sheets.core.ledger import message_key
from openorder_sheets.core.lifecycle import reachable
from openorder_sheets.core.model import (
    Decision,
    EmailDue,
    EmailKind,
    EmailState,
    LedgerEntry,
    Order,
    Stage,
)
from openorder_sheets.core.public_board import given_name
from openorder_sheets.core.seller_columns import order_serial
from openorder_sheets.core.wording import quote
from openorder_sheets.ports import Cell, Grid

#: The headers `init` writes, in this order (a linked form writes its own questions instead).
REVIEW_COLUMNS: tuple[str, ...] = ("name", "order", "stars", "text", "show")
#: The tab's headers in both languages: the same words as the column labels `init` writes.
REVIEW_HEADERS: Mapping[str, Mapping[str, str]] = {
    "timestamp": {"en": "Timestamp", "id": "Stempel waktu"},  # a linked form's first column
    **{
        key: COLUMN_LABELS[column]
        for key, column in zip(REVIEW_COLUMNS, TAB_COLUMNS["testimonials"], strict=True)
    },
}
#: Other headers a seller or a form question may use, matched whole (case and spaces ignored).
_SAME_HEADERS: Mapping[str, tuple[str, ...]] = {
    "timestamp": ("cap waktu", "waktu", "tanggal", "date", "time"),
    "name": ("nama pembeli", "nama kakak", "nama lengkap", "buyer", "pembeli", "your name"),
    "order": ("order no.", "order number", "no. pesanan", "nomor pesanan", "kode pesanan"),
    "stars": ("rating", "nilai", "penilaian", "score", "skor", "star"),
    "text": ("text", "teks", "testimonial", "testimoni", "comment", "komentar", "kesan"),
    "show": ("tampil", "shown", "publish", "tayangkan"),
}
#: Words that give a form question away, for headers no list above matches (checked in order:
#: "Berapa bintang untuk pesanan Kakak?" is about stars, not the order).
_HEADER_HINTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stars", ("bintang", "star", "rating")),
    ("text", ("ulasan", "review", "testimon", "cerita", "komentar", "comment", "kesan")),
    ("order", ("nomor pesanan", "no. pesanan", "kode pesanan", "order number", "order no")),
    ("name", ("nama", "name")),
)
_REQUIRED = ("text", "show")

_SHOW_WORDS = frozenset({"v", "☑", "✅", "show", "tampilkan", "tampil"})
_STAR_MARKS = "★⭐*"
_EMPTY_STAR_MARKS = "☆"
_STARS_WORDS = re.compile(r"^(?:bintang\s*)?(\d{1,3})\s*(?:/\s*(\d{1,3})|bintang|stars?|\*)?$")

_PROBLEMS: Mapping[str, Mapping[str, str]] = {
    "missing_column": {
        "en": "Tab '{tab}' has no column '{column}' in its header row: add it (row 1).",
        "id": "Tab '{tab}' tidak punya kolom '{column}' di baris judul: tambahkan (baris 1).",
    },
    "bad_stars": {
        "en": "{tab} row {row}: {column} has {value}, which is not 1 to 5 stars — write a "
        "number such as 5, or ★★★★★; the review counts without stars until then.",
        "id": "{tab} baris {row}: kolom {column} berisi {value}, bukan 1 sampai 5 bintang — "
        "tulis angka seperti 5, atau ★★★★★; sampai itu ulasan dihitung tanpa bintang.",
    },
    "bad_show": {
        "en": "{tab} row {row}: {column} has {value}, which the tool does not understand — "
        "tick it or write Yes to show the review, leave it blank to keep it private.",
        "id": "{tab} baris {row}: kolom {column} berisi {value}, tidak dimengerti — centang "
        "atau tulis Ya untuk menampilkan ulasan, kosongkan kalau tidak.",
    },
}


@dataclass(frozen=True)
class Review:
    """One row of the `Testimonials` tab, read as the seller (or the form) left it."""

    name: str
    first_name: str  # what is shown publicly: "Siti" (or "Pembeli" when no name is usable)
    order: str  # the order number as written ("PO-0012", "po 12"); "" when not given
    stars: int | None  # 1–5; None when blank or unreadable
    text: str  # exactly as typed (line breaks kept)
    shown: bool  # ticked in `Show`
    when: dt.datetime | None  # the form's timestamp, when the tab has one
    row: int  # sheet row number (the header is row 1)


def _say(language: str, key: str, **params: object) -> str:
    return label(_PROBLEMS, key, language).format(**params)


def _columns(header: Sequence[Cell]) -> dict[str, int]:
    """Column key → index, by the tab's own headers, then the words of form questions."""
    exact: dict[str, str] = {}
    for key, labels in REVIEW_HEADERS.items():
        for words in (*labels.values(), *_SAME_HEADERS[key]):
            exact.setdefault(fold(words), key)
    folded = [fold(cells.text(cell)) for cell in header]
    found: dict[str, int] = {}
    for position, words in enumerate(folded):
        known = exact.get(words)
        if known is not None and known not in found:
            found[known] = position
    taken = set(found.values())
    for key, hints in _HEADER_HINTS:
        for position, words in enumerate(folded):
            if key in found:
                break
            if position not in taken and any(hint in words for hint in hints):
                found[key] = position
                taken.add(position)
    return found


def read_stars(cell: Cell) -> int | None:
    """1–5 from ``5``, ``"★★★★☆"``, ``"4/5"``, ``"8/10"``, ``"5 bintang"``; ``None`` if blank.

    Raises :class:`~openorder_sheets.core.cells.CellError` for anything else (``0``, ``4.5``,
    ``mantap``): a half star is not guessed up or down.
    """
    if cells.is_blank(cell):
        return None
    if isinstance(cell, bool):
        raise cells.CellError("a tick is not a number of stars")
    word = fold(cells.text(cell)).replace("\ufe0f", "")  # ⭐️: the emoji's variation mark
    marks = sum(word.count(mark) for mark in _STAR_MARKS)
    if marks and not word.strip(_STAR_MARKS + _EMPTY_STAR_MARKS + " "):
        count = marks
    else:
        match = _STARS_WORDS.match(word)
        if match is None:
            raise cells.CellError(f"'{word[:40]}' is not a number of stars")
        count, out_of = int(match.group(1)), int(match.group(2) or 5)
        if out_of == 10 and count % 2 == 0:
            count //= 2  # "8/10" from a ten-point scale
        elif out_of != 5:
            raise cells.CellError(f"'{word[:40]}' is not out of 5")
    if not 1 <= count <= 5:
        raise cells.CellError(f"{count} is not 1 to 5 stars")
    return count


def read_show(cell: Cell) -> bool:
    """A `Show` tick: a checkbox, or TRUE/✓/ya/yes/v/x; blank is not shown."""
    if cells.is_blank(cell):
        return False
    if fold(cells.text(cell)) in _SHOW_WORDS:
        return True
    return cells.boolean(cell)


def read_reviews(
    grid: Grid | None, language: str, zone: ZoneInfo
) -> tuple[list[Review], list[str]]:
    """Every review in the tab (rows with neither text nor stars are skipped), and problems.

    A missing tab is no problem: the seller has not started collecting reviews.
    """
    if not grid:
        return [], []
    tab = label(TAB_LABELS, "testimonials", language)
    columns = _columns(grid[0])
    missing = [key for key in _REQUIRED if key not in columns]
    if missing:
        return [], [
            _say(language, "missing_column", tab=tab, column=_header(key, language))
            for key in missing
        ]
    reviews: list[Review] = []
    problems: list[str] = []
    for row_number, row in enumerate(grid[1:], start=2):

        def cell(key: str, row: Sequence[Cell] = row) -> Cell:
            position = columns.get(key)
            if position is None or position >= len(row):
                return None
            value = row[position]
            return cells.unescape(value) if isinstance(value, str) else value

        def unreadable(key: str, row_number: int = row_number) -> str:
            return _say(
                language,
                f"bad_{key}",
                tab=tab,
                row=row_number,
                column=_header(key, language),
                value=quote(cells.text(cell(key))),
            )

        text = cells.text(cell("text"))
        stars: int | None = None
        try:
            stars = read_stars(cell("stars"))
        except cells.CellError:
            problems.append(unreadable("stars"))
        if not text and stars is None:
            continue
        try:
            show = read_show(cell("show"))
        except cells.CellError:
            show = False
            problems.append(unreadable("show"))
        when = None
        with contextlib.suppress(cells.CellError):
            when = cells.when(cell("timestamp"), zone)
        name = cells.one_line(cells.text(cell("name")))
        reviews.append(
            Review(
                name=name,
                first_name=given_name(name, language),
                order=cells.one_line(cells.text(cell("order"))),
                stars=stars,
                text=text,
                shown=show,
                when=when,
                row=row_number,
            )
        )
    return reviews, problems


def _header(key: str, language: str) -> str:
    return label(REVIEW_HEADERS, key, language)


def shown(reviews: Iterable[Review], limit: int = 3) -> list[Review]:
    """The ticked reviews with text, newest first: by timestamp when every one has one (a
    linked form), else by row (a pasted tab grows downwards)."""
    ticked = [review for review in reviews if review.shown and review.text]
    if all(review.when is not None for review in ticked):
        ticked.sort(key=lambda r: (r.when or dt.datetime.min, r.row), reverse=True)
    else:
        ticked.sort(key=lambda r: r.row, reverse=True)
    return ticked[: max(limit, 0)]


def _order_key(written: str) -> str:
    return "".join(written.split()).casefold().lstrip("#")


def per_batch(
    reviews: Iterable[Review], order_batches: Mapping[str, str]
) -> dict[str, tuple[int, Decimal | None]]:
    """Per batch: how many reviews came back, and their average stars (one decimal, or None).

    A review is matched to its order by number as written (``PO-0012``, ``po 12``, ``#12``:
    the running number when it is unambiguous); a second review of one order replaces the
    first (the newest counts). Reviews that name no known order are not counted.
    """
    by_key = {_order_key(number): number for number in order_batches}
    by_serial: dict[int, list[str]] = {}
    for number in order_batches:
        by_serial.setdefault(order_serial(number), []).append(number)
    latest: dict[str, Review] = {}
    for review in sorted(reviews, key=_age):
        matched = by_key.get(_order_key(review.order))
        if matched is None and review.order:
            candidates = by_serial.get(order_serial(review.order), [])
            matched = candidates[0] if len(candidates) == 1 else None
        if matched is not None:
            latest[matched] = review
    counted: dict[str, list[Review]] = {}
    for number, review in latest.items():
        counted.setdefault(order_batches[number], []).append(review)
    result: dict[str, tuple[int, Decimal | None]] = {}
    for batch, found in counted.items():
        stars = [review.stars for review in found if review.stars is not None]
        average = (
            (Decimal(sum(stars)) / len(stars)).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if stars
            else None
        )
        result[batch] = (len(found), average)
    return result


def _age(review: Review) -> tuple[int, dt.datetime, int]:
    """Oldest first: reviews with a timestamp by it, those without by row, after them."""
    if review.when is None:
        return (1, dt.datetime.min.replace(tzinfo=dt.UTC), review.row)
    return (0, review.when, review.row)


def shipped_at(entries: Iterable[LedgerEntry]) -> dict[str, dt.datetime]:
    """Order number → when its `order_shipped` message was sent (the first, if several)."""
    sent: dict[str, dt.datetime] = {}
    for entry in entries:
        if (
            entry.kind == EmailKind.ORDER_SHIPPED
            and entry.state is EmailState.SENT
            and entry.last_attempt is not None
            and entry.order
        ):
            earlier = sent.get(entry.order)
            sent[entry.order] = min(earlier, entry.last_attempt) if earlier else entry.last_attempt
    return sent


def review_key(order: Order) -> str:
    """One request per order, like the stage messages: ``PO-0001/review_request/a@b.c/1``."""
    return message_key(order.number, EmailKind.REVIEW_REQUEST, order.email, 1)


def review_emails(
    orders: Iterable[Order],
    entries: Iterable[LedgerEntry],
    now: dt.datetime,
    after_days: int,
    stale_days: int = 14,
) -> list[EmailDue]:
    """`review_request` for each shipped order ``after_days`` after its shipping email went.

    Once per order: an order that already has a `review_request` in the ledger (to any
    address) gets none again. ``after_days`` 0 turns the requests off. A request more than
    ``stale_days`` overdue is not sent at all, so turning the setting on (or a sync after weeks
    away) does not ask buyers about orders they received long ago.
    """
    if after_days <= 0:
        return []
    entries = list(entries)
    asked = {entry.order for entry in entries if entry.kind == EmailKind.REVIEW_REQUEST}
    shipped = shipped_at(entries)
    wait = dt.timedelta(days=after_days)
    too_late = wait + dt.timedelta(days=max(stale_days, 0))
    due: list[EmailDue] = []
    for order in orders:
        sent = shipped.get(order.number)
        batch = order.batch
        if (
            sent is None
            or order.number in asked
            or order.status is not Decision.CONFIRMED
            or (batch is not None and batch.stage is Stage.CANCELLED)
            or not reachable(order)
            or not wait <= now - sent <= too_late
        ):
            continue
        due.append(
            EmailDue(
                review_key(order),
                EmailKind.REVIEW_REQUEST,
                order.email,
                order.number,
                batch.name if batch is not None else "",
            )
        )
    return due
