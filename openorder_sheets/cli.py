"""The `openorder` command: parse, call the service, print. No business logic lives here."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from openorder_sheets import __version__
from openorder_sheets.adapters.templates import KINDS, copy_default_templates
from openorder_sheets.cli_text import status_text, sync_summary
from openorder_sheets.config import Config, load_config
from openorder_sheets.errors import ConfigError, OpenOrderError
from openorder_sheets.service.shop import open_shop

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("openorder")

CONFIG_OPTION = click.option(
    "--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
    default=Path("openorder.toml"), show_default=True, help="The shop's config file.")


def friendly(command: F) -> F:
    """Turn the errors a user can cause into one sentence and the SPEC's exit code."""
    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except OpenOrderError as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(error.exit_code)
    return wrapper  # type: ignore[return-value]


def parse_now(value: str | None, config: Config) -> dt.datetime:
    """``--now`` as an aware instant in the shop's zone (naive values are shop time)."""
    zone = config.shop.zone
    if value is None:
        return dt.datetime.now(zone)
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"--now '{value}' is not an ISO-8601 time: write it like "
                          "2027-02-20T10:00 or 2027-02-20T10:00+07:00.") from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="openorder")
def main() -> None:
    """Run an open order (pre-order batch) from a spreadsheet.

    Buyers order through a Google Form; `openorder sync` decides every order against the
    batch window, capacity and limits, writes the summary tabs and emails buyers.

    \b
    Start here:
      openorder demo            try a demo shop (no Google account needed)
      openorder init            set up your own shop
      openorder doctor          check the set-up
      openorder sync            the job to run from cron every few minutes
    """


@main.command()
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False),
                default=Path("openorder-demo"))
@click.option("--now", "now_text", help="Pretend it is this time (ISO-8601).")
@friendly
def demo(folder: Path, now_text: str | None) -> None:
    """Create a demo shop in FOLDER and run a sync on it.

    The demo is a home bakery's Lebaran pre-order: a workbook with products, a batch and
    realistic form responses (including a few bad rows), and a config that writes emails to
    an outbox folder. Works offline, no credentials needed.

    \b
    Example:
      openorder demo
      openorder demo my-demo && libreoffice my-demo/shop.xlsx
    """
    from openorder_sheets.service.demo import create_demo  # noqa: PLC0415 - only for demo
    from openorder_sheets.service.sync import run_sync  # noqa: PLC0415

    probe = dt.datetime.now(dt.UTC)
    config = create_demo(folder, probe if now_text is None else parse_now(now_text, _id_zone()))
    now = parse_now(now_text, config)
    report = run_sync(open_shop(config), now)
    click.echo(f"Created the demo shop in {folder}/ (workbook shop.xlsx, config openorder.toml).")
    click.echo("")
    click.echo(sync_summary(report, config.shop.name, config.tab("responses"),
                            _rel(config.email.outbox), config.email.transport))
    click.echo("")
    click.echo(f"Open {folder}/shop.xlsx to see the Orders and Summary tabs, read the emails "
               f"in {folder}/outbox/, and run `openorder sync --config {folder}/openorder.toml` "
               "again after editing the sheet.")


def _id_zone() -> Config:
    from openorder_sheets.config import parse_config  # noqa: PLC0415

    return parse_config({}, Path("openorder.toml").resolve())


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@main.command()
@CONFIG_OPTION
@click.option("--templates", "copy_templates", is_flag=True,
              help="Also copy the email templates into ./templates for editing.")
@click.option("--language", type=click.Choice(["id", "en"]), default="id", show_default=True,
              help="Language of the new config's tabs and emails.")
@friendly
def init(config_path: Path, copy_templates: bool, language: str) -> None:
    """Set up a shop: write openorder.toml and create the seller tabs.

    Creates `Products`, `Materials`, `Batches` (and a responses tab for a local workbook) with
    headers, frozen header rows, dropdowns, checkboxes and currency formats. Existing files
    and tabs are never overwritten.

    \b
    Example:
      openorder init                 # then fill in Products and Batches
      openorder init --templates     # copy the email templates to edit them
    """
    from openorder_sheets.service.setup import (  # noqa: PLC0415
        example_batch,
        form_questions,
        seller_tabs,
        write_config_file,
    )

    if not config_path.exists():
        write_config_file(config_path, language=language)
        click.echo(f"Wrote {config_path}: open it and set your shop's name and email.")
    else:
        click.echo(f"{config_path} exists; keeping it.")
    config = load_config(config_path)
    shop = open_shop(config)
    now = dt.datetime.now(config.shop.zone)
    tabs = seller_tabs(config, batches=[example_batch(now)])
    created = shop.backend.create_tabs(tabs)
    where = config.sheet.workbook or config.sheet.spreadsheet
    if created:
        click.echo(f"Created tabs in {where}: {', '.join(created)}.")
    else:
        click.echo(f"All seller tabs already exist in {where}.")
    if copy_templates:
        target = config.email.templates_dir or config.folder / "templates"
        written = copy_default_templates(target)
        click.echo(f"Copied {len(written)} template files to {target}; set templates_dir = "
                   f"\"{_rel(target)}\" under [email] to use them.")
    click.echo("")
    click.echo("Next: add your products to the Products tab and your batch to the Batches tab.")
    click.echo("Create these Google Form questions so openorder finds them:")
    for line in form_questions(config, ["<product name>"]):
        click.echo(f"  - {line}")
    click.echo("Then run `openorder doctor`.")


