"""Property: the `Public status` board never shows a buyer's contact details, address or notes.

Hypothesis builds shops of random buyers — names with an email or a phone number inside, names
that are only an email or a phone, phones in every way buyers write them (``+62 812-3456-7890``,
``0812 3456 7890``, ``6281234567890``, ``081234567890``), addresses, notes, seller notes and
tracking numbers — and runs their form answers through the real reading and rules (responses →
identify → decide), in both languages, with random stages, codes and payments. No cell of
:func:`board_rows` may then hold an ``@``, an email, a run of six or more digits (separators
ignored), an amount, or any word of five letters or more from an address or a note.

Figures (the test prints them with -s): 200 shops, 1,100–1,400 buyers per run (2–15 a shop).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openorder_sheets.core.form import map_form
from openorder_sheets.core.identity import identify
from openorder_sheets.core.model import (
    Batch,
    Catalog,
    Order,
    PriorOrder,
    Product,
    SellerInputs,
    Stage,
)
from openorder_sheets.core.public_board import BOARD_HEADERS, board_rows
from openorder_sheets.core.responses import read_responses
from openorder_sheets.core.rules import Settings, decide
from openorder_sheets.core.seller_columns import order_serial
from openorder_sheets.ports import Cell, Grid

ZONE = ZoneInfo("Asia/Jakarta")
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=ZONE)
NOW = OPENS + dt.timedelta(days=20)
HEADER: list[Cell] = [
    "Timestamp",
    "Email Address",
    "Name",
    "WhatsApp",
    "Address",
    "Delivery",
    "Notes",
    "Tell me about future batches",
    "Nastar Premium",
    "Kastengel Keju",
]
BATCH_NAMES = ("PO Imlek 1", "PO Imlek 2")
# Vocabularies kept apart, so a word on the board can only have come from the name.
GIVEN = ("Siti", "Budi", "Ayu", "Hendra", "Nur", "Dewi", "Agus", "Rina", "Yohanes", "Ketut")
FAMILY = ("Rahmawati", "Santoso", "Wijaya", "Kusuma", "Hutapea", "Saragih", "Nasution")
HONORIFIC = ("", "Bu ", "Kak ", "Pak ", "Mbak ")
ADDRESS_WORDS = (
    "Jalan", "Melati", "Kenanga", "Perumahan", "Griya", "Asri", "Cilandak", "Kebayoran",
    "Kelurahan", "Sukamaju", "Kecamatan", "Tebet", "Apartemen", "Kalibata", "Tower", "Blok",
    "Gang", "Cempaka", "Selatan", "Timur",
)  # fmt: skip
NOTE_WORDS = (
    "tolong", "dibungkus", "hantaran", "jangan", "kacang", "alergi", "pedas", "titipkan",
    "satpam", "kantor", "sebelum", "siang", "ulang", "tahun", "kartu", "ucapan",
)  # fmt: skip
SELLER_WORDS = ("pelanggan", "langganan", "reseller", "diskon", "komplain", "tetangga")
DOMAINS = ("gmail.com", "yahoo.co.id", "tokokue.id", "outlook.com")
NAME_SHAPES = ("plain", "with_email", "with_phone", "only_email", "only_phone", "phone_first")

phones = st.builds(
    lambda rest, style: _phone("812" + rest, style),
    st.text("0123456789", min_size=7, max_size=8),
    st.sampled_from(("intl_grouped", "local_spaced", "intl_digits", "local_digits", "dotted")),
)
emails = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.builds(
        lambda head, body, dot, tail: head + body + dot + tail,
        st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
        st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=3, max_size=12),
        st.sampled_from(("", ".", "_")),
        st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=6),
    ),
    st.sampled_from(DOMAINS),
)


def _phone(digits: str, style: str) -> str:
    if style == "intl_grouped":
        return f"+62 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == "local_spaced":
        return f"0{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == "intl_digits":
        return f"62{digits}"
    if style == "dotted":
        return f"0{digits[:3]}.{digits[3:7]}.{digits[7:]}"
    return f"0{digits}"


@dataclass(frozen=True)
class Buyer:
    given: str
    family: str | None
    name: str
    email: str
    phone: str
    address: str
    notes: str
    seller_note: str
    tracking: str
    minutes: int
    quantities: tuple[object, object]
    paid: str  # "none", "part" or "full"


@st.composite
def buyers(draw: st.DrawFn) -> Buyer:
    given = draw(st.sampled_from(GIVEN))
    family = draw(st.one_of(st.none(), st.sampled_from(FAMILY)))
    email = draw(st.one_of(emails, emails.map(lambda e: e.replace("@", ".", 1))))  # some invalid
    phone = draw(phones)
    plain = draw(st.sampled_from(HONORIFIC)) + " ".join(filter(None, (given, family)))
    shape = draw(st.sampled_from(NAME_SHAPES))
    name = {
        "plain": plain,
        "with_email": f"{plain} ({email})",
        "with_phone": f"{plain} WA {phone}",
        "only_email": email,
        "only_phone": phone,
        "phone_first": f"{phone} {plain}",
    }[shape]
    words = st.lists(st.sampled_from(ADDRESS_WORDS), min_size=2, max_size=6)
    house = draw(st.integers(1, 999))
    address = f"Jl. {' '.join(draw(words))} No. {house}, RT 0{house % 9}\n{draw(words)[0]}"
    note_words = draw(st.lists(st.sampled_from(NOTE_WORDS), max_size=6))
    notes = " ".join(note_words) + draw(st.sampled_from(("", f" WA {phone}", f" ({email})")))
    quantity = st.one_of(st.integers(0, 4), st.sampled_from(("2", "dua", "")))
    return Buyer(
        given=given,
        family=family,
        name=name,
        email=email,
        phone=phone,
        address=address,
        notes=notes,
        seller_note=" ".join(draw(st.lists(st.sampled_from(SELLER_WORDS), max_size=3))),
        tracking=draw(st.sampled_from(("", "JNE", "JNT", "SiCepat")))
        + draw(st.text("0123456789", min_size=10, max_size=12)),
        minutes=draw(st.integers(-600, 16 * 24 * 60)),
        quantities=(draw(quantity), draw(quantity)),
        paid=draw(st.sampled_from(("none", "part", "full"))),
    )


@dataclass(frozen=True)
class ShopCase:
    language: str
    capacities: tuple[int | None, int | None]
    stages: tuple[Stage, Stage]
    buyers: tuple[Buyer, ...]


shops = st.builds(
    ShopCase,
    st.sampled_from(("id", "en")),
    st.tuples(*[st.one_of(st.none(), st.integers(0, 8))] * 2),
    st.tuples(*[st.sampled_from(tuple(Stage))] * 2),
    st.lists(buyers(), min_size=2, max_size=15).map(tuple),
)


def catalog_for(case: ShopCase) -> Catalog:
    nastar, kastengel = case.capacities
    products = (
        Product("NASTAR", "Nastar Premium", Decimal(125000), "jar", nastar, 3, True, "", 2),
        Product(
            "KASTENGEL", "Kastengel Keju", Decimal(145000), "jar", kastengel, None, True, "", 3
        ),
    )
    week = dt.timedelta(days=7)
    batches = tuple(
        Batch(name, OPENS + i * week, OPENS + (i + 1) * week, (OPENS + (i + 2) * week).date(),
              case.stages[i], "", 2 + i)
        for i, name in enumerate(BATCH_NAMES)
    )  # fmt: skip
    return Catalog(products, (), batches)


def decided_orders(case: ShopCase, catalog: Catalog) -> list[Order]:
    """The buyers' answers through the real reading, numbering, rules and payment settling."""
    grid: Grid = [list(HEADER)]
    for buyer in case.buyers:
        stamp = (OPENS + dt.timedelta(minutes=buyer.minutes)).replace(tzinfo=None)
        grid.append(
            [stamp, buyer.email, buyer.name, buyer.phone, buyer.address, "Kurir", buyer.notes,
             "ya", *buyer.quantities]  # type: ignore[list-item]
        )  # fmt: skip
    mapping, problems = map_form("Form Responses 1", HEADER, catalog, {}, {})
    assert problems == []
    responses = read_responses(grid, mapping, catalog, ZONE, case.language)
    identified = identify(responses, [], "PO", ())
    orders = decide(identified, catalog, Settings(case.language, now=NOW))
    by_row = dict(enumerate(case.buyers, start=2))
    finished: list[Order] = []
    for order in orders:
        if order.response is None:
            finished.append(order)
            continue
        buyer = by_row[order.response.row]
        order = replace(order, code=order_serial(order.number) % 1000)  # a unique code
        owed = order.amount_to_pay
        paid = {"none": Decimal(0), "part": owed / 2, "full": owed}[buyer.paid]
        seller = SellerInputs(tracking_no=buyer.tracking, seller_note=buyer.seller_note)
        prior = PriorOrder(
            order.number, "", order.submitted, order.email, None, None, seller=seller
        )
        finished.append(replace(order, paid_amount=paid, prior=prior))
    return finished


