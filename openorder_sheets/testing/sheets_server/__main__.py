"""``python -m openorder_sheets.testing.sheets_server --port 8765``: run the local Sheets server."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import time

from .server import SheetsServer
from .store import DEFAULT_CALLER


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, print how to connect, serve until Ctrl-C."""
    parser = argparse.ArgumentParser(
        prog="python -m openorder_sheets.testing.sheets_server",
        description="A local Google Sheets API v4 server (state in memory) for offline use.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port (0 picks a free one; default 8765)"
    )
    parser.add_argument("--demo", action="store_true", help="create a demo spreadsheet at start")
    parser.add_argument(
        "--shop",
        metavar="TITLE",
        help="create an empty shop spreadsheet (with a form responses tab) for openorder",
    )
    parser.add_argument(
        "--private",
        metavar="ID",
        action="append",
        default=[],
        help="create a spreadsheet with this id that exists but is not shared with you: Sheets "
        "answers 403, Drive 404 (repeatable; gspread's test_access_private_spreadsheet uses "
        "1jIKzPs8LsiZZdLdeMEP-5ZIHw6RkjiOmj1LrJN706Yc)",
    )
    parser.add_argument(
        "--caller-email",
        metavar="EMAIL",
        default=DEFAULT_CALLER,
        help=f"who the caller is, where Google names them (default {DEFAULT_CALLER})",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    try:
        server = SheetsServer(
            args.host, args.port, verbose=args.verbose, caller_email=args.caller_email
        )
    except ValueError as exc:
        parser.error(str(exc))
    for private_id in args.private:
        try:
            server.create_spreadsheet(
                "Someone else's spreadsheet", spreadsheet_id=private_id, private=True
            )
        except ValueError as exc:
            parser.error(f"--private {private_id}: {exc}")
    if args.demo:
        book_id = server.create_spreadsheet(
            "Demo shop", {"Sheet1": [["Hello", "from"], ["the local", "server"]]}
        )
    shop_id = None
    if args.shop:
        shop_id = server.create_spreadsheet(
            args.shop,
            {"Form Responses 1": [["Timestamp", "Email Address", "Name", "WhatsApp", "Address"]]},
            time_zone="Asia/Jakarta",
        )
    try:
        server.start()
    except OSError as exc:
        reason = (
            "is already in use"
            if exc.errno == errno.EADDRINUSE
            else f"cannot be opened ({exc.strerror or exc})"
        )
        sys.stderr.write(
            f"sheets server: port {args.port} on {args.host} {reason}; "
            "choose another with --port (0 picks a free one).\n"
        )
        return 1
    signal.signal(signal.SIGTERM, _interrupt)
    url = server.base_url
    lines = [
        f"Local Google Sheets API server listening on {url}",
        "Point gspread at it with:",
        "    from openorder_sheets.testing.sheets_server import local_client",
        f"    gc = local_client({url!r})",
        "    sh = gc.create('My shop')  # or gc.open_by_key(...)",
        f"Control endpoints: {url}/_control/stats, {url}/_control/faults (see the module docs).",
        "State is in memory and is lost when the server stops. Press Ctrl-C to stop.",
    ]
    if args.demo:
        lines.insert(1, f"Demo spreadsheet id: {book_id}")
    for private_id in args.private:
        lines.insert(1, f"Private spreadsheet (exists, not shared with you): {private_id}")
    if shop_id is not None:
        lines[1:1] = [
            f"Shop spreadsheet '{args.shop}' created. In openorder.toml, under [sheet], use:",
            f'    spreadsheet = "{shop_id}"',
            f'    api_url = "{url}"',
            "then run `openorder init` and `openorder doctor`.",
        ]
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()
    try:
        while server.running:
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
