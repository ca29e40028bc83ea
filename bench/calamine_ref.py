"""``python -m bench.calamine_ref --file shop.xlsx``: python-calamine alone reading a workbook.

The other yardstick for the local-workbook backend (beside ``bench.openpyxl_ref``): every tab's
values read into Python lists by python-calamine, in a fresh process. No sync can read the file
faster than this; the fast path's own read adds its checks and conversions on top.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from python_calamine import CalamineWorkbook

from bench.common import emit, peak_rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.calamine_ref")
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    cpu = time.process_time()
    book = CalamineWorkbook.from_path(str(args.file))
    cells = 0
    for name in book.sheet_names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(row) for row in rows)
    emit(
        {
            "file": args.file.name,
            "bytes": args.file.stat().st_size,
            "read_s": round(time.perf_counter() - started, 3),
            "cpu_s": round(time.process_time() - cpu, 3),
            "cells": cells,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
