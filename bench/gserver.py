"""``python -m bench.gserver --orders N --dir DIR``: a local Sheets API server holding one shop.

Runs in its own process so that the sync being measured shares neither its memory nor its
interpreter lock with the server (Google is on another machine, after all). It seeds the
spreadsheet straight into the server's memory, creates the other tabs as ``openorder init``
does, writes the shop folder (``openorder.toml`` with ``api_url``, ``bench.json``), prints one
JSON line ``{"base_url", "key"}`` and serves until its standard input is closed.
"""

from __future__ import annotations

import json
import shutil
import sys
import time

from bench.common import META, emit, shop_arguments
from bench.materialize import seed_google_shop
from bench.shopgen import generate
from openorder_sheets.testing.sheets_server import SheetsServer


def main() -> None:
    args = shop_arguments("python -m bench.gserver")
    started = time.perf_counter()
    shutil.rmtree(args.dir, ignore_errors=True)
    shop = generate(args.orders, args.products, args.batches, args.seed)
    with SheetsServer() as server:
        config, key = seed_google_shop(server, shop, args.dir)
        server.reset_stats()
        meta = {
            "backend": "google",
            "orders": args.orders,
            "seed": args.seed,
            "now": shop.now.isoformat(),
            "mix": shop.notes,
            "base_url": server.base_url,
            "key": key,
            "responses_tab": config.tab("responses"),
            "products_tab": config.tab("products"),
        }
        (args.dir / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
        emit({**meta, "setup_seconds": round(time.perf_counter() - started, 2)})
        sys.stdin.read()  # serve until the parent closes our standard input


if __name__ == "__main__":
    main()
