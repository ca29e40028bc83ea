"""The email templates and their renderer: complete, readable, and safe with hostile input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from openorder_sheets.adapters.templates import (
    KINDS,
    RenderedEmail,
    TemplateError,
    TemplateRenderer,
    copy_default_templates,
    default_templates_dir,
)
from openorder_sheets.service.email_samples import BATCH_KINDS, ORDER_KINDS, sample_context

LANGUAGES = ("id", "en")
SPEC_KINDS = [
    "order_confirmed",
    "order_waitlisted",
    "order_promoted",
    "order_rejected",
    "order_needs_attention",
    "order_updated",
    "order_change_refused",
    "order_not_made",
    "payment_reminder",
    "payment_received",
    "payment_short",
    "order_expired",
    "order_cancelled",
    "production_started",
    "batch_ready",
    "order_shipped",
    "review_request",
    "batch_delayed",
    "batch_cancelled",
    "batch_open",
    "batch_closing",
]


@pytest.fixture(scope="module")
def renderers() -> dict[str, TemplateRenderer]:
    return {language: TemplateRenderer(language) for language in LANGUAGES}


@pytest.fixture(scope="module")
def rendered(renderers: dict[str, TemplateRenderer]) -> dict[tuple[str, str], RenderedEmail]:
    return {
        (kind, language): renderers[language].render(kind, sample_context(kind, language))
        for kind in KINDS
        for language in LANGUAGES
    }


@pytest.fixture(scope="module")
def hostile(renderers: dict[str, TemplateRenderer]) -> dict[tuple[str, str], RenderedEmail]:
    return {
        (kind, language): renderers[language].render(
            kind, sample_context(kind, language, hostile=True)
        )
        for kind in KINDS
        for language in LANGUAGES
    }


def sparse_context(kind: str, language: str) -> dict[str, object]:
    """The sample context with every optional value absent: None, "" or an empty list."""
    context = sample_context(kind, language)
    context["buyer"] = {"name": "", "email": "a@example.com", "whatsapp": ""}
    context["shop"] = {
        "name": "Toko",
        "form_url": "",
        "reply_to": "",
        "email": "t@example.com",
        "status_url": "",
        "review_url": "",
        "payment": {"accounts": [], "instructions": ""},
    }
    context["next_batch"] = None
    order = context["order"]
    if isinstance(order, dict):
        order.update(
            batch="",
            unique_code=None,
            payment_due=None,
            reasons=[],
            address="",
            delivery="",
            notes="",
            tracking_no="",
            previous_items_text=None,
        )
        context["batch"] = None
    else:
        context["batch"] = {
            "name": "PO 1",
            "opens": "x",
            "closes": "y",
            "ships_on": "",
            "previous_ships_on": None,
            "note": "",
            "stage": "",
            "is_open": False,
        }
    return context


def seller_dir(tmp_path: Path, files: dict[str, str], language: str = "en") -> Path:
    folder = tmp_path / "mytemplates"
    (folder / language).mkdir(parents=True)
    for name, text in files.items():
        (folder / language / name).write_text(text, encoding="utf-8")
    return folder


# -- completeness --------------------------------------------------------------------------


def test_kinds_are_the_spec_s_and_the_lifecycle_s(renderers: dict[str, TemplateRenderer]) -> None:
    """The renderer knows exactly the spec's sixteen kinds plus the three the lifecycle adds
    (needs attention, change refused, waitlisted order not made), and the samples cover them."""
    assert renderers["id"].kinds() == SPEC_KINDS
    assert sorted(ORDER_KINDS + BATCH_KINDS) == sorted(SPEC_KINDS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", SPEC_KINDS)
def test_every_kind_has_its_three_files(kind: str, language: str) -> None:
    """Each kind ships a subject, a plain-text body and an HTML body in both languages."""
    folder = default_templates_dir() / language
    for suffix in (".subject.txt", ".txt", ".html"):
        assert (folder / f"{kind}{suffix}").is_file(), f"{language}/{kind}{suffix} missing"


def test_default_templates_dir_is_the_repository_folder() -> None:
    """Outside a wheel, the defaults are the repository's top-level templates/ folder."""
    assert default_templates_dir() == Path(__file__).parents[2] / "templates"


# -- rendering the samples -----------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", SPEC_KINDS)
def test_sample_renders_with_one_line_subject_and_key_facts(
    rendered: dict[tuple[str, str], RenderedEmail], kind: str, language: str
) -> None:
    """Every kind renders; the subject is one non-empty line; bodies carry number and amount."""
    email = rendered[(kind, language)]
    assert email.subject
    assert email.subject == email.subject.strip()
    assert "\n" not in email.subject
    assert "\r" not in email.subject
    assert "Dapur Bu Rina" in email.subject
    assert email.text.endswith("\n")
    assert not email.text.endswith("\n\n")
    context = sample_context(kind, language)
    order = context["order"]
    if kind in ORDER_KINDS:
        assert isinstance(order, dict)
        for body in (email.subject, email.text, email.html):
            assert order["number"] in body
        for body in (email.text, email.html):
            assert order["total"] in body
            assert order["amount_to_pay"] in body
    else:
        assert "PO Lebaran 1" in email.subject
        assert "https://forms.gle/AbCdEf123456" in email.html
        assert "https://forms.gle/AbCdEf123456" in email.text


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", SPEC_KINDS)
def test_html_is_a_phone_friendly_standalone_page(
    rendered: dict[tuple[str, str], RenderedEmail], kind: str, language: str
) -> None:
    """HTML has lang, viewport, a title, ≥15px fonts, ~560px column and no external resources."""
    html = rendered[(kind, language)].html
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert re.search(r"<title>[^<]+</title>", html)
    assert "max-width:560px" in html
    sizes = [int(size) for size in re.findall(r"font-size:(\d+)px", html)]
    assert sizes
    assert min(sizes) >= 15
    for forbidden in ("<img", "<link", "<script", "<style", "src=", "url(", "@import"):
        assert forbidden not in html.lower()


