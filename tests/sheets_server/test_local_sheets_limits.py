"""The local server enforces Google's 10-million-cell ceiling like Google does."""

from __future__ import annotations

import pytest
from gspread.exceptions import APIError

from openorder_sheets.testing.sheets_server import SheetsServer, local_client


def test_growing_past_ten_million_cells_is_refused_with_googles_400() -> None:
    """A batchUpdate that would take the spreadsheet past 10 M cells gets 400, nothing changes."""
    with SheetsServer() as server:
        key = server.create_spreadsheet("Big", {"Sheet1": [["x"]]})
        sheet = local_client(server.base_url).open_by_key(key).sheet1
        sheet.resize(rows=300_000, cols=26)  # 7.8 M cells: allowed
        with pytest.raises(APIError) as caught:
            sheet.resize(rows=400_000, cols=26)  # 10.4 M cells: refused
        assert caught.value.response.status_code == 400
        assert "above the limit of 10000000 cells" in str(caught.value)
        assert server.sheet_properties(key, "Sheet1")["gridProperties"]["rowCount"] == 300_000
