"""Delivery fixtures: shops whose emails go to a real SMTP server on loopback (aiosmtpd).

Two kinds of shop, both with N buyers who each ordered one jar (so N confirmation emails):

- ``smtp_shop(...)``: synced in-process (``run_sync``), its transport an
  :class:`SmtpTransport` that verifies the server against the test CA;
- ``cli_shop(...)``: a workbook shop with an ``openorder.toml`` whose ``[email]`` points at the
  server, synced by ``python -m openorder_sheets sync`` in a subprocess (the certificate is
  trusted through ``SSL_CERT_FILE``, the password passed in the variable ``password_env`` names).

Deliveries are always counted at the server, per Message-ID. The helpers are reached through
fixtures (not imported), so these tests run under any pytest import mode.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.adapters.local_journal import JOURNAL_NAME, Journal
from openorder_sheets.adapters.smtp import SmtpTransport
from openorder_sheets.config import load_config
from openorder_sheets.core.cells import text
from openorder_sheets.core.model import LedgerEntry
from openorder_sheets.ports import Cell
from openorder_sheets.service.composition import open_shop
from openorder_sheets.service.sync import SyncReport
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder
from openorder_sheets.testing.smtp_server import LocalSmtpServer

#: The instant most syncs run at: the batch closed the evening before.
NOW = "2027-02-16 10:00"
#: The environment variable the subprocess syncs read the SMTP password from.
PASSWORD_ENV = "OPENORDER_TEST_SMTP_PASSWORD"
#: Seconds any one subprocess sync may take before the test gives up on it.
RUN_TIMEOUT = 120.0
#: Orders stay unpaid in these tests; keep them from expiring (and emailing) mid-test.
NO_EXPIRY = {"payment_due_hours": 24 * 365}


def buyer(n: int) -> str:
    return f"buyer{n:04d}@example.com"


def shop_builder(
    folder: Path,
    orders: int,
    *,
    backend: str = "memory",
    capacity: int | None = None,
) -> ShopBuilder:
    """One product, one batch (closed 2027-02-15 21:00) and ``orders`` one-jar orders."""
    shop = ShopBuilder(folder, backend=backend, rules=dict(NO_EXPIRY))
    shop.product("NASTAR", "Nastar", 85000, capacity=capacity)
    shop.batch("PO 1", "2027-02-01 09:00", "2027-02-15 21:00")
    start = dt.datetime(2027, 2, 2, 10, 0)
    for n in range(orders):
        shop.response(start + dt.timedelta(seconds=20 * n), buyer(n), f"Buyer {n}", Nastar=1)
    return shop


def rows_by_key(built: BuiltShop) -> dict[str, dict[str, Cell]]:
    """The `Emails` tab, one dict per row, by ledger key (a repeated key fails the test)."""
    rows = built.table("emails")
    keys = [text(row["Key"]) for row in rows]
    assert len(keys) == len(set(keys)), "a key appears twice in the Emails tab"
    return dict(zip(keys, rows, strict=True))


def journal_of(state_dir: Path) -> dict[str, LedgerEntry]:
    """The latest journal record of every key."""
    return Journal(state_dir).load()


# ------------------------------------------------------------------------ in-process shops


@dataclass
class SmtpShop:
    """A shop synced in-process whose mail goes through SmtpTransport to ``server``."""

    built: BuiltShop
    server: LocalSmtpServer
    security: str = "starttls"
    password: str | None = None

    def transport(self) -> SmtpTransport:
        user, password = self.server.credentials
        return SmtpTransport(
            "127.0.0.1",
            self.server.port,
            user,
            self.password or password,
            security="starttls" if self.security == "starttls" else "tls",
            ssl_context=self.server.client_ssl_context(),
            timeout=10.0,
            local_hostname="localhost",
            password_env=PASSWORD_ENV,
        )

    def sync(self, now: str | dt.datetime = NOW) -> SyncReport:
        return self.built.sync(now)

    def deliveries(self) -> Counter[str]:
        return self.server.deliveries_by_message_id()

    def ledger(self) -> dict[str, dict[str, Cell]]:
        return rows_by_key(self.built)

    def message_ids(self) -> dict[str, str]:
        """Ledger key → Message-ID, from the Emails tab."""
        return {key: text(row["Message-ID"]) for key, row in self.ledger().items()}

    @property
    def state_dir(self) -> Path:
        """Where this shop's syncs keep the lock and the journal (as the shop was built)."""
        return self.built.shop.state_dir


