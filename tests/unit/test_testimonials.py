"""Reviews: reading the `Testimonials` tab, picking what to show, averages, asking for them."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from openorder_sheets.adapters.templates import TemplateRenderer
from openorder_sheets.core.model import (
    Batch,
    Decision,
    EmailKind,
    EmailState,
    LedgerEntry,
    Line,
    Order,
    Product,
    Response,
    Stage,
)
from openorder_sheets.core.testimonials import (
    Review,
    per_batch,
    read_reviews,
    review_emails,
    shown,
)
from openorder_sheets.ports import Cell, Grid
from openorder_sheets.service.email_samples import sample_context

JAKARTA = ZoneInfo("Asia/Jakarta")
HEADER: list[Cell] = ["Nama", "Pesanan", "Bintang", "Ulasan", "Tampilkan"]
HOSTILE = '=HYPERLINK("http://x")<script>alert(1)</script> {{ 7*7 }}\nbaris dua'


def tab(*rows: list[Cell], header: list[Cell] = HEADER) -> Grid:
    return [list(header), *(list(row) for row in rows)]


def one(grid: Grid, language: str = "id") -> tuple[Review, list[str]]:
    reviews, problems = read_reviews(grid, language, JAKARTA)
    assert len(reviews) == 1
    return reviews[0], problems


# -- reading the tab -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "stars"),
    [
        ("5", 5),
        (5, 5),
        (4.0, 4),
        ("★★★★★", 5),
        ("★★★☆☆", 3),
        ("⭐️⭐️⭐️⭐️", 4),
        ("4/5", 4),
        ("8/10", 4),
        ("5 bintang", 5),
        ("Bintang 4", 4),
        ("3 stars", 3),
        ("*****", 5),
        ("", None),
        (None, None),
    ],
)
def test_stars_are_read_in_every_way_sellers_and_forms_write_them(
    cell: Cell, stars: int | None
) -> None:
    """Numbers, star characters, 'n/5' and 'n bintang' all give 1–5; blank is no stars."""
    review, problems = one(tab(["Siti", "PO-0001", cell, "Enak!", True]))
    assert review.stars == stars
    assert problems == []


@pytest.mark.parametrize("cell", ["mantap", "0", "6", "4.5", "7/10", "★★★★★★"])
def test_unreadable_stars_count_the_review_without_stars_and_say_where(cell: Cell) -> None:
    """The review is kept (counted, shown when ticked) and the problem names row and column."""
    review, problems = one(tab(["Siti", "PO-0001", cell, "Enak!", True]))
    assert review.stars is None
    assert review.shown
    assert len(problems) == 1
    assert "Testimoni baris 2" in problems[0]
    assert "Bintang" in problems[0]


@pytest.mark.parametrize("tick", [True, "TRUE", "✓", "ya", "Yes", "v", "x", "X", 1])
def test_show_ticks_in_every_form_show_the_review(tick: Cell) -> None:
    """A checkbox, TRUE, ✓, ya/yes, v or x ticks `Tampilkan`."""
    review, problems = one(tab(["Siti", "PO-0001", 5, "Enak!", tick]))
    assert review.shown
    assert problems == []


@pytest.mark.parametrize("tick", [False, "FALSE", "", None, "tidak", "no"])
def test_blank_or_no_keeps_the_review_private(tick: Cell) -> None:
    """Only a tick shows a review."""
    review, problems = one(tab(["Siti", "PO-0001", 5, "Enak!", tick]))
    assert not review.shown
    assert problems == []


def test_an_unclear_tick_is_not_shown_and_is_a_problem() -> None:
    """'nanti' is neither yes nor no: not shown, and the seller is told."""
    review, problems = one(tab(["Siti", "PO-0001", 5, "Enak!", "nanti"]), "en")
    assert not review.shown
    assert len(problems) == 1
    assert "Testimonials row 2" in problems[0]
    assert "'nanti'" in problems[0]


def test_a_linked_review_form_with_its_timestamp_and_questions_is_read() -> None:
    """Google Forms' `Stempel waktu` column first and its own questions are recognised."""
    header: list[Cell] = [
        "Stempel waktu",
        "Nama Kakak",
        "Nomor pesanan",
        "Berapa bintang untuk pesanan Kakak?",
        "Ceritakan pengalaman Kakak",
        "Tampilkan",
    ]
    stamp = dt.datetime(2027, 2, 25, 10, 15)
    review, problems = one(tab([stamp, "Siti R", "PO-0012", "5", "Renyah!", "✓"], header=header))
    assert problems == []
    assert (review.name, review.order, review.stars, review.text) == (
        "Siti R",
        "PO-0012",
        5,
        "Renyah!",
    )
    assert review.when == stamp.replace(tzinfo=JAKARTA)
    assert review.shown


