"""``python -m bench.openpyxl_ref --file shop.xlsx``: openpyxl alone loading and saving a workbook.

The yardstick for the local-workbook backend: plain ``load_workbook`` + ``save`` of the same
file with default options, in a fresh process.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from bench.common import emit, peak_rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.openpyxl_ref")
    parser.add_argument("--file", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    book = load_workbook(args.file)
    loaded = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="openorder-bench-") as folder:
        book.save(Path(folder) / "copy.xlsx")
    saved = time.perf_counter()
    emit(
        {
            "file": args.file.name,
            "bytes": args.file.stat().st_size,
            "load_s": round(loaded - started, 3),
            "save_s": round(saved - loaded, 3),
            "total_s": round(saved - started, 3),
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
