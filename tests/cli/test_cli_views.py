"""status, preview and doctor on the demo shop: read the sheet, show it plainly, change nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Cli, DemoShop


def test_status_shows_batch_bars_and_counts(demo: DemoShop) -> None:
    """status names the current batch and its window, fills each product and counts orders,
    all in the shop's language (an Indonesian shop here): no ISO dates, no English words."""
    before = demo.workbook.read_bytes()
    result = demo.run("status", "--now", demo.now)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "PO Lebaran 1: 6 Feb 09.00 → 19 Feb 21.00 (sudah tutup)"
    nastar = next(line for line in lines if "Nastar Premium" in line)
    assert "10 / 40" in nastar
    assert "█████░" in nastar
    assert "Putri Salju" in result.stdout
    assert "+3 di daftar tunggu" in result.stdout
    kastengel = next(line for line in lines if "Kastengel" in line)
    assert kastengel.endswith("+1 di daftar tunggu (menunggu produk lain di pesanan yang sama)")
    assert (
        "Pesanan: Dikonfirmasi 10 · Daftar tunggu 2 · Ditolak 1 · Perlu dicek 4 · Duplikat 1"
        in lines
    )
    assert "Pembayaran: Rp0 dari Rp2.355.119 · 0 lunas, 10 belum" in [
        line.replace("\xa0", " ") for line in lines
    ]
    assert "Email: 0 antre, 0 ditunda, 0 gagal" in lines
    assert demo.workbook.read_bytes() == before


def test_status_while_the_batch_is_open_shows_time_left(demo: DemoShop) -> None:
    """During the window, status says how long until it closes."""
    result = demo.run("status", "--now", "2027-02-18T09:00")
    assert result.exit_code == 0, result.output
    assert "tutup dalam 1 hari 12 jam 0 menit" in result.stdout.splitlines()[0]


def test_preview_prints_subject_and_body(demo: DemoShop) -> None:
    """preview PO-0002 prints the kind, the subject and the plain-text body the buyer gets."""
    result = demo.run("preview", "PO-0002", "--now", demo.now)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Kind: order_confirmed"
    assert lines[1] == "Subject: Pesanan PO-0002 dikonfirmasi – Dapur Bu Sari"
    assert "Halo Kak Siti Rahmawati," in result.stdout
    assert "Total: Rp265.000" in result.stdout


def test_preview_another_kind(demo: DemoShop) -> None:
    """--kind renders the chosen email instead of the one the status calls for."""
    result = demo.run("preview", "po-0002", "--kind", "batch_ready", "--now", demo.now)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Kind: batch_ready\nSubject: ")


def test_preview_writes_html(demo: DemoShop) -> None:
    """--html FILE writes the HTML body, naming the order, and says where."""
    page = demo.folder / "f.html"
    result = demo.run("preview", "PO-0002", "--html", page, "--now", demo.now)
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert "PO-0002" in html
    assert f"(HTML body written to {page})" in result.stdout


def test_preview_html_into_a_missing_folder(cli: Cli, demo: DemoShop) -> None:
    """--html into a folder that does not exist: exit 2, one sentence, no traceback."""
    result = demo.run("preview", "PO-0002", "--html", demo.folder / "nope" / "f.html")
    cli.one_sentence_error(result, "Cannot write", "f.html")


def test_preview_unknown_order(cli: Cli, demo: DemoShop) -> None:
    """preview PO-9999 exits 2 with one sentence suggesting real order numbers."""
    result = demo.run("preview", "PO-9999", "--now", demo.now)
    cli.one_sentence_error(result, "PO-9999", "PO-0001")


def test_doctor_on_the_demo_is_all_good(cli: Cli, demo: DemoShop) -> None:
    """doctor on the demo prints only ✓ lines and 'All good.', then the crontab line; exit 0."""
    result = demo.run("doctor", "--now", demo.now)
    cli.no_traceback(result)
    assert result.exit_code == 0, result.output
    checks, _, schedule = result.stdout.partition("\n\n")
    lines = checks.splitlines()
    assert lines[-1] == "All good."
    assert len(lines) >= 6
    assert all(line.startswith("✓ ") for line in lines[:-1]), lines
    assert schedule.startswith("To sync every 5 minutes, add this line with `crontab -e`:")
    assert f"cd {demo.folder} && " in schedule
    assert any("every tab and header is in place" in line for line in lines)
    assert any("Asia/Jakarta: now it is 2027-02-20 10:00 there" in line for line in lines)


def test_doctor_bad_now(cli: Cli, demo: DemoShop) -> None:
    """doctor --now with a bad value exits 2 with the same one sentence as sync."""
    cli.one_sentence_error(
        demo.run("doctor", "--now", "besok"), "--now 'besok'", "2027-02-20T10:00"
    )