def test_english_headers_are_read_too() -> None:
    """The tab works whichever language its headers are in."""
    header: list[Cell] = ["Timestamp", "Name", "Order", "Stars", "Review", "Show"]
    review, problems = one(
        tab(["2027-02-25 10:15", "Ani", "PO-1", "4/5", "Nice", True], header=header)
    )
    assert (review.first_name, review.stars, review.shown, problems) == ("Ani", 4, True, [])


def test_buyer_text_stays_exactly_as_typed_and_stays_a_string() -> None:
    """Markup, template syntax, a formula and line breaks are kept verbatim as plain text."""
    review, _ = one(tab(["=cmd|' /C calc'!A0", "PO-1", 5, HOSTILE, True]))
    assert review.text == HOSTILE
    assert isinstance(review.text, str)
    assert review.first_name == "Cmd"  # a name made of a formula shows only its words


def test_a_sheet_s_safety_apostrophe_is_not_part_of_the_text() -> None:
    """Text the sheet stored as '=… reads back as the buyer typed it."""
    review, _ = one(tab(["Ani", "PO-1", 5, "'=)) lucu", True]))
    assert review.text == "=)) lucu"


def test_rows_without_text_or_stars_are_not_reviews() -> None:
    """A row with only a name (or nothing) is skipped; stars alone count as a review."""
    reviews, problems = read_reviews(
        tab(["Siti", "PO-1", None, "", True], [], ["Ani", "PO-2", 4, "", False]), "id", JAKARTA
    )
    assert [review.name for review in reviews] == ["Ani"]
    assert reviews[0].row == 4
    assert problems == []


def test_no_tab_is_no_problem_and_missing_columns_are_named() -> None:
    """Without the tab nothing is read; without `Ulasan`/`Tampilkan` the seller is told."""
    assert read_reviews(None, "id", JAKARTA) == ([], [])
    reviews, problems = read_reviews([["Nama", "Bintang"], ["Siti", 5]], "id", JAKARTA)
    assert reviews == []
    assert len(problems) == 2
    assert "'Ulasan'" in problems[0]
    assert "'Tampilkan'" in problems[1]


def test_first_name_only_is_kept_for_showing() -> None:
    """The shown name is the first given name; an email as name becomes 'Pembeli'."""
    reviews, _ = read_reviews(
        tab(
            ["Bu Siti Rahmawati", "PO-1", 5, "Enak", True],
            ["ani@example.com", "PO-2", 5, "Mantap", True],
        ),
        "id",
        JAKARTA,
    )
    assert [review.first_name for review in reviews] == ["Siti", "Pembeli"]


# -- which reviews are shown -----------------------------------------------------------------


def review(
    row: int,
    *,
    when: dt.datetime | None = None,
    show: bool = True,
    text: str = "Enak",
    stars: int | None = 5,
    order: str = "",
) -> Review:
    return Review(f"Buyer {row}", f"Buyer{row}", order, stars, text, show, when, row)


def test_shown_are_the_newest_ticked_reviews_by_timestamp() -> None:
    """With timestamps, the newest three ticked reviews with text, newest first."""
    day = dt.datetime(2027, 2, 1, tzinfo=JAKARTA)
    reviews = [
        review(2, when=day + dt.timedelta(days=5)),
        review(3, when=day + dt.timedelta(days=1)),
        review(4, when=day + dt.timedelta(days=9), show=False),
        review(5, when=day + dt.timedelta(days=7)),
        review(6, when=day + dt.timedelta(days=3)),
        review(7, when=day + dt.timedelta(days=8), text=""),
    ]
    assert [r.row for r in shown(reviews)] == [5, 2, 6]
    assert [r.row for r in shown(reviews, limit=1)] == [5]


