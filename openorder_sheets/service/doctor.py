"""`openorder doctor`: check everything a sync needs, one line per check, each with its fix."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from openorder_sheets.adapters.templates import KINDS, TemplateError
from openorder_sheets.config import Config, load_config
from openorder_sheets.errors import OpenOrderError, SheetSetupError
from openorder_sheets.service.shop import Shop, make_transport, open_shop
from openorder_sheets.service.sync import decide_shop
from openorder_sheets.testing.email_samples import sample_context


@dataclass(frozen=True)
class Check:
    ok: bool
    text: str
    warning: bool = False


def run_doctor(
    config_path: Path, now: dt.datetime, shop_factory: Callable[[Config], Shop] = open_shop
) -> list[Check]:
    """Every check; stops early only when a later check cannot run at all."""
    return list(_checks(config_path, now, shop_factory))


def _checks(
    config_path: Path, now: dt.datetime, shop_factory: Callable[[Config], Shop]
) -> Iterator[Check]:
    try:
        config = load_config(config_path)
    except OpenOrderError as error:
        yield Check(False, str(error))
        return
    yield Check(True, f"Config {config.path} is valid.")
    yield Check(
        True,
        f"Time zone {config.shop.timezone}: now it is "
        f"{now.astimezone(config.shop.zone):%Y-%m-%d %H:%M} there.",
    )
    yield from _credentials(config)
    try:
        shop = shop_factory(config)
    except OpenOrderError as error:
        yield Check(False, str(error))
        return
    try:
        decided = decide_shop(shop, now)
    except SheetSetupError as error:
        yield from _zone(shop, config)
        for problem in error.problems:
            yield Check(False, problem)
        return
    except OpenOrderError as error:
        yield Check(False, str(error))
        return
    where = config.sheet.workbook or config.sheet.spreadsheet
    yield from _zone(shop, config)
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
    yield from _templates(shop)
    yield from _mail(config)


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


def _templates(shop: Shop) -> Iterator[Check]:
    language = shop.config.shop.language
    try:
        for kind in KINDS:
            shop.renderer.render(kind, sample_context(kind, language))
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
