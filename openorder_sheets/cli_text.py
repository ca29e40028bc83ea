"""Plain terminal text for the CLI: the sync summary, status bars and doctor lines.

Everything here only formats what the service already decided; the words inside the sheet
(status words, problems, tab names) stay in the shop's language, the frame around them in English.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openorder_sheets.core import formatting
from openorder_sheets.core.labels import (
    COLUMN_LABELS,
    EMAIL_KIND_LABELS,
    STATUS_LABELS,
    label,
)
from openorder_sheets.service.archive import CELL_CEILING, CELL_WARNING
from openorder_sheets.service.views import Status, time_left

if TYPE_CHECKING:
    from openorder_sheets.config import Config
    from openorder_sheets.service.doctor import Check
    from openorder_sheets.service.sync import SyncReport


def shown_path(path: Path) -> str:
    """``path`` relative to the current folder when it is inside it (shorter to read)."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def bar(done: int, capacity: int | None, width: int = 20, language: str = "en") -> str:
    """``██████░░░░`` filled in proportion; over capacity shows a ``!``."""
    if not capacity:
        return "(tanpa batas)" if language == "id" else "(no limit)"
    filled = min(round(width * done / capacity), width)
    return "█" * filled + "░" * (width - filled) + (" !" if done > capacity else "")


def ordered_counts(counts: Mapping[str, int], language: str) -> dict[str, int]:
    """Status counts in the SPEC's order (Confirmed, Waitlisted, Rejected, Needs attention,
    Duplicate, Cancelled, Expired), whatever order they were counted in."""
    words = [label(STATUS_LABELS, key, language) for key in STATUS_LABELS]
    ordered = {word: counts[word] for word in words if word in counts}
    ordered.update({word: count for word, count in counts.items() if word not in ordered})
    return ordered


def _counts_text(counts: Mapping[str, int], language: str) -> str:
    return " · ".join(f"{word} {count}" for word, count in ordered_counts(counts, language).items())


def report_json(report: SyncReport) -> dict[str, Any]:
    """The run's report for ``--json``, with the status counts in the usual order."""
    data = report.as_json()
    data["by_status"] = ordered_counts(report.by_status, report.language)
    return data


def sync_summary(report: SyncReport, config: Config) -> str:
    """The human summary of one sync (or dry run)."""
    lines = []
    heading = "Dry run (nothing written or sent)" if report.dry_run else "Sync complete"
    lines.append(f"{heading} — {config.shop.name}, as of {report.now:%Y-%m-%d %H:%M %Z}")
    total = sum(report.by_status.values())
    counts = _counts_text(report.by_status, report.language)
    lines.append(f"Orders: {total}" + (f"  ({counts})" if counts else ""))
    lines.extend(_fill(report.fill))
    if report.problems:
        lines.append("")
        lines.append(f"Not confirmed ({len(report.problems)}):")
        lines.extend(f"  {line}" for line in _problem_lines(report, config, aligned=True))
        lines.append(_how_to_change(config, responses_tab(report, config)))
    if report.setup_warnings:
        lines.append("")
        lines.extend(f"! {warning}" for warning in report.setup_warnings)
    if report.transfers_to_check or report.statement_problems:
        lines.append("")
        tab = config.tab("statement")
        if report.transfers_to_check:
            lines.append(
                f"Bank statement: {report.transfers_to_check} transfers match no order for "
                f"sure — see the Result column in '{tab}'."
            )
        lines.extend(f"  ! {problem}" for problem in report.statement_problems)
    lines.append("")
    lines.append(_emails(report, config))
    if report.days_behind and not report.dry_run:
        lines.append(_behind_text(report.days_behind, config))
    written = ", ".join(report.tabs_written) or "nothing (no changes)"
    verb = "Would write" if report.dry_run else "Wrote"
    lines.append(f"{verb} tabs: {written}")
    if report.transport_error:
        lines.append(f"Email transport failed: {report.transport_error}")
    if report.quota_reached:
        lines.append(
            "The mail provider's daily sending quota is used up; the rest stay queued and go "
            "out on a later run."
        )
    return "\n".join(lines)


