"""`openorder doctor`: check everything a sync needs, one line per check, each with its fix.

Every check runs, whatever an earlier one found: a spreadsheet that cannot be reached still
leaves the config, templates and email checked. A failed check carries the exit code the same
problem gets from `sync` (2 to fix the set-up, 3 when the spreadsheet cannot be reached).
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from openorder_sheets.adapters.templates import KINDS, TemplateError, TemplateRenderer
from openorder_sheets.config import Config, load_config
from openorder_sheets.core import qris
from openorder_sheets.core.labels import fold
from openorder_sheets.core.responses_tab import default_responses_tabs, find_responses_tab
from openorder_sheets.errors import OpenOrderError, SheetSetupError
from openorder_sheets.service.archive import CELL_CEILING, CELL_WARNING, cells_used
from openorder_sheets.service.composition import Shop, make_transport, open_shop
from openorder_sheets.service.decide import decide_shop
from openorder_sheets.service.email_samples import sample_context
from openorder_sheets.service.setup import PLACEHOLDER_EMAIL, PLACEHOLDER_SHOP_NAME


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str
    warning: bool = False
    exit_code: int = 2  # for a failed check: what `doctor` exits with when it is the first


def run_doctor(
    config_path: Path, now: dt.datetime, shop_factory: Callable[[Config], Shop] = open_shop
) -> list[Check]:
    """Every check, each problem once; only an unreadable config stops the rest."""
    checks: list[Check] = []
    for check in _checks(config_path, now, shop_factory):
        if all(check.text != seen.text for seen in checks):
            checks.append(check)
    return checks


def _failed(error: OpenOrderError) -> Check:
    return Check(False, str(error), exit_code=error.exit_code)


def _checks(
    config_path: Path, now: dt.datetime, shop_factory: Callable[[Config], Shop]
) -> Iterator[Check]:
    try:
        config = load_config(config_path)
    except OpenOrderError as error:
        yield _failed(error)
        return
    yield Check(True, f"Config {config.path} is valid.")
    yield Check(
        True,
        f"Time zone {config.shop.timezone}: now it is "
        f"{now.astimezone(config.shop.zone):%Y-%m-%d %H:%M} there.",
    )
    yield from _placeholders(config)
    yield from _credentials(config)
    shop: Shop | None = None
    try:
        shop = shop_factory(config)
    except OpenOrderError as error:
        yield _failed(error)
    except TemplateError as error:
        yield Check(False, str(error))
    if shop is not None:
        yield from _sheet(shop, config, now)
    yield from _payments(config)
    yield from _templates(shop, config)
    yield from _mail(config)


def _placeholders(config: Config) -> Iterator[Check]:
    """What `init` writes as an example and a seller must replace before buyers see it."""
    shop, email = config.shop, config.email
    if shop.name.strip() == PLACEHOLDER_SHOP_NAME:
        yield Check(
            True,
            f"[shop] name is still the example '{PLACEHOLDER_SHOP_NAME}': write your shop's "
            "name there (buyers see it in every email).",
            warning=True,
        )
    if shop.reply_to == PLACEHOLDER_EMAIL or (not shop.reply_to and not email.sender):
        now = f"still the example {shop.reply_to}" if shop.reply_to else "empty"
        yield Check(
            True,
            f"[shop] reply_to is {now}: write the email address where buyers' replies should "
            "reach you.",
            warning=True,
        )
    if email.sender == PLACEHOLDER_EMAIL:
        yield Check(
            True,
            f"[email] from is still the example {PLACEHOLDER_EMAIL}: write the address the "
            "emails are sent from (the one you log in to the mail server with).",
            warning=True,
        )
    if not shop.form_url.strip():
        yield Check(
            True,
            "[shop] form_url is empty: paste your Google Form's link there (Send → link) so "
            "the announcement emails tell buyers where to order.",
            warning=True,
        )


def _sheet(shop: Shop, config: Config, now: dt.datetime) -> Iterator[Check]:
    """The spreadsheet: reachable, the responses tab found, every tab and header in place."""
    try:
        shop, missing = yield from _responses_tab(shop, config)
    except OpenOrderError as error:
        yield _failed(error)
        return
    config = shop.config
    try:
        decided = decide_shop(shop, now)
    except SheetSetupError as error:
        yield from _zone(shop, config)
        gone = f"no tab '{fold(config.tab('responses'))}'"
        for problem in error.problems:
            if not (missing and gone in fold(problem)):  # said already, with the tabs seen
                yield Check(False, problem)
        return
    except OpenOrderError as error:
        yield _failed(error)
        return
    where = config.sheet.workbook or config.sheet.spreadsheet
    yield from _zone(shop, config)
    for warning in [*decided.catalog_warnings, *decided.review_problems]:
        yield Check(True, warning, warning=True)
    if not decided.catalog.products:
        yield Check(
            True,
            f"The {config.tab('products')} tab has no products yet: add one row "
            "per product (SKU, name, price, capacity).",
            warning=True,
        )
    if not decided.catalog.batches:
        yield Check(
            True,
            f"The {config.tab('batches')} tab has no batch yet: add one row (name, opens, closes).",
            warning=True,
        )
    yield Check(True, f"Spreadsheet {where}: every tab and header is in place.")
    yield Check(
        True,
        f"Form mapping: {len(decided.catalog.products)} products and the buyer "
        "questions were found.",
    )
    attention = sum(1 for o in decided.orders if o.status.value == "needs_attention")
    yield Check(
        True,
        f"{len(decided.orders)} orders read; {attention} need attention (see the Problems column).",
    )
    archived = len(decided.memory.archive)
    names = _tab_names(shop) if archived else None
    if names is not None and fold(config.tab("archived")) not in {fold(n) for n in names}:
        yield Check(
            True,
            f"The hidden tab '{config.tab('archived')}' with the tool's record of {archived:,} "
            "archived orders is missing: restore it from the spreadsheet's version history "
            "(or a copy of the file) — until then a sync that meets an archived order's "
            "answer in the form's tab stops, sending nothing.",
            warning=True,
        )
    used = cells_used(decided.snapshot)
    if used > CELL_CEILING * CELL_WARNING:
        yield Check(
            True,
            f"The spreadsheet holds {used:,} of Google's {CELL_CEILING:,} cells "
            f"({used / CELL_CEILING:.0%}): run `openorder archive` to move finished batches "
            "out before it fills up.",
            warning=True,
        )


def _responses_tab(shop: Shop, config: Config) -> Generator[Check, None, tuple[Shop, bool]]:
    """Find the tab of the form's answers under either language's name, or by its headers.

    Returns the shop to check (its config naming the tab found) and whether none was found,
    having said so with the tabs that exist.
    """
    names = _tab_names(shop)
    if names is None:  # a backend that cannot list its tabs: check the configured name only
        return shop, False
    language = config.shop.language
    configured = config.tab("responses") if "responses" in config.named_tabs else None
    found = find_responses_tab(names, None, configured, language)
    if found is None and configured is None:
        known = {fold(name) for name in config.tabs.values()}
        others = [name for name in names if fold(name) not in known]
        snapshot = shop.backend.read(others) if others else None
        headers = {
            name: (grid[0] if grid else [])
            for name, grid in (snapshot.tabs.items() if snapshot else ())
        }
        found = find_responses_tab(names, headers, None, language)
    if found is None:
        wanted = (
            f"'{configured}'"
            if configured
            else " or ".join(f"'{name}'" for name in default_responses_tabs(language))
        )
        present = ", ".join(f"'{name}'" for name in names) or "no tabs at all"
        fix = (
            "set `tab` under [form] to the name of the tab holding the form's answers"
            if configured
            else "link the Google Form to this spreadsheet (Responses → Link to Sheets), or "
            "set `tab` under [form] to the name of the tab holding its answers"
        )
        yield Check(
            False,
            f"No tab {wanted} with the form's answers (this spreadsheet has {present}): {fix}.",
        )
        return shop, True
    if found != config.tab("responses"):
        tabs = {**config.tabs, "responses": found}
        shop = replace(shop, config=replace(config, tabs=tabs))
    yield Check(True, f"The form's answers are in the tab '{found}'.")
    return shop, False


def _tab_names(shop: Shop) -> list[str] | None:
    """Every tab's name, when the backend can tell (Google) or the workbook file exists."""
    listing = getattr(shop.backend, "tab_names", None)
    if callable(listing):
        return list(listing())
    workbook = shop.config.sheet.workbook
    if workbook is None or not workbook.exists():
        return None
    from openpyxl import load_workbook

    try:
        book = load_workbook(workbook, read_only=True)
    except Exception:
        return None
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _zone(shop: Shop, config: Config) -> Iterator[Check]:
    """Form timestamps follow the spreadsheet's own zone; a different shop zone shifts them."""
    sheet_zone = getattr(shop.backend, "timezone", "")
    if sheet_zone and sheet_zone != config.shop.timezone:
        yield Check(
            True,
            f"The spreadsheet's time zone is {sheet_zone} but [shop] timezone is "
            f"{config.shop.timezone}: form timestamps are written in the spreadsheet's zone, so "
            "set both to the same zone (File → Settings in Google Sheets, or the config).",
            warning=True,
        )


