"""The local workbook's scenarios and yardsticks: first sync, no-op, 100 new answers.

``python -m bench.workbook`` (or the workbook part of ``python -m bench``) measures, per size,
in fresh processes: the first sync, an immediate no-op re-sync and a second one, then — after
100 answers kept aside arrive (appended and saved by openpyxl, as a seller's program saves
them) — the sync of those answers and the re-sync after it. Beside each, measured in the same
run on the same file:

- **openpyxl load+save** (``bench.openpyxl_ref``): what loading and saving that workbook costs
  openpyxl alone — the backend's cost before its fast path, and the yardstick of the targets;
- **calamine read** (``bench.calamine_ref``): python-calamine reading every tab — the floor of
  any read;
- with ``--compare-openpyxl``, the same syncs by the backend without its fast path.

It writes ``bench/results/workbook.json`` and the table ``bench/results/workbook.md``
(``--out``: the JSON there, the table beside it under the same name).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, run_child

RESULTS = ROOT / "bench" / "results"
TIMEOUT = 3600
NEW_ANSWERS = 100
RSS_LIMIT_MB = 1536
#: The targets (issue 12), as fractions of openpyxl's load+save of the same file.
NOOP_TARGET = 0.2
NEW_ANSWERS_TARGET = 0.4


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _sync(folder: Path, phase: str, *, openpyxl_only: bool = False) -> dict[str, Any]:
    args = ["bench.worker", "--dir", str(folder), "--phase", phase]
    if openpyxl_only:
        args.append("--openpyxl-only")
    result = run_child(args, TIMEOUT)
    _say(
        f"  workbook {result['orders']:>7} {phase:8}{' (openpyxl only)' if openpyxl_only else ''}"
        f"  {result['wall_s']:8.2f} s  cpu {result['cpu_s']:7.2f} s  "
        f"{result['peak_rss_mb']:7.0f} MB  {result['requests']} {result.get('saved_by', {})}"
    )
    return result


def _floors(path: Path) -> dict[str, Any]:
    return {
        "openpyxl": run_child(["bench.openpyxl_ref", "--file", str(path)], TIMEOUT),
        "calamine": run_child(["bench.calamine_ref", "--file", str(path)], TIMEOUT),
    }


def measure(
    orders: int,
    work: Path,
    seed: int,
    *,
    new_answers: int = NEW_ANSWERS,
    compare: bool = False,
) -> dict[str, Any]:
    """Every workbook scenario at ``orders`` (``new_answers=0``: first and no-op only)."""
    folder = work / f"workbook-{orders}"
    setup = run_child(
        [
            "bench.prepare",
            *("--orders", str(orders), "--dir", str(folder), "--seed", str(seed)),
            *("--extra", str(new_answers)),
        ],
        TIMEOUT,
    )
    first = _sync(folder, "first")
    noop = _sync(folder, "noop")
    # Cron's usual sync: nothing changed since the last one, which wrote nothing either (the
    # tabs the first sync wrote were parsed by the no-op and kept: this one parses none).
    again = _sync(folder, "noop")
    synced = folder / "synced.xlsx"
    shutil.copyfile(folder / "shop.xlsx", synced)
    floors = _floors(synced)
    run: dict[str, Any] = {
        "setup": setup,
        "syncs": [first, noop, again],
        "openpyxl": {
            "input": run_child(
                ["bench.openpyxl_ref", "--file", str(folder / "input.xlsx")], TIMEOUT
            ),
            "synced": floors["openpyxl"],
        },
        "calamine": {"synced": floors["calamine"]},
    }
    if compare:
        run["openpyxl_only"] = {"noop": _sync(folder, "noop", openpyxl_only=True)}
    if new_answers:
        run["new_answers"] = _new_answers(folder, new_answers, compare)
        if compare:
            run["openpyxl_only"]["new"] = run["new_answers"].pop("openpyxl_only")
    _say(
        f"  floors, {orders} orders: openpyxl load+save {floors['openpyxl']['total_s']} s, "
        f"calamine read {floors['calamine']['read_s']} s"
    )
    return run


def _new_answers(folder: Path, count: int, compare: bool) -> dict[str, Any]:
    appended = run_child(["bench.append_answers", "--dir", str(folder)], TIMEOUT)
    twin = folder.with_name(folder.name + "-openpyxl-only")
    if compare:
        shutil.rmtree(twin, ignore_errors=True)
        shutil.copytree(folder, twin)
    result: dict[str, Any] = {
        "count": count,
        "setup": appended,
        "floors": _floors(folder / "appended.xlsx"),
        "sync": _sync(folder, "new"),
        "resync": _sync(folder, "noop-new"),
    }
    if compare:
        result["openpyxl_only"] = _sync(twin, "new", openpyxl_only=True)
        shutil.rmtree(twin, ignore_errors=True)
    return result


# --- targets and the table ------------------------------------------------------------------------


def checks(runs: dict[str, Any]) -> list[dict[str, Any]]:
    """The fast path's targets, against the floors measured in the same run."""
    found: list[dict[str, Any]] = []
    workbook = {int(key.split("-")[1]): run for key, run in runs.items() if "workbook" in key}
    for orders, run in sorted(workbook.items()):
        if orders == 10_000:
            noop = run["syncs"][1]
            floor = run["openpyxl"]["synced"]["total_s"]
            found.append(
                {
                    "target": f"workbook no-op ≤ {NOOP_TARGET}× openpyxl load+save, 10k",
                    "held": noop["wall_s"] <= NOOP_TARGET * floor,
                    "detail": f"{noop['wall_s']} s = {noop['wall_s'] / floor:.2f}× of {floor} s",
                }
            )
            new = run.get("new_answers")
            if new:
                sync, floor = new["sync"], new["floors"]["openpyxl"]["total_s"]
                found.append(
                    {
                        "target": f"workbook 100 new answers ≤ {NEW_ANSWERS_TARGET}× openpyxl "
                        "load+save, 10k",
                        "held": sync["wall_s"] <= NEW_ANSWERS_TARGET * floor,
                        "detail": f"{sync['wall_s']} s = {sync['wall_s'] / floor:.2f}× of "
                        f"{floor} s",
                    }
                )
    if workbook:
        largest = max(workbook)
        run = workbook[largest]
        syncs = [*run["syncs"], *_new_syncs(run)]
        peak = max(sync["peak_rss_mb"] for sync in syncs)
        found.append(
            {
                "target": f"workbook peak RSS < 1.5 GB at {largest:,} orders",
                "held": peak < RSS_LIMIT_MB,
                "detail": f"{peak:,.0f} MB",
            }
        )
    return found


