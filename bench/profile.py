"""``python -m bench.profile --orders 10000 --backend workbook --phase noop``: where a sync's
time goes (cProfile), for finding hot spots.

Sets up a generated shop like ``python -m bench`` does, runs the first sync (and, for
``--phase noop``, the re-sync) in fresh processes, profiles the phase asked for, prints the
functions with the most cumulative (or own, ``--sort tottime``) time and keeps the ``.prof``
file in ``bench/results/`` for ``python -m pstats`` or snakeviz.
"""

from __future__ import annotations

import argparse
import pstats
import shutil
import sys
import tempfile
from pathlib import Path

from bench.common import run_child
from bench.run import RESULTS, TIMEOUT, GoogleServer


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--backend", choices=("workbook", "google"), default="workbook")
    parser.add_argument("--phase", choices=("first", "noop"), default="first")
    parser.add_argument("--sort", choices=("cumulative", "tottime"), default="cumulative")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"profile-{args.backend}-{args.orders}-{args.phase}.prof"  # git-ignored
    work = Path(tempfile.mkdtemp(prefix="openorder-bench-"))
    folder = work / "shop"
    phases = ["first"] if args.phase == "first" else ["first", "noop"]

    def syncs() -> None:
        for phase in phases:
            extra = ["--profile", str(out)] if phase == args.phase else []
            result = run_child(
                ["bench.worker", "--dir", str(folder), "--phase", phase, *extra], TIMEOUT
            )
            sys.stderr.write(f"{phase}: {result['wall_s']} s (profiled: slower than real)\n")

    try:
        common = ["--orders", str(args.orders), "--dir", str(folder), "--seed", str(args.seed)]
        if args.backend == "workbook":
            run_child(["bench.prepare", *common], TIMEOUT)
            syncs()
        else:
            with GoogleServer(args.orders, folder, args.seed):
                syncs()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pstats.Stats(str(out)).strip_dirs().sort_stats(args.sort).print_stats(args.top)
    sys.stdout.write(f"profile: {out}\n")


if __name__ == "__main__":
    main()
