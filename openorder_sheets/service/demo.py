"""`openorder demo`: a realistic home-bakery shop before Lebaran, with the rows buyers really send.

The batch opened two weeks before ``now`` and closed yesterday evening; the responses include a
quantity written ``dua``, ``1.5`` and ``2 jar``, an invalid email, a double submission two
minutes apart, a buyer over the per-buyer limit across two orders, orders beyond capacity, one
before the window and one after, and hostile names and notes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openorder_sheets.adapters.workbook import WorkbookBackend
from openorder_sheets.config import Config, load_config
from openorder_sheets.core.form import form_headers
from openorder_sheets.errors import ConfigError
from openorder_sheets.ports import Cell
from openorder_sheets.service.setup import seller_tabs, tool_tabs, write_config_file

PRODUCTS = [
    ["NASTAR", "Nastar Premium", 85000, "jar", 40, 5, True, ""],
    ["KASTENGEL", "Kastengel Keju", 95000, "jar", 30, 4, True, ""],
    ["PUTRI", "Putri Salju", 75000, "jar", 10, 3, True, ""],
    ["LIDAH", "Lidah Kucing", 70000, "jar", None, None, True, ""],
    ["SAGU", "Sagu Keju", 65000, "jar", 20, None, False, ""],
]

MATERIALS = [
    ["NASTAR", "Mentega Wijsman", 0.25, "kg"],
    ["NASTAR", "Tepung terigu", 0.3, "kg"],
    ["NASTAR", "Selai nanas", 0.2, "kg"],
    ["KASTENGEL", "Keju Edam", 0.2, "kg"],
    ["KASTENGEL", "Mentega Wijsman", 0.2, "kg"],
    ["PUTRI", "Gula halus", 0.15, "kg"],
    ["LIDAH", "Putih telur", 4, "butir"],
]

_LONG_NOTE = (
    "Kak, tolong dibungkus rapi ya untuk hampers Lebaran ke mertua 🎁🌙✨ Kalau bisa "
    "pakai pita hijau, terus kartu ucapannya tulis 'Mohon maaf lahir dan batin, dari "
    "keluarga Pratama' 🙏😊 Pengiriman sore saja karena pagi rumah kosong. " * 3
).strip()


def demo_rows(opens: dt.datetime, closes: dt.datetime) -> list[list[Cell]]:
    """The demo's form responses (Timestamp first), as Google Forms would write them."""

    def at(hours: float) -> dt.datetime:
        return (opens + dt.timedelta(hours=hours)).replace(tzinfo=None)

    yes, no = "Ya, kabari saya", "Tidak"
    kirim, ambil = "Kirim (kurir)", "Ambil sendiri"
    after = (closes + dt.timedelta(hours=2)).replace(tzinfo=None)
    r: list[list[Cell]] = [
        [
            at(-1.5),
            "andi.firmansyah@gmail.com",
            "Andi Firmansyah",
            "081311112222",
            "Jl. Kenanga 3, Depok",
            kirim,
            1,
            None,
            None,
            None,
            None,
            "",
            yes,
        ],
        [
            at(1),
            "siti.rahmawati@gmail.com",
            "Siti Rahmawati",
            "0812-3456-7890",
            "Jl. Melati No. 12, Bandung",
            kirim,
            2,
            1,
            None,
            None,
            None,
            "",
            yes,
        ],
        [
            at(1.5),
            "Budi.Santoso@Yahoo.co.id",
            "Budi Santoso",
            "081298765432",
            "Perum Griya Asri B2/7, Bekasi",
            kirim,
            "2 jar",
            None,
            1,
            None,
            None,
            "",
            no,
        ],
        [
            at(2),
            "dewi.lestari@gmail.com",
            "Dewi Lestari",
            "085711223344",
            "Jl. Anggrek 5, Bogor",
            ambil,
            "dua",
            None,
            None,
            None,
            None,
            "",
            yes,
        ],
        [
            at(2.2),
            "rina.kusuma@gmail.com",
            "Rina Kusuma",
            "081355556666",
            "Jl. Cempaka 9, Jakarta Timur",
            kirim,
            None,
            "1.5",
            None,
            None,
            None,
            "",
            no,
        ],
        [
            at(3),
            "agus.pratama@gmail",
            "Agus Pratama",
            "081377778888",
            "Jl. Flamboyan 1, Tangerang",
            kirim,
            1,
            None,
            None,
            None,
            None,
            "",
            no,
        ],
        [
            at(4),
            "maya.sari@gmail.com",
            "Maya Sari",
            "+62 857-1111-2222",
            "Jl. Dahlia 21, Surabaya",
            kirim,
            1,
            None,
            None,
            2,
            None,
            "",
            yes,
        ],
        [
            at(4 + 2 / 60),
            "maya.sari@gmail.com",
            "Maya Sari",
            "+62 857-1111-2222",
            "Jl. Dahlia 21, Surabaya",
            kirim,
            1,
            None,
            None,
            2,
            None,
            "",
            yes,
        ],
        [
            at(5),
            "hendra.wijaya@gmail.com",
            "Hendra Wijaya",
            "081233334444",
            "Jl. Kamboja 8, Semarang",
            kirim,
            None,
            None,
            3,
            None,
            None,
            "",
            no,
        ],
        [None, None, None, None, None, None, None, None, None, None, None, None, None],
        [
            at(20),
            "fitri.handayani@gmail.com",
            "Fitri Handayani",
            "081244445555",
            "Jl. Teratai 2, Yogyakarta",
            ambil,
            None,
            2,
            "3x",
            None,
            None,
            "",
            yes,
        ],
        [
            at(26),
            "hendra.wijaya@gmail.com",
            "Hendra Wijaya",
            "081233334444",
            "Jl. Kamboja 8, Semarang",
            kirim,
            None,
            None,
            2,
            None,
            None,
            "Tambah lagi ya",
            no,
        ],
        [
            at(30),
            "yusuf.hidayat@gmail.com",
            "Yusuf Hidayat",
            "081266667777",
            "Jl. Mawar 14, Malang",
            kirim,
            1,
            None,
            3,
            None,
            None,
            "",
            yes,
        ],
        [
            at(40),
            "lina.marlina@gmail.com",
            "Lina Marlina",
            "081288889999",
            "Jl. Kenari 6, Solo",
            kirim,
            None,
            None,
            2,
            None,
            None,
            "",
            yes,
        ],
        [
            at(44),
            "rudi.hartono@gmail.com",
            "Rudi Hartono",
            "+65 9123 4567",
            "Blk 123 Tampines St 11, Singapore",
            kirim,
            None,
            1,
            1,
            None,
            None,
            "",
            no,
        ],
        [
            at(50),
            "klik.hadiah@gmail.com",
            '=HYPERLINK("http://hadiah.example","Klik")',
            "081200001111",
            "Jl. Palsu 1",
            kirim,
            1,
            None,
            None,
            None,
            None,
            "",
            no,
        ],
        [
            at(52),
            "ani.susanti@gmail.com",
            "Kak {{ 7*7 }} Ani",
            "081200002222",
            "Jl. Seroja 4, Medan",
            ambil,
            None,
            None,
            None,
            1,
            None,
            "",
            yes,
        ],
        [
            at(60),
            "putu.ayu@gmail.com",
            "Putu\nAyu Lestari",
            "081200003333",
            "Jl. Bypass Ngurah Rai 88, Denpasar",
            kirim,
            1,
            1,
            None,
            None,
            None,
            "",
            yes,
        ],
        [
            at(70),
            "dian.pratama@gmail.com",
            "Dian Pratama",
            "081200004444",
            "Jl. Cendana 17, Makassar",
            kirim,
            2,
            1,
            None,
            1,
            None,
            _LONG_NOTE,
            yes,
        ],
        [
            at(80),
            "wulan.sari@gmail.com",
            "Wulan Sari",
            "081200005555",
            "Jl. Kemuning 3, Cirebon",
            kirim,
            None,
            None,
            None,
            None,
            2,
            "",
            no,
        ],
        [
            after,
            "tono.sugiarto@gmail.com",
            "Tono Sugiarto",
            "081200006666",
            "Jl. Asoka 10, Bekasi",
            kirim,
            1,
            None,
            None,
            None,
            None,
            "Masih bisa kak?",
            yes,
        ],
    ]
    return r


