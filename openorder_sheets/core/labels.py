"""The words the seller sees in the spreadsheet, in English and Indonesian.

Every tab, column and status has a stable internal key and a label per language. Reading
accepts either language's label (case-insensitive, surrounding spaces ignored), so a seller who
switches `language` keeps a working sheet; writing uses the configured language.
"""

from __future__ import annotations

from collections.abc import Mapping

from openorder_sheets.core.model import EmailKind

LANGUAGES = ("id", "en")

TAB_LABELS: Mapping[str, Mapping[str, str]] = {
    "products": {"en": "Products", "id": "Produk"},
    "materials": {"en": "Materials", "id": "Bahan"},
    "batches": {"en": "Batches", "id": "Batch"},
    "responses": {"en": "Form Responses 1", "id": "Respons Formulir 1"},
    "orders": {"en": "Orders", "id": "Pesanan"},
    "summary": {"en": "Summary", "id": "Ringkasan"},
    "materials_needed": {"en": "Materials needed", "id": "Kebutuhan bahan"},
    "packing": {"en": "Packing list", "id": "Daftar packing"},
    "emails": {"en": "Emails", "id": "Email"},
    # The tool's memory (hidden where the backend allows): not for the seller to edit.
    "state": {"en": "openorder (do not edit)", "id": "openorder (jangan diubah)"},
    # The tool's memory of archived orders, read only when a sync needs them (hidden too).
    "archived": {"en": "openorder archive (do not edit)", "id": "openorder arsip (jangan diubah)"},
    # Rows the seller pastes from internet banking (or `openorder payments import`); the tool
    # writes what each row paid in the columns to their right.
    "statement": {"en": "Bank statement", "id": "Mutasi rekening"},
    "payments": {"en": "Payments", "id": "Pembayaran"},
    "testimonials": {"en": "Testimonials", "id": "Testimoni"},
    "public_status": {"en": "Public status", "id": "Status publik"},
}

