"""The `openorder` command: parse, call the service, print. No business logic lives here."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import click
from click.core import ParameterSource

from openorder_sheets import __version__
from openorder_sheets.adapters.templates import KINDS, TemplateError, copy_default_templates
from openorder_sheets.cli_text import (
    demo_next_steps,
    doctor_lines,
    openorder_executable,
    quiet_lines,
    report_json,
    schedule_lines,
    shown_path,
    status_text,
    sync_summary,
    typed_openorder,
)
from openorder_sheets.config import ShopConfig, load_config
from openorder_sheets.errors import ConfigError, OpenOrderError, TransportFailed
from openorder_sheets.service.composition import open_shop

F = TypeVar("F", bound=Callable[..., Any])

#: Exit code for usage and configuration errors (SPEC §6).
USAGE_ERROR = 2

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("openorder.toml"),
    show_default=True,
    help="The shop's config file.",
)


def now_option(help_text: str) -> Callable[[F], F]:
    return click.option("--now", "now_text", metavar="TIME", help=help_text)


def fail(message: str, exit_code: int = USAGE_ERROR) -> NoReturn:
    """Print ``Error: <one sentence>`` on stderr and exit with ``exit_code``."""
    click.echo(f"Error: {' '.join(message.split())}", err=True)
    sys.exit(exit_code)


def friendly(command: F) -> F:
    """Turn the errors a user can cause into one sentence and the SPEC's exit code."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OpenOrderError as error:
            fail(str(error), error.exit_code)
        except TemplateError as error:  # a seller's template or templates_dir: fix the config
            fail(str(error), USAGE_ERROR)

    return wrapper  # type: ignore[return-value]


def parse_now(value: str | None, zone: ZoneInfo) -> dt.datetime:
    """``--now`` as an aware instant in ``zone`` (naive values are shop time); default now."""
    if value is None:
        return dt.datetime.now(zone)
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(
            f"--now '{value}' is not an ISO-8601 time: write it like "
            "2027-02-20T10:00 or 2027-02-20T10:00+07:00."
        ) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


class OneLineUsageError(click.ClickException):
    """A mistyped command line as one ``Error: …`` line naming the help to read (exit 2).

    Click prints the usage, a hint and the error on three lines; every other error of this
    command is one sentence with its fix, so these are too.
    """

    exit_code = USAGE_ERROR

    @classmethod
    def from_usage(cls, error: click.UsageError, command: str = "") -> OneLineUsageError:
        """``command``: the subcommand being parsed, when click's error does not say."""
        where = error.ctx.command_path if error.ctx is not None else "openorder"
        if where == "openorder" and command:
            where = f"openorder {command}"
        what = " ".join(error.format_message().split()).rstrip(".")
        see = "the commands" if where == "openorder" else "how it is used, with an example"
        return cls(f"{what}: run `{where} --help` to see {see}.")


