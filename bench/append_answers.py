"""``python -m bench.append_answers --dir DIR``: the answers kept aside arrive (set-up only).

Appends the rows ``bench.prepare --extra K`` kept aside to the form-answers tab of the shop's
workbook and saves it with openpyxl, as a seller's spreadsheet program saves a pasted batch of
answers: the whole file is written again. Copies the result to ``appended.xlsx`` for the
yardsticks.
"""

from __future__ import annotations

import argparse
import pickle
import shutil
import time
from pathlib import Path

from bench.common import EXTRA_ANSWERS, emit
from openorder_sheets.adapters.workbook_openpyxl import load_whole
from openorder_sheets.config import load_config


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.append_answers")
    parser.add_argument("--dir", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    rows = pickle.loads((args.dir / EXTRA_ANSWERS).read_bytes())
    config = load_config(args.dir / "openorder.toml")
    path = config.sheet.workbook
    assert path is not None
    book = load_whole(path.read_bytes())
    sheet = book[config.tab("responses")]
    for row in rows:
        sheet.append(row)
    book.save(path)
    shutil.copyfile(path, args.dir / "appended.xlsx")
    emit({"appended": len(rows), "setup_seconds": round(time.perf_counter() - started, 2)})


if __name__ == "__main__":
    main()