def _behind_text(days: int, config: Config) -> str:
    """Messages held back by the daily limit for more than what is left of today's room."""
    limit = config.email.daily_limit
    when = "within a day" if days == 1 else f"in about {days} days"
    return (
        f"The daily limit ({limit} emails in 24 hours, `daily_limit` under [email] in "
        f"openorder.toml) holds the rest back: the last should go out {when}. Each buyer's "
        "time to pay starts when their confirmation arrives; if your mail provider allows "
        "more a day, raise `daily_limit`."
    )


def quiet_lines(report: SyncReport, config: Config) -> list[str]:
    """``sync --quiet``: orders that became not-confirmed this run, and email failures.

    Only what is new, so a cron job that mails its output does not repeat itself every run.
    """
    fresh = [item for item in report.problems if item.get("new", True)]
    lines = _problem_lines(replace(report, problems=fresh), config, aligned=False)
    lines.extend(f"! {warning}" for warning in report.setup_warnings)
    if report.emails_failed:
        lines.append(
            f"Emails: {report.emails_failed} failed — see the '{config.tab('emails')}' tab."
        )
    return lines


def responses_tab(report: SyncReport, config: Config) -> str:
    """The tab the sync read the answers from (found in either language), else the config's."""
    return str(getattr(report, "responses_tab", "") or config.tab("responses"))


def _problem_lines(report: SyncReport, config: Config, *, aligned: bool) -> list[str]:
    responses = responses_tab(report, config)
    lines = []
    for item in report.problems:
        where = f"{responses} row {item['row']}" if item["row"] else "no response row"
        reasons = "; ".join(item["problems"])
        if aligned:  # a column per field, for the summary
            lines.append(f"{item['order']}  {item['status']:<14} {where}: {reasons}")
        else:  # one self-contained line per order, for cron mail
            lines.append(f"{item['order']} {item['status']} — {where}: {reasons}")
    return lines


def _how_to_change(config: Config, responses: str) -> str:
    action = label(COLUMN_LABELS, "seller_action", config.shop.language)
    return (
        f"To change one: fix its cell in '{responses}' (the next sync checks "
        f"it again), or choose a '{action}' for it in '{config.tab('orders')}'."
    )


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
        waiting = ""
        if item["waitlisted"]:
            room = capacity is None or capacity - item["confirmed"] >= item["waitlisted"]
            why = ", waiting for another product in the same order" if room else ""
            waiting = f" (+{item['waitlisted']} waitlisted{why})"
        lines.append(
            f"  {item['product'][:24]:<24} {shown} {bar(item['confirmed'], capacity)}{waiting}"
        )
    return lines


def _emails(report: SyncReport, config: Config) -> str:
    if report.dry_run:
        if not report.emails_new:
            return "Emails: none due."
        kinds: dict[str, int] = {}
        for item in report.emails_new:
            kinds[item["kind"]] = kinds.get(item["kind"], 0) + 1
        listed = ", ".join(
            f"{count}× {label(EMAIL_KIND_LABELS, kind, report.language)}"
            for kind, count in kinds.items()
        )
        return f"Emails: would queue {len(report.emails_new)} ({listed})."
    extras = []
    if report.emails_deferred:
        extras.append(f"{report.emails_deferred} deferred (will retry)")
    if report.emails_failed:
        extras.append(f"{report.emails_failed} failed (see the '{config.tab('emails')}' tab)")
    if report.emails_waiting:
        extras.append(f"{report.emails_waiting} waiting")
    if not report.emails_sent and not extras:
        return "Emails: none due."
    outbox = shown_path(config.email.outbox)
    where = f"written to {outbox}" if config.email.transport == "outbox" else "sent"
    text = f"Emails: {report.emails_sent} {where}"
    return text + (f"; {', '.join(extras)}" if extras else "") + "."