@pytest.fixture
def smtp_shop(tmp_path: Path) -> Iterator[Callable[..., SmtpShop]]:
    """``smtp_shop(orders, tls=..., daily_limit=..., capacity=..., edit=fn)`` → SmtpShop.

    Each shop gets its own LocalSmtpServer (``tls`` "starttls" or "implicit", AUTH on).
    ``edit(builder)`` may add products or responses before the shop is built.
    """
    with ExitStack() as stack:
        made = 0

        def make(
            orders: int = 3,
            *,
            tls: str = "starttls",
            daily_limit: int = 450,
            capacity: int | None = None,
            backend: str = "memory",
            edit: Callable[[ShopBuilder], Any] | None = None,
        ) -> SmtpShop:
            nonlocal made
            made += 1
            folder = tmp_path / f"shop{made}"
            folder.mkdir()
            server = stack.enter_context(LocalSmtpServer(tls=tls))  # type: ignore[arg-type]
            builder = shop_builder(folder, orders, backend=backend, capacity=capacity)
            if edit is not None:
                edit(builder)
            built = builder.build()
            config = replace(
                built.config, email=replace(built.config.email, daily_limit=daily_limit)
            )
            built.config = config
            built.shop.config = config
            shop = SmtpShop(built, server, "starttls" if tls == "starttls" else "tls")
            built.shop.make_transport = shop.transport
            return shop

        yield make


# ------------------------------------------------------------------------ subprocess shops


@dataclass
class CliShop:
    """A workbook shop with an SMTP config, synced by `openorder sync` in a subprocess."""

    built: BuiltShop
    server: LocalSmtpServer
    folder: Path

    @property
    def config_path(self) -> Path:
        return self.folder / "openorder.toml"

    @property
    def state_dir(self) -> Path:
        """Where `openorder sync` keeps this shop's lock and journal: whatever ``open_shop``
        chooses (beside the config, or with the workbook it protects)."""
        return open_shop(load_config(self.config_path)).state_dir

    @property
    def journal_path(self) -> Path:
        return self.state_dir / JOURNAL_NAME

    def env(self, password: str | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env[PASSWORD_ENV] = password if password is not None else self.server.credentials[1]
        env["SSL_CERT_FILE"] = str(self.server.ca_path)  # trust the test CA, verification on
        env.pop("SSL_CERT_DIR", None)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return env

    def command(self, now: str) -> list[str]:
        moment = now.replace(" ", "T")
        return [
            sys.executable,
            "-m",
            "openorder_sheets",
            "sync",
            "--config",
            str(self.config_path),
            "--now",
            moment,
            "--quiet",
        ]

    def sync(
        self, now: str = NOW, *, password: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(now),
            env=self.env(password),
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )

    def start(self, now: str = NOW, **kwargs: Any) -> subprocess.Popen[bytes]:
        """The sync, started and left running (stdout/stderr go to files in the shop folder)."""
        return subprocess.Popen(self.command(now), env=self.env(), cwd=self.folder, **kwargs)

    def deliveries(self) -> Counter[str]:
        return self.server.deliveries_by_message_id()

    def ledger(self) -> dict[str, dict[str, Cell]]:
        return rows_by_key(self.built)


def write_smtp_config(folder: Path, server: LocalSmtpServer, daily_limit: int = 450) -> Path:
    """An openorder.toml like ShopBuilder's, with [email] on the local SMTP server."""
    user, _ = server.credentials
    path = folder / "openorder.toml"
    path.write_text(
        f"""[shop]
name = "Test Bakery"
language = "en"
timezone = "Asia/Jakarta"
reply_to = "bakery@example.com"

[sheet]
workbook = "shop.xlsx"

[rules]
payment_due_hours = {NO_EXPIRY["payment_due_hours"]}

[email]
transport = "smtp"
smtp_host = "127.0.0.1"
smtp_port = {server.port}
username = "{user}"
password_env = "{PASSWORD_ENV}"
from = "bakery@example.com"
daily_limit = {daily_limit}
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def cli_shop(tmp_path: Path) -> Iterator[Callable[..., CliShop]]:
    """``cli_shop(orders, daily_limit=...)`` → CliShop on its own STARTTLS + AUTH server."""
    with ExitStack() as stack:
        made = 0

        def make(orders: int = 3, *, daily_limit: int = 450) -> CliShop:
            nonlocal made
            made += 1
            folder = tmp_path / f"cli{made}"
            folder.mkdir()
            server = stack.enter_context(LocalSmtpServer(tls="starttls"))
            built = shop_builder(folder, orders, backend="workbook").build()
            write_smtp_config(folder, server, daily_limit)
            return CliShop(built, server, folder)

        yield make
