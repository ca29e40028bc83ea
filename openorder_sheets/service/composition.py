"""The composition root: builds the adapters a config asks for, in one place.

Tests build a :class:`Shop` directly with fakes; everything else calls :func:`open_shop`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openorder_sheets.adapters.local_journal import sheet_state_dir
from openorder_sheets.adapters.outbox import OutboxTransport
from openorder_sheets.adapters.templates import TemplateRenderer
from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.config import Config
from openorder_sheets.errors import ConfigError
from openorder_sheets.ports import SheetBackend, Transport


@dataclass
class Shop:
    """One shop's config and the adapters that carry out its syncs."""

    config: Config
    backend: SheetBackend
    make_transport: Callable[[], Transport]
    renderer: TemplateRenderer
    state_dir: Path


def open_shop(config: Config) -> Shop:
    """The shop with the backend and transport its config names."""
    return Shop(
        config=config,
        backend=make_backend(config),
        make_transport=lambda: make_transport(config),
        renderer=TemplateRenderer(config.shop.language, config.email.templates_dir),
        # The lock and the delivery journal live with the sheet they protect, so two configs
        # on one workbook or spreadsheet never send twice.
        state_dir=sheet_state_dir(
            config.state_dir,
            workbook=config.sheet.workbook,
            spreadsheet=config.sheet.spreadsheet,
            api_url=config.sheet.api_url,
        ),
    )


def make_backend(config: Config) -> SheetBackend:
    if config.sheet.workbook is not None:
        return WorkbookBackend(config.sheet.workbook, state_dir=config.state_dir)
    from openorder_sheets.adapters.gsheet import GoogleSheetBackend

    return GoogleSheetBackend.from_config(config)


def make_transport(config: Config) -> Transport:
    email = config.email
    if email.transport == "outbox":
        return OutboxTransport(email.outbox)
    from openorder_sheets.adapters.smtp import SmtpTransport

    password = os.environ.get(email.password_env, "")
    if not password:
        raise ConfigError(
            f"The SMTP password is not set: put it in the environment variable "
            f"{email.password_env} (named by `password_env` under [email])."
        )
    return SmtpTransport(
        email.smtp_host,
        email.smtp_port,
        email.username or None,
        password,
        security="tls"
        if email.smtp_security == "tls"
        else ("starttls" if email.smtp_security == "starttls" else None),
        password_env=email.password_env,
    )