class SellerOrderGroup(click.Group):
    """Lists the commands in the order a seller meets them, not alphabetically; command-line
    mistakes are one line, like every other error."""

    order = (
        "demo",
        "init",
        "doctor",
        "sync",
        "status",
        "preview",
        "payments",
        "archive",
        "watch",
    )

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002 - click's API
        known = [name for name in self.order if name in self.commands]
        return known + [name for name in self.commands if name not in known]

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise OneLineUsageError.from_usage(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        # The subcommand's name, read before click consumes it (click 8.2+ keeps it in
        # _protected_args, 8.1 in protected_args), to name its help in a parsing error.
        pending = list(
            getattr(ctx, "_protected_args", None) or ctx.__dict__.get("protected_args") or []
        )
        command = pending[0] if pending and pending[0] in self.commands else ""
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise OneLineUsageError.from_usage(error, command) from None


@click.group(
    cls=SellerOrderGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="openorder")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Run an open order (pre-order batch) from a spreadsheet.

    Buyers order through a Google Form; `openorder sync` decides every order against the
    batch window, capacity and limits, writes the summary tabs and emails buyers.

    \b
    Start here:
      openorder demo            try a demo shop (no Google account needed)
      openorder init            set up your own shop
      openorder doctor          check the set-up
      openorder sync            the job to run from cron every few minutes

    Every command has its own help with an example: openorder sync --help
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@main.command(short_help="Try a demo shop (no Google account needed).")
@click.argument(
    "folder", type=click.Path(path_type=Path, file_okay=False), default=Path("openorder-demo")
)
@now_option("Pretend it is this time (ISO-8601, shop time), e.g. 2027-02-20T10:00.")
@friendly
def demo(folder: Path, now_text: str | None) -> None:
    """Create a demo shop in FOLDER (default ./openorder-demo) and run a sync on it.

    The demo is a home bakery's Lebaran pre-order: a workbook with products, a batch and
    realistic form responses (including a few bad rows), and a config that writes emails to
    an outbox folder. Works offline, no credentials needed.

    \b
    Example:
      openorder demo
      openorder demo my-demo && libreoffice my-demo/shop.xlsx
    """
    from openorder_sheets.service.demo import create_demo
    from openorder_sheets.service.sync import run_sync

    # The demo's config is not written yet: read --now in the zone every new shop starts with.
    now = parse_now(now_text, ShopConfig().zone)
    try:
        config = create_demo(folder, now)
    except OSError as error:
        fail(
            f"Cannot create the demo in {folder} ({error.strerror or error}): choose a folder "
            "you may write to, e.g. `openorder demo ~/openorder-demo`."
        )
    report = run_sync(open_shop(config), now.astimezone(config.shop.zone))
    click.echo(
        f"Created the demo shop in {shown_path(folder)}/ "
        "(workbook shop.xlsx, config openorder.toml)."
    )
    click.echo("")
    click.echo(sync_summary(report, config))
    click.echo("")
    click.echo(demo_next_steps(folder, config))


@main.command(short_help="Set up your own shop: config file and spreadsheet tabs.")
@CONFIG_OPTION
@click.option(
    "--templates",
    "copy_templates",
    is_flag=True,
    help="Also copy the email templates (next to the config) for editing.",
)
@click.option(
    "--language",
    type=click.Choice(["id", "en"]),
    default="id",
    show_default=True,
    help="Language of a new config's tabs and emails (id = Bahasa Indonesia).",
)
@click.pass_context
@friendly
def init(ctx: click.Context, config_path: Path, copy_templates: bool, language: str) -> None:
    """Set up a shop: write openorder.toml and create the seller tabs.

    Creates the products, materials and batches tabs (and a responses tab for a local
    workbook) with headers, frozen header rows, dropdowns, checkboxes and currency formats.
    Existing files, tabs and templates are never overwritten.

    \b
    Example:
      openorder init                 # then fill in your products and your batch
      openorder init --templates     # copy the email templates to edit them
    """
    from openorder_sheets.service.setup import form_questions, init_tabs, write_config_file

    new_config = not config_path.exists()
    if new_config:
        write_config_file(config_path, language=language)
        click.echo(f"Wrote {config_path}: open it and set your shop's name and email.")
    else:
        click.echo(f"{config_path} already exists; keeping it as it is.")
    config = load_config(config_path)
    if not new_config and _given(ctx, "language") and language != config.shop.language:
        click.echo(
            f"(--language applies to a new config only; yours says language = "
            f'"{config.shop.language}" under [shop].)'
        )
    shop = open_shop(config)
    now = dt.datetime.now(config.shop.zone)
    tabs = init_tabs(config, now, with_responses=config.sheet.workbook is not None)
    created = shop.backend.create_tabs(tabs)
    where = config.sheet.workbook or config.sheet.spreadsheet
    if created:
        click.echo(f"Created tabs in {where}: {', '.join(created)}.")
    else:
        click.echo(f"All tabs already exist in {where}; nothing changed there.")
    if copy_templates:
        _copy_templates(config.email.templates_dir, config.folder / "templates")
    if not (new_config or created):
        return
    click.echo("")
    example = " (edit the example batch there)" if config.tab("batches") in created else ""
    click.echo(
        f"Next: add your products to the '{config.tab('products')}' tab and your batch "
        f"to the '{config.tab('batches')}' tab{example}."
    )
    click.echo("Create these Google Form questions so openorder finds them:")
    for line in form_questions(config, ["<product name>"]):
        click.echo(f"  - {line}")
    click.echo(f"Then run `{_command('doctor', config_path)}`.")
    click.echo("")
    for line in _schedule(config_path):
        click.echo(line)


def _schedule(config_path: Path) -> list[str]:
    """The crontab line (Task Scheduler command on Windows) for this install and config."""
    try:
        config = load_config(config_path)
    except OpenOrderError:
        return []
    smtp = config.email.password_env if config.email.transport == "smtp" else None
    return schedule_lines(config_path, openorder_executable(), password_env=smtp)


def _given(ctx: click.Context, name: str) -> bool:
    """Whether the user typed option ``name`` (rather than getting its default)."""
    return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE


def _command(name: str, config_path: Path) -> str:
    """``openorder NAME``, with ``--config`` only when it is not the default file."""
    default = config_path == Path("openorder.toml")
    return f"{typed_openorder()} {name}" + ("" if default else f" --config {config_path}")


def _copy_templates(configured: Path | None, default: Path) -> None:
    target = configured or default
    written = copy_default_templates(target)
    if written:
        click.echo(f"Copied {len(written)} template files to {target}.")
    else:
        click.echo(f"The templates are already in {target}; kept them (nothing overwritten).")
    if configured is None:
        click.echo(f'To use them, set templates_dir = "{shown_path(target)}" under [email].')


@main.command(short_help="Decide every order, write the tabs, send the emails due.")
@CONFIG_OPTION
@click.option("--dry-run", is_flag=True, help="Decide and show what would change; change nothing.")
@now_option("Decide as of this time (ISO-8601, shop time), for what-if runs.")
@click.option(
    "--quiet",
    is_flag=True,
    help="Print only the orders that are not confirmed, and email failures (for cron).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON.")
@friendly
def sync(
    config_path: Path, dry_run: bool, now_text: str | None, quiet: bool, as_json: bool
) -> None:
    """Read the sheet, decide every order, write the tabs, send the emails due.

    Running it twice in a row changes nothing and sends nothing the second time.

    \b
    Exit codes:
      0  done (orders that need attention are listed, they are not errors)
      2  fix the config or the sheet: the message says what and where
      3  the spreadsheet cannot be reached, even after retries
      4  email could not be sent (the sheet is updated; emails stay queued)
      5  another sync for this shop is still running

    \b
    Example:
      openorder sync --dry-run
      */5 * * * * cd /home/sari/toko && openorder sync --quiet   (crontab)
    """
    from openorder_sheets.service.sync import SyncReport, run_sync

    config = load_config(config_path)
    now = parse_now(now_text, config.shop.zone)
    failure: TransportFailed | None = None
    try:
        report = run_sync(open_shop(config), now, dry_run=dry_run)
    except TransportFailed as error:
        if not isinstance(error.report, SyncReport):
            raise
        report, failure = error.report, error
    if as_json:
        click.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2, default=str))
    elif quiet:
        for line in quiet_lines(report, config):
            click.echo(line)
    else:
        click.echo(sync_summary(report, config))
    if failure is not None:
        raise failure


