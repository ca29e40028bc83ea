"""Turning a generated shop into a real shop folder: config, workbook or local Google spreadsheet.

This is set-up, never measured. The shop looks like one a seller made with ``openorder init``
(seller tabs with their rows, tool tabs with headers, dropdowns and checkboxes) whose linked
form then received N answers. The answers are appended with plain openpyxl (local workbook) or
seeded straight into the local Sheets API server's memory (Google): sending 100,000 rows
through the product's own create-tabs path would only measure the set-up.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from bench.shopgen import GeneratedShop
from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.config import Config, parse_config
from openorder_sheets.ports import ColumnSpec, Grid, TabLayout
from openorder_sheets.service.setup import seller_tabs, tool_tabs


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_config(shop: GeneratedShop, folder: Path, **sheet: Any) -> Config:
    """Write ``openorder.toml`` into ``folder`` and return it parsed."""
    raw = shop.config_raw(**sheet)
    lines = []
    for section, values in raw.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
        lines.append("")
    path = shop.config_path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return parse_config(tomllib.loads(path.read_text(encoding="utf-8")), path)


def shop_tabs(shop: GeneratedShop, config: Config) -> dict[str, tuple[TabLayout, Grid]]:
    """Every tab ``init`` would create, the seller's filled in; the responses tab header only."""
    tabs = seller_tabs(
        config, products=shop.products, materials=shop.materials, batches=shop.batches
    )
    layout = TabLayout(tuple(ColumnSpec(h, width=20) for h in shop.response_headers))
    tabs[config.tab("responses")] = (layout, [list(shop.response_headers)])
    tabs.update(tool_tabs(config))
    return tabs


def make_workbook_shop(shop: GeneratedShop, folder: Path) -> Config:
    """A shop folder with ``shop.xlsx`` holding every tab and the N form answers."""
    config = write_config(shop, folder, workbook="shop.xlsx")
    path = config.sheet.workbook
    assert path is not None
    path.unlink(missing_ok=True)
    WorkbookBackend(path).create_tabs(shop_tabs(shop, config))
    book = load_workbook(path)
    sheet = book[config.tab("responses")]
    for row in shop.responses:
        sheet.append(row)
    book.save(path)
    return config


def seed_google_shop(server: Any, shop: GeneratedShop, folder: Path) -> tuple[Config, str]:
    """A spreadsheet on the local Sheets API server (in this process) plus the shop folder."""
    from gspread.http_client import HTTPClient

    from openorder_sheets.adapters.gsheet import GoogleSheetBackend
    from openorder_sheets.testing.sheets_server import local_session

    probe = write_config(shop, folder, spreadsheet="pending", api_url=server.base_url)
    responses = [list(shop.response_headers), *shop.responses]
    key = server.create_spreadsheet(
        shop.shop_name,
        {probe.tab("responses"): responses},
        time_zone="Asia/Jakarta",
        locale="id_ID",
        value_input_option="RAW",  # a form answer is text, never a formula
    )
    # A form-linked tab is as wide as the form (not Google's default 26 columns): every grid
    # cell counts against the spreadsheet's 10 million.
    with server.store.lock:
        sheet = server.store.books[key].sheet_by_title(probe.tab("responses"))
        sheet.resize(max(1000, len(responses)), len(shop.response_headers))
    config = write_config(shop, folder, spreadsheet=key, api_url=server.base_url)
    tabs = shop_tabs(shop, config)
    del tabs[config.tab("responses")]
    http = HTTPClient(auth=None, session=local_session(server.base_url))  # type: ignore[arg-type]
    GoogleSheetBackend(http, key).create_tabs(tabs)
    return config, key