def status_text(status: Status, config: Config) -> str:
    """``openorder status``: the current batch, fill bars, counts and the email queue."""
    language = config.shop.language
    if status.batch is None:
        return (
            f"No batch yet: add one to the '{config.tab('batches')}' tab "
            "(name, opens, closes), then run `openorder status` again."
        )
    batch = status.batch
    id_ = language == "id"
    lines = [
        f"{batch.name}: {formatting.day_and_time(batch.opens, language)} → "
        f"{formatting.day_and_time(batch.closes, language)} "
        f"({time_left(batch, status.now, language, short=True)})"
    ]
    if not status.fills:
        lines.append(
            f"  Belum ada produk: isi tab '{config.tab('products')}'."
            if id_
            else f"  No products yet: add them to the '{config.tab('products')}' tab."
        )
    for fill in status.fills:
        capacity = fill.capacity if fill.capacity is not None else "∞"
        waiting = ""
        if fill.waitlisted:
            room = fill.capacity is None or fill.capacity - fill.confirmed >= fill.waitlisted
            if id_:
                why = " (menunggu produk lain di pesanan yang sama)" if room else ""
                waiting = f" +{fill.waitlisted} di daftar tunggu{why}"
            else:
                why = " (waiting for another product in the same order)" if room else ""
                waiting = f" +{fill.waitlisted} waitlisted{why}"
        lines.append(
            f"  {fill.product[:24]:<24} {fill.confirmed:>4} / {capacity:<4} "
            f"{bar(fill.confirmed, fill.capacity, language=language)}{waiting}"
        )
    counts = _counts_text(status.counts, language)
    none_yet = "belum ada" if id_ else "none yet"
    lines.append(f"{'Pesanan' if id_ else 'Orders'}: {counts or none_yet}")
    if status.paid_orders or status.unpaid_orders:
        currency = config.shop.currency
        received = formatting.money(status.received, currency, language)
        expected = formatting.money(status.expected, currency, language)
        if id_:
            money = (
                f"Pembayaran: {received} dari {expected} · {status.paid_orders} lunas, "
                f"{status.unpaid_orders} belum"
            )
        else:
            money = (
                f"Payments: {received} of {expected} · {status.paid_orders} paid, "
                f"{status.unpaid_orders} unpaid"
            )
        if status.to_check:
            tab = config.tab("statement")
            money += (
                f" · {status.to_check} transfer perlu dicek di '{tab}'"
                if id_
                else f" · {status.to_check} transfers to check in '{tab}'"
            )
        lines.append(money)
    lines.extend(f"! {warning}" for warning in status.warnings)
    if status.cells_used > CELL_CEILING * CELL_WARNING:
        share = status.cells_used / CELL_CEILING
        lines.append(
            f"Spreadsheet hampir penuh: {status.cells_used:,} dari {CELL_CEILING:,} sel "
            f"({share:.0%}) — jalankan `openorder archive` untuk memindahkan batch yang selesai."
            if id_
            else f"The spreadsheet is filling up: {status.cells_used:,} of {CELL_CEILING:,} "
            f"cells ({share:.0%}) — run `openorder archive` to move finished batches out."
        )
    if id_:
        lines.append(
            f"Email: {status.queued} antre, {status.deferred} ditunda, {status.failed} gagal"
        )
    else:
        lines.append(
            f"Emails: {status.queued} queued, {status.deferred} deferred, {status.failed} failed"
        )
    if status.days_behind:
        limit = config.email.daily_limit
        days = status.days_behind
        if id_:
            when = "dalam sehari" if days == 1 else f"sekitar {days} hari lagi"
            lines.append(
                f"  Batas harian ({limit} email per 24 jam, `daily_limit` di [email] "
                f"openorder.toml) menahan sisanya: email terakhir baru terkirim {when}. Waktu "
                "bayar pembeli dihitung sejak konfirmasinya sampai; kalau layanan email Anda "
                "mengizinkan lebih, naikkan `daily_limit`."
            )
        else:
            lines.append("  " + _behind_text(days, config))
    return "\n".join(lines)


