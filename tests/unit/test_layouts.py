"""How every tab looks (core/layouts.py): headers in the shop's language, formats, dropdowns,
status colours and the print layout, shared by the workbook and the Google sheet.

Headers are what the tool finds its columns by when it reads a tab back, so they must come from
the label tables in both languages and never repeat within a tab; the seller's own `Orders`
columns must be a real checkbox and a dropdown whose every choice the tool understands.
"""

from __future__ import annotations

import pytest

from openorder_sheets.core.labels import (
    COLUMN_LABELS,
    LANGUAGES,
    SELLER_ACTION_LABELS,
    STAGE_LABELS,
    fold,
    reverse_lookup,
)
from openorder_sheets.core.layouts import (
    HIGHLIGHTS,
    TAB_COLUMNS,
    currency_format,
    highlight_formula,
    summary_chart,
    tab_layout,
)
from openorder_sheets.core.model import SellerAction
from openorder_sheets.core.seller_columns import ORDER_SELLER_COLUMNS
from openorder_sheets.core.seller_words import seller_action
from openorder_sheets.ports import ColumnKind, ColumnSpec, Highlight

ALL_TABS = sorted(TAB_COLUMNS)


def column(tab: str, key: str, language: str = "en") -> ColumnSpec:
    """The spec of one column of a tab, by its internal key."""
    return tab_layout(tab, language).columns[TAB_COLUMNS[tab].index(key)]


def headers(tab: str, language: str) -> list[str]:
    return [spec.header for spec in tab_layout(tab, language).columns]


# -- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tab", ALL_TABS)
def test_every_tab_s_headers_are_its_column_labels_in_the_shop_s_language(
    tab: str, language: str
) -> None:
    """The seller reads a tab in their language, and the reader finds columns by these words."""
    assert headers(tab, language) == [COLUMN_LABELS[key][language] for key in TAB_COLUMNS[tab]]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("tab", ALL_TABS)
def test_no_tab_repeats_a_header(tab: str, language: str) -> None:
    """Two columns with one header could not be told apart when the tab is read back."""
    folded = [fold(text) for text in headers(tab, language)]
    assert len(set(folded)) == len(folded)


