"""The Emails ledger, a new machine, hostile buyer text, and what a saved workbook holds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from openorder_sheets.core.cells import text
from openorder_sheets.errors import SheetSetupError
from openorder_sheets.testing.shops import ShopBuilder

NOW = "2027-02-16 10:00"


def test_the_ledger_records_each_message_with_a_key_and_message_id(builder: ShopBuilder) -> None:
    """SPEC §3/§5: one Emails row per message; Message-ID derived from the key."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    [row] = shop.table("emails")
    assert row["Key"] == "PO-0001/order_confirmed/a@example.com/1"
    assert (row["State"], row["Attempts"], row["To"]) == ("sent", 1, "a@example.com")
    message = shop.transport.sent[0]
    assert message["Message-ID"] == row["Message-ID"]
    assert message["X-OpenOrder-Kind"] == "order_confirmed"
    assert message["X-OpenOrder-Order"] == "PO-0001"
    assert message.is_multipart()
    assert text(shop.order("PO-0001")["Last email"]) == "Confirmation sent · 16 Feb 10:00"


def test_a_new_machine_with_empty_local_state_sends_nothing_twice(builder: ShopBuilder) -> None:
    """SPEC §5: the ledger lives in the sheet, so losing local state repeats nothing."""
    builder.response("2027-02-02 10:00", "a@example.com", "Ani", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    shutil.rmtree(shop.config.state_dir)
    shop.sync(NOW)
    assert len(shop.transport.sent) == 1


def test_hostile_buyer_text_is_stored_as_values_and_rendered_as_data(tmp_path: Path) -> None:
    """SPEC §8: buyer text never becomes a formula, a template, a header or markup."""
    builder = ShopBuilder(tmp_path, backend="workbook")
    builder.product("NASTAR", "Nastar", 85000)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    builder.response(
        "2027-02-02 10:00",
        "a@example.com",
        '=HYPERLINK("http://x","y")',
        Nastar=1,
        notes="<script>alert(1)</script>",
    )
    builder.response(
        "2027-02-02 10:01", "b@example.com", "Kak {{ 7*7 }} Ani", Nastar=1, phone="+6281234567890"
    )
    builder.response("2027-02-02 10:02", "c@example.com", "Putu\r\nBcc: evil@example.com", Nastar=1)
    shop = builder.build()
    shop.sync(NOW)
    book = load_workbook(tmp_path / "shop.xlsx")
    for name in ("Orders", "Packing list", "Emails", "Summary"):
        for row in book[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{name}!{cell.coordinate} is a formula"
    assert book["Orders"]["D2"].value == '\'=HYPERLINK("http://x","y")'
    by_to = {str(m["To"]): m for m in shop.transport.sent}
    html = by_to["a@example.com"].get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in by_to["b@example.com"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "49" not in str(by_to["b@example.com"]["Subject"])
    putu = by_to["c@example.com"]
    assert putu["Bcc"] is None
    assert "\n" not in str(putu["Subject"])


@pytest.mark.parametrize(
    ("tab", "row", "header", "value", "words"),
    [
        (
            "products",
            1,
            "Capacity",
            "sepuluh",
            "Products row 2, column 'Capacity': 'sepuluh' is not a whole number",
        ),
        ("batches", 1, "Closes", "2027-01-01 09:00", "closes (2027-01-01 09:00) before it opens"),
        ("products", 0, "Price", "Harga jual", "has no column 'Price'"),
    ],
)
def test_seller_mistakes_are_one_sentence_with_the_place_and_fix(
    builder: ShopBuilder, tab: str, row: int, header: str, value: str, words: str
) -> None:
    """SPEC §6: errors a seller can make name the tab, row, column, value and the fix."""
    shop = builder.build()
    shop.set_cell(tab, row, header, value)
    with pytest.raises(SheetSetupError) as caught:
        shop.sync(NOW)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_product_the_form_does_not_have_is_a_setup_error(builder: ShopBuilder) -> None:
    """SPEC §3: a missing mapping is a configuration error naming the columns found."""
    builder.product("PUTRI", "Putri Salju", 75000)
    builder.products[-1][1] = "Putri Salju"
    shop = builder.build()
    shop.set_cell("responses", 0, "Putri Salju", "Something else")
    with pytest.raises(SheetSetupError, match="no column for product 'Putri Salju'"):
        shop.sync(NOW)