def _new_syncs(run: dict[str, Any]) -> list[dict[str, Any]]:
    new = run.get("new_answers")
    return [new["sync"], new["resync"]] if new else []


def table(runs: dict[str, Any]) -> str:
    """The workbook table (Markdown), each sync beside the floors of the same file."""
    lines = [
        "| orders | sync | wall | CPU | peak RSS | file work | ÷ openpyxl load+save | "
        "openpyxl load+save | calamine read | without the fast path |",
        "|---:|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    workbook = {int(key.split("-")[1]): run for key, run in runs.items() if "workbook" in key}
    for orders, run in sorted(workbook.items()):
        synced = run["openpyxl"]["synced"]["total_s"]
        calamine = run["calamine"]["synced"]["read_s"]
        before = run.get("openpyxl_only", {})
        rows = [
            ("first", run["syncs"][0], synced, calamine, None),
            ("no-op", run["syncs"][1], synced, calamine, before.get("noop")),
        ]
        if len(run["syncs"]) > 2:
            rows.append(("no-op after a no-op", run["syncs"][2], synced, calamine, None))
        new = run.get("new_answers")
        if new:
            floor = new["floors"]["openpyxl"]["total_s"]
            read = new["floors"]["calamine"]["read_s"]
            label = f"{new['count']} new answers"
            rows.append((label, new["sync"], floor, read, before.get("new")))
            rows.append((f"no-op after {label}", new["resync"], floor, read, None))
        for name, sync, floor, read, old in rows:
            before_text = f"{old['wall_s']:.2f} s" if old else "—"
            lines.append(
                f"| {orders:,} | {name} | {sync['wall_s']:.2f} s | {sync['cpu_s']:.2f} s "
                f"| {sync['peak_rss_mb']:,.0f} MB | {_file_work(sync)} "
                f"| {sync['wall_s'] / floor:.2f}× | {floor:.2f} s | {read:.2f} s "
                f"| {before_text} |"
            )
    return "\n".join(lines)


def _file_work(sync: dict[str, Any]) -> str:
    saves = sync.get("saved_by") or {}
    loads = "openpyxl load" if saves.get("openpyxl") else "calamine read"
    written = " · ".join(f"{count} {way} save" for way, count in sorted(saves.items()))
    return f"{loads} · {written}" if written else loads


def markdown(results: dict[str, Any]) -> str:
    machine = results.get("machine", {})
    lines = [
        "# Local workbook: syncs that cost what changed",
        "",
        f"`python -m bench.workbook --sizes {','.join(str(s) for s in results['sizes'])}"
        f"{' --compare-openpyxl' if results.get('compare') else ''}`, commit "
        f"{machine.get('commit', '?')}, Python {machine.get('python', '?')}, "
        f"{machine.get('cpus', '?')} CPUs, {machine.get('date', '')}.",
        "",
        table(results["runs"]),
        "",
        "Each sync runs in a fresh process (wall and CPU around `run_sync`; peak RSS of the "
        "process). *÷ openpyxl load+save*: the sync's wall time over openpyxl alone loading and "
        "saving the same file, measured in the same run (*no-op*: the synced workbook; *new "
        "answers*: the workbook with the answers appended). *calamine read*: python-calamine "
        "alone reading every tab of that file.",
        "",
        *(
            f"- {item['target']}: {'held' if item['held'] else 'NOT held'} ({item['detail']})"
            for item in checks(results["runs"])
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from bench.run import machine

    parser = argparse.ArgumentParser(prog="python -m bench.workbook", description=__doc__)
    parser.add_argument("--sizes", default="10000,100000", help="orders, comma-separated")
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument(
        "--new-answers-up-to",
        type=int,
        default=10_000,
        help="run the 100-new-answers scenario at sizes up to this (appending is slow)",
    )
    parser.add_argument(
        "--compare-openpyxl",
        action="store_true",
        help="also sync without the fast path (sizes up to --new-answers-up-to)",
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "workbook.json")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    work = Path(tempfile.mkdtemp(prefix="openorder-bench-"))
    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": machine(),
        "seed": args.seed,
        "sizes": sizes,
        "compare": args.compare_openpyxl,
        "runs": {},
    }
    try:
        for orders in sizes:
            _say(f"workbook, {orders:,} orders …")
            small = orders <= args.new_answers_up_to
            results["runs"][f"workbook-{orders}"] = measure(
                orders,
                work,
                args.seed,
                new_answers=NEW_ANSWERS if small else 0,
                compare=args.compare_openpyxl and small,
            )
            shutil.rmtree(work / f"workbook-{orders}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["elapsed_s"] = round(time.perf_counter() - started, 1)
    results["targets"] = checks(results["runs"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    text = markdown(results)
    args.out.with_suffix(".md").write_text(text, encoding="utf-8")  # beside its JSON
    sys.stdout.write(text + f"\nJSON: {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