def test_waitlisted_says_no_payment_yet(rendered: dict[tuple[str, str], RenderedEmail]) -> None:
    """The waitlist email is honest: nothing to pay yet, and the buyer will be told."""
    assert "belum perlu membayar" in rendered[("order_waitlisted", "id")].text
    assert "do not need to pay anything yet" in rendered[("order_waitlisted", "en")].text


@pytest.mark.parametrize("language", LANGUAGES)
def test_rejection_names_reason_and_next_batch(
    rendered: dict[tuple[str, str], RenderedEmail], language: str
) -> None:
    """A rejected buyer reads why, and when the next batch opens."""
    context = sample_context("order_rejected", language)
    email = rendered[("order_rejected", language)]
    order, next_batch = context["order"], context["next_batch"]
    assert isinstance(order, dict)
    assert isinstance(next_batch, dict)
    for body in (email.text, email.html):
        assert order["reasons"][0] in body
        assert next_batch["opens"] in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_delay_shows_new_and_old_date_and_note(
    rendered: dict[tuple[str, str], RenderedEmail], language: str
) -> None:
    """The delay email names the new date, the old date and the seller's note."""
    batch = sample_context("batch_delayed", language)["batch"]
    assert isinstance(batch, dict)
    email = rendered[("batch_delayed", language)]
    for body in (email.text, email.html):
        assert batch["ships_on"] in body
        assert batch["previous_ships_on"] in body
        assert batch["note"] in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_update_shows_new_items_status_and_previous_items(
    rendered: dict[tuple[str, str], RenderedEmail], language: str
) -> None:
    """order_updated shows what the order is now, its status, and what it was before."""
    order = sample_context("order_updated", language)["order"]
    assert isinstance(order, dict)
    email = rendered[("order_updated", language)]
    for body in (email.text, email.html):
        assert order["items_text"] in body
        assert order["status"] in body
        assert order["previous_items_text"] in body


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", SPEC_KINDS)
def test_sparse_context_renders(
    renderers: dict[str, TemplateRenderer], kind: str, language: str
) -> None:
    """Templates cope with every optional value absent (None, "", no name, no form link)."""
    email = renderers[language].render(kind, sparse_context(kind, language))
    assert email.subject
    assert "None" not in email.text
    assert "None" not in email.html
    greeting = email.text.splitlines()[0]
    assert greeting in ("Halo Kak,", "Hi there,")


# -- hostile buyer text --------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", SPEC_KINDS)
def test_hostile_buyer_text_stays_data(
    hostile: dict[tuple[str, str], RenderedEmail], kind: str, language: str
) -> None:
    """Markup is escaped in HTML, template syntax shows literally, no line break in the subject."""
    email = hostile[(kind, language)]
    assert "<script>" not in email.html
    assert "<b>" not in email.html
    assert "<img" not in email.html
    assert "\r" not in email.subject
    assert "\n" not in email.subject
    if kind in ORDER_KINDS:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
        for body in (email.text, email.html):
            assert "{{ 7*7 }}" in body
            assert "{% raw %}" in body
            assert "49" not in body
        assert "=HYPERLINK(&#34;http://x&#34;)" in email.html
        assert "<script>alert(1)</script>" in email.text  # plain text shows it as typed


def test_line_break_in_name_never_reaches_subject(tmp_path: Path) -> None:
    """A seller subject using the buyer's name cannot be split into forged header lines."""
    folder = seller_dir(
        tmp_path, {"order_confirmed.subject.txt": "For {{ buyer.name }}\n({{ order.number }})\n"}
    )
    email = TemplateRenderer("en", folder).render(
        "order_confirmed", sample_context("order_confirmed", "en", hostile=True)
    )
    assert email.subject == 'For =HYPERLINK("http://x") Bcc: victim@example.com (PO-0001)'


# -- seller templates ----------------------------------------------------------------------


def test_undefined_variable_is_an_error_naming_it(tmp_path: Path) -> None:
    """A misspelt variable stops the render with its name, the file and the line."""
    folder = seller_dir(tmp_path, {"order_confirmed.txt": "Hi\n{{ order.nuber }}\n"})
    with pytest.raises(TemplateError) as caught:
        TemplateRenderer("en", folder).render(
            "order_confirmed", sample_context("order_confirmed", "en")
        )
    message = str(caught.value)
    assert "nuber" in message
    assert "order_confirmed.txt line 2" in message
    assert "\n" not in message
    assert "Traceback" not in message