def doctor_lines(checks: Iterable[Check]) -> tuple[list[str], int]:
    """One line per check (✓ fine, ! warning, ✗ must fix), a closing line, and the ✗ count."""
    checks = list(checks)
    lines = [f"{'!' if c.warning else ('✓' if c.ok else '✗')} {c.text}" for c in checks]
    failed = sum(1 for check in checks if not check.ok)
    warned = sum(1 for check in checks if check.ok and check.warning)
    if failed == 1:
        lines.append("1 thing to fix (the ✗ line above); then run `openorder doctor` again.")
    elif failed:
        lines.append(
            f"{failed} things to fix (the ✗ lines above); then run `openorder doctor` again."
        )
    elif warned:
        which = "the ! line above" if warned == 1 else f"the {warned} ! lines above"
        lines.append(f"Nothing blocks a sync, but fix {which} before buyers order.")
    else:
        lines.append("All good.")
    return lines, failed


def openorder_executable(argv0: str | None = None) -> str:
    """The absolute path of the `openorder` command running now, for cron and schedulers.

    The script the install made (``.venv/bin/openorder``, pipx's ``~/.local/bin/openorder``),
    else the one on PATH, else this Python running the package.
    """
    given = Path(argv0 if argv0 is not None else sys.argv[0])
    if given.stem.casefold() == "openorder" and given.is_file():
        return str(given.absolute())
    found = shutil.which("openorder")
    if found:
        return str(Path(found).absolute())
    return f"{Path(sys.executable).absolute()} -m openorder_sheets"


def typed_openorder(argv0: str | None = None) -> str:
    """How to type the running command: ``openorder`` when the shell finds this one on PATH,
    else its path (``.venv/bin/openorder`` from the repository's folder)."""
    program = openorder_executable(argv0)
    if " -m " in program:
        return "openorder"
    on_path = shutil.which("openorder")
    if on_path and Path(on_path).resolve() == Path(program).resolve():
        return "openorder"
    return shown_path(Path(program))


def schedule_lines(
    config_path: Path,
    executable: str,
    platform: str = sys.platform,
    password_env: str | None = None,
) -> list[str]:
    """How to run `sync --quiet` every 5 minutes from this install: a crontab line, or on
    Windows a Task Scheduler command, with absolute paths so it works from any folder.

    ``password_env``: the SMTP password's variable, which a scheduled job does not inherit.
    """
    config = config_path.absolute()
    lines = _schedule(config, executable, platform)
    if password_env:
        how = (
            f"`setx {password_env} <app password>` once"
            if platform.startswith("win")
            else f"`{password_env}=<app password>` just before the command"
        )
        lines.append(f"  (the job does not see your terminal's {password_env}: use {how})")
    return lines


def _schedule(config: Path, executable: str, platform: str) -> list[str]:
    if platform.startswith("win"):
        command = (
            f'schtasks /Create /SC MINUTE /MO 5 /TN openorder /TR "\\"{executable}\\" sync '
            f'--quiet --config \\"{config}\\""'
        )
        return [
            "To sync every 5 minutes while this computer is on, run this once in a terminal:",
            f"  {command}",
        ]
    program = executable if " -m " in executable else shlex.quote(executable)
    where = shlex.quote(str(config.parent))
    extra = "" if config.name == "openorder.toml" else f" --config {shlex.quote(config.name)}"
    line = f"*/5 * * * * cd {where} && {program} sync --quiet{extra}"
    return [
        "To sync every 5 minutes, add this line with `crontab -e`:",
        "  " + line.replace("%", "\\%"),  # cron reads a bare % as a line break
    ]


def demo_next_steps(folder: Path, config: Config) -> str:
    """What to look at and try after ``openorder demo``."""
    where = shown_path(folder)
    config_path = shown_path(config.path)
    openorder = typed_openorder()
    return "\n".join(
        [
            f"Open {where}/shop.xlsx to see the '{config.tab('orders')}' and "
            f"'{config.tab('summary')}' tabs, and read the emails in "
            f"{shown_path(config.email.outbox)}/.",
            "Try next:",
            f"  {openorder} status --config {config_path}",
            f"  {openorder} preview PO-0002 --config {config_path}",
            f"  {openorder} sync --config {config_path}      (after editing the sheet)",
        ]
    )
