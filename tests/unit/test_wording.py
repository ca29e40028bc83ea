"""Problem and reason sentences (core/wording.py): both languages, the same blanks in each,
values quoted on one line."""

from __future__ import annotations

import string

from openorder_sheets.core.wording import _WORDS, quote, say


def _blanks(sentence: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(sentence) if name}


def test_every_sentence_has_both_languages_with_the_same_blanks() -> None:
    """A translation never drops or renames a value the English sentence shows."""
    for key, sentences in _WORDS.items():
        assert set(sentences) == {"en", "id"}, key
        assert _blanks(sentences["en"]) == _blanks(sentences["id"]), key


def test_say_fills_the_sentence_in_the_language_and_falls_back_to_english() -> None:
    """The seller's language is used; an unknown language reads English."""
    english = say("en", "bad_quantity", column="Nastar", value="'dua'")
    assert english == "column \"Nastar\" has 'dua' — write a whole number such as 2"
    assert say("xx", "bad_quantity", column="Nastar", value="'dua'") == english
    assert "angka bulat" in say("id", "bad_quantity", column="Nastar", value="'dua'")


def test_quote_puts_a_value_on_one_short_line() -> None:
    """Line breaks and runs of spaces fold; a long value is cut with an ellipsis."""
    assert quote("dua\n  jar") == "'dua jar'"
    long = quote("x" * 100, limit=10)
    assert long == "'" + "x" * 9 + "…'"
