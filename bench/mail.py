"""``python -m bench.mail --emails 1000``: messages rendered per second, and sent per second
over one connection to the local SMTP server (STARTTLS, login, certificate verified).

The messages are the ones a real sync of a generated shop has due (order confirmations,
waitlist and rejection notices, announcements, in Indonesian), rendered from the packaged
templates by the product's own message builder. The SMTP server runs in another process.
"""

from __future__ import annotations

import argparse
import gc
import json
import ssl
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bench.common import ROOT, child_env, emit, peak_rss_mb
from bench.materialize import shop_tabs, write_config
from bench.shopgen import generate
from openorder_sheets.adapters.smtp import SmtpTransport
from openorder_sheets.adapters.templates import TemplateRenderer
from openorder_sheets.ports import DeliveryOutcome
from openorder_sheets.service.composition import Shop
from openorder_sheets.service.decide import decide_shop
from openorder_sheets.service.messages import message_builder
from openorder_sheets.testing.fakes import MemorySheet


def due_messages(count: int, folder: Path) -> tuple[list[Any], Any]:
    """The ledger entries a sync of a generated shop has due, and the product's builder."""
    shop_data = generate(max(count, 1000), seed=2027)
    config = write_config(shop_data, folder, workbook="unused.xlsx")
    tabs = shop_tabs(shop_data, config)
    grids = {name: rows for name, (_, rows) in tabs.items()}
    grids[config.tab("responses")] = [list(shop_data.response_headers), *shop_data.responses]
    shop = Shop(
        config,
        MemorySheet(grids),
        lambda: None,  # type: ignore[arg-type,return-value]
        TemplateRenderer(config.shop.language),
        config.state_dir,
    )
    now = shop_data.now.replace(tzinfo=config.shop.zone)
    decided = decide_shop(shop, now)
    build = message_builder(shop, decided, now)
    build.renderer = shop.renderer  # type: ignore[attr-defined]  # for timing the templates
    return decided.entries, build


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.mail")
    parser.add_argument("--emails", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="openorder-bench-mail-") as folder:
        entries, build = due_messages(args.emails, Path(folder))
        # Rendering as delivery does it inside a sync (where the cyclic collector is paused):
        # data → templates (subject, text, HTML) → a MIME EmailMessage; every message is built
        # before the first is sent. Templates are compiled on first use, inside the timing.
        kinds: dict[str, int] = {}
        messages: list[EmailMessage] = []
        template_s = 0.0
        renderer = build.renderer  # type: ignore[attr-defined]
        original_render = renderer.render

        def timed_render(kind: str, context: Any) -> Any:
            nonlocal template_s
            started = time.perf_counter()
            try:
                return original_render(kind, context)
            finally:
                template_s += time.perf_counter() - started

        renderer.render = timed_render
        gc.disable()
        try:
            started_cpu, started = time.process_time(), time.perf_counter()
            for entry in entries:
                if len(messages) == args.emails:
                    break
                message = build(entry)
                if message is not None:
                    messages.append(message)
                    kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
            render_s = time.perf_counter() - started
            render_cpu = time.process_time() - started_cpu
        finally:
            gc.enable()
            renderer.render = original_render
    if len(messages) < args.emails:
        raise SystemExit(f"only {len(messages)} messages due; need {args.emails}")
    size = sum(len(m.as_bytes()) for m in messages[:50]) / 50

    server = subprocess.Popen(
        [sys.executable, "-m", "bench.smtpd"],
        cwd=ROOT,
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdin is not None
        info = json.loads(server.stdout.readline())
        context = ssl.create_default_context(cafile=info["ca"])
        transport = SmtpTransport(
            "127.0.0.1",
            info["port"],
            info["user"],
            info["password"],
            security="starttls",
            ssl_context=context,
            local_hostname="localhost",
        )
        outcomes: dict[str, int] = {}
        started_cpu, started = time.process_time(), time.perf_counter()
        transport.open()
        for message in messages:
            result = transport.send(message)
            outcomes[result.outcome.value] = outcomes.get(result.outcome.value, 0) + 1
        transport.close()
        send_s = time.perf_counter() - started
        send_cpu = time.process_time() - started_cpu
        server.stdin.close()
        received = json.loads(server.stdout.readline())
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)
    if outcomes.get(DeliveryOutcome.SENT.value) != len(messages):
        raise SystemExit(f"not every message was accepted: {outcomes}")
    emit(
        {
            "emails": len(messages),
            "kinds": kinds,
            "mean_message_bytes": round(size),
            "render_s": round(render_s, 3),
            "render_cpu_s": round(render_cpu, 3),
            "rendered_per_s": round(len(messages) / render_s, 1),
            "templates_s": round(template_s, 3),
            "templates_per_s": round(len(messages) / template_s, 1),
            "send_s": round(send_s, 3),
            "send_cpu_s": round(send_cpu, 3),
            "sent_per_s": round(len(messages) / send_s, 1),
            "server_messages": received["messages"],
            "server_connections": received["connections"],
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
