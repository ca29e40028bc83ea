"""Hostile buyer text and hostile seller templates, checked in what the SMTP server received."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from openorder_sheets.adapters.templates import TemplateRenderer
from openorder_sheets.core.cells import text
from openorder_sheets.errors import ConfigError
from openorder_sheets.testing.shops import ShopBuilder
from openorder_sheets.testing.smtp_server import ReceivedMessage

NOW = "2027-02-16 10:00"


def _hostile_buyers(builder: ShopBuilder) -> None:
    builder.response(
        "2027-02-03 10:00",
        "putu@example.com",
        "Putu\r\nBcc: evil@example.com\r\nX-Injected: yes",
        Nastar=1,
    )
    builder.response(
        "2027-02-03 10:01",
        "ani@example.com",
        "Ani",
        Nastar=1,
        notes="<script>alert(1)</script> & <b>bold</b>",
    )
    builder.response("2027-02-03 10:02", "kak@example.com", "Kak {{ 7*7 }} Ani", Nastar=1)


def _received(messages: list[ReceivedMessage]) -> dict[str, ReceivedMessage]:
    return {message.envelope_to[0]: message for message in messages}


def _body(message: ReceivedMessage, kind: str) -> str:
    part = message.get_body((kind,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def test_a_cr_lf_in_a_buyer_name_adds_no_header(smtp_shop: Callable[..., Any]) -> None:
    """SPEC §8: a name with CR/LF and header-looking text stays data: no Bcc, no new header."""
    shop = smtp_shop(0, edit=_hostile_buyers)
    shop.sync(NOW)
    putu = _received(shop.server.messages)["putu@example.com"]
    assert putu["Bcc"] is None
    assert putu["X-Injected"] is None
    assert putu.envelope_to == ("putu@example.com",)
    assert all("evil@example.com" not in m.envelope_to for m in shop.server.messages)
    for name, value in putu.items():
        assert "\n" not in str(value), name
        assert "\r" not in str(value), name
    ani = _received(shop.server.messages)["ani@example.com"]
    assert sorted(putu.keys()) == sorted(ani.keys())


def test_script_in_a_note_is_escaped_in_the_html(smtp_shop: Callable[..., Any]) -> None:
    """SPEC §5: HTML bodies are autoescaped: a `<script>` note arrives as text, not markup."""
    shop = smtp_shop(0, edit=_hostile_buyers)
    shop.sync(NOW)
    ani = _received(shop.server.messages)["ani@example.com"]
    html = _body(ani, "html")
    assert "<script>" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert(1)</script>" in _body(ani, "plain")


def test_template_syntax_in_buyer_text_renders_literally(smtp_shop: Callable[..., Any]) -> None:
    """SPEC §5: buyer text is never template source: `{{ 7*7 }}` arrives as typed."""
    shop = smtp_shop(0, edit=_hostile_buyers)
    shop.sync(NOW)
    kak = _received(shop.server.messages)["kak@example.com"]
    for part in (_body(kak, "plain"), _body(kak, "html"), str(kak["Subject"])):
        assert "Kak 49 Ani" not in part
    assert "Kak {{ 7*7 }} Ani" in _body(kak, "plain")
    assert "Kak {{ 7*7 }} Ani" in _body(kak, "html")


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ shop.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os.system('touch MARKER') }}",
        "{% set x = order.update({'total': 0}) %}{{ x }}",
    ],
    ids=["mro-subclasses", "globals", "os-system", "mutate-context"],
)
def test_a_seller_template_reaching_for_python_internals_fails_and_sends_nothing(
    smtp_shop: Callable[..., Any], tmp_path: Path, payload: str
) -> None:
    """SPEC §5: a template reaching Python internals is a clear error and sends nothing."""
    shop = smtp_shop(3)
    seller = tmp_path / "my-templates" / "en"
    seller.mkdir(parents=True)
    # Only the last kind in the run is hostile: nothing may leave even for the others.
    (seller / "order_confirmed.html").write_text(
        "{% if order.number == 'PO-0003' %}"
        + payload.replace("MARKER", str(tmp_path / "pwned"))
        + "{% endif %}ok",
        encoding="utf-8",
    )
    shop.built.shop.renderer = TemplateRenderer("en", tmp_path / "my-templates")
    with pytest.raises(ConfigError) as caught:
        shop.sync(NOW)
    message = str(caught.value)
    assert "order_confirmed.html" in message
    assert "tries something templates may not do" in message
    assert "Nothing was sent" in message
    assert "\n" not in message
    assert shop.server.connections == 0
    assert shop.deliveries() == {}
    assert not (shop.state_dir / "deliveries.jsonl").exists()
    assert {text(r["State"]) for r in shop.ledger().values()} == {"queued"}
    assert not (tmp_path / "pwned").exists()