@main.command(short_help="Run sync every few minutes until Ctrl-C.")
@CONFIG_OPTION
@click.option(
    "--every", default="5m", show_default=True, metavar="INTERVAL", help="How often: 30s, 5m, 1h."
)
@friendly
def watch(config_path: Path, every: str) -> None:
    """Run sync on a schedule until interrupted (Ctrl-C stops cleanly).

    A failing run is logged and the next one still runs. Use this instead of cron on a
    machine that stays on.

    \b
    Example:
      openorder watch --every 5m
    """
    config = load_config(config_path)  # a wrong config is reported before anything starts
    from openorder_sheets.service.watch import parse_every, watch_forever

    seconds = parse_every(every)
    click.echo(f"Syncing {config.shop.name} every {every}; press Ctrl-C to stop.")
    zone = config.shop.zone  # run times are printed in shop time, like everything else
    watch_forever(config_path, seconds, click.echo, lambda: dt.datetime.now(zone))
    click.echo("Stopped.")


@main.command(short_help="The current batch at a glance.")
@CONFIG_OPTION
@now_option("As of this time (ISO-8601, shop time).")
@friendly
def status(config_path: Path, now_text: str | None) -> None:
    """The current batch at a glance: time left, fill per product, orders, emails.

    Reads the sheet and changes nothing.

    \b
    Example:
      openorder status
    """
    from openorder_sheets.service.views import shop_status

    config = load_config(config_path)
    now = parse_now(now_text, config.shop.zone)
    click.echo(status_text(shop_status(open_shop(config), now), config))


@main.command(short_help="Show an order's email exactly as it would be sent.")
@CONFIG_OPTION
@click.argument("order")
@click.option(
    "--kind",
    type=click.Choice(KINDS),
    metavar="KIND",
    help="Which email (default: the one its status calls for): " + ", ".join(KINDS) + ".",
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the HTML body to this file, to open in a browser.",
)
@now_option("As of this time (ISO-8601, shop time).")
@friendly
def preview(
    config_path: Path, order: str, kind: str | None, html_file: Path | None, now_text: str | None
) -> None:
    """Render an email for ORDER (e.g. PO-0001) exactly as it would be sent.

    Reads the sheet and changes nothing; no email is sent.

    \b
    Example:
      openorder preview PO-0001
      openorder preview PO-0001 --kind order_waitlisted --html preview.html
    """
    from openorder_sheets.service.views import preview_email

    config = load_config(config_path)
    now = parse_now(now_text, config.shop.zone)
    chosen, rendered = preview_email(open_shop(config), order, kind, now)
    if html_file is not None:
        try:
            html_file.write_text(rendered.html, encoding="utf-8")
        except OSError as error:
            fail(
                f"Cannot write {html_file} ({error.strerror or error}): choose a file in a "
                "folder that exists and that you may write to."
            )
    click.echo(f"Kind: {chosen}")
    click.echo(f"Subject: {rendered.subject}")
    click.echo("")
    click.echo(rendered.text)
    if html_file is not None:
        click.echo(f"(HTML body written to {html_file})")