def test_undefined_top_level_variable_is_named(tmp_path: Path) -> None:
    """An unknown top-level name is reported by name, with the list of real variables."""
    folder = seller_dir(tmp_path, {"batch_open.html": "<p>{{ custmer }}</p>"})
    with pytest.raises(TemplateError, match=r"custmer.*the variables are: kind"):
        TemplateRenderer("en", folder).render("batch_open", sample_context("batch_open", "en"))


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ order['items'].append(1) }}",
        "{{ buyer.update(name='x') }}",
        "{{ (buyer|attr('__class__')) }}",
    ],
)
def test_sandbox_blocks_python_internals(tmp_path: Path, source: str) -> None:
    """A seller template reaching Python internals or mutating data is a clear TemplateError."""
    folder = seller_dir(tmp_path, {"order_confirmed.html": source})
    with pytest.raises(TemplateError) as caught:
        TemplateRenderer("en", folder).render(
            "order_confirmed", sample_context("order_confirmed", "en")
        )
    assert "order_confirmed.html" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    """A broken tag is reported with the file and its line number."""
    folder = seller_dir(tmp_path, {"order_shipped.txt": "Hi\n\n{% if order.tracking_no %}\n"})
    with pytest.raises(TemplateError, match=r"order_shipped\.txt has a syntax error on line \d"):
        TemplateRenderer("en", folder).render(
            "order_shipped", sample_context("order_shipped", "en")
        )


def test_missing_include_is_named(tmp_path: Path) -> None:
    """An include of a file that exists nowhere names the missing file."""
    folder = seller_dir(tmp_path, {"order_confirmed.txt": '{% include "_ordr.txt" %}'})
    with pytest.raises(TemplateError, match=r"_ordr\.txt"):
        TemplateRenderer("en", folder).render(
            "order_confirmed", sample_context("order_confirmed", "en")
        )


def test_missing_seller_file_falls_back_to_default(tmp_path: Path) -> None:
    """A file absent from the seller's copy comes from the packaged defaults."""
    folder = seller_dir(tmp_path, {"order_confirmed.subject.txt": "Yay {{ order.number }}!"})
    renderer = TemplateRenderer("en", folder)
    context = sample_context("order_confirmed", "en")
    email = renderer.render("order_confirmed", context)
    default = TemplateRenderer("en").render("order_confirmed", context)
    assert email.subject == "Yay PO-0001!"
    assert email.text == default.text
    assert email.html.replace(email.subject, "") == default.html.replace(default.subject, "")


def test_seller_shared_piece_overrides_default(tmp_path: Path) -> None:
    """A seller's _order.txt is used by the default bodies that include it."""
    folder = seller_dir(tmp_path, {"_order.txt": "MY SUMMARY {{ order.items_text }}\n"})
    email = TemplateRenderer("en", folder).render(
        "payment_received", sample_context("payment_received", "en")
    )
    assert "MY SUMMARY 2× Nastar Premium, 1× Kastengel Keju" in email.text


def test_missing_templates_dir_is_a_clear_error(tmp_path: Path) -> None:
    """A templates_dir that does not exist is reported, not silently ignored."""
    with pytest.raises(TemplateError, match="does not exist"):
        TemplateRenderer("id", tmp_path / "nope")


def test_unknown_kind_is_a_clear_error(renderers: dict[str, TemplateRenderer]) -> None:
    """Asking for a kind that does not exist lists the real kinds."""
    with pytest.raises(TemplateError, match="order_confirmed"):
        renderers["en"].render("order_confirmd", sample_context("order_confirmed", "en"))


def test_empty_subject_is_an_error(tmp_path: Path) -> None:
    """A subject template that renders blank is refused rather than sent empty."""
    folder = seller_dir(tmp_path, {"batch_open.subject.txt": "{# nothing #}\n  \n"})
    with pytest.raises(TemplateError, match="empty subject"):
        TemplateRenderer("en", folder).render("batch_open", sample_context("batch_open", "en"))


# -- copying the defaults ------------------------------------------------------------------


def test_copy_default_templates_never_overwrites(tmp_path: Path) -> None:
    """init --templates copies every default once and keeps the seller's edited files."""
    dest = tmp_path / "templates"
    written = copy_default_templates(dest)
    assert dest / "id" / "order_confirmed.html" in written
    assert dest / "en" / "batch_closing.subject.txt" in written
    assert dest / "README.md" in written
    edited = dest / "id" / "order_confirmed.subject.txt"
    edited.write_text("Punya saya {{ order.number }}", encoding="utf-8")
    (dest / "en" / "batch_open.txt").unlink()
    again = copy_default_templates(dest)
    assert again == [dest / "en" / "batch_open.txt"]
    assert edited.read_text(encoding="utf-8") == "Punya saya {{ order.number }}"
    email = TemplateRenderer("id", dest).render(
        "order_confirmed", sample_context("order_confirmed", "id")
    )
    assert email.subject == "Punya saya PO-0001"
