"""Reading the form's response rows into cleaned :class:`Response` values (SPEC §4.2).

Each problem names the column and the value so the seller can fix the cell; a response with
problems is still read, so it becomes an order that `Needs attention` rather than vanishing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from openorder_sheets.core import cells
from openorder_sheets.core.form import FormMapping
from openorder_sheets.core.labels import fold
from openorder_sheets.core.model import Catalog, Response, evolve
from openorder_sheets.core.wording import quote, say
from openorder_sheets.ports import Cell, Grid

_YES_PREFIXES = ("ya", "yes", "mau", "boleh", "iya", "y", "true", "ok", "setuju", "tentu")


def read_responses(
    grid: Grid, mapping: FormMapping, catalog: Catalog, zone: ZoneInfo, language: str
) -> list[Response]:
    """Every non-empty response row, cleaned, with its problems."""
    return [
        read_response(number, row, mapping, catalog, zone, language) for number, row in _rows(grid)
    ]


def read_responses_known(
    grid: Grid,
    mapping: FormMapping,
    catalog: Catalog,
    zone: ZoneInfo,
    language: str,
    known: Mapping[str, Response],
) -> tuple[list[Response], dict[str, Response]]:
    """:func:`read_responses`, taking each row read before from ``known`` (by
    :func:`answer_key`; ``known`` must come from the same :func:`reading_context`): cleaning an
    answer (the address and phone checks above all) is most of what reading a big form costs,
    and a buyer's answer rarely changes. Also returns what to know next time: every row now."""
    responses: list[Response] = []
    now_known: dict[str, Response] = {}
    for number, row in _rows(grid):
        key = answer_key(row)
        seen = known.get(key)
        if seen is None:
            seen = read_response(number, row, mapping, catalog, zone, language)
        elif seen.row != number:
            seen = evolve(seen, row=number)  # the same answer, moved (rows above deleted)
        responses.append(seen)
        now_known[key] = seen
    return responses, now_known


def answer_key(row: Sequence[Cell]) -> str:
    """A fingerprint of one response row's cells, their types included (``repr`` tells
    ``1``, ``1.0``, ``True`` and ``'1'`` apart, and quotes text whatever it holds): one call
    for the whole row, where a big form's no-op sync spent a tenth of its time cell by cell."""
    try:
        text = repr(tuple(row))
    except ValueError:  # an integer too long for ``repr`` (a pasted run of digits)
        text = "\x1f".join(_cell_text(cell) for cell in row)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _cell_text(cell: Cell) -> str:
    """A cell and its type as text; an integer too long for ``repr`` (a pasted run of digits
    past Python's 4,300) in hexadecimal."""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return f"i{cell:x}"
    return f"{type(cell).__name__}:{cell!r}"


def reading_context(
    mapping: FormMapping, catalog: Catalog, zone: ZoneInfo, language: str, code: str
) -> str:
    """A fingerprint of everything besides the row that reading an answer depends on: the
    form's columns, the products, the time zone, the language, and ``code`` (the version of
    the code that reads, given by the caller). Answers read under another context are read
    again."""
    text = repr((mapping, catalog.products, zone.key, language, code))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _rows(grid: Grid) -> Iterator[tuple[int, list[Cell]]]:
    for number, row in enumerate(grid[1:], start=2):
        if any(not cells.is_blank(cell) for cell in row):
            yield number, row


def read_response(
    number: int,
    row: list[Cell],
    mapping: FormMapping,
    catalog: Catalog,
    zone: ZoneInfo,
    language: str,
) -> Response:
    """One response row → :class:`Response`; never raises, whatever the cells hold."""
    problems: list[str] = []

    def cell(name: str) -> Cell:
        column = mapping.fields.get(name)
        if column is None or column >= len(row):
            return None
        value = row[column]
        # A sheet may hold formula-like answers behind a safety apostrophe; the buyer typed
        # the text without it.
        return cells.unescape(value) if isinstance(value, str) else value

    def header(name: str) -> str:
        return mapping.header(mapping.fields.get(name, 0))

    timestamp = None
    with contextlib.suppress(cells.CellError):
        timestamp = cells.when(cell("timestamp"), zone)
    if timestamp is None:
        problems.append(
            say(
                language,
                "bad_timestamp",
                column=header("timestamp"),
                value=quote(cells.text(cell("timestamp"))),
            )
        )
    email = clean_email(cells.text(cell("email")))
    if email is None:
        problems.append(
            say(
                language,
                "bad_email",
                column=header("email"),
                value=cells.one_line(cells.text(cell("email")))[:80],
            )
        )
    name = cells.one_line(cells.text(cell("name")))
    if not name:
        problems.append(say(language, "no_name", column=header("name")))
    before = len(problems)
    quantities = _quantities(row, mapping, catalog, language, problems)
    if not quantities and len(problems) == before:
        problems.append(say(language, "no_items"))
    for sku, _ in quantities:
        product = catalog.product(sku)
        if product is not None and not product.active:
            problems.append(
                say(language, "inactive_product", product=product.name, row=product.row)
            )
    phone = clean_phone(cells.text(cell("phone")))
    return Response(
        row=number,
        timestamp=timestamp,
        email=email if email is not None else cells.one_line(cells.text(cell("email"))).lower(),
        email_ok=email is not None,
        name=name,
        phone=phone,
        phone_grouped=grouped_phone(phone) or "",
        address=cells.text(cell("address")),
        delivery=cells.one_line(cells.text(cell("delivery"))),
        notes=cells.text(cell("notes")),
        opt_in=_opted_in(cell("opt_in")),
        quantities=tuple(quantities),
        problems=tuple(problems),
    )