@main.group(
    cls=SellerOrderGroup,
    short_help="Bank statements: import your bank's export to match transfers.",
    invoke_without_command=True,
)
@click.pass_context
def payments(ctx: click.Context) -> None:
    """Transfers from your bank statement tick `Paid` by themselves.

    Paste rows from internet banking into the 'Bank statement' tab, or import the statement
    file your bank lets you download; every sync matches the transfers to unpaid orders.

    \b
    Example:
      openorder payments import mutasi-januari.csv
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@payments.command("import", short_help="Add a bank's CSV statement to the Bank statement tab.")
@CONFIG_OPTION
@click.argument(
    "files",
    nargs=-1,
    required=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    metavar="FILE...",
)
@friendly
def payments_import(config_path: Path, files: tuple[Path, ...]) -> None:
    """Append the incoming transfers in FILE (a CSV statement from BCA, Mandiri, BRI or BNI,
    personal or business) to the 'Bank statement' tab. Rows already there are not added
    again, so importing the same file twice changes nothing.

    For another bank, say which column holds what under [payment.statement_columns] in
    openorder.toml (date, time, description, amount or credit/debit, date_format).

    \b
    Example:
      openorder payments import mutasi-januari.csv mutasi-februari.csv
    """
    from openorder_sheets.service.statements import import_statements, summary_lines

    config = load_config(config_path)
    results = import_statements(open_shop(config), list(files))
    for line in summary_lines(results, config):
        click.echo(line)
    unreadable = [r for r in results if not r.credits and r.problems]
    if unreadable:
        fail(
            f"{unreadable[0].path.name}: {unreadable[0].problems[0]} (For a bank the tool does "
            "not know, set [payment.statement_columns] in openorder.toml: see "
            "`openorder payments import --help`.)"
        )


@main.command(short_help="Move finished batches out of the live tabs, into an archive.")
@CONFIG_OPTION
@click.argument("batches", nargs=-1, metavar="[BATCH]...")
@now_option("As of this time (ISO-8601, shop time).")
@friendly
def archive(config_path: Path, batches: tuple[str, ...], now_text: str | None) -> None:
    """Move finished batches (Stage Shipped or Cancelled, everything paid and told) out of
    the live tabs: their orders, emails, bank-statement rows and (on a workbook) form answers
    go to the archive, so the spreadsheet stays small and every sync stays quick.

    The archive is a workbook beside yours (shop-archive.xlsx), or for a Google spreadsheet
    the one named under [archive] in openorder.toml. Nothing is sent again, order numbers are
    never reused, and a run that is interrupted is finished by the next.

    \b
    Example:
      openorder archive                 every finished batch
      openorder archive "PO Lebaran 1"
    """
    from openorder_sheets.service.archive import archive_batches

    config = load_config(config_path)
    now = parse_now(now_text, config.shop.zone)
    results = archive_batches(open_shop(config), now, list(batches))
    if not results:
        click.echo("No batch is finished yet: nothing to archive.")
        return
    for result in results:
        if result.not_finished:
            click.echo(f"{result.batch}: stays — {'; '.join(result.not_finished)}.")
        else:
            click.echo(
                f"{result.batch}: archived {result.orders} orders, {result.emails} email rows, "
                f"{result.statement_rows} bank-statement rows, {result.answers} form answers."
            )
    if batches and any(r.not_finished for r in results):
        sys.exit(USAGE_ERROR)


@main.command(short_help="Check the set-up: config, sheet, form, templates, email.")
@CONFIG_OPTION
@now_option("As of this time (ISO-8601, shop time).")
@friendly
def doctor(config_path: Path, now_text: str | None) -> None:
    """Check the config, the spreadsheet, the form mapping, templates and email.

    Prints one line per check (✓ fine, ! warning, ✗ must fix) with the fix, then the crontab
    line for this install. Exits 2 when something must be fixed, 3 when the spreadsheet cannot
    be reached (whichever the first ✗ line is), 0 otherwise.

    \b
    Example:
      openorder doctor
    """
    from openorder_sheets.service.doctor import run_doctor

    now = (
        dt.datetime.now(dt.UTC)
        if now_text is None
        else parse_now(now_text, _zone_for_doctor(config_path))
    )
    checks = run_doctor(config_path, now)
    lines, failed = doctor_lines(checks)
    for line in lines:
        click.echo(line)
    if failed:
        sys.exit(next(check.exit_code for check in checks if not check.ok))
    click.echo("")
    for line in _schedule(config_path):
        click.echo(line)


def _zone_for_doctor(config_path: Path) -> ZoneInfo:
    """The shop's zone to read --now in; a broken config is doctor's to report, not ours."""
    try:
        return load_config(config_path).shop.zone
    except OpenOrderError:
        return ShopConfig().zone
