"""The `Public status` tab: where each order is, in words safe to show every buyer.

A seller shares this tab (read-only) so buyers can find their order number and see how far it
got without messaging the seller. A row holds exactly five things: the order number, the buyer's
name masked (``Siti R.``), the batch, the status in plain words and the planned ship date. It
never holds an email, phone number, address, amount, note, tracking number or problem: rows are
built from those five things only, so a field added to :class:`Order` later cannot leak here.

Which orders appear (the *live* ones):

- confirmed orders, with their progress (``Dikonfirmasi · sudah dibayar``, ``Sedang dibuat``…);
- waitlisted orders while their batch can still take them, with their place in the waitlist;
- orders that need attention, as "being checked by the seller": the buyer sent the form and must
  see that it arrived (else they send it again and make a duplicate), while the problem itself
  is the seller's to read, not the public's.

Cancelled, rejected, duplicate and expired orders, orders of a cancelled batch, and waitlisted
orders of a batch already in production (they will not be made) are left out.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence

from babel.dates import format_date

from openorder_sheets.core import cells
from openorder_sheets.core.formatting import locale_of
from openorder_sheets.core.labels import COLUMN_LABELS, LANGUAGES, label
from openorder_sheets.core.layouts import TAB_COLUMNS
from openorder_sheets.core.model import Catalog, Decision, Order, Stage
from openorder_sheets.core.orders_tab import progress_key
from openorder_sheets.core.seller_columns import order_serial

#: The tab's headers per language: its columns' labels (core/layouts, core/labels).
BOARD_HEADERS: Mapping[str, Sequence[str]] = {
    language: tuple(label(COLUMN_LABELS, key, language) for key in TAB_COLUMNS["public_status"])
    for language in LANGUAGES
}

#: What the public reads in `Status`: the progress of a confirmed order, or why it waits.
_STATUS_WORDS: Mapping[str, Mapping[str, str]] = {
    "awaiting_payment": {
        "en": "Confirmed · awaiting payment",
        "id": "Dikonfirmasi · menunggu pembayaran",
    },
    "partly_paid": {"en": "Confirmed · partly paid", "id": "Dikonfirmasi · dibayar sebagian"},
    "paid": {"en": "Confirmed · paid", "id": "Dikonfirmasi · sudah dibayar"},
    "in_production": {"en": "Being made", "id": "Sedang dibuat"},
    "ready": {"en": "Ready to ship", "id": "Siap dikirim"},
    "shipped": {"en": "Shipped", "id": "Dikirim"},
    "waitlisted": {"en": "Waitlist no. {place}", "id": "Daftar tunggu no. {place}"},
    "needs_attention": {"en": "Being checked by the seller", "id": "Sedang dicek penjual"},
}

#: A name that is only an email address, a phone number or symbols becomes this word.
_NO_NAME: Mapping[str, str] = {"en": "Buyer", "id": "Pembeli"}

#: Words in front of a name that say how to greet, not who: "Bu Siti Rahma" is Siti R.
_HONORIFICS = frozenset(
    {
        "bu", "ibu", "bunda", "pak", "bapak", "kak", "kakak", "ka", "kk", "mbak", "mba",
        "mas", "bang", "abang", "teh", "om", "tante", "hj", "hajjah", "haji", "dr",
        "mr", "mrs", "ms", "miss",
    }
)  # fmt: skip
#: Words buyers write next to a number or address in the name box ("Siti WA 0812…").
_CONTACT_WORDS = frozenset({"wa", "whatsapp", "hp", "telp", "tel", "phone", "email", "mail"})

#: Emails, links, handles and dotted or underscored user names ("siti.rahma", "siti_r"):
#: what a buyer types into the name box when it is not a name.
_ADDRESS_LIKE = re.compile(r"\S*@\S*|\S*://\S*|\S*[^\W_]\.[^\W_]\S*|\S*_\S*", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_LONGEST_WORD = 30


def _name_words(name: str) -> list[str]:
    """The words of a name: emails, links and digits gone, greetings in front dropped."""
    words = _WORD.findall(_ADDRESS_LIKE.sub(" ", name))
    words = [word[:_LONGEST_WORD] for word in words if word.casefold() not in _CONTACT_WORDS]
    while len(words) > 1 and words[0].casefold() in _HONORIFICS:
        words = words[1:]
    return words


def _capitalised(word: str) -> str:
    return word[0].upper() + word[1:] if word.islower() else word


def given_name(name: str, language: str) -> str:
    """The first given name (``Bu siti rahma`` → ``Siti``), or ``Pembeli``/``Buyer``."""
    return _given(_name_words(name), language)


def _given(words: list[str], language: str) -> str:
    return _capitalised(words[0]) if words else _NO_NAME.get(language, _NO_NAME["en"])


def mask_name(name: str, language: str) -> str:
    """``Siti R.``: the first given name and the initial of the last word.

    A single name stays as it is; emails, links and digits inside a name are dropped; a name
    that is only an email address or a phone number becomes ``Pembeli`` / ``Buyer``.
    """
    words = _name_words(name)  # once: a board lists every live order's name
    first = _given(words, language)
    if len(words) < 2:
        return first
    return f"{first} {words[-1][0].upper()}."


def is_live(order: Order) -> bool:
    """Whether ``order`` appears on the board (see the module's docstring for why)."""
    batch = order.batch
    if batch is not None and batch.stage is Stage.CANCELLED:
        return False
    if order.status is Decision.WAITLISTED:
        return batch is None or batch.stage is Stage.NONE
    return order.status in (Decision.CONFIRMED, Decision.NEEDS_ATTENTION)


def _queue_key(order: Order) -> tuple[int, dt.datetime, int, int]:
    """The rules' queue order: first submission, then response row (see `identity`)."""
    if order.response is not None:
        row = order.response.row
    else:
        row = (order.prior.response_row or 0) if order.prior else 0
    if order.submitted is None:
        return (1, dt.datetime.max.replace(tzinfo=dt.UTC), row, order_serial(order.number))
    return (0, order.submitted, row, order_serial(order.number))


def waitlist_places(orders: Iterable[Order]) -> dict[str, int]:
    """Order number → place in its batch's waitlist (1 = moves up first when room frees up,
    if its items fit), in the order the rules decide: first submission, then response row."""
    waiting: dict[str, list[Order]] = {}
    for order in orders:
        if order.status is Decision.WAITLISTED and order.batch is not None and is_live(order):
            waiting.setdefault(order.batch.name, []).append(order)
    places: dict[str, int] = {}
    for queue in waiting.values():
        for place, order in enumerate(sorted(queue, key=_queue_key), start=1):
            places[order.number] = place
    return places


def status_words(order: Order, place: int | None, language: str) -> str:
    """``Dikonfirmasi · sudah dibayar``, ``Daftar tunggu no. 3``: the status a buyer reads."""
    if order.status is Decision.WAITLISTED:
        key = "waitlisted"
    elif order.status is Decision.NEEDS_ATTENTION:
        key = "needs_attention"
    else:
        key = progress_key(order) or "awaiting_payment"
    return label(_STATUS_WORDS, key, language).format(place=place or "")


@functools.lru_cache(maxsize=1024)
def short_date(day: dt.date, language: str) -> str:
    """``12 Des 2026`` / ``12 Dec 2026``: a date as a person writes it in a table."""
    text: str = format_date(day, format="d MMM y", locale=locale_of(language))
    return text


def board_rows(orders: Iterable[Order], catalog: Catalog, language: str) -> list[list[str]]:
    """The rows under :data:`BOARD_HEADERS`: one per live order, by batch, then order number.

    The ship date is shown for confirmed orders only: a waitlisted order was not promised one.
    """
    live = [order for order in orders if is_live(order)]
    places = waitlist_places(live)
    batch_position = {
        batch.name: index
        for index, batch in enumerate(sorted(catalog.batches, key=lambda b: b.opens))
    }

    unknown = len(batch_position)

    def position(order: Order) -> tuple[int, int, str]:
        where = batch_position.get(order.batch.name, unknown) if order.batch else unknown + 1
        return (where, order_serial(order.number), order.number)

    rows: list[list[str]] = []
    for order in sorted(live, key=position):
        batch = order.batch
        ships = batch.ships_on if batch is not None else None
        shown_date = ships is not None and order.status is Decision.CONFIRMED
        rows.append(
            [
                cells.safe_text(order.number),
                mask_name(order.response.name if order.response else "", language),
                cells.safe_text(batch.name) if batch is not None else "",
                status_words(order, places.get(order.number), language),
                short_date(ships, language) if shown_date and ships is not None else "",
            ]
        )
    return rows
