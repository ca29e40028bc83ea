"""The values the rules work on: products, batches, responses, orders and emails."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum


class Decision(Enum):
    """An order's `Status` (SPEC §3); the value is the key into the label tables."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    NEEDS_ATTENTION = "needs_attention"
    DUPLICATE = "duplicate"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_counted(self) -> bool:
        """Whether the order holds a place: it counts for duplicates and per-buyer limits."""
        return self in (Decision.CONFIRMED, Decision.WAITLISTED)


class SellerAction(Enum):
    NONE = "none"
    CONFIRM = "confirm"
    CANCEL = "cancel"
    REJECT = "reject"


class Stage(Enum):
    NONE = "none"
    IN_PRODUCTION = "in_production"
    READY = "ready"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price: Decimal
    unit: str
    capacity: int | None  # None = unlimited
    max_per_buyer: int | None  # None = no limit
    active: bool
    form_question: str
    row: int  # sheet row, for messages


@dataclass(frozen=True)
class Material:
    sku: str
    material: str
    per_unit: Decimal
    unit: str


@dataclass(frozen=True)
class Batch:
    name: str
    opens: dt.datetime
    closes: dt.datetime  # exclusive
    ships_on: dt.date | None
    stage: Stage
    note: str
    row: int

    def contains(self, moment: dt.datetime) -> bool:
        """Whether an order submitted at ``moment`` belongs to this window."""
        return self.opens <= moment < self.closes


@dataclass(frozen=True)
class Catalog:
    """Everything the seller set up: products, materials and batch windows."""

    products: tuple[Product, ...]
    materials: tuple[Material, ...]
    batches: tuple[Batch, ...]

    def product(self, sku: str) -> Product | None:
        for product in self.products:
            if product.sku == sku:
                return product
        return None

    def batch_at(self, moment: dt.datetime) -> Batch | None:
        for batch in self.batches:
            if batch.contains(moment):
                return batch
        return None

    def batch_named(self, name: str) -> Batch | None:
        for batch in self.batches:
            if batch.name == name:
                return batch
        return None

    def next_batch_after(self, moment: dt.datetime) -> Batch | None:
        later = [batch for batch in self.batches if batch.opens > moment]
        return min(later, key=lambda batch: batch.opens) if later else None


@dataclass(frozen=True)
class Response:
    """One row of the responses tab, read and cleaned; ``problems`` say what is wrong with it."""

    row: int  # sheet row number (the header is row 1)
    timestamp: dt.datetime | None
    email: str
    email_ok: bool
    name: str
    phone: str
    address: str
    delivery: str
    notes: str
    opt_in: bool
    quantities: tuple[tuple[str, int], ...]  # (sku, quantity > 0), in product order
    problems: tuple[str, ...]

    @property
    def has_items(self) -> bool:
        return bool(self.quantities)


@dataclass(frozen=True)
class PriorOrder:
    """An order as the `Orders` tab records it from earlier syncs, plus the seller's columns."""

    number: str
    sheet_row: int  # 0-based index in the Orders grid (the header is 0)
    batch: str
    submitted: dt.datetime | None
    email: str
    items_text: str
    status: Decision | None
    response_row: int | None
    paid: bool
    seller_action: SellerAction
    tracking_no: str
    seller_note: str
    problems: str = ""  # the Problems cell as the last sync wrote it
    total: Decimal | None = None  # Total and Amount to pay as last written (unique codes)
    amount_to_pay: Decimal | None = None
    repaired: bool = False  # its tool cells belonged to another order and were rebuilt


@dataclass(frozen=True)
class Line:
    product: Product
    quantity: int

    @property
    def subtotal(self) -> Decimal:
        return self.product.price * self.quantity


@dataclass(frozen=True)
class Order:
    """An order as decided by this sync."""

    number: str
    response: Response | None  # None when its response row can no longer be found
    prior: PriorOrder | None
    batch: Batch | None
    submitted: dt.datetime | None  # first submission: the queue position
    lines: tuple[Line, ...]
    status: Decision
    problems: tuple[str, ...]
    edited: bool = False  # the buyer changed the items since the last sync

    @property
    def total(self) -> Decimal:
        return sum((line.subtotal for line in self.lines), Decimal(0))

    @property
    def email(self) -> str:
        if self.response is not None:
            return self.response.email
        return self.prior.email if self.prior else ""

    @property
    def seller_action(self) -> SellerAction:
        return self.prior.seller_action if self.prior else SellerAction.NONE

    @property
    def paid(self) -> bool:
        return self.prior.paid if self.prior else False


class EmailState(Enum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    FAILED = "failed"


@dataclass(frozen=True)
class LedgerEntry:
    """One row of the `Emails` tab: one message, identified by its key."""

    key: str
    order: str
    kind: str
    to: str
    state: EmailState
    attempts: int = 0
    last_attempt: dt.datetime | None = None
    message_id: str = ""
    error: str = ""


@dataclass(frozen=True)
class EmailDue:
    """A message the rules say must go out, before it is rendered."""

    key: str
    kind: str
    to: str
    order: str  # order number, or "" for batch-wide mail
    batch: str


@dataclass
class Tally:
    """Per batch and product: confirmed and waitlisted units."""

    confirmed: dict[tuple[str, str], int] = field(default_factory=dict)
    waitlisted: dict[tuple[str, str], int] = field(default_factory=dict)