def _quantities(
    row: list[Cell], mapping: FormMapping, catalog: Catalog, language: str, problems: list[str]
) -> list[tuple[str, int]]:
    found: dict[str, int] = {}
    for product in catalog.products:
        column = mapping.products.get(product.sku)
        if column is None or column >= len(row):
            continue
        try:
            amount = cells.quantity(row[column])
        except cells.CellError:
            problems.append(
                say(
                    language,
                    "bad_quantity",
                    column=mapping.header(column),
                    value=quote(cells.text(row[column])),
                )
            )
            continue
        if amount:
            found[product.sku] = amount
    items_column = mapping.fields.get("items")
    if items_column is not None and items_column < len(row):
        for sku in _choices(
            cells.text(row[items_column]), mapping.header(items_column), catalog, language, problems
        ):
            found[sku] = found.get(sku, 0) + 1
    order = {product.sku: index for index, product in enumerate(catalog.products)}
    return sorted(found.items(), key=lambda item: order.get(item[0], 0))


def _choices(
    answer: str, header: str, catalog: Catalog, language: str, problems: list[str]
) -> list[str]:
    """Products ticked in a checkbox question (Google joins the choices with ', ')."""
    rest = fold(answer)
    chosen = []
    for product in sorted(catalog.products, key=lambda p: len(p.name), reverse=True):
        needle = fold(product.name)
        if needle and needle in rest:
            chosen.append(product.sku)
            rest = rest.replace(needle, " ")
    leftover = " ".join(part.strip() for part in rest.split(",") if part.strip())
    if leftover.strip(" ,;"):
        problems.append(say(language, "unknown_choice", column=header, value=leftover[:60]))
    return chosen


# Checking an address or a phone number costs ~50-80 µs and buyers order again and again:
# both checks are pure, so recent answers are remembered.
@functools.lru_cache(maxsize=16384)
def clean_email(value: str) -> str | None:
    """The address lower-cased, or ``None`` when it is not a valid address."""
    candidate = value.strip()
    if not candidate or any(ch in candidate for ch in '\r\n\t,;<>"') or len(candidate) > 254:
        return None
    try:
        checked = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    return str(checked.normalized).lower()


@functools.lru_cache(maxsize=16384)
def clean_phone(value: str) -> str:
    """An Indonesian number as ``+62…``; anything else as written, on one line."""
    raw = cells.one_line(value)
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        return raw[:40]
    if phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return raw[:40]


def _opted_in(cell: Cell) -> bool | None:
    """The buyer's answer to "tell me about the next batch": yes, no, or ``None`` when blank
    (a blank answer neither asks for news nor undoes an earlier answer)."""
    if isinstance(cell, bool):
        return cell
    word = fold(cells.text(cell))
    if not word:
        return None
    return word.split()[0].strip(",.!") in _YES_PREFIXES


@functools.lru_cache(maxsize=16384)
def grouped_phone(phone: str) -> str | None:
    """A number the tool normalised, grouped as people write it (``+62 812-3456-7890``), for
    the sheet and for emails; ``None`` for anything else (the buyer's text)."""
    if phone.startswith("+") and phone[1:].isdigit():
        try:
            number = phonenumbers.parse(phone, None)
        except phonenumbers.NumberParseException:
            return None
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        if shown.startswith("+") and all(ch.isdigit() or ch in "+ -" for ch in shown):
            return shown
    return None