def test_shown_without_timestamps_are_the_lowest_rows_first() -> None:
    """A pasted tab grows downwards: the last rows are the newest."""
    reviews = [review(2), review(3), review(4), review(5, show=False), review(6)]
    assert [r.row for r in shown(reviews)] == [6, 4, 3]


# -- per batch: how many came back, average stars --------------------------------------------


def test_per_batch_counts_reviews_and_averages_stars() -> None:
    """Count and one-decimal average per batch; reviews without stars count but do not average."""
    order_batches = {"PO-0001": "PO 1", "PO-0002": "PO 1", "PO-0003": "PO 1", "PO-0012": "PO 2"}
    reviews = [
        review(2, order="PO-0001", stars=5),
        review(3, order="po 2", stars=4),
        review(4, order="PO-0003", stars=4),
        review(5, order="#12", stars=None),
        review(6, order="PO-0099", stars=1),  # no such order: not counted
        review(7, order="", stars=1),
    ]
    assert per_batch(reviews, order_batches) == {"PO 1": (3, Decimal("4.3")), "PO 2": (1, None)}


def test_a_second_review_of_one_order_replaces_the_first() -> None:
    """The newest review of an order is the one that counts."""
    reviews = [review(2, order="PO-0001", stars=2), review(3, order="PO-0001", stars=5)]
    assert per_batch(reviews, {"PO-0001": "PO 1"}) == {"PO 1": (1, Decimal("5.0"))}


# -- asking for a review ---------------------------------------------------------------------

NASTAR = Product("NASTAR", "Nastar", Decimal(85000), "jar", 10, None, True, "", 2)
OPENS = dt.datetime(2027, 2, 1, 9, tzinfo=JAKARTA)
PO1 = Batch("PO 1", OPENS, OPENS + dt.timedelta(days=7), None, Stage.SHIPPED, "", 2)
SHIPPED = dt.datetime(2027, 2, 20, 15, 0, tzinfo=JAKARTA)


def shipped_order(number: str = "PO-0001", *, email: str = "siti@example.com") -> Order:
    response = Response(
        2, OPENS, email, "@" in email, "Siti", "", "", "", "", None, (("NASTAR", 1),), ()
    )
    return Order(number, response, None, PO1, OPENS, (Line(NASTAR, 1),), Decision.CONFIRMED, ())


def shipped_entry(
    number: str = "PO-0001", state: EmailState = EmailState.SENT, when: dt.datetime = SHIPPED
) -> LedgerEntry:
    key = f"{number}/order_shipped/siti@example.com/1"
    return LedgerEntry(key, number, "order_shipped", "siti@example.com", state, 1, when)


def test_review_request_is_due_after_the_delay_with_the_stage_key_convention() -> None:
    """Three days after order_shipped was sent, one review_request keyed like stage messages."""
    (due,) = review_emails([shipped_order()], [shipped_entry()], SHIPPED + dt.timedelta(days=3), 3)
    assert due.key == "PO-0001/review_request/siti@example.com/1"
    assert (due.kind, due.to, due.order, due.batch) == (
        EmailKind.REVIEW_REQUEST,
        "siti@example.com",
        "PO-0001",
        "PO 1",
    )


def test_no_review_request_before_the_delay_or_when_turned_off() -> None:
    """Not a minute early, and review_after_days = 0 sends none."""
    early = SHIPPED + dt.timedelta(days=3, minutes=-1)
    assert review_emails([shipped_order()], [shipped_entry()], early, 3) == []
    late = SHIPPED + dt.timedelta(days=9)
    assert review_emails([shipped_order()], [shipped_entry()], late, 0) == []


