"""``python -m bench.prepare --orders N --dir DIR``: a local-workbook shop folder (set-up only).

Writes ``openorder.toml``, ``shop.xlsx`` (every tab ``init`` makes, plus N form answers),
a pristine copy ``input.xlsx`` and ``bench.json`` (the instant to sync at and the shop's mix).
With ``--extra K`` the shop is generated with N + K answers and the last K (the latest ones)
are kept aside in ``extra_answers.pickle`` for ``bench.append_answers``: answers that arrive
after the shop has been synced.
"""

from __future__ import annotations

import json
import pickle
import shutil
import time

from bench.common import EXTRA_ANSWERS, META, emit, shop_arguments
from bench.materialize import make_workbook_shop
from bench.shopgen import generate


def main() -> None:
    args = shop_arguments("python -m bench.prepare")
    started = time.perf_counter()
    shutil.rmtree(args.dir, ignore_errors=True)
    shop = generate(args.orders + args.extra, args.products, args.batches, args.seed)
    extra = shop.responses[args.orders :]
    shop.responses = shop.responses[: args.orders]
    config = make_workbook_shop(shop, args.dir)
    if extra:
        (args.dir / EXTRA_ANSWERS).write_bytes(pickle.dumps(extra))
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