def demo_batches(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, list[list[Any]]]:
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    opens = day - dt.timedelta(days=14) + dt.timedelta(hours=9)
    closes = day - dt.timedelta(days=1) + dt.timedelta(hours=21)
    second_opens = day + dt.timedelta(days=5, hours=9)
    second_closes = day + dt.timedelta(days=12, hours=21)
    rows = [
        [
            "PO Lebaran 1",
            opens.replace(tzinfo=None),
            closes.replace(tzinfo=None),
            (closes + dt.timedelta(days=10)).date(),
            None,
            "Kue dibuat fresh setelah PO tutup. Terima kasih sudah menunggu!",
        ],
        [
            "PO Lebaran 2",
            second_opens.replace(tzinfo=None),
            second_closes.replace(tzinfo=None),
            (second_closes + dt.timedelta(days=6)).date(),
            None,
            "",
        ],
    ]
    return opens, closes, rows


def create_demo(folder: Path, now: dt.datetime) -> Config:
    """Create the demo shop in ``folder`` and return its config (nothing is synced yet)."""
    config_path = folder / "openorder.toml"
    if config_path.exists() or (folder / "shop.xlsx").exists():
        raise ConfigError(
            f"{folder} already holds a shop: run `openorder sync --config {config_path}`, or "
            "delete the folder (or choose another) to start the demo afresh."
        )
    folder.mkdir(parents=True, exist_ok=True)
    write_config_file(
        config_path,
        shop_name="Dapur Bu Sari",
        language="id",
        workbook="shop.xlsx",
        sender="dapur.bu.sari@example.com",
        form_url="https://forms.gle/contoh-po-lebaran",
        account=("BCA", "1234567890", "Sari Wulandari"),
    )
    config = load_config(config_path)
    opens, closes, batches = demo_batches(now)
    tabs = seller_tabs(config, products=PRODUCTS, materials=MATERIALS, batches=batches)
    questions = [f"{name} ({unit})" for _, name, _, unit, *_ in PRODUCTS]
    tabs[config.tab("responses")] = (
        tabs[config.tab("responses")][0],
        [list[Cell](form_headers("id", questions)), *demo_rows(opens, closes)],
    )
    tabs.update(tool_tabs(config))  # as `init` makes them: the public board among them
    WorkbookBackend(folder / "shop.xlsx").create_tabs(tabs)
    return config
