"""``python -m bench.smtpd``: the local SMTP server (STARTTLS + AUTH) in its own process.

Prints one JSON line (port, login, the test CA's path), serves until standard input is closed,
then prints a second line with what it received (messages, connections).
"""

from __future__ import annotations

import sys

from bench.common import emit
from openorder_sheets.testing.smtp_server import LocalSmtpServer


def main() -> None:
    with LocalSmtpServer(tls="starttls") as server:
        user, password = server.credentials
        emit({"port": server.port, "user": user, "password": password, "ca": str(server.ca_path)})
        sys.stdin.read()
        emit({"messages": len(server.messages), "connections": server.connections})


if __name__ == "__main__":
    main()
