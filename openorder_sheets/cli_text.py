"""Plain terminal text for the CLI: the sync summary, status bars and doctor lines."""

from __future__ import annotations

from typing import Any

from openorder_sheets.service.sync import SyncReport
from openorder_sheets.service.views import Status, time_left


def bar(done: int, capacity: int | None, width: int = 20) -> str:
    """``██████░░░░`` filled in proportion; over capacity shows a ``!``."""
    if not capacity:
        return "(no limit)"
    filled = min(round(width * done / capacity), width)
    return "█" * filled + "░" * (width - filled) + (" !" if done > capacity else "")


def sync_summary(report: SyncReport, shop_name: str, responses_tab: str, outbox: str,
                 transport: str) -> str:
    lines = []
    heading = "Dry run (nothing written or sent)" if report.dry_run else "Sync complete"
    lines.append(f"{heading} — {shop_name}, as of {report.now:%Y-%m-%d %H:%M %Z}")
    total = sum(report.by_status.values())
    counts = " · ".join(f"{word} {count}" for word, count in report.by_status.items())
    lines.append(f"Orders: {total}" + (f"  ({counts})" if counts else ""))
    lines.extend(_fill(report.fill))
    if report.problems:
        lines.append("")
        lines.append(f"Problems ({len(report.problems)}) — fix the cell or set Seller action:")
        for item in report.problems:
            where = f"{responses_tab} row {item['row']}" if item["row"] else "no response row"
            lines.append(f"  {item['order']}  {item['status']:<14} {where}: "
                         + "; ".join(item["problems"]))
    lines.append("")
    lines.append(_emails(report, outbox, transport))
    written = ", ".join(report.tabs_written) or "nothing (no changes)"
    verb = "Would write" if report.dry_run else "Wrote"
    lines.append(f"{verb} tabs: {written}")
    if report.transport_error:
        lines.append(f"Email transport failed: {report.transport_error}")
    return "\n".join(lines)


def _fill(fill: list[dict[str, Any]]) -> list[str]:
    lines: list[str] = []
    batch = None
    for item in fill:
        if item["batch"] != batch:
            batch = item["batch"]
            lines.append("")
            lines.append(f"{batch}:  confirmed / capacity (+ waitlisted)")
        capacity = item["capacity"]
        shown = f"{item['confirmed']:>4} / {capacity if capacity is not None else '∞':<4}"
        waiting = f" (+{item['waitlisted']})" if item["waitlisted"] else ""
        lines.append(f"  {item['product'][:24]:<24} {shown} {bar(item['confirmed'], capacity)}"
                     f"{waiting}")
    return lines


def _emails(report: SyncReport, outbox: str, transport: str) -> str:
    if report.dry_run:
        if not report.emails_new:
            return "Emails: none due."
        kinds: dict[str, int] = {}
        for item in report.emails_new:
            kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
        listed = ", ".join(f"{count}× {kind}" for kind, count in kinds.items())
        return f"Emails: would queue {len(report.emails_new)} ({listed})."
    where = f"written to {outbox}" if transport == "outbox" else "sent"
    text = f"Emails: {report.emails_sent} {where}"
    extras = []
    if report.emails_deferred:
        extras.append(f"{report.emails_deferred} deferred (will retry)")
    if report.emails_failed:
        extras.append(f"{report.emails_failed} failed (see the Emails tab)")
    if report.emails_waiting:
        extras.append(f"{report.emails_waiting} waiting")
    return text + (f"; {', '.join(extras)}" if extras else "") + "."


def status_text(status: Status, language: str) -> str:
    if status.batch is None:
        return "No batch yet: add one to the Batches tab (name, opens, closes)."
    batch = status.batch
    lines = [f"{batch.name}: {batch.opens:%Y-%m-%d %H:%M} → {batch.closes:%Y-%m-%d %H:%M} "
             f"({time_left(batch, status.now, language)})"]
    for fill in status.fills:
        capacity = fill.capacity if fill.capacity is not None else "∞"
        waiting = f" +{fill.waitlisted} waitlisted" if fill.waitlisted else ""
        lines.append(f"  {fill.product[:24]:<24} {fill.confirmed:>4} / {capacity:<4} "
                     f"{bar(fill.confirmed, fill.capacity)}{waiting}")
    counts = " · ".join(f"{word} {count}" for word, count in status.counts.items())
    lines.append(f"Orders: {counts or 'none yet'}")
    lines.append(f"Emails: {status.queued} queued, {status.deferred} deferred, "
                 f"{status.failed} failed")
    return "\n".join(lines)
