"""``python -m bench.prepare --orders N --dir DIR``: a local-workbook shop folder (set-up only).

Writes ``openorder.toml``, ``shop.xlsx`` (every tab ``init`` makes, plus N form answers),
a pristine copy ``input.xlsx`` and ``bench.json`` (the instant to sync at and the shop's mix).
"""

from __future__ import annotations

import json
import shutil
import time

from bench.common import META, emit, shop_arguments
from bench.materialize import make_workbook_shop
from bench.shopgen import generate


def main() -> None:
    args = shop_arguments("python -m bench.prepare")
    started = time.perf_counter()
    shutil.rmtree(args.dir, ignore_errors=True)
    shop = generate(args.orders, args.products, args.batches, args.seed)
    config = make_workbook_shop(shop, args.dir)
    assert config.sheet.workbook is not None
    shutil.copyfile(config.sheet.workbook, args.dir / "input.xlsx")
    meta = {
        "backend": "workbook",
        "orders": args.orders,
        "seed": args.seed,
        "now": shop.now.isoformat(),
        "mix": shop.notes,
    }
    (args.dir / META).write_text(json.dumps(meta, indent=2), encoding="utf-8")
    emit({**meta, "setup_seconds": round(time.perf_counter() - started, 2)})


if __name__ == "__main__":
    main()