def test_an_unknown_language_falls_back_to_english_headers() -> None:
    """A typo in `language` still gives a usable sheet, not a crash."""
    assert headers("orders", "fr") == headers("orders", "en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_internal_key_or_code_is_shown_to_the_seller(language: str) -> None:
    """Headers and dropdown choices are words (`Seller action`), never `seller_action`."""
    for tab in ALL_TABS:
        for spec in tab_layout(tab, language).columns:
            assert "_" not in spec.header, (tab, spec.header)
            for option in spec.options:
                assert "_" not in option, (tab, option)
    assert not {"Key", "Data", "Kunci"} & set(headers("orders", language))


def test_only_the_tool_s_memory_tab_is_hidden() -> None:
    """The seller must see every view, but not be invited to edit the tool's memory."""
    assert [tab for tab in ALL_TABS if tab_layout(tab, "en").hidden] == ["archived", "state"]


def test_the_orders_tab_ends_with_the_seller_s_own_columns() -> None:
    """The seller's four columns come after the tool's, in a stable order."""
    assert TAB_COLUMNS["orders"][-4:] == ORDER_SELLER_COLUMNS
    assert headers("orders", "en")[-4:] == ["Paid", "Seller action", "Tracking no.", "Seller note"]
    assert headers("orders", "id")[-4:] == [
        "Lunas",
        "Tindakan penjual",
        "No. resi",
        "Catatan penjual",
    ]


# -- the seller's columns: Paid and Seller action ------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_paid_is_a_checkbox_the_seller_ticks(language: str) -> None:
    """A tick is the quickest way for a seller to mark an order paid."""
    paid = column("orders", "paid", language)
    assert paid.kind is ColumnKind.CHECKBOX
    assert paid.options == ()


@pytest.mark.parametrize("language", LANGUAGES)
def test_seller_action_is_a_dropdown_of_actions_the_tool_understands(language: str) -> None:
    """Every choice in the dropdown must read back as its action, or picking it does nothing."""
    action = column("orders", "seller_action", language)
    assert action.kind is ColumnKind.DROPDOWN
    assert action.options == tuple(words[language] for words in SELLER_ACTION_LABELS.values())
    assert [seller_action(option)[0] for option in action.options] == [
        SellerAction.CONFIRM,
        SellerAction.CANCEL,
        SellerAction.REJECT,
        SellerAction.STOP_EMAILS,
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_batch_stage_is_a_dropdown_of_stages_the_tool_reads_back(language: str) -> None:
    """Choices in the shop's language, each one the stage the next sync acts on."""
    stage = column("batches", "stage", language)
    assert stage.kind is ColumnKind.DROPDOWN
    assert stage.options == tuple(words[language] for words in STAGE_LABELS.values())
    stages = reverse_lookup(STAGE_LABELS)
    assert [stages[fold(option)] for option in stage.options] == list(STAGE_LABELS)


def test_only_stage_and_seller_action_have_dropdown_choices() -> None:
    """Any other column with choices would refuse what the seller types."""
    with_options = {
        (tab, key)
        for tab in ALL_TABS
        for key, spec in zip(TAB_COLUMNS[tab], tab_layout(tab, "en").columns, strict=True)
        if spec.options
    }
    assert with_options == {("batches", "stage"), ("orders", "seller_action")}


def test_money_dates_and_counts_get_their_formats() -> None:
    """Amounts show as rupiah, moments as dates, counts as whole numbers."""
    assert column("orders", "amount_to_pay").kind is ColumnKind.MONEY
    assert column("orders", "submitted").kind is ColumnKind.DATETIME
    assert column("orders", "whatsapp_link").kind is ColumnKind.LINK
    assert column("batches", "ships_on").kind is ColumnKind.DATE
    assert column("summary", "filled").kind is ColumnKind.PERCENT
    assert column("payments", "outstanding").kind is ColumnKind.MONEY
    assert column("products", "active").kind is ColumnKind.CHECKBOX
    assert column("packing", "paid_word").kind is ColumnKind.TEXT  # a word on paper, not a box


def test_long_free_text_wraps_and_short_cells_do_not() -> None:
    """Addresses and problems stay readable; order numbers stay on one line."""
    assert column("orders", "problems").wrap
    assert column("packing", "address").wrap
    assert column("packing", "paid_word").wrap  # "Kurang Rp150.000" must not be cut off
    assert not column("orders", "order").wrap


# -- colours, filters, paper ---------------------------------------------------------------------


def test_status_colours_match_the_words_of_both_languages() -> None:
    """A shop that switches language keeps its colours: each highlight holds both words."""
    status = column("orders", "status", "id")
    confirmed = status.highlights[0]
    assert set(confirmed.words) == {"Confirmed", "Dikonfirmasi"}
    assert confirmed.fill == "C6EFCE"
    assert status.highlights == HIGHLIGHTS[("orders", "status")]
    assert column("orders", "name").highlights == ()


def test_the_highlight_condition_is_relative_to_the_first_data_row_and_quotes_words() -> None:
    """The rule moves down the column; a quote in a word must not break the formula."""
    highlight = Highlight(("Confirmed", 'say "hi"'), "C6EFCE")
    assert highlight_formula(9, highlight) == 'OR(J2="Confirmed",J2="say ""hi""")'
    assert highlight_formula(27, Highlight(("x",), "FFFFFF")) == 'OR(AB2="x")'


def test_only_orders_has_filter_buttons() -> None:
    """Filters help on the long Orders tab; every Orders column asks for them."""
    assert all(spec.filter for spec in tab_layout("orders", "en").columns)
    assert not any(spec.filter for spec in tab_layout("summary", "en").columns)


def test_orders_prints_through_problems_and_packing_prints_whole() -> None:
    """On paper the seller's own and screen-only columns are left off; other tabs have no
    print layout."""
    on_paper = [spec.on_paper for spec in tab_layout("orders", "en").columns]
    through = TAB_COLUMNS["orders"].index("problems")
    assert on_paper == [True] * (through + 1) + [False] * (len(on_paper) - through - 1)
    assert all(spec.on_paper for spec in tab_layout("packing", "en").columns)
    assert {spec.on_paper for spec in tab_layout("summary", "en").columns} == {None}


# -- currency and chart ----------------------------------------------------------------------


def test_rupiah_has_no_decimals_and_other_currencies_have_cents() -> None:
    """Nobody writes Rp165.000,00; a dollar shop needs its cents."""
    assert currency_format("IDR") == '"Rp"#,##0'
    assert currency_format("idr") == '"Rp"#,##0'
    assert currency_format("usd") == '"USD "#,##0.00'
    assert tab_layout("orders", "en", "SGD").currency_format == '"SGD "#,##0.00'


def test_the_summary_chart_plots_filled_percent_by_product_beside_the_table() -> None:
    """The chart must read the right columns and not sit on top of the table."""
    chart = summary_chart("id", "PO 1", 1, 5)
    assert chart.title == "Terisi % — PO 1"
    assert headers("summary", "en")[chart.category_column] == "Product"
    assert headers("summary", "en")[chart.value_column] == "Filled %"
    assert chart.anchor_column > len(TAB_COLUMNS["summary"]) - 1
    assert (chart.first_row, chart.last_row) == (1, 5)
    assert summary_chart("en").title == "Filled %"
