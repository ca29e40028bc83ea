"""The seller's words (core/labels.py): every label in both languages, either language read
back, English when the language is unknown."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from openorder_sheets.core import labels
from openorder_sheets.core.labels import (
    EMAIL_KIND_LABELS,
    LANGUAGES,
    STATUS_LABELS,
    fold,
    label,
    reverse_lookup,
)
from openorder_sheets.core.model import Decision, EmailKind

TABLES = {
    name: table
    for name, table in vars(labels).items()
    if name.endswith("_LABELS") and isinstance(table, Mapping)
}


def test_fold_ignores_case_and_spacing() -> None:
    """`  Max   PER buyer ` and `max per buyer` are the same header."""
    assert fold("  Max \n PER\tbuyer ") == fold("max per buyer") == "max per buyer"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_label_is_written_in_every_language(name: str) -> None:
    """No key falls back to English in Indonesian because a translation was forgotten."""
    for key, words in TABLES[name].items():
        assert set(words) == set(LANGUAGES), (name, key)
        assert all(word.strip() for word in words.values()), (name, key)


def test_a_label_in_an_unknown_language_is_english() -> None:
    """A language the tool does not speak reads English, not a crash."""
    assert label(STATUS_LABELS, "confirmed", "id") == "Dikonfirmasi"
    assert label(STATUS_LABELS, "confirmed", "fr") == "Confirmed"


def test_reverse_lookup_reads_either_language_and_the_key() -> None:
    """A seller who switched language keeps a working sheet: both words map to one key."""
    found = reverse_lookup(STATUS_LABELS)
    assert found[fold("DIKONFIRMASI")] == found["confirmed"] == "confirmed"
    assert found["needs attention"] == found["perlu dicek"] == "needs_attention"
    assert {found[fold(d.value.replace("_", " "))] for d in Decision} == {d.value for d in Decision}


def test_every_email_kind_has_a_seller_word_and_no_other_key() -> None:
    """The `Last email` column never shows an internal kind code."""
    assert set(EMAIL_KIND_LABELS) == set(EmailKind)
    assert label(EMAIL_KIND_LABELS, "order_confirmed", "id") == "Konfirmasi"