_SEPARATED_DIGITS = re.compile(r"(?<=\d)[\s().+\-]+(?=\d)")
_MASKED = re.compile(r"^[^\W\d_]+(?:['’\-][^\W\d_]+)*(?: [^\W\d_]\.)?$")


def private_fragments(buyer: Buyer) -> set[str]:
    """Words of five letters or more the board must never show, and the whole values."""
    words = re.findall(r"[^\W\d_]{5,}", f"{buyer.address} {buyer.notes} {buyer.seller_note}")
    return {word.casefold() for word in words} | {
        buyer.email.casefold(),
        buyer.phone.casefold(),
        buyer.tracking.casefold(),
    }


def check_board(case: ShopCase) -> int:
    """Build the shop's board and check every cell; return how many buyers it held."""
    catalog = catalog_for(case)
    orders = decided_orders(case, catalog)
    rows = board_rows(orders, catalog, case.language)
    allowed = " ".join([*GIVEN, *FAMILY, *BATCH_NAMES]).casefold()
    forbidden = set[str]().union(*(private_fragments(buyer) for buyer in case.buyers))
    forbidden = {fragment for fragment in forbidden if fragment and fragment not in allowed}
    for row in rows:
        assert len(row) == len(BOARD_HEADERS[case.language])
        assert all(isinstance(cell, str) for cell in row)
        assert _MASKED.match(row[1]), row[1]
        for cell in row:
            folded = cell.casefold()
            assert "@" not in cell
            assert "rp" not in folded.split()
            assert not re.search(r"\d{6,}", _SEPARATED_DIGITS.sub("", cell)), cell
            for fragment in forbidden:
                assert fragment not in folded, (fragment, cell)
    return len(case.buyers)


HYPOTHESIS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_public_board_never_shows_contact_details_addresses_or_notes() -> None:
    """Across random shops in both languages, no board cell leaks a buyer's private data."""
    figures = {"shops": 0, "buyers": 0}

    @HYPOTHESIS
    @given(shops)
    def check(case: ShopCase) -> None:
        figures["buyers"] += check_board(case)
        figures["shops"] += 1

    check()
    print(f"public board privacy: {figures['shops']} shops, {figures['buyers']} buyers checked")
    assert figures["shops"] >= 200
