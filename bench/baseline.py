"""``python -m bench.baseline --dir DIR``: the way most gspread scripts do this job.

Read the form answers with ``get_all_records``, decide each order first come, first served
against the products' capacity, and write each order's status back with ``update_cell`` —
one request per order. It runs against the same local Sheets API server and the same
generated shop as the product, so its request count and time sit beside ours. It is far
simpler than openorder-sheets (no waitlist, duplicates, limits, ledger or e-mail), which
only flatters it.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import requests

from bench.common import META, emit, peak_rss_mb
from openorder_sheets.testing.sheets_server import local_client


def naive_status(
    record: dict[str, Any], products: list[dict[str, Any]], left: dict[str, int]
) -> str:
    wanted: dict[str, int] = {}
    for product in products:
        question = str(product.get("Pertanyaan formulir") or product.get("Nama"))
        amount = record.get(question, "")
        if amount in ("", None):
            continue
        try:
            wanted[str(product["SKU"])] = int(amount)
        except (TypeError, ValueError):
            return "Perlu dicek"
    if not wanted:
        return "Perlu dicek"
    if all(left.get(sku, 10**9) >= amount for sku, amount in wanted.items()):
        for sku, amount in wanted.items():
            if sku in left:
                left[sku] -= amount
        return "Dikonfirmasi"
    return "Daftar tunggu"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.baseline")
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    meta = json.loads((args.dir / META).read_text(encoding="utf-8"))
    base_url = meta["base_url"]
    requests.post(f"{base_url}/_control/stats/reset", timeout=30).raise_for_status()
    wall, cpu = time.perf_counter(), time.process_time()

    # --- the script a seller would copy from a tutorial -------------------------------------
    client = local_client(base_url)
    book = client.open_by_key(meta["key"])
    answers = book.worksheet(meta["responses_tab"])
    records = answers.get_all_records()
    products = book.worksheet(meta["products_tab"]).get_all_records()
    left = {
        str(p["SKU"]): int(p["Kapasitas"]) for p in products if str(p.get("Kapasitas")).isdigit()
    }
    status_column = len(answers.row_values(1)) + 1
    if answers.col_count < status_column:
        answers.add_cols(1)
    answers.update_cell(1, status_column, "Status")
    for row, record in enumerate(records, start=2):
        answers.update_cell(row, status_column, naive_status(record, products, left))
    # ----------------------------------------------------------------------------------------

    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    stats = requests.get(f"{base_url}/_control/stats", timeout=30).json()
    writes, reads = stats["writes"], stats["reads"]
    emit(
        {
            "orders": meta["orders"],
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "peak_rss_mb": peak_rss_mb(),
            "requests": stats["requests"],
            "reads": reads,
            "writes": writes,
            "bytes_sent": stats["bytes_received"],
            "bytes_received": stats["bytes_sent"],
            # Google allows about 60 write (and 60 read) requests per minute per user.
            "minutes_at_google_quota": round(max(writes, reads) / 60, 1),
        }
    )


if __name__ == "__main__":
    main()
