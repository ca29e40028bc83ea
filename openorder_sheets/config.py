"""Reading `openorder.toml` (SPEC §7) into a checked, typed :class:`Config`.

Unknown keys and wrong types are errors naming the key; relative paths are resolved against the
config file's folder so cron can run from anywhere.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from email.utils import getaddresses
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from openorder_sheets.core.labels import LANGUAGES, TAB_LABELS
from openorder_sheets.errors import ConfigError

FORM_FIELDS = ("tab", "email", "name", "phone", "address", "delivery", "notes", "opt_in", "items")


@dataclass(frozen=True)
class ShopConfig:
    name: str = "Toko Saya"
    timezone: str = "Asia/Jakarta"
    currency: str = "IDR"
    language: str = "id"
    order_prefix: str = "PO"
    form_url: str = ""
    reply_to: str = ""
    review_url: str = ""  # a review form; blank = buyers reply to the review request
    status_url: str = ""  # the published `Public status` tab; every buyer email links to it

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class SheetConfig:
    workbook: Path | None = None
    spreadsheet: str = ""
    credentials: Path | None = None
    api_url: str = ""  # a local Sheets API server instead of Google (offline trials, tests)


@dataclass(frozen=True)
class FormConfig:
    fields: Mapping[str, str] = field(default_factory=dict)  # field → exact header
    products: Mapping[str, str] = field(default_factory=dict)  # SKU → exact header


@dataclass(frozen=True)
class RulesConfig:
    duplicate_window_minutes: int = 30
    payment_due_hours: int = 48
    payment_reminder_hours: int = 12
    unique_code: bool = False
    closing_reminder_hours: int = 24
    review_after_days: int = 3  # 0 = no review request


@dataclass(frozen=True)
class BankAccount:
    bank: str  # BCA
    number: str  # 1234567890
    holder: str  # Sari Wulandari


@dataclass(frozen=True)
class PaymentConfig:
    """How buyers pay (SPEC issue: payments the Indonesian way): shown in every email that asks
    for money."""

    accounts: tuple[BankAccount, ...] = ()
    instructions: str = ""  # free text, e.g. "Konfirmasi lewat WhatsApp 0812…"
    qris: str = ""  # the text inside the seller's static QRIS sticker
    #: For a bank whose statement export is not recognised: which column holds what.
    statement_columns: Mapping[str, str] = field(default_factory=dict)

    @property
    def configured(self) -> bool:
        return bool(self.accounts or self.instructions.strip() or self.qris.strip())


@dataclass(frozen=True)
class ArchiveConfig:
    """Where `openorder archive` moves finished batches: a workbook beside a workbook shop
    (``shop-archive.xlsx`` unless named), a spreadsheet the seller created and shared for a
    Google shop."""

    workbook: Path | None = None
    spreadsheet: str = ""


@dataclass(frozen=True)
class EmailConfig:
    transport: str = "outbox"
    outbox: Path = Path("outbox")
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = ""  # "starttls" or "tls"; blank = from the port (465 → tls)
    username: str = ""
    password_env: str = "OPENORDER_SMTP_PASSWORD"  # noqa: S105 - a variable name, not a secret
    sender: str = ""  # `from` in the file: the address alone (user@domain)
    sender_name: str = ""  # the display name `from` was written with, if any ("Name <addr>")
    daily_limit: int = 450
    templates_dir: Path | None = None


@dataclass(frozen=True)
class Config:
    path: Path
    shop: ShopConfig
    sheet: SheetConfig
    tabs: Mapping[str, str]  # internal tab key → tab name
    form: FormConfig
    rules: RulesConfig
    email: EmailConfig
    payment: PaymentConfig = PaymentConfig()
    archive: ArchiveConfig = ArchiveConfig()
    #: The tab keys the file names explicitly (``[tabs]``, or ``tab`` under [form]); the
    #: others have their default names, and the responses tab may be found under another.
    named_tabs: frozenset[str] = frozenset()

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def state_dir(self) -> Path:
        """Local state (the delivery journal and the lock), next to the config file."""
        return self.folder / ".openorder"

    def tab(self, key: str) -> str:
        return self.tabs[key]


_SECTIONS: Mapping[str, Mapping[str, type | tuple[type, ...]]] = {
    "shop": {
        "name": str,
        "timezone": str,
        "currency": str,
        "language": str,
        "order_prefix": str,
        "form_url": str,
        "reply_to": str,
        "review_url": str,
        "status_url": str,
    },
    "sheet": {"workbook": str, "spreadsheet": str, "credentials": str, "api_url": str},
    "tabs": dict.fromkeys(TAB_LABELS, str),
    "form": {**dict.fromkeys(FORM_FIELDS, str), "products": dict},
    "rules": {
        "duplicate_window_minutes": int,
        "payment_due_hours": int,
        "payment_reminder_hours": int,
        "unique_code": bool,
        "closing_reminder_hours": int,
        "review_after_days": int,
    },
    "payment": {"accounts": list, "instructions": str, "qris": str, "statement_columns": dict},
    "archive": {"workbook": str, "spreadsheet": str},
    "email": {
        "transport": str,
        "outbox": str,
        "smtp_host": str,
        "smtp_security": str,
        "smtp_port": int,
        "username": str,
        "password_env": str,
        "from": str,
        "daily_limit": int,
        "templates_dir": str,
    },
}

_TYPE_WORDS: dict[type, str] = {
    str: "text in quotes",
    int: "a whole number",
    bool: "true or false",
    dict: 'a table of SKU = "question"',
    list: "a list of [[payment.accounts]] tables",
}


def load_config(path: Path) -> Config:
    """Read and check the config file at ``path``."""
    if not path.exists():
        raise ConfigError(
            f"No config file at {path.resolve()}: run `openorder init` to write one, "
            "or `openorder demo` to try a demo shop, or pass --config PATH."
        )
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML ({error}): fix that line.") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"{path} is not a text config file: pass openorder.toml with --config (the "
            "workbook is named inside it, under [sheet])."
        ) from None
    except OSError as error:
        raise ConfigError(f"Cannot read {path} ({error}): check the file.") from None
    return parse_config(raw, path.resolve())


def parse_config(raw: Mapping[str, Any], path: Path) -> Config:
    """Check ``raw`` (a parsed TOML document) and build the :class:`Config`."""
    _check_types(raw, path)
    shop_raw = dict(raw.get("shop", {}))
    shop = ShopConfig(**shop_raw)
    _check_shop(shop, path)
    _, reply_to = _address(shop.reply_to, path, "[shop] reply_to")  # the address is enough
    shop = replace(shop, reply_to=reply_to)
    folder = path.parent
    sheet_raw = raw.get("sheet", {})
    sheet = SheetConfig(
        workbook=_path(folder, sheet_raw.get("workbook")),
        spreadsheet=sheet_raw.get("spreadsheet", ""),
        credentials=_path(folder, sheet_raw.get("credentials")),
        api_url=sheet_raw.get("api_url", ""),
    )
    if sheet.workbook is None and not sheet.spreadsheet:
        sheet = SheetConfig(workbook=folder / "shop.xlsx")
    if sheet.workbook is not None and sheet.spreadsheet:
        raise ConfigError(
            f"{path} [sheet] sets both `workbook` and `spreadsheet`: keep the one you use."
        )
    tabs = {key: labels.get(shop.language, labels["en"]) for key, labels in TAB_LABELS.items()}
    tabs.update(raw.get("tabs", {}))
    named = set(raw.get("tabs", {}))
    form_raw = dict(raw.get("form", {}))
    products = form_raw.pop("products", {})
    for sku, question in products.items():
        if not isinstance(question, str):
            raise ConfigError(
                f"{path} [form.products] {sku} must be the question's header in quotes."
            )
    if "tab" in form_raw:
        tabs["responses"] = form_raw["tab"]
        named.add("responses")
    form = FormConfig(fields=form_raw, products=products)
    rules = RulesConfig(**raw.get("rules", {}))
    _check_rules(rules, path)
    email_raw = dict(raw.get("email", {}))
    sender_name, sender = _address(email_raw.pop("from", ""), path, "[email] from")
    # Defaults live in the dataclass only; paths are resolved against the config's folder.
    outbox = _path(folder, email_raw.pop("outbox", None)) or folder / EmailConfig.outbox
    templates_dir = _path(folder, email_raw.pop("templates_dir", None))
    email = EmailConfig(
        **email_raw,
        outbox=outbox,
        templates_dir=templates_dir,
        sender=sender,
        sender_name=sender_name,
    )
    _check_email(email, path)
    payment = _payment(raw.get("payment", {}), path)
    archive_raw = raw.get("archive", {})
    archive = ArchiveConfig(
        workbook=_path(folder, archive_raw.get("workbook")),
        spreadsheet=archive_raw.get("spreadsheet", ""),
    )
    return Config(path, shop, sheet, tabs, form, rules, email, payment, archive, frozenset(named))


_ACCOUNT_KEYS = ("bank", "number", "holder")
_ACCOUNT_EXAMPLE = '[[payment.accounts]] with bank = "BCA", number = "1234567890", holder = "Sari"'
STATEMENT_COLUMN_KEYS = ("date", "time", "description", "amount", "direction", "credit", "debit")


def _payment(raw: Mapping[str, Any], path: Path) -> PaymentConfig:
    accounts: list[BankAccount] = []
    for index, item in enumerate(raw.get("accounts", []), start=1):
        where = f"{path} [[payment.accounts]] number {index}"
        if not isinstance(item, dict):
            raise ConfigError(f"{where} must be a table: write it as {_ACCOUNT_EXAMPLE}.")
        unknown = sorted(set(item) - set(_ACCOUNT_KEYS))
        if unknown:
            raise ConfigError(
                f"{where}: unknown key `{unknown[0]}` — the keys are bank, number and holder."
            )
        values = {key: item.get(key, "") for key in _ACCOUNT_KEYS}
        if isinstance(values["number"], int) and not isinstance(values["number"], bool):
            values["number"] = str(values["number"])
        missing = [key for key in _ACCOUNT_KEYS if not isinstance(values[key], str)]
        if missing:
            raise ConfigError(f'{where} {missing[0]} must be text in quotes, e.g. "BCA".')
        empty = [key for key in _ACCOUNT_KEYS if not values[key].strip()]
        if empty:
            raise ConfigError(f"{where} has no {empty[0]}: write all three — {_ACCOUNT_EXAMPLE}.")
        accounts.append(BankAccount(**{k: " ".join(v.split()) for k, v in values.items()}))
    columns = dict(raw.get("statement_columns", {}))
    for key, value in columns.items():
        if key not in (*STATEMENT_COLUMN_KEYS, "date_format"):
            known = ", ".join((*STATEMENT_COLUMN_KEYS, "date_format"))
            raise ConfigError(
                f"{path} [payment.statement_columns]: unknown key `{key}` — the keys are {known}."
            )
        if not isinstance(value, str):
            raise ConfigError(
                f"{path} [payment.statement_columns] {key} must be the column's header in quotes."
            )
    return PaymentConfig(
        accounts=tuple(accounts),
        instructions=str(raw.get("instructions", "")).strip(),
        qris="".join(line.strip() for line in str(raw.get("qris", "")).splitlines()),
        statement_columns=columns,
    )


def _address(value: str, path: Path, key: str) -> tuple[str, str]:
    """``(display name, user@domain)`` from ``user@domain`` or ``Name <user@domain>``.

    Blank stays blank; anything else that is not one address is an error showing both forms.
    """
    if not value.strip():
        return "", ""
    parsed = getaddresses([value], strict=True) if _STRICT_PARSE else getaddresses([value])
    if len(parsed) == 1:
        name, address = parsed[0]
        user, at, domain = address.partition("@")
        if at and user and "." in domain.strip(".") and not any(c.isspace() for c in address):
            return " ".join(name.split()), address
    raise ConfigError(
        f"{path} {key} = '{value}' is not one email address: write it as "
        f'"sari@example.com" or "Dapur Bu Sari <sari@example.com>".'
    )


#: Python 3.11.10+ / 3.12.6+ parse addresses strictly (and accept ``strict=``); older ones do not.
_STRICT_PARSE = "strict" in getaddresses.__code__.co_varnames


def _path(folder: Path, value: str | None) -> Path | None:
    if not value:
        return None
    candidate = Path(value).expanduser()
    return candidate if candidate.is_absolute() else folder / candidate


def _check_types(raw: Mapping[str, Any], path: Path) -> None:
    for section, value in raw.items():
        if section not in _SECTIONS:
            known = ", ".join(f"[{name}]" for name in _SECTIONS)
            raise ConfigError(f"{path}: unknown section [{section}] — the sections are {known}.")
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: `{section}` must be a section written [{section}].")
        for key, item in value.items():
            expected = _SECTIONS[section].get(key)
            if expected is None:
                known = ", ".join(_SECTIONS[section])
                raise ConfigError(
                    f"{path} [{section}]: unknown key `{key}` — the keys are {known}."
                )
            wrong_bool = expected is int and isinstance(item, bool)
            if not isinstance(item, expected) or wrong_bool:
                word = (
                    _TYPE_WORDS.get(expected, str(expected))
                    if isinstance(expected, type)
                    else "a value of the right type"
                )
                raise ConfigError(f"{path} [{section}] {key} = {item!r} must be {word}.")


def _check_shop(shop: ShopConfig, path: Path) -> None:
    try:
        ZoneInfo(shop.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{path} [shop] timezone '{shop.timezone}' is not a time zone: use a name like "
            "Asia/Jakarta, Asia/Makassar or Asia/Jayapura."
        ) from None
    if shop.language not in LANGUAGES:
        raise ConfigError(f'{path} [shop] language \'{shop.language}\' must be "id" or "en".')
    if len(shop.currency) != 3 or not shop.currency.isalpha():
        raise ConfigError(
            f"{path} [shop] currency '{shop.currency}' must be a 3-letter code such as IDR."
        )
    for key in ("form_url", "review_url", "status_url"):
        link = getattr(shop, key).strip()
        if link and not link.startswith(("https://", "http://")):
            raise ConfigError(
                f"{path} [shop] {key} '{link}' is not a link: paste the whole address, starting "
                "with https://."
            )
    if not shop.order_prefix.strip() or any(ch in shop.order_prefix for ch in "/ \t\n"):
        raise ConfigError(
            f"{path} [shop] order_prefix '{shop.order_prefix}' must be a short "
            "word without spaces, such as PO."
        )


def _check_rules(rules: RulesConfig, path: Path) -> None:
    for name in (
        "duplicate_window_minutes",
        "payment_due_hours",
        "payment_reminder_hours",
        "closing_reminder_hours",
        "review_after_days",
    ):
        if getattr(rules, name) < 0:
            raise ConfigError(f"{path} [rules] {name} must be 0 or more.")


def _check_email(email: EmailConfig, path: Path) -> None:
    if email.transport not in ("outbox", "smtp"):
        raise ConfigError(
            f'{path} [email] transport \'{email.transport}\' must be "outbox" or "smtp".'
        )
    if email.transport == "smtp" and not email.smtp_host:
        raise ConfigError(
            f'{path} [email] transport is "smtp" but smtp_host is not set: '
            'add smtp_host = "smtp.gmail.com" (or your provider\'s).'
        )
    if email.smtp_security not in ("", "starttls", "tls"):
        raise ConfigError(
            f"{path} [email] smtp_security '{email.smtp_security}' must be \"starttls\" "
            '(port 587) or "tls" (port 465).'
        )
    if email.daily_limit < 1:
        raise ConfigError(f"{path} [email] daily_limit must be 1 or more.")
