"""Plain words for problems and reasons, in English and Indonesian.

Problems go into the `Orders` tab's `Problems` column and reasons into buyer emails; both name
the column and the value so the seller can fix the cell without guessing.
"""

from __future__ import annotations

from collections.abc import Mapping

from openorder_sheets.core.labels import label

_WORDS: Mapping[str, Mapping[str, str]] = {
    "bad_quantity": {
        "en": 'column "{column}" has {value} — write a whole number such as 2',
        "id": 'kolom "{column}" berisi {value} — tulis angka bulat, misalnya 2',
    },
    "bad_email": {
        "en": "column \"{column}\" has '{value}', which is not an email address",
        "id": "kolom \"{column}\" berisi '{value}', bukan alamat email yang benar",
    },
    "no_name": {
        "en": 'column "{column}" is empty — the buyer\'s name is needed',
        "id": 'kolom "{column}" kosong — nama pembeli wajib diisi',
    },
    "no_items": {
        "en": "no product has a quantity",
        "id": "tidak ada produk yang dipesan",
    },
    "bad_timestamp": {
        "en": 'column "{column}" has {value}, which is not a date and time',
        "id": 'kolom "{column}" berisi {value}, bukan tanggal dan jam',
    },
    "unknown_choice": {
        "en": "column \"{column}\" lists '{value}', which is not a product name",
        "id": "kolom \"{column}\" berisi '{value}', bukan nama produk",
    },
    "inactive_product": {
        "en": '"{product}" is not active (Products row {row})',
        "id": '"{product}" sedang tidak aktif (Produk baris {row})',
    },
    "outside_window": {
        "en": "outside the open-order window",
        "id": "di luar waktu open order",
    },
    "before_window": {
        "en": "outside the open-order window (sent before {batch} opens, {opens})",
        "id": "di luar waktu open order (dikirim sebelum {batch} buka, {opens})",
    },
    "before_window_open_now": {
        "en": "sent before {batch} opened ({opens}); it is open now — please send the form again",
        "id": "dikirim sebelum {batch} dibuka ({opens}); sekarang sudah buka — silakan isi "
        "formulirnya lagi",
    },
    "over_limit": {
        "en": "{product}: at most {limit} {unit} per buyer in this batch ({ordered} ordered)",
        "id": "{product}: maksimal {limit} {unit} per pembeli di batch ini ({ordered} dipesan)",
    },
    "no_room": {
        "en": "{product}: {wanted} {unit} wanted, {left} left",
        "id": "{product}: dipesan {wanted} {unit}, sisa {left}",
    },
    "duplicate_of": {
        "en": "same order as {order} sent {minutes} min earlier",
        "id": "sama dengan pesanan {order} yang dikirim {minutes} menit sebelumnya",
    },
    "response_gone": {
        "en": "its response (row {row} of {tab}) is no longer there",
        "id": "responsnya (baris {row} di {tab}) sudah tidak ada",
    },
    "unmatched": {
        "en": "this response looks like {orders} whose row moved or changed; check it, "
        "then set Seller action",
        "id": "respons ini mirip {orders} yang barisnya pindah atau berubah; cek, lalu isi "
        "Tindakan penjual",
    },
    "confirmed_by_seller": {
        "en": "confirmed by the seller",
        "id": "dikonfirmasi oleh penjual",
    },
    "rejected_by_seller": {
        "en": "rejected by the seller",
        "id": "ditolak oleh penjual",
    },
    "expired": {
        "en": "not paid by the deadline ({deadline})",
        "id": "belum dibayar sampai batas waktu ({deadline})",
    },
    "change_held": {
        "en": "the buyer asked to change to {items}; it does not fit ({reasons}) — the order "
        "keeps its confirmed items; set Seller action to Confirm to accept the change anyway",
        "id": "pembeli minta diubah menjadi {items}; tidak muat ({reasons}) — pesanan tetap "
        "dengan item yang sudah dikonfirmasi; isi Tindakan penjual Konfirmasi untuk tetap "
        "menerima perubahan",
    },
    "partly_paid": {
        "en": "paid {paid} of {owed}: {missing} still to pay (type the total received in Paid "
        "when it arrives)",
        "id": "baru dibayar {paid} dari {owed}: kurang {missing} (tulis total yang diterima di "
        "kolom Lunas kalau sudah masuk)",
    },
    "bank_partly_paid": {
        "en": "the bank statement shows {paid} of {owed}: {missing} still to pay (the buyer was "
        "told)",
        "id": "mutasi rekening baru {paid} dari {owed}: kurang {missing} (pembeli sudah "
        "diberi tahu)",
    },
    "bank_overpaid": {
        "en": "the bank statement shows {extra} more than the order owes (row {row}): refund "
        "it or tell the buyer",
        "id": "mutasi rekening {extra} lebih dari tagihan (baris {row}): kembalikan atau kabari "
        "pembeli",
    },
    "bank_again": {
        "en": "a second payment of {amount} arrived for this paid order (bank statement row "
        "{row}): refund it",
        "id": "ada transfer kedua {amount} untuk pesanan yang sudah lunas (mutasi rekening baris "
        "{row}): kembalikan dananya",
    },
    "bank_unticked": {
        "en": "you unticked Paid: the bank statement money ({amount}) is no longer counted for "
        "this order",
        "id": "centang Lunas Anda hapus: uang dari mutasi rekening ({amount}) tidak lagi "
        "dihitung untuk pesanan ini",
    },
    "paid_unclear": {
        "en": "Paid has '{value}', which the tool does not understand — tick it, write Yes, "
        "or type the amount received",
        "id": "kolom Lunas berisi '{value}', tidak dimengerti — centang, tulis Lunas, atau "
        "tulis jumlah yang diterima",
    },
    "action_unclear": {
        "en": "Seller action has '{value}', which the tool does not understand — choose "
        "Confirm, Cancel, Reject or Stop emails",
        "id": "Tindakan penjual berisi '{value}', tidak dimengerti — pilih Konfirmasi, "
        "Batalkan, Tolak atau Stop email",
    },
    "emails_stopped": {
        "en": "emails to this address are stopped (Seller action: Stop emails)",
        "id": "email ke alamat ini dihentikan (Tindakan penjual: Stop email)",
    },
}


def say(language: str, key: str, **params: object) -> str:
    """The sentence ``key`` in ``language`` with ``params`` filled in."""
    return label(_WORDS, key, language).format(**params)


def quote(value: str, limit: int = 60) -> str:
    """A value for a problem text: on one line, shortened, in quotes."""
    flat = " ".join(value.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return f"'{flat}'"
