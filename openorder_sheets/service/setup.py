"""`openorder init`: the commented config file and the seller's tabs, ready to fill in."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

from openorder_sheets.config import Config
from openorder_sheets.core.form import form_headers
from openorder_sheets.core.layouts import summary_chart, tab_layout
from openorder_sheets.ports import ColumnSpec, Grid, TabLayout

#: What a new config says until the seller writes their own; `doctor` warns while it does.
PLACEHOLDER_SHOP_NAME = "Toko Saya"
PLACEHOLDER_EMAIL = "toko.saya@example.com"

_CONFIG_TEMPLATE = """\
# openorder-sheets — the settings of one shop.
# Lines starting with # are comments. Text goes in "quotes"; numbers and true/false do not.
# After editing, run `openorder doctor` to check everything.

[shop]
name = "{shop_name}"
timezone = "Asia/Jakarta"       # Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT)
currency = "IDR"
language = "{language}"                 # "id" (Bahasa Indonesia) or "en" (English)
order_prefix = "PO"             # order numbers look like PO-0001
form_url = "{form_url}"   # the Google Form link, shown in announcements
reply_to = "{sender}"     # where buyers' replies go

[sheet]
{sheet_lines}

# [tabs]                        # rename tabs if yours have other names, for example:
# orders = "Pesanan"
# responses = "Respons Formulir 1"

[form]
# Which form question holds what. Leave these out to let openorder find them by their
# usual names (Nama, No. WhatsApp, Alamat, Catatan, …). Values are the exact column headers.
# email = "Alamat email"
# name = "Nama"
# phone = "No. WhatsApp"
# address = "Alamat pengiriman"
# delivery = "Metode pengiriman"
# notes = "Catatan"
# opt_in = "Kabari saya untuk batch berikutnya?"

# [form.products]               # SKU = "exact question header", when names differ
# NASTAR = "Nastar Premium (jar)"

[rules]
duplicate_window_minutes = 30   # same buyer, same items, within this many minutes = duplicate
payment_due_hours = 48          # 0 = no payment deadline
payment_reminder_hours = 12     # remind this many hours before the deadline
unique_code = true              # add a 1-999 code to each amount to pay, to match transfers
closing_reminder_hours = 24     # 0 = no "closing soon" email
review_after_days = 3           # ask for a review this many days after shipping; 0 = never

# How buyers pay: shown with the exact amount in every email that asks for money.
# Copy the four lines below once per account.
{account_lines}
#
# [payment]
# instructions = "Setelah transfer, kirim bukti ke WhatsApp 0812-3456-7890 ya."
# qris = "00020101021126…6304ABCD"   # the text inside your QRIS sticker (scan it with a
#                                     # QR reader app and copy the text)
#
# [payment.statement_columns]       # only for a bank `payments import` does not recognise:
# date = "Tanggal"                  # the headers of its CSV export
# description = "Keterangan"
# amount = "Jumlah"
# direction = "CR/DB"