def test_review_request_goes_once_per_order() -> None:
    """An order whose review_request is in the ledger (to any address) is not asked again."""
    asked = LedgerEntry(
        "PO-0001/review_request/old@example.com/1",
        "PO-0001",
        "review_request",
        "old@example.com",
        EmailState.SENT,
        1,
        SHIPPED + dt.timedelta(days=3),
    )
    later = SHIPPED + dt.timedelta(days=5)
    assert review_emails([shipped_order()], [shipped_entry(), asked], later, 3) == []


def test_only_orders_whose_shipping_email_was_sent_are_asked() -> None:
    """A queued or failed order_shipped, or none at all, is not 'shipped' yet for a review."""
    later = SHIPPED + dt.timedelta(days=4)
    for state in (EmailState.QUEUED, EmailState.FAILED, EmailState.DEFERRED):
        assert review_emails([shipped_order()], [shipped_entry(state=state)], later, 3) == []
    assert review_emails([shipped_order()], [], later, 3) == []


def test_unreachable_cancelled_or_cancelled_batch_orders_are_not_asked() -> None:
    """No valid address, a cancelled order or a cancelled batch: no review request."""
    later = SHIPPED + dt.timedelta(days=4)
    entries = [shipped_entry()]
    unreachable = shipped_order(email="not an email")
    cancelled = replace(shipped_order(), status=Decision.CANCELLED)
    batch_gone = replace(shipped_order(), batch=replace(PO1, stage=Stage.CANCELLED))
    for order in (unreachable, cancelled, batch_gone):
        assert review_emails([order], entries, later, 3) == []


def test_a_long_overdue_request_is_never_sent() -> None:
    """Turning reviews on does not ask about orders received weeks ago."""
    entries = [shipped_entry()]
    assert review_emails([shipped_order()], entries, SHIPPED + dt.timedelta(days=17), 3)
    assert review_emails([shipped_order()], entries, SHIPPED + dt.timedelta(days=18), 3) == []


# -- the templates ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["id", "en"])
def test_review_request_template_links_the_review_form_or_asks_for_a_reply(language: str) -> None:
    """With `review_url` the email links it; without, it asks the buyer to reply."""
    renderer = TemplateRenderer(language)
    context = sample_context("review_request", language)
    without = renderer.render("review_request", context)
    assert "PO-0001" in without.subject
    assert "https://forms.gle/review1" not in without.html
    reply = "balas email ini" if language == "id" else "reply to this email"
    assert reply in without.text
    shop = dict(context["shop"])  # type: ignore[call-overload]
    shop["review_url"] = "https://forms.gle/review1"
    linked = renderer.render("review_request", {**context, "shop": shop})
    assert 'href="https://forms.gle/review1"' in linked.html
    assert "https://forms.gle/review1" in linked.text


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("kind", ["batch_open", "batch_closing"])
def test_announcements_template_show_testimonials_as_escaped_quotes_with_stars(
    kind: str, language: str
) -> None:
    """Each testimonial shows its text quoted, the first name and ★ per star; text is data."""
    renderer = TemplateRenderer(language)
    testimonials = [
        {"first_name": "Siti", "stars": 4, "text": "Renyah dan wangi"},
        {"first_name": "Ani", "stars": None, "text": HOSTILE},
    ]
    email = renderer.render(kind, {**sample_context(kind, language), "testimonials": testimonials})
    assert '"Renyah dan wangi"' in email.text
    assert "– Siti ★★★★\n" in email.text
    assert "“Renyah dan wangi”" in email.html
    assert "&lt;script&gt;" in email.html
    assert "<script>" not in email.html
    assert "{{ 7*7 }}" in email.text
    assert "49" not in email.text


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("kind", ["batch_open", "batch_closing"])
def test_announcements_template_without_testimonials_show_nothing_of_them(
    kind: str, language: str
) -> None:
    """An empty list, or none given, leaves no heading behind."""
    renderer = TemplateRenderer(language)
    without = {k: v for k, v in sample_context(kind, language).items() if k != "testimonials"}
    plain = renderer.render(kind, without)
    empty = renderer.render(kind, {**without, "testimonials": []})
    assert plain == empty
    for words in ("What our buyers say", "Kata mereka", "★"):
        assert words not in plain.text
        assert words not in plain.html