COLUMN_LABELS: Mapping[str, Mapping[str, str]] = {
    # Products
    "sku": {"en": "SKU", "id": "SKU"},
    "product_name": {"en": "Name", "id": "Nama"},
    "price": {"en": "Price", "id": "Harga"},
    "unit": {"en": "Unit", "id": "Satuan"},
    "capacity": {"en": "Capacity", "id": "Kapasitas"},
    "max_per_buyer": {"en": "Max per buyer", "id": "Maks per pembeli"},
    "active": {"en": "Active", "id": "Aktif"},
    "form_question": {"en": "Form question", "id": "Pertanyaan formulir"},
    # Materials
    "material": {"en": "Material", "id": "Bahan"},
    "quantity_per_unit": {"en": "Quantity per unit", "id": "Jumlah per unit"},
    # Batches
    "batch": {"en": "Batch", "id": "Batch"},
    "opens": {"en": "Opens", "id": "Buka"},
    "closes": {"en": "Closes", "id": "Tutup"},
    "ships_on": {"en": "Ships on", "id": "Tanggal kirim"},
    "stage": {"en": "Stage", "id": "Tahap"},
    "note_to_buyers": {"en": "Note to buyers", "id": "Catatan untuk pembeli"},
    # Orders (tool columns, in this order)
    "order": {"en": "Order", "id": "Pesanan"},
    "submitted": {"en": "Submitted", "id": "Masuk"},
    "name": {"en": "Name", "id": "Nama"},
    "email": {"en": "Email", "id": "Email"},
    "whatsapp": {"en": "WhatsApp", "id": "WhatsApp"},
    "items": {"en": "Items", "id": "Item"},
    "total": {"en": "Total", "id": "Total"},
    "amount_to_pay": {"en": "Amount to pay", "id": "Jumlah bayar"},
    "status": {"en": "Status", "id": "Status"},
    "progress": {"en": "Progress", "id": "Progres"},
    "problems": {"en": "Problems", "id": "Masalah"},
    "last_email": {"en": "Last email", "id": "Email terakhir"},
    "whatsapp_link": {"en": "WhatsApp link", "id": "Link WhatsApp"},
    "response_row": {"en": "Response row", "id": "Baris respons"},
    # Orders (seller columns)
    "paid": {"en": "Paid", "id": "Lunas"},
    "paid_word": {"en": "Paid", "id": "Lunas"},  # Packing list: a word, not a checkbox
    "seller_action": {"en": "Seller action", "id": "Tindakan penjual"},
    "tracking_no": {"en": "Tracking no.", "id": "No. resi"},
    "seller_note": {"en": "Seller note", "id": "Catatan penjual"},
    # Summary
    "product": {"en": "Product", "id": "Produk"},
    "confirmed": {"en": "Confirmed", "id": "Dikonfirmasi"},
    "waitlisted": {"en": "Waitlisted", "id": "Daftar tunggu"},
    "remaining": {"en": "Remaining", "id": "Sisa"},
    "filled": {"en": "Filled %", "id": "Terisi %"},
    "revenue": {"en": "Revenue", "id": "Pendapatan"},
    "paid_revenue": {"en": "Paid revenue", "id": "Pendapatan lunas"},
    # Materials needed
    "quantity": {"en": "Quantity", "id": "Jumlah"},
    # Packing list
    "address": {"en": "Address", "id": "Alamat"},
    "delivery": {"en": "Delivery", "id": "Pengiriman"},
    "notes": {"en": "Notes", "id": "Catatan"},
    # Emails
    "key": {"en": "Key", "id": "Kunci"},
    "kind": {"en": "Kind", "id": "Jenis"},
    "to": {"en": "To", "id": "Kepada"},
    "state": {"en": "State", "id": "Keadaan"},
    "attempts": {"en": "Attempts", "id": "Percobaan"},
    "last_attempt": {"en": "Last attempt", "id": "Percobaan terakhir"},
    "message_id": {"en": "Message-ID", "id": "Message-ID"},
    "error": {"en": "Error", "id": "Kesalahan"},
    # The tool's memory tab
    "data": {"en": "Data", "id": "Data"},
    # Bank statement
    "statement_date": {"en": "Date", "id": "Tanggal"},
    "statement_time": {"en": "Time", "id": "Jam"},
    "description": {"en": "Description", "id": "Keterangan"},
    "amount": {"en": "Amount", "id": "Jumlah"},
    "bank": {"en": "Bank", "id": "Bank"},
    "match_result": {"en": "Result", "id": "Hasil"},
    "match_order": {"en": "Paid order", "id": "Pesanan dibayar"},
    "candidates": {"en": "Orders to check", "id": "Pesanan yang perlu dicek"},
    # Payments
    "expected": {"en": "Expected", "id": "Tagihan"},
    "received": {"en": "Received", "id": "Diterima"},
    "outstanding": {"en": "Still owed", "id": "Belum dibayar"},
    "orders_paid": {"en": "Paid orders", "id": "Pesanan lunas"},
    "orders_unpaid": {"en": "Unpaid orders", "id": "Pesanan belum lunas"},
    "credits_matched": {"en": "Transfers matched", "id": "Transfer cocok"},
    "credits_unmatched": {"en": "Transfers to check", "id": "Transfer perlu dicek"},
    # Summary: what buyers said
    "reviews": {"en": "Reviews", "id": "Ulasan"},
    "average_stars": {"en": "Average stars", "id": "Rata-rata bintang"},
    # Testimonials
    "stars": {"en": "Stars", "id": "Bintang"},
    "review": {"en": "Review", "id": "Ulasan"},
    "show": {"en": "Show", "id": "Tampilkan"},
    # Public status: where the order is, in plain words
    "board_status": {"en": "Status", "id": "Status"},
}

#: Decision words (`Status`), SPEC §3.
STATUS_LABELS: Mapping[str, Mapping[str, str]] = {
    "confirmed": {"en": "Confirmed", "id": "Dikonfirmasi"},
    "waitlisted": {"en": "Waitlisted", "id": "Daftar tunggu"},
    "rejected": {"en": "Rejected", "id": "Ditolak"},
    "needs_attention": {"en": "Needs attention", "id": "Perlu dicek"},
    "duplicate": {"en": "Duplicate", "id": "Duplikat"},
    "cancelled": {"en": "Cancelled", "id": "Dibatalkan"},
    "expired": {"en": "Expired", "id": "Kedaluwarsa"},
}

PROGRESS_LABELS: Mapping[str, Mapping[str, str]] = {
    "awaiting_payment": {"en": "Awaiting payment", "id": "Menunggu pembayaran"},
    "partly_paid": {"en": "Partly paid", "id": "Kurang bayar"},
    "paid": {"en": "Paid", "id": "Lunas"},
    "in_production": {"en": "In production", "id": "Diproduksi"},
    "ready": {"en": "Ready", "id": "Siap"},
    "shipped": {"en": "Shipped", "id": "Dikirim"},
}

