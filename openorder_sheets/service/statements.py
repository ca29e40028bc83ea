"""`openorder payments import FILE…`: append a bank's exported statement to `Bank statement`.

The file's layout is recognised from its headers (BCA, Mandiri, BRI, BNI, personal and
business; `core/bank_statements.py`), or read with the column mapping in
`[payment.statement_columns]`. Only credits not already in the tab are appended, so importing
the same file twice (or a file that overlaps rows the seller pasted) changes nothing. The next
sync matches them to orders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openorder_sheets.adapters.local_journal import SyncLock
from openorder_sheets.config import Config
from openorder_sheets.core.bank_statements import (
    ColumnMapping,
    Statement,
    parse_export,
    rows_to_append,
    tab_rows,
)
from openorder_sheets.core.layouts import STATEMENT_SELLER_COLUMNS, tab_layout
from openorder_sheets.core.model import Credit
from openorder_sheets.core.statement_tab import read_statement
from openorder_sheets.errors import ConfigError
from openorder_sheets.ports import Grid, TabLayout, TabUpdate
from openorder_sheets.service.composition import Shop

#: Encodings bank exports come in: UTF-8 (with or without a BOM), else Windows' Latin.
_ENCODINGS = ("utf-8-sig", "cp1252")


@dataclass
class FileResult:
    path: Path
    bank: str
    credits: int
    added: int
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def column_mapping(columns: Mapping[str, str]) -> ColumnMapping | None:
    """``[payment.statement_columns]`` as a mapping, or None when the seller set none."""
    if not columns:
        return None
    if "date" not in columns:
        raise ConfigError(
            '[payment.statement_columns] names no `date` column: add date = "<the date '
            "column's header>\", or remove the section to let the bank be recognised."
        )
    if "amount" not in columns and "credit" not in columns:
        raise ConfigError(
            "[payment.statement_columns] names no `amount` (or `credit`) column: add the "
            "header of the column that holds the money."
        )
    return ColumnMapping.of_roles(
        columns, columns.get("description", ()), columns.get("date_format")
    )


def read_export(path: Path, mapping: ColumnMapping | None, language: str) -> Statement:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(
            f"Cannot read {path} ({error.strerror or error}): check the file name."
        ) from None
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        raise ConfigError(f"{path} is not a text file: export the statement as CSV.")
    if "\x00" in text[:4096]:
        raise ConfigError(
            f"{path} is not a CSV file (an Excel or PDF statement?): export the statement "
            "from your bank as CSV and import that."
        )
    return parse_export(text, mapping, language=language)


def import_statements(shop: Shop, paths: Sequence[Path]) -> list[FileResult]:
    """Append each file's new credits to the `Bank statement` tab; what each file gave."""
    config = shop.config
    language = config.shop.language
    mapping = column_mapping(config.payment.statement_columns)
    statements = [(path, read_export(path, mapping, language)) for path in paths]
    tab = config.tab("statement")
    layout = tab_layout("statement", language, config.shop.currency)
    results: list[FileResult] = []
    with SyncLock(shop.state_dir, 30.0):
        grid = shop.backend.read([tab]).tabs.get(tab)
        existing = read_statement(grid, language)
        known: list[Credit] = list(existing.credits)
        new_rows: list[Credit] = []
        for path, statement in statements:
            fresh = rows_to_append(Statement(credits=known), statement)
            known += fresh
            new_rows += fresh
            results.append(
                FileResult(
                    path,
                    statement.bank,
                    len(statement.credits),
                    len(fresh),
                    list(statement.skipped),
                    list(statement.problems),
                )
            )
        if new_rows:
            shop.backend.write([_append(tab, grid, new_rows, layout, language)])
    return results


def _append(
    tab: str,
    grid: Grid | None,
    credits: list[Credit],
    layout: TabLayout,
    language: str,
) -> TabUpdate:
    seller = TabLayout(layout.columns[: len(STATEMENT_SELLER_COLUMNS)], layout.currency_format)
    header = [spec.header for spec in seller.columns]
    rows = tab_rows(credits, language)
    columns = tuple(range(len(STATEMENT_SELLER_COLUMNS)))
    if not grid:
        return TabUpdate(tab, columns, [header, *rows], seller, 0)
    used = [i for i, row in enumerate(grid) if any(c not in (None, "") for c in row)]
    return TabUpdate(tab, columns, rows, seller, max(used, default=0) + 1)


def summary_lines(results: Sequence[FileResult], config: Config) -> list[str]:
    """What the import did, per file, in plain words."""
    tab = config.tab("statement")
    lines: list[str] = []
    for result in results:
        bank = f"{result.bank} " if result.bank else ""
        already = result.credits - result.added
        line = (
            f"{result.path.name}: {bank}statement, {result.credits} incoming transfers — "
            f"{result.added} added to '{tab}'"
        )
        if already:
            line += f", {already} already there"
        lines.append(line + ".")
        if result.skipped:
            lines.append(
                f"  {len(result.skipped)} rows not taken (money going out, pending or totals)."
            )
        for problem in result.problems:
            lines.append(f"  ! {problem}")
    if any(result.added for result in results):
        lines.append("Run `openorder sync` to match them to orders (cron does it on its next run).")
    return lines
