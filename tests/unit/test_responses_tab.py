"""Finding the Google Form's responses tab whatever the Google account's language."""

from __future__ import annotations

import pytest

from openorder_sheets.core.responses_tab import (
    default_responses_tabs,
    find_responses_tab,
    looks_like_responses,
)

TOOL_TABS = ["Produk", "Batch", "Pesanan", "Ringkasan", "Email"]


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("google_name", ["Form Responses 1", "Respons Formulir 1"])
def test_either_languages_default_name_is_found(language: str, google_name: str) -> None:
    """An Indonesian shop on an English Google account (and the reverse) finds its answers."""
    assert find_responses_tab([*TOOL_TABS, google_name], None, None, language) == google_name


def test_the_shops_language_wins_when_both_exist() -> None:
    tabs = ["Form Responses 1", "Respons Formulir 1"]
    assert find_responses_tab(tabs, None, None, "id") == "Respons Formulir 1"
    assert find_responses_tab(tabs, None, None, "en") == "Form Responses 1"


def test_the_name_is_returned_as_the_sheet_spells_it() -> None:
    """Google's newer sheets write `Form responses 1`; case and spaces do not matter."""
    assert find_responses_tab(["form responses  1"], None, None, "id") == "form responses  1"


def test_a_configured_name_is_the_only_one_that_counts() -> None:
    tabs = ["Form Responses 1", "Jawaban"]
    assert find_responses_tab(tabs, None, "jawaban", "id") == "Jawaban"
    assert find_responses_tab(tabs, None, "Pesanan Masuk", "id") is None


@pytest.mark.parametrize(
    "header",
    [
        ["Timestamp", "Email Address", "Name"],
        ["Stempel waktu", "Alamat email", "Nama"],
        ["  STEMPEL WAKTU ", "Email", 3],
    ],
)
def test_a_renamed_tab_is_found_by_its_timestamp_and_email_headers(header: list[object]) -> None:
    headers = {"Produk": ["SKU", "Nama"], "Jawaban PO": header, "Pesanan": ["Pesanan", "Email"]}
    assert find_responses_tab([*headers], headers, None, "id") == "Jawaban PO"


def test_two_tabs_that_look_like_responses_are_ambiguous() -> None:
    header = ["Timestamp", "Email Address"]
    headers = {"Old form": header, "New form": header}
    assert find_responses_tab([*headers], headers, None, "en") is None


def test_nothing_found_without_names_or_headers() -> None:
    assert find_responses_tab(TOOL_TABS, None, None, "id") is None
    assert find_responses_tab(TOOL_TABS, {"Produk": ["SKU"]}, None, "id") is None
    assert find_responses_tab([], {}, None, "en") is None


def test_a_timestamp_alone_is_not_enough() -> None:
    assert not looks_like_responses(["Timestamp", "Name"])
    assert not looks_like_responses(["Email", "Name"])
    assert looks_like_responses(["Timestamp", None, "Email Address"])


def test_default_names_put_the_shops_language_first() -> None:
    assert default_responses_tabs("id") == ("Respons Formulir 1", "Form Responses 1")
    assert default_responses_tabs("en") == ("Form Responses 1", "Respons Formulir 1")
