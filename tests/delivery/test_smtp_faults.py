"""Every fault the SMTP side can cause, through the real sync, counted at the server.

Temporary failures leave the message `deferred` and a later run delivers it; permanent ones
mark it `failed` with the server's words in the sheet; a transport that cannot work at all
exits 4 with the sheet updated and the messages still queued.
"""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.adapters.smtp import SmtpTransport
from openorder_sheets.core.cells import text
from openorder_sheets.core.model import EmailState, LedgerEntry
from openorder_sheets.errors import TransportFailed
from openorder_sheets.service.delivery import deliver
from openorder_sheets.service.doctor import run_doctor
from openorder_sheets.testing.smtp_server import (
    QUOTA_REPLY,
    SERVICE_UNAVAILABLE_REPLY,
    UNKNOWN_USER_REPLY,
    LocalSmtpServer,
)

NOW = "2027-02-16 10:00"
FIRST = "PO-0001/order_confirmed/buyer0000@example.com/1"

FAULTS: dict[str, tuple[Callable[[LocalSmtpServer], None], str]] = {
    "451-at-DATA": (lambda s: s.fail_next(1), "451 4.3.0 Try again later"),
    "451-at-RCPT": (
        lambda s: s.fail_next(1, "451 4.7.1 Greylisted, try again later", at="RCPT"),
        "451 4.7.1 Greylisted, try again later",
    ),
    "421-then-closed": (lambda s: s.service_unavailable(1), SERVICE_UNAVAILABLE_REPLY),
    "dropped-connection": (lambda s: s.drop_next(1), "Connection closed by the server"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_temporary_failures_are_deferred_then_delivered_on_a_later_run(
    smtp_shop: Callable[..., Any], fault: str
) -> None:
    """SPEC §5: 451/421/dropped connection → deferred, then delivered once after the delay."""
    inject, words = FAULTS[fault]
    shop = smtp_shop(3)
    inject(shop.server)
    report = shop.sync(NOW)
    assert (report.emails_sent, report.emails_deferred) == (2, 1)
    row = shop.ledger()[FIRST]
    assert (text(row["State"]), row["Attempts"]) == ("deferred", 1)
    assert text(row["Error"]).startswith(words)
    ids = shop.message_ids()
    assert shop.deliveries()[ids[FIRST]] == 0

    shop.sync("2027-02-16 10:02")  # within the first retry delay (5 minutes): not yet
    assert shop.deliveries()[ids[FIRST]] == 0
    retry = shop.sync("2027-02-16 10:06")
    assert retry.emails_sent == 1
    row = shop.ledger()[FIRST]
    assert (text(row["State"]), row["Attempts"], text(row["Error"])) == ("sent", 2, "")
    assert shop.deliveries() == dict.fromkeys(ids.values(), 1)


def test_a_421_closes_the_connection_and_the_run_reconnects(smtp_shop: Callable[..., Any]) -> None:
    """After 421 the server hangs up; the same run reconnects for the next message."""
    shop = smtp_shop(3)
    shop.server.service_unavailable(1)
    shop.sync(NOW)
    assert shop.server.connections == 2
    assert len(shop.deliveries()) == 2


def test_unknown_user_is_failed_with_the_servers_reply_in_the_sheet(
    smtp_shop: Callable[..., Any],
) -> None:
    """SPEC §5: `550 5.1.1` → failed, the reply in the sheet, never retried."""
    shop = smtp_shop(3)
    shop.server.refuse_recipient("buyer0001@example.com")
    report = shop.sync(NOW)
    assert (report.emails_sent, report.emails_failed) == (2, 1)
    key = "PO-0002/order_confirmed/buyer0001@example.com/1"
    row = shop.ledger()[key]
    assert (text(row["State"]), text(row["Error"])) == ("failed", UNKNOWN_USER_REPLY)
    assert text(shop.built.order("PO-0002")["Last email"]) == "Confirmation failed"

    shop.sync("2027-02-20 10:00")
    assert shop.ledger()[key]["Attempts"] == 1
    assert shop.deliveries()[shop.message_ids()[key]] == 0


def test_quota_reply_defers_and_stops_the_run_until_a_later_one(
    smtp_shop: Callable[..., Any],
) -> None:
    """SPEC §5: `550 5.4.5` defers and ends the run (rest stay queued); next day sends all."""
    shop = smtp_shop(4)
    shop.server.quota_exceeded(after=1)
    report = shop.sync(NOW)
    assert (report.emails_sent, report.emails_deferred) == (1, 1)
    states = [(text(r["State"]), r["Attempts"]) for r in shop.ledger().values()]
    assert states == [("sent", 1), ("deferred", 1), ("queued", 0), ("queued", 0)]
    assert text(list(shop.ledger().values())[1]["Error"]) == QUOTA_REPLY

    shop.server.clear_faults()
    shop.sync("2027-02-17 10:00")
    assert {text(r["State"]) for r in shop.ledger().values()} == {"sent"}
    assert shop.deliveries() == dict.fromkeys(shop.message_ids().values(), 1)


def test_a_partially_refused_recipient_list_is_detected(tmp_path: Path) -> None:
    """SPEC §5: a recipient refused while others accept (no exception) → failed, named."""
    with LocalSmtpServer() as server:
        server.refuse_recipient("gone@example.com")
        entry = LedgerEntry(
            "PO-0001/order_confirmed/ani@example.com/1",
            "PO-0001",
            "order_confirmed",
            "ani@example.com",
            EmailState.QUEUED,
            message_id="<partial@example.com>",
        )

        def build(_: LedgerEntry) -> EmailMessage:
            message = EmailMessage()
            message["From"] = "bakery@example.com"
            message["To"] = "ani@example.com, gone@example.com"
            message["Subject"] = "Confirmed"
            message["Message-ID"] = entry.message_id
            message.set_content("Thank you!")
            return message

        def transport() -> SmtpTransport:
            return SmtpTransport(
                "127.0.0.1",
                server.port,
                *server.credentials,
                ssl_context=server.client_ssl_context(),
                local_hostname="localhost",
            )

        now = dt.datetime(2027, 2, 16, 10, tzinfo=dt.UTC)
        [done], tally = deliver([entry], now, 450, build, tmp_path, transport)
        assert tally.failed == 1
        assert done.state is EmailState.FAILED
        assert done.error == f"gone@example.com: {UNKNOWN_USER_REPLY}"
        [received] = server.messages
        assert received.envelope_to == ("ani@example.com",)


def test_cannot_reach_the_server_raises_with_messages_still_queued(
    smtp_shop: Callable[..., Any],
) -> None:
    """SPEC §6: an unreachable server → exit 4, sheet updated, every message still queued."""
    shop = smtp_shop(2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    working = shop.built.shop.make_transport
    shop.built.shop.make_transport = lambda: SmtpTransport(
        "127.0.0.1", closed_port, "seller@example.com", "app-password", timeout=5.0
    )
    with pytest.raises(TransportFailed, match=f"127.0.0.1:{closed_port}") as caught:
        shop.sync(NOW)
    assert caught.value.exit_code == 4
    assert {(text(r["State"]), r["Attempts"]) for r in shop.ledger().values()} == {("queued", 0)}
    assert shop.built.status_of("PO-0001") == "Confirmed"
    shop.built.shop.make_transport = working
    shop.sync(NOW)
    assert shop.deliveries() == dict.fromkeys(shop.message_ids().values(), 1)


def test_a_wrong_password_exits_4_with_the_sheet_updated_and_mail_queued(
    cli_shop: Callable[..., Any],
) -> None:
    """SPEC §6: wrong password → exit 4, one clear sentence, sheet updated, mail queued."""
    shop = cli_shop(3)
    wrong = "Wr0ng-app-pa55word"
    result = shop.sync(NOW, password=wrong)
    assert result.returncode == 4, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"Error: SMTP login to 127.0.0.1:{shop.server.port} failed (535")
    assert "OPENORDER_TEST_SMTP_PASSWORD" in line
    assert wrong not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    assert [shop.built.status_of(f"PO-000{n}") for n in (1, 2, 3)] == ["Confirmed"] * 3
    rows = shop.ledger()
    assert {(text(r["State"]), r["Attempts"]) for r in rows.values()} == {("queued", 0)}
    assert len(rows) == 3
    assert shop.deliveries() == {}

    fixed = shop.sync("2027-02-16 10:05")
    assert fixed.returncode == 0, fixed.stderr
    assert shop.deliveries() == dict.fromkeys(
        (text(r["Message-ID"]) for r in shop.ledger().values()), 1
    )


@pytest.mark.parametrize("case", ["ok", "wrong-password", "untrusted-certificate"])
def test_doctor_checks_the_smtp_login(
    cli_shop: Callable[..., Any], monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    """SPEC §6: doctor logs in to the SMTP server (TLS verified) and says what to fix."""
    shop = cli_shop(1)
    user, password = shop.server.credentials
    given = "nope" if case == "wrong-password" else password
    monkeypatch.setenv("OPENORDER_TEST_SMTP_PASSWORD", given)
    if case != "untrusted-certificate":
        monkeypatch.setenv("SSL_CERT_FILE", str(shop.server.ca_path))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    checks = run_doctor(shop.config_path, dt.datetime(2027, 2, 16, 3, tzinfo=dt.UTC))
    smtp = checks[-1]
    where = f"127.0.0.1:{shop.server.port}"
    if case == "ok":
        assert smtp.ok, smtp.text
        assert smtp.text == f"SMTP {where} logged in as {user} (STARTTLS, certificate verified)."
    elif case == "wrong-password":
        assert not smtp.ok
        assert smtp.text.startswith(f"SMTP login to {where} failed (535")
        assert "OPENORDER_TEST_SMTP_PASSWORD" in smtp.text
    else:
        assert not smtp.ok
        assert smtp.text.startswith(f"The TLS certificate of {where} could not be verified")
    assert all(check.ok for check in checks[:-1]), [c.text for c in checks if not c.ok]
    assert shop.deliveries() == {}