@main.command()
@CONFIG_OPTION
@click.option("--dry-run", is_flag=True, help="Decide and show what would change; change nothing.")
@click.option("--now", "now_text", help="Decide as of this instant (ISO-8601), for what-if runs.")
@click.option("--quiet", is_flag=True, help="Print only problems (for cron).")
@click.option("--json", "as_json", is_flag=True, help="Print the run's report as JSON.")
@friendly
def sync(config_path: Path, dry_run: bool, now_text: str | None, quiet: bool,
         as_json: bool) -> None:
    """Read the sheet, decide every order, write the tabs, send the emails due.

    Running it twice in a row changes nothing and sends nothing the second time.

    \b
    Example:
      openorder sync --dry-run
      */5 * * * * cd /home/sari/toko && openorder sync --quiet   (crontab)
    """
    from openorder_sheets.service.sync import run_sync  # noqa: PLC0415

    config = load_config(config_path)
    now = parse_now(now_text, config)
    report = run_sync(open_shop(config), now, dry_run=dry_run)
    if as_json:
        click.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2, default=str))
    elif quiet:
        for item in report.problems:
            click.echo(f"{item['order']} {item['status']}: " + "; ".join(item["problems"]))
    else:
        click.echo(sync_summary(report, config.shop.name, config.tab("responses"),
                                _rel(config.email.outbox), config.email.transport))


@main.command()
@CONFIG_OPTION
@click.option("--every", default="5m", show_default=True,
              help="How often: 30s, 5m, 1h.")
@friendly
def watch(config_path: Path, every: str) -> None:
    """Run sync on a schedule until interrupted (Ctrl-C stops cleanly).

    A failing run is logged and the next one still runs.

    \b
    Example:
      openorder watch --every 5m
    """
    from openorder_sheets.service.watch import parse_every, watch_forever  # noqa: PLC0415

    config = load_config(config_path)
    seconds = parse_every(every)
    click.echo(f"Syncing {config.shop.name} every {every}; press Ctrl-C to stop.")
    watch_forever(config_path, seconds, click.echo)
    click.echo("Stopped.")


@main.command()
@CONFIG_OPTION
@click.option("--now", "now_text", help="As of this instant (ISO-8601).")
@friendly
def status(config_path: Path, now_text: str | None) -> None:
    """The current batch at a glance: time left, fill per product, orders, emails.

    \b
    Example:
      openorder status
    """
    from openorder_sheets.service.views import shop_status  # noqa: PLC0415

    config = load_config(config_path)
    now = parse_now(now_text, config)
    click.echo(status_text(shop_status(open_shop(config), now), config.shop.language))


@main.command()
@CONFIG_OPTION
@click.argument("order")
@click.option("--kind", type=click.Choice(KINDS), help="Which email (default: the one due).")
@click.option("--html", "html_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the HTML body to this file.")
@click.option("--now", "now_text", help="As of this instant (ISO-8601).")
@friendly
def preview(config_path: Path, order: str, kind: str | None, html_file: Path | None,
            now_text: str | None) -> None:
    """Render an email for ORDER exactly as it would be sent.

    \b
    Example:
      openorder preview PO-0001
      openorder preview PO-0001 --kind order_waitlisted --html preview.html
    """
    from openorder_sheets.service.views import preview_email  # noqa: PLC0415

    config = load_config(config_path)
    now = parse_now(now_text, config)
    chosen, rendered = preview_email(open_shop(config), order, kind, now)
    click.echo(f"Kind: {chosen}")
    click.echo(f"Subject: {rendered.subject}")
    click.echo("")
    click.echo(rendered.text)
    if html_file is not None:
        html_file.write_text(rendered.html, encoding="utf-8")
        click.echo(f"(HTML body written to {html_file})")


@main.command()
@CONFIG_OPTION
@click.option("--now", "now_text", help="As of this instant (ISO-8601).")
@friendly
def doctor(config_path: Path, now_text: str | None) -> None:
    """Check the config, the spreadsheet, the form mapping, templates and email.

    Prints one line per check with the fix; exits 2 when something must be fixed.

    \b
    Example:
      openorder doctor
    """
    from openorder_sheets.service.doctor import run_doctor  # noqa: PLC0415

    now = dt.datetime.now(dt.UTC)
    if now_text:
        try:
            now = dt.datetime.fromisoformat(now_text).astimezone(dt.UTC)
        except ValueError:
            raise ConfigError(f"--now '{now_text}' is not an ISO-8601 time.") from None
    checks = run_doctor(config_path, now)
    for check in checks:
        mark = "!" if check.warning else ("✓" if check.ok else "✗")
        click.echo(f"{mark} {check.text}")
    failed = sum(1 for check in checks if not check.ok)
    if failed:
        click.echo(f"{failed} problem(s) to fix.")
        sys.exit(2)
    click.echo("All good.")