STAGE_LABELS: Mapping[str, Mapping[str, str]] = {
    "in_production": {"en": "In production", "id": "Produksi"},
    "ready": {"en": "Ready", "id": "Siap"},
    "shipped": {"en": "Shipped", "id": "Dikirim"},
    "cancelled": {"en": "Cancelled", "id": "Dibatalkan"},
}

SELLER_ACTION_LABELS: Mapping[str, Mapping[str, str]] = {
    "confirm": {"en": "Confirm", "id": "Konfirmasi"},
    "cancel": {"en": "Cancel", "id": "Batalkan"},
    "reject": {"en": "Reject", "id": "Tolak"},
    "stop_emails": {"en": "Stop emails", "id": "Stop email"},
}


def fold(text: str) -> str:
    """The form in which headers and words are compared: trimmed, case-folded, one space."""
    return " ".join(text.split()).casefold()


def label(table: Mapping[str, Mapping[str, str]], key: str, language: str) -> str:
    """The label of ``key`` in ``language`` (English when the language is unknown)."""
    labels = table[key]
    return labels.get(language, labels["en"])


def reverse_lookup(table: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Folded label (any language, plus the key itself) → key."""
    found: dict[str, str] = {}
    for key, labels in table.items():
        found[fold(key.replace("_", " "))] = key
        for text in labels.values():
            found[fold(text)] = key
    return found


#: What each kind of email is called in the `Orders` tab's `Last email` column: the seller's
#: words, never the internal kind code (the `Emails` tab keeps the codes, it is read back).
EMAIL_KIND_LABELS: Mapping[str, Mapping[str, str]] = {
    EmailKind.ORDER_CONFIRMED: {"en": "Confirmation", "id": "Konfirmasi"},
    EmailKind.ORDER_WAITLISTED: {"en": "Waitlist notice", "id": "Info daftar tunggu"},
    EmailKind.ORDER_PROMOTED: {"en": "Place-freed notice", "id": "Info dapat tempat"},
    EmailKind.ORDER_REJECTED: {"en": "Rejection", "id": "Penolakan"},
    EmailKind.ORDER_NEEDS_ATTENTION: {"en": "Request to fix", "id": "Permintaan perbaikan"},
    EmailKind.ORDER_UPDATED: {"en": "Change notice", "id": "Info perubahan"},
    EmailKind.ORDER_CHANGE_REFUSED: {"en": "Change refusal", "id": "Penolakan perubahan"},
    EmailKind.ORDER_NOT_MADE: {"en": "Not-made notice", "id": "Info tidak dibuat"},
    EmailKind.PAYMENT_REMINDER: {"en": "Payment reminder", "id": "Pengingat bayar"},
    EmailKind.PAYMENT_RECEIVED: {"en": "Payment receipt", "id": "Tanda terima bayar"},
    EmailKind.ORDER_EXPIRED: {"en": "Expiry notice", "id": "Info kedaluwarsa"},
    EmailKind.ORDER_CANCELLED: {"en": "Cancellation notice", "id": "Info pembatalan"},
    EmailKind.PRODUCTION_STARTED: {"en": "Production notice", "id": "Info mulai produksi"},
    EmailKind.BATCH_READY: {"en": "Ready notice", "id": "Info pesanan siap"},
    EmailKind.ORDER_SHIPPED: {"en": "Shipping notice", "id": "Info pengiriman"},
    EmailKind.BATCH_DELAYED: {"en": "Delay notice", "id": "Info keterlambatan"},
    EmailKind.BATCH_CANCELLED: {"en": "Batch cancellation", "id": "Info batch batal"},
    EmailKind.BATCH_OPEN: {"en": "Batch-open notice", "id": "Info batch dibuka"},
    EmailKind.BATCH_CLOSING: {"en": "Closing reminder", "id": "Pengingat batch tutup"},
    EmailKind.REVIEW_REQUEST: {"en": "Review request", "id": "Permintaan ulasan"},
    EmailKind.PAYMENT_SHORT: {"en": "Short-payment notice", "id": "Info kurang bayar"},
}

#: How far an email got, after its kind's label: "Konfirmasi terkirim · 1 Des 11.19".
EMAIL_STATE_LABELS: Mapping[str, Mapping[str, str]] = {
    "queued": {"en": "waiting to send", "id": "menunggu dikirim"},
    "sending": {"en": "sending", "id": "sedang dikirim"},
    "sent": {"en": "sent", "id": "terkirim"},
    "deferred": {"en": "will be retried", "id": "akan dicoba lagi"},
    "failed": {"en": "failed", "id": "gagal"},
}
