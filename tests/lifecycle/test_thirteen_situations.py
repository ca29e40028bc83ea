"""The thirteen situations of issue 9, each as a named regression test through the CLI.

Each test builds a workbook shop, writes an `openorder.toml` with the outbox transport beside
it, edits the workbook as a seller or a buyer would, and runs `openorder sync --now …` in
process. What buyers got is read from the outbox `.eml` files; what the seller sees from the
`Orders`, `Packing list` and `Summary` tabs.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from openpyxl import load_workbook

from openorder_sheets import cli
from openorder_sheets.core.cells import text
from openorder_sheets.service import tab_plan
from openorder_sheets.testing.shops import BuiltShop, ShopBuilder

ANI, BUDI, CITRA = "ani@example.com", "budi@example.com", "citra@example.com"
DEDI, EKA, FAJAR = "dedi@example.com", "eka@example.com", "fajar@example.com"

RULES = {"payment_due_hours": 48, "payment_reminder_hours": 12}
CONFIG = """[shop]
name = "Test Bakery"
language = "en"
timezone = "Asia/Jakarta"
reply_to = "bakery@example.com"
[sheet]
workbook = "shop.xlsx"
[rules]
payment_due_hours = 48
payment_reminder_hours = 12
[email]
transport = "outbox"
outbox = "outbox"
from = "bakery@example.com"
"""
DEADLINE = re.compile(r"by (\w+day, \w+ \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M)")


@dataclass
class Mail:
    to: str
    kind: str
    order: str
    message: EmailMessage

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


class Shop:
    """A workbook shop synced through the CLI, with every buyer's mail read from the outbox."""

    def __init__(self, folder: Path, builder: ShopBuilder) -> None:
        self.folder = folder
        self.built: BuiltShop = builder.build()
        (folder / "openorder.toml").write_text(CONFIG, encoding="utf-8")
        self.seen: set[str] = set()
        self.mails: list[Mail] = []

    def sync(self, now: str) -> list[Mail]:
        """Run `openorder sync --now NOW`; the mails it wrote to the outbox."""
        config = str(self.folder / "openorder.toml")
        result = CliRunner().invoke(cli.main, ["sync", "--config", config, "--now", now])
        assert result.exit_code == 0, result.output
        outbox = self.folder / "outbox"
        new: list[Mail] = []
        for path in sorted(outbox.glob("*.eml")) if outbox.exists() else []:
            if path.name in self.seen:
                continue
            self.seen.add(path.name)
            message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
            assert isinstance(message, EmailMessage)
            new.append(
                Mail(
                    str(message["To"]),
                    str(message["X-OpenOrder-Kind"]),
                    str(message.get("X-OpenOrder-Order", "") or ""),
                    message,
                )
            )
        self.mails += new
        return new

    def kinds(self, to: str, mails: list[Mail] | None = None) -> list[str]:
        return [m.kind for m in (self.mails if mails is None else mails) if m.to == to]

    def status(self, number: str) -> str:
        return self.built.status_of(number)

    def cell(self, number: str, header: str) -> str:
        return text(self.built.order(number)[header])

    def seller(self, number: str, header: str, value: Any) -> None:
        """Type ``value`` in the Orders tab cell of ``number`` under ``header``."""
        grid = self.built.grid("orders")
        rows = [text(row[0]) if row else "" for row in grid]
        self.built.set_cell("orders", rows.index(number), header, value)

    def clear(self, number: str, header: str) -> None:
        """Delete what is in the Orders tab cell of ``number`` under ``header``, as in Excel.

        (openpyxl's ``sheet.cell(..., value=None)`` leaves the old value, so not `seller`.)
        """
        path = self.folder / "shop.xlsx"
        book = load_workbook(path)
        sheet = book["Orders"]
        headers = [text(cell.value) for cell in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if text(row[0].value) == number:
                row[headers.index(header)].value = None
        book.save(path)

    def edit(self, response: int, when: str, **quantities: Any) -> None:
        """The buyer edits form answer ``response`` (1-based): new quantities, later Timestamp."""
        for product, quantity in quantities.items():
            self.built.set_cell("responses", response, product, quantity)
        self.built.set_cell("responses", response, "Timestamp", dt.datetime.fromisoformat(when))

    def batch(self, header: str, value: Any, row: int = 1) -> None:
        self.built.set_cell("batches", row, header, value)

    def delete_tab(self, name: str) -> None:
        path = self.folder / "shop.xlsx"
        book = load_workbook(path)
        del book[name]
        book.save(path)

    def numbers(self) -> dict[str, str]:
        """Order number → `Email`, `Submitted` and `Items`, to see nothing was renumbered."""
        return {
            text(row["Order"]): f"{row['Email']} {row['Submitted']} {row['Items']}"
            for row in self.built.orders()
        }


def bakery(folder: Path, *, nastar: int = 3, kastengel: int = 2) -> ShopBuilder:
    builder = ShopBuilder(folder, backend="workbook", rules=dict(RULES))
    builder.product("NASTAR", "Nastar", 85000, capacity=nastar)
    builder.product("KASTENGEL", "Kastengel", 95000, capacity=kastengel)
    builder.batch("PO 1", "2027-02-01 09:00", "2027-02-12 21:00", ships_on=dt.date(2027, 2, 20))
    return builder


def deadline_in(mail: Mail) -> dt.datetime:
    found = DEADLINE.search(mail.body)
    assert found, mail.body
    return dt.datetime.strptime(found.group(1), "%A, %B %d, %Y, %I:%M %p")


def test_01_duplicate_stays_duplicate_when_original_is_cancelled(tmp_path: Path) -> None:
    """1. Duplicate: the original cancelled, the duplicate stays Duplicate; the waitlist moves."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=2)
    builder.response("2027-02-01 09:12", ANI, "Ani", Nastar=2)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=2)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    assert [shop.status(n) for n in ("PO-0001", "PO-0002", "PO-0003")] == [
        "Confirmed",
        "Duplicate",
        "Waitlisted",
    ]

    shop.seller("PO-0001", "Seller action", "Cancel")
    shop.sync("2027-02-01T11:00")
    shop.sync("2027-02-01T12:00")

    assert shop.status("PO-0001") == "Cancelled"
    assert shop.status("PO-0002") == "Duplicate"
    assert shop.status("PO-0003") == "Confirmed"
    assert shop.kinds(ANI) == ["order_confirmed", "order_cancelled"]
    assert [m.order for m in shop.mails if m.to == ANI] == ["PO-0001", "PO-0001"]
    assert shop.kinds(BUDI) == ["order_waitlisted", "order_promoted"]


def test_02_confirmed_edit_that_does_not_fit_keeps_old_items(tmp_path: Path) -> None:
    """2. Confirmed buyer's larger edit that does not fit: kept as confirmed, change refused."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=2)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Kastengel=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")

    shop.edit(1, "2027-02-01 10:30", Nastar=3)
    mails = shop.sync("2027-02-01T11:00")

    assert shop.status("PO-0001") == "Confirmed"
    assert shop.cell("PO-0001", "Items") == "2× Nastar"
    problems = shop.cell("PO-0001", "Problems")
    assert "does not fit" in problems
    assert "3× Nastar" in problems
    assert [(m.to, m.kind) for m in mails] == [(ANI, "order_change_refused")]
    assert "payment_reminder" not in shop.kinds(ANI)
    assert shop.status("PO-0002") == "Confirmed"
    assert shop.status("PO-0003") == "Confirmed"
    assert shop.kinds(BUDI) == ["order_confirmed"]
    assert shop.kinds(CITRA) == ["order_confirmed"]

    shop.seller("PO-0002", "Seller action", "Cancel")
    mails = shop.sync("2027-02-01T12:00")
    assert sorted((m.to, m.kind) for m in mails) == [
        (ANI, "order_updated"),
        (BUDI, "order_cancelled"),
    ]
    assert shop.status("PO-0001") == "Confirmed"
    assert shop.cell("PO-0001", "Items") == "3× Nastar"
    assert "does not fit" not in shop.cell("PO-0001", "Problems")
    assert shop.sync("2027-02-01T13:00") == []


def test_03_waitlisted_order_confirmed_by_own_edit_gets_a_deadline(tmp_path: Path) -> None:
    """3. Waitlisted order confirmed by the buyer's edit: order_confirmed, reminder, expiry."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=2)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=2)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    assert shop.status("PO-0002") == "Waitlisted"
    shop.seller("PO-0001", "Paid", True)

    shop.edit(2, "2027-02-01 10:30", Nastar=1)
    mails = shop.sync("2027-02-01T11:00")
    assert shop.status("PO-0002") == "Confirmed"
    confirmed = [m for m in mails if m.to == BUDI]
    assert len(confirmed) == 1
    assert deadline_in(confirmed[0]) == dt.datetime(2027, 2, 3, 11, 0)

    later = shop.sync("2027-02-03T11:00")
    assert [(m.to, m.kind) for m in later] == [(BUDI, "payment_reminder")]
    assert shop.status("PO-0002") == "Confirmed"
    last = shop.sync("2027-02-03T23:00")
    assert [(m.to, m.kind) for m in last] == [(BUDI, "order_expired")]
    assert shop.status("PO-0002") == "Expired"
    # The buyer's own edit made room for the order: it is a confirmation, not a promotion
    # ("a place has freed up" would be untrue).
    assert confirmed[0].kind == "order_confirmed"


def test_04_paid_order_edited_to_more_items_is_partly_paid(tmp_path: Path) -> None:
    """4. Paid order edited to more items: Partly paid everywhere until the full amount is typed."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Kastengel=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    shop.seller("PO-0001", "Paid", True)
    shop.seller("PO-0002", "Paid", True)
    mails = shop.sync("2027-02-01T11:00")
    assert sorted((m.to, m.kind) for m in mails) == [
        (ANI, "payment_received"),
        (BUDI, "payment_received"),
    ]
    assert shop.cell("PO-0001", "Progress") == "Paid"

    shop.edit(1, "2027-02-01 11:30", Nastar=3)
    mails = shop.sync("2027-02-01T12:00")
    assert [(m.to, m.kind) for m in mails] == [(ANI, "order_updated")]
    assert shop.cell("PO-0001", "Items") == "3× Nastar"
    assert shop.cell("PO-0001", "Progress") == "Partly paid"
    packing = {text(row["Order"]): text(row["Paid"]) for row in shop.built.table("packing")}
    assert packing["PO-0001"] != "Paid"
    assert packing["PO-0001"].startswith("Owes Rp")
    assert packing["PO-0002"] == "Paid"
    total = next(r for r in shop.built.table("summary") if r["Product"] == "Total")
    assert total["Paid revenue"] == 95000  # Budi's Kastengel only

    shop.seller("PO-0001", "Paid", 255000)
    shop.sync("2027-02-01T13:00")
    assert shop.cell("PO-0001", "Progress") == "Paid"
    packing = {text(row["Order"]): text(row["Paid"]) for row in shop.built.table("packing")}
    assert packing["PO-0001"] == "Paid"
    total = next(r for r in shop.built.table("summary") if r["Product"] == "Total")
    assert total["Paid revenue"] == 255000 + 95000


def test_05_seller_confirm_expires_unpaid_and_a_new_confirm_starts_a_new_clock(
    tmp_path: Path,
) -> None:
    """5. Seller Confirm over capacity: reminder, expiry; a new Confirm gives a later deadline."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=3)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    shop.seller("PO-0001", "Paid", True)
    assert shop.status("PO-0002") == "Waitlisted"

    shop.seller("PO-0002", "Seller action", "Confirm")
    mails = shop.sync("2027-02-01T11:00")
    first = [m for m in mails if m.to == BUDI]
    assert len(first) == 1
    assert deadline_in(first[0]) == dt.datetime(2027, 2, 3, 11, 0)
    assert shop.status("PO-0002") == "Confirmed"

    assert shop.kinds(BUDI, shop.sync("2027-02-03T00:00")) == ["payment_reminder"]
    assert shop.kinds(BUDI, shop.sync("2027-02-03T12:00")) == ["order_expired"]
    assert shop.status("PO-0002") == "Expired"

    shop.clear("PO-0002", "Seller action")
    assert shop.cell("PO-0002", "Seller action") == ""
    assert shop.kinds(BUDI, shop.sync("2027-02-03T13:00")) == []
    assert shop.status("PO-0002") == "Expired"
    shop.seller("PO-0002", "Seller action", "Confirm")
    again = [m for m in shop.sync("2027-02-04T09:00") if m.to == BUDI]
    assert [m.kind for m in again] == ["order_confirmed"]
    assert shop.status("PO-0002") == "Confirmed"
    assert deadline_in(again[0]) > deadline_in(first[0])
    assert deadline_in(again[0]) == dt.datetime(2027, 2, 6, 9, 0)
    # The seller's Confirm over capacity is a confirmation, not a promotion ("a place has
    # freed up" would be untrue).
    assert first[0].kind == "order_confirmed"


def test_06_laptop_closed_reminder_first_then_expiry(tmp_path: Path) -> None:
    """6. No sync during the reminder window: first only a reminder, the expiry 13 h later."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    shop = Shop(tmp_path, builder)
    assert shop.kinds(ANI, shop.sync("2027-02-01T10:00")) == ["order_confirmed"]

    assert shop.kinds(ANI, shop.sync("2027-02-06T10:00")) == ["payment_reminder"]
    assert shop.status("PO-0001") == "Confirmed"
    assert shop.kinds(ANI, shop.sync("2027-02-06T23:00")) == ["order_expired"]
    assert shop.status("PO-0001") == "Expired"


def test_07_latest_opt_in_answer_wins_and_stop_emails_stops_all(tmp_path: Path) -> None:
    """7. Opt-in: latest answer wins, a waitlisted No hears nothing, Stop emails stops all mail."""
    builder = bakery(tmp_path)
    builder.batch("PO 2", "2027-03-01 09:00", "2027-03-10 21:00")
    builder.response("2027-02-01 09:10", ANI, "Ani", opt_in="Yes", Nastar=1)
    builder.response("2027-02-01 09:20", FAJAR, "Fajar", opt_in="Yes", Nastar=1)
    builder.response("2027-02-01 09:30", DEDI, "Dedi", opt_in="No", Nastar=2)
    builder.response("2027-02-01 09:40", EKA, "Eka", Nastar=2)
    builder.response("2027-02-01 09:50", ANI, "Ani", opt_in="No", Kastengel=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    assert shop.status("PO-0003") == "Waitlisted"
    assert shop.status("PO-0004") == "Waitlisted"
    assert shop.kinds(FAJAR) == ["order_confirmed"]

    shop.seller("PO-0002", "Seller action", "Stop emails")
    shop.sync("2027-02-01T11:00")
    shop.sync("2027-03-01T10:00")
    shop.sync("2027-03-02T10:00")

    opens = sorted(m.to for m in shop.mails if m.kind == "batch_open")
    assert opens == [EKA]
    assert "payment_reminder" in shop.kinds(ANI)  # Fajar's would have been due as well
    assert shop.kinds(FAJAR) == ["order_confirmed"]


def test_08_write_order_puts_emails_then_state_first() -> None:
    """8. Split writes: what buyers will be told (Emails) and the memory are written first (the
    archived orders' tab, when a sync moves them there, before the memory tab stops holding
    them)."""
    assert tab_plan.WRITE_ORDER[:3] == ("emails", "archived", "state")


def test_09_blank_status_or_deleted_orders_tab_sends_nothing(tmp_path: Path) -> None:
    """9. A blanked Status cell or a deleted Orders tab: nothing sent, numbers and Paid kept."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 08:30", CITRA, "Citra", Nastar=1)  # before the window
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Kastengel=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    shop.seller("PO-0002", "Paid", True)
    assert shop.kinds(ANI, shop.sync("2027-02-01T11:00")) == ["payment_received"]
    before = shop.numbers()
    assert shop.status("PO-0003") == "Confirmed"

    shop.clear("PO-0003", "Status")
    assert shop.cell("PO-0003", "Status") == ""
    assert shop.sync("2027-02-01T12:00") == []
    assert shop.numbers() == before
    assert shop.status("PO-0003") == "Confirmed"

    shop.delete_tab("Orders")
    assert shop.sync("2027-02-01T13:00") == []
    assert shop.numbers() == before
    assert shop.status("PO-0002") == "Confirmed"
    assert shop.status("PO-0003") == "Confirmed"
    assert "Orders" in load_workbook(tmp_path / "shop.xlsx").sheetnames
    assert shop.built.order("PO-0002")["Paid"] is True
    assert shop.cell("PO-0002", "Progress") == "Paid"
    assert shop.sync("2027-02-01T14:00") == []


def test_10_cleared_summary_then_ships_on_later_sends_batch_delayed(tmp_path: Path) -> None:
    """10. Summary tab deleted, Ships on moved later: batch_delayed once to each buyer."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Kastengel=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")
    shop.seller("PO-0001", "Paid", True)
    shop.seller("PO-0002", "Paid", True)
    shop.sync("2027-02-01T11:00")

    shop.delete_tab("Summary")
    shop.batch("Ships on", dt.date(2027, 2, 25))
    mails = shop.sync("2027-02-01T12:00")
    assert sorted((m.to, m.kind) for m in mails) == [
        (ANI, "batch_delayed"),
        (BUDI, "batch_delayed"),
    ]
    assert shop.sync("2027-02-01T13:00") == []
    assert shop.kinds(ANI).count("batch_delayed") == 1
    assert shop.kinds(BUDI).count("batch_delayed") == 1


def test_11_seller_words_in_paid_and_seller_action(tmp_path: Path) -> None:
    """11. `lunas` means paid (never expired), `hmm` is a named problem, `batal` cancels."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=1)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Kastengel=1)
    shop = Shop(tmp_path, builder)
    shop.sync("2027-02-01T10:00")

    shop.seller("PO-0001", "Paid", "lunas")
    shop.seller("PO-0002", "Paid", "hmm")
    shop.seller("PO-0003", "Seller action", "batal")
    mails = shop.sync("2027-02-01T11:00")
    assert sorted((m.to, m.kind) for m in mails) == [
        (ANI, "payment_received"),
        (CITRA, "order_cancelled"),
    ]
    assert shop.cell("PO-0001", "Progress") == "Paid"
    assert "hmm" in shop.cell("PO-0002", "Problems")
    assert shop.status("PO-0003") == "Cancelled"

    shop.sync("2027-02-04T10:00")
    shop.sync("2027-02-05T10:00")
    shop.sync("2027-02-08T10:00")
    assert shop.status("PO-0001") == "Confirmed"
    assert "order_expired" not in shop.kinds(ANI)
    assert shop.status("PO-0002") != "Expired"
    assert "order_expired" not in shop.kinds(BUDI)
    assert "hmm" in shop.cell("PO-0002", "Problems")


def test_12_needs_attention_not_made_and_production_only_when_paid(tmp_path: Path) -> None:
    """12. Needs attention is told; In production: not_made to the waitlist, started if paid."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 09:05", EKA, "Eka", Nastar="dua")
    builder.response("2027-02-01 09:10", ANI, "Ani", Nastar=1)
    builder.response("2027-02-01 09:20", BUDI, "Budi", Nastar=2)
    builder.response("2027-02-01 09:30", CITRA, "Citra", Nastar=2)
    shop = Shop(tmp_path, builder)
    mails = shop.sync("2027-02-01T10:00")
    assert shop.status("PO-0001") == "Needs attention"
    assert shop.kinds(EKA, mails) == ["order_needs_attention"]
    assert shop.status("PO-0004") == "Waitlisted"

    shop.seller("PO-0002", "Paid", True)
    shop.sync("2027-02-01T11:00")
    shop.batch("Stage", "In production")
    mails = shop.sync("2027-02-01T12:00")
    assert shop.kinds(CITRA, mails) == ["order_not_made"]
    assert shop.kinds(ANI, mails) == ["production_started"]
    assert "production_started" not in shop.kinds(BUDI)
    assert shop.sync("2027-02-01T13:00") == []


def test_13_response_just_before_opens_synced_after_is_told_to_send_again(
    tmp_path: Path,
) -> None:
    """13. Sent 2 minutes before Opens, synced after: Rejected, Problems says send it again."""
    builder = bakery(tmp_path)
    builder.response("2027-02-01 08:58", ANI, "Ani", Nastar=1)
    shop = Shop(tmp_path, builder)
    mails = shop.sync("2027-02-01T10:00")
    assert shop.status("PO-0001") == "Rejected"
    problems = shop.cell("PO-0001", "Problems")
    assert "open now" in problems
    assert "send the form again" in problems
    assert shop.kinds(ANI, mails) == ["order_rejected"]
