"""Which tab holds the Google Form's answers, when the config does not name it.

Google names the tab after the language of the seller's Google account, not the shop's:
``Form Responses 1`` in English, ``Respons Formulir 1`` in Indonesian. A seller who renames it
keeps the form's own first two columns, ``Timestamp`` (``Stempel waktu``) and the email address,
so a renamed tab is still found by those headers. Pure: the caller reads the tabs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openorder_sheets.core import cells
from openorder_sheets.core.labels import LANGUAGES, TAB_LABELS, fold
from openorder_sheets.ports import Cell

#: Headers Google Forms writes for the submission time, in the languages it is used in here.
TIMESTAMP_HEADERS = frozenset({"timestamp", "stempel waktu", "cap waktu"})
#: Headers Google Forms writes for a collected email address (and common hand-made ones).
EMAIL_HEADERS = frozenset({"email address", "alamat email", "email", "e-mail", "alamat surel"})


def default_responses_tabs(language: str) -> tuple[str, ...]:
    """The names Google gives the responses tab: the shop's language first, then the others."""
    labels = TAB_LABELS["responses"]
    first = labels.get(language, labels["en"])
    return (first, *(labels[other] for other in LANGUAGES if labels[other] != first))


def looks_like_responses(header_row: Sequence[Cell]) -> bool:
    """Whether a header row has the form's timestamp column and an email column."""
    folded = {fold(cells.text(cell)) for cell in header_row if cell is not None}
    return bool(folded & TIMESTAMP_HEADERS) and bool(folded & EMAIL_HEADERS)


def find_responses_tab(
    tab_names: Sequence[str],
    headers_by_tab: Mapping[str, Sequence[Cell]] | None,
    configured: str | None,
    language: str,
) -> str | None:
    """The name (as spelt in ``tab_names``) of the tab holding the form's answers, or None.

    ``configured`` is the name the config gives explicitly (``[form] tab`` or
    ``[tabs] responses``): then only that tab counts, compared ignoring case and spaces.
    Otherwise either language's default name is taken, the shop's language first; failing
    that, the one tab whose header row (``headers_by_tab``, when given) has a timestamp and an
    email column. Several such tabs are ambiguous: None, and the caller lists the tabs.
    """
    by_fold = {fold(name): name for name in tab_names}
    if configured:
        return by_fold.get(fold(configured))
    for name in default_responses_tabs(language):
        if fold(name) in by_fold:
            return by_fold[fold(name)]
    if not headers_by_tab:
        return None
    matches = [name for name in tab_names if looks_like_responses(headers_by_tab.get(name) or ())]
    return matches[0] if len(matches) == 1 else None
