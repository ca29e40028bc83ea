"""Mapping the Google Form's questions (the responses tab's headers) to order fields.

The config may name each question exactly; otherwise common English and Indonesian headers are
recognised. Products are found through `[form.products]`, the product's `Form question` cell, or
a header containing the product's name or ``[SKU]``. Ambiguity is an error, never a guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from openorder_sheets.core.cells import text
from openorder_sheets.core.labels import fold
from openorder_sheets.core.model import Catalog, Product

#: field → (exact headers, words a header may contain, words it must not contain)
_DETECT: Mapping[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "timestamp": (("timestamp", "stempel waktu", "cap waktu", "waktu"), (), ()),
    "email": (
        ("email address", "alamat email", "email", "e-mail", "surel", "alamat surel"),
        ("email", "e-mail"),
        (),
    ),
    "name": (
        ("nama", "name", "nama lengkap", "full name", "nama pemesan", "your name"),
        ("nama", "name"),
        ("produk", "product", "penerima", "toko", "shop"),
    ),
    "phone": (
        (
            "whatsapp",
            "no. whatsapp",
            "nomor whatsapp",
            "no. wa",
            "no wa",
            "wa",
            "no. hp",
            "no hp",
            "nomor hp",
            "phone",
            "phone number",
            "telepon",
        ),
        (
            "whatsapp",
            "no. wa",
            "nomor wa",
            "no. hp",
            "nomor hp",
            "no hp",
            "phone",
            "telepon",
            "handphone",
            "ponsel",
        ),
        (),
    ),
    "address": (
        (
            "alamat",
            "address",
            "alamat pengiriman",
            "alamat lengkap",
            "shipping address",
            "delivery address",
        ),
        ("alamat", "address"),
        ("email", "surel"),
    ),
    "delivery": (
        (
            "pengiriman",
            "metode pengiriman",
            "delivery",
            "delivery method",
            "kurir",
            "ambil atau kirim",
        ),
        ("pengiriman", "delivery", "kurir", "shipping", "ambil"),
        ("alamat", "address"),
    ),
    "notes": (
        ("catatan", "notes", "note", "keterangan", "pesan"),
        ("catatan", "notes", "note", "keterangan"),
        (),
    ),
    "opt_in": (
        (),
        (
            "kabari",
            "info batch",
            "batch berikutnya",
            "next batch",
            "future",
            "opt-in",
            "opt in",
            "notify",
        ),
        (),
    ),
    "items": (("produk", "products", "pesanan", "menu", "order", "items"), (), ()),
}

OPTIONAL_FIELDS = ("phone", "address", "delivery", "notes", "opt_in")

#: The questions `openorder init` asks the seller to put in the form, per language, as a linked
#: Google Form names its columns: those before the product questions, and those after. The
#: demo and the bench shops use them too, so each is a form `map_form` recognises.
FORM_QUESTIONS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "id": (
        (
            "Stempel waktu",
            "Alamat email",
            "Nama",
            "No. WhatsApp",
            "Alamat pengiriman",
            "Metode pengiriman",
        ),
        ("Catatan", "Kabari saya untuk batch berikutnya?"),
    ),
    "en": (
        (
            "Timestamp",
            "Email Address",
            "Name",
            "WhatsApp number",
            "Delivery address",
            "Delivery method",
        ),
        ("Notes", "Tell me about future batches?"),
    ),
}


def form_headers(language: str, product_questions: Sequence[str] = ()) -> list[str]:
    """The responses tab's header row of the suggested form, products in the middle (English
    for a language other than Indonesian)."""
    before, after = FORM_QUESTIONS["id" if language == "id" else "en"]
    return [*before, *product_questions, *after]


@dataclass(frozen=True)
class FormMapping:
    """Which response column holds what. Indices are 0-based."""

    tab: str
    headers: tuple[str, ...]
    fields: Mapping[str, int] = field(default_factory=dict)
    products: Mapping[str, int] = field(default_factory=dict)  # SKU → column

    def header(self, column: int) -> str:
        return self.headers[column] if column < len(self.headers) else f"#{column + 1}"


def map_form(
    tab: str,
    header_row: Sequence[object],
    catalog: Catalog,
    configured_fields: Mapping[str, str],
    configured_products: Mapping[str, str],
) -> tuple[FormMapping, list[str]]:
    """Work out the mapping from the header row; return it and every problem found."""
    headers = tuple(" ".join(text(cell).split()) for cell in header_row)  # type: ignore[arg-type]
    folded = [fold(header) for header in headers]
    problems: list[str] = []
    found_list = ", ".join(f"'{h}'" for h in headers if h) or "none"

    def exact(question: str, what: str) -> int | None:
        try:
            return folded.index(fold(question))
        except ValueError:
            problems.append(
                f"[form] {what} = '{question}' is not a column of tab '{tab}' (columns found: "
                f"{found_list}) — copy the question's header exactly."
            )
            return None

    fields: dict[str, int] = {}
    for name, question in configured_fields.items():
        if name == "tab":
            continue
        column = exact(question, name)
        if column is not None:
            fields[name] = column
    products = _map_products(
        tab,
        headers,
        folded,
        catalog,
        configured_products,
        exact,
        problems,
        found_list,
        "items" in fields,
    )
    claimed = set(fields.values()) | set(products.values())
    for name in ("timestamp", "email", "name", *OPTIONAL_FIELDS, "items"):
        if name in fields or (name == "items" and (products or "items" in configured_fields)):
            continue
        column = _detect(name, folded, claimed, tab, headers, problems)
        if column is not None:
            fields[name] = column
            claimed.add(column)
    for required, words in (
        ("timestamp", "Timestamp"),
        ("email", "the buyer's email"),
        ("name", "the buyer's name"),
    ):
        if required not in fields:
            problems.append(
                f"Tab '{tab}' has no column for {words} (columns found: {found_list}) — set "
                f'{required} = "<exact header>" under [form] in openorder.toml.'
            )
    if not products and "items" not in fields and catalog.products:
        problems.append(
            f"Tab '{tab}' has no column for any product (columns found: {found_list}) — add "
            "one quantity question per product, or map them under [form.products]."
        )
    return FormMapping(tab, headers, fields, products), problems


def _detect(
    name: str,
    folded: list[str],
    claimed: set[int],
    tab: str,
    headers: tuple[str, ...],
    problems: list[str],
) -> int | None:
    exacts, contains, excludes = _DETECT[name]
    free = [i for i in range(len(folded)) if i not in claimed and folded[i]]
    hits = [i for i in free if folded[i] in exacts]
    if not hits and contains:
        hits = [
            i
            for i in free
            if any(word in folded[i] for word in contains)
            and not any(word in folded[i] for word in excludes)
        ]
    if len(hits) > 1 and name != "timestamp":
        listed = " and ".join(f"'{headers[i]}'" for i in hits[:3])
        problems.append(
            f"Tab '{tab}': columns {listed} could both be the {name.replace('_', '-')} "
            f'question — set {name} = "<exact header>" under [form] in openorder.toml.'
        )
        return None
    return hits[0] if hits else None


def _map_products(
    tab: str,
    headers: tuple[str, ...],
    folded: list[str],
    catalog: Catalog,
    configured: Mapping[str, str],
    exact: Callable[[str, str], int | None],
    problems: list[str],
    found_list: str,
    checkbox_mode: bool,
) -> dict[str, int]:
    columns: dict[str, int] = {}
    automatic: list[Product] = []
    for product in catalog.products:
        question = configured.get(product.sku) or configured.get(product.sku.lower())
        if question:
            column = exact(question, f"products.{product.sku}")
            if column is not None:
                columns[product.sku] = column
        elif product.form_question:
            column = exact(product.form_question, f"Form question of {product.sku}")
            if column is not None:
                columns[product.sku] = column
        else:
            automatic.append(product)
    unknown = (
        set(configured)
        - {p.sku for p in catalog.products}
        - {p.sku.lower() for p in catalog.products}
    )
    for sku in sorted(unknown):
        problems.append(
            f"[form.products] names '{sku}', which is not a SKU in the Products tab "
            "— fix the SKU or remove the line."
        )
    if checkbox_mode:
        return columns
    taken = set(columns.values())
    candidates: dict[str, list[int]] = {product.sku: [] for product in automatic}
    for index, header in enumerate(folded):
        if index in taken or not header:
            continue
        best = _best_product(header, automatic)
        if best is not None:
            candidates[best.sku].append(index)
    for product in automatic:
        found = candidates[product.sku]
        if len(found) == 1:
            columns[product.sku] = found[0]
        elif len(found) > 1:
            listed = " and ".join(f"'{headers[i]}'" for i in found[:3])
            problems.append(
                f"Tab '{tab}': columns {listed} all look like the quantity of "
                f"'{product.name}' — set {product.sku} = \"<exact header>\" under "
                "[form.products] in openorder.toml."
            )
    missing = [p for p in automatic if p.active and not candidates[p.sku]]
    if columns or len(missing) < len(automatic):
        for product in missing:
            problems.append(
                f"Tab '{tab}' has no column for product '{product.name}' ({product.sku}) "
                f"(columns found: {found_list}) — add a form question containing "
                f"'{product.name}', or set {product.sku} = \"<exact header>\" under "
                "[form.products]."
            )
    return columns


def _best_product(header: str, products: list[Product]) -> Product | None:
    """The product whose name (or ``[SKU]``) the header contains; the longest name wins."""
    best: Product | None = None
    best_length = 0
    for product in products:
        for needle in (fold(product.name), f"[{fold(product.sku)}]"):
            if needle and needle in header and len(needle) > best_length:
                best, best_length = product, len(needle)
    return best