[email]
transport = "{transport}"            # "outbox" writes .eml files; "smtp" sends for real
outbox = "outbox"
from = "{sender}"
daily_limit = 450               # Gmail allows about 500 a day; Google Workspace about 2000
# smtp_host = "smtp.gmail.com"
# smtp_port = 587
# username = "{sender}"
# password_env = "OPENORDER_SMTP_PASSWORD"   # the app password lives in this variable
# templates_dir = "templates"   # after `openorder init --templates`
"""


def write_config_file(
    path: Path,
    *,
    shop_name: str = PLACEHOLDER_SHOP_NAME,
    language: str = "id",
    workbook: str = "shop.xlsx",
    spreadsheet: str = "",
    sender: str = PLACEHOLDER_EMAIL,
    form_url: str = "",
    account: tuple[str, str, str] | None = None,
) -> None:
    """Write a commented `openorder.toml` (``account``: bank, number, holder, for the demo)."""
    if spreadsheet:
        sheet_lines = (
            f'spreadsheet = "{spreadsheet}"\ncredentials = "credentials.json"   '
            "# the service account's key file"
        )
    else:
        sheet_lines = (
            f'workbook = "{workbook}"         # a local Excel file; or use a Google '
            'spreadsheet:\n# spreadsheet = "https://docs.google.com/spreadsheets/d/…"'
            '\n# credentials = "credentials.json"'
        )
    bank, number, holder = account or ("BCA", "1234567890", "Sari Wulandari")
    comment = "" if account else "# "
    account_lines = "\n".join(
        f"{comment}{line}"
        for line in (
            "[[payment.accounts]]",
            f'bank = "{bank}"',
            f'number = "{number}"',
            f'holder = "{holder}"',
        )
    )
    text = _CONFIG_TEMPLATE.format(
        account_lines=account_lines,
        shop_name=shop_name,
        language=language,
        form_url=form_url,
        sender=sender,
        sheet_lines=sheet_lines,
        transport="outbox",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def seller_tabs(
    config: Config,
    *,
    products: list[list[Any]] | None = None,
    materials: list[list[Any]] | None = None,
    batches: list[list[Any]] | None = None,
    statement: list[list[Any]] | None = None,
    with_statement: bool = True,
) -> dict[str, tuple[TabLayout, Grid]]:
    """The seller-owned tabs with headers (and example rows when given).

    The `Bank statement` tab is where the seller pastes rows from internet banking (or
    `openorder payments import` appends them); the sync writes its three result columns."""
    language, currency = config.shop.language, config.shop.currency
    tabs: dict[str, tuple[TabLayout, Grid]] = {}
    for key, rows in (("products", products), ("materials", materials), ("batches", batches)):
        layout = tab_layout(key, language, currency)
        header: list[Any] = [spec.header for spec in layout.columns]
        tabs[config.tab(key)] = (layout, [header, *(rows or [])])
    headers = form_headers(language)
    response_layout = TabLayout(tuple(ColumnSpec(h, width=20) for h in headers))
    tabs[config.tab("responses")] = (response_layout, [list(headers)])
    if with_statement or statement:
        layout = tab_layout("statement", language, currency)
        header = [spec.header for spec in layout.columns]
        tabs[config.tab("statement")] = (layout, [header, *(statement or [])])
    if with_statement:  # a new shop: where reviews go, for the seller to tick `Show`
        layout = tab_layout("testimonials", language, currency)
        tabs[config.tab("testimonials")] = (layout, [[spec.header for spec in layout.columns]])
    return tabs


TOOL_TABS = (
    "orders",
    "summary",
    "payments",
    "public_status",
    "materials_needed",
    "packing",
    "emails",
)


def tool_tabs(config: Config) -> dict[str, tuple[TabLayout, Grid]]:
    """The tabs the sync writes, with headers only: dropdowns and checkboxes ready to use."""
    language, currency = config.shop.language, config.shop.currency
    tabs: dict[str, tuple[TabLayout, Grid]] = {}
    for key in TOOL_TABS:
        layout = tab_layout(key, language, currency)
        if key == "summary":
            layout = replace(layout, chart=summary_chart(language))
        tabs[config.tab(key)] = (layout, [[spec.header for spec in layout.columns]])
    return tabs


def init_tabs(
    config: Config, now: dt.datetime, *, with_responses: bool
) -> dict[str, tuple[TabLayout, Grid]]:
    """Every tab `init` creates: the seller's (with an example batch) and the tool's.

    A Google spreadsheet gets no responses tab: linking the Google Form creates it.
    """
    tabs = seller_tabs(config, batches=[example_batch(now)])
    if not with_responses:
        del tabs[config.tab("responses")]
    tabs.update(tool_tabs(config))
    return tabs


def example_batch(now: dt.datetime) -> list[Any]:
    """A first batch a new seller can edit: opens tomorrow 09:00 for a week."""
    day = now.replace(hour=9, minute=0, second=0, microsecond=0, tzinfo=None)
    opens = day + dt.timedelta(days=1)
    closes = opens + dt.timedelta(days=7, hours=12)
    return ["PO 1", opens, closes, (closes + dt.timedelta(days=7)).date(), None, ""]


def form_questions(config: Config, product_names: list[str]) -> list[str]:
    """The Google Form questions to create so the mapping finds them."""
    headers = form_headers(config.shop.language)
    if config.shop.language == "id":
        lines = ["Centang 'Kumpulkan alamat email' di setelan formulir (kolom Alamat email)."]
        lines += [f"Pertanyaan: '{h}'" for h in headers[2:]]
        lines += [f"Pertanyaan jawaban singkat (angka): '{name}'" for name in product_names]
    else:
        lines = ["Turn on 'Collect email addresses' in the form settings (Email Address)."]
        lines += [f"Question: '{h}'" for h in headers[2:]]
        lines += [f"Short-answer question (a number): '{name}'" for name in product_names]
    return lines