def _credentials(config: Config) -> Iterator[Check]:
    path = config.sheet.credentials
    if not config.sheet.spreadsheet or path is None:
        return
    if not path.exists():
        yield Check(
            False,
            f"The credentials file {path} does not exist: download the service "
            "account's JSON key and save it there.",
        )
        return
    mode = path.stat().st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        yield Check(
            True, f"{path} is readable by other users: run `chmod 600 {path}`.", warning=True
        )


def _payments(config: Config) -> Iterator[Check]:
    """How buyers pay: accounts or instructions when payment is expected, a readable QRIS."""
    payment, rules = config.payment, config.rules
    if rules.payment_due_hours > 0 and not payment.configured:
        yield Check(
            True,
            "No way to pay is set, so the emails ask buyers to reply for your account number: "
            'add [[payment.accounts]] with bank = "BCA", number = "…", holder = "…" to '
            f'{config.path.name} (and qris = "…" if you have a QRIS sticker).',
            warning=True,
        )
    elif payment.accounts:
        shown = "; ".join(f"{a.bank} {a.number} ({a.holder})" for a in payment.accounts)
        yield Check(True, f"Buyers are asked to pay to: {shown}.")
    if payment.qris:
        problems = qris.validate(payment.qris)
        if problems:
            yield Check(False, f"[payment] qris: {problems[0]}")
        else:
            parsed = qris.parse(payment.qris)
            where = f" in {parsed.city}" if parsed.city else ""
            yield Check(
                True,
                f"QRIS of {parsed.merchant_name}{where} is readable: each email that asks for "
                "money shows it with the order's exact amount.",
            )
    if not rules.unique_code and rules.payment_due_hours > 0:
        yield Check(
            True,
            "unique_code is off: two orders with the same total owe the same amount, so a "
            "transfer from the Bank statement tab can only be matched by an order number in "
            "its description — set unique_code = true under [rules] to match by amount.",
            warning=True,
        )


def _templates(shop: Shop | None, config: Config) -> Iterator[Check]:
    language = config.shop.language
    try:
        renderer = (
            shop.renderer
            if shop is not None
            else TemplateRenderer(language, config.email.templates_dir)
        )
        for kind in KINDS:
            renderer.render(kind, sample_context(kind, language))
    except TemplateError as error:
        yield Check(False, str(error))
        return
    yield Check(True, f"All {len(KINDS)} email templates render ({language}).")


def _mail(config: Config) -> Iterator[Check]:
    if config.email.transport == "outbox":
        yield Check(
            True,
            f"Emails are written to the folder {config.email.outbox} (outbox); set "
            'transport = "smtp" under [email] to send them for real.',
        )
        return
    if not os.environ.get(config.email.password_env):
        yield Check(
            False,
            f"The SMTP password is not set: export {config.email.password_env}="
            "<app password> before running openorder.",
        )
        return
    try:
        transport = make_transport(config)
        check = getattr(transport, "login_check", None)
        text = check() if check else "SMTP transport ready."
    except OpenOrderError as error:
        yield Check(False, str(error))
        return
    yield Check(True, text)
