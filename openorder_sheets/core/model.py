"""The values the rules work on: products, batches, responses, orders and emails."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, TypeVar


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
    STOP_EMAILS = "stop_emails"  # send nothing more to this order's address


class EmailKind(StrEnum):
    """Every kind of message the tool sends (SPEC §5), one template each."""

    ORDER_CONFIRMED = "order_confirmed"
    ORDER_WAITLISTED = "order_waitlisted"
    ORDER_PROMOTED = "order_promoted"
    ORDER_REJECTED = "order_rejected"
    ORDER_NEEDS_ATTENTION = "order_needs_attention"
    ORDER_UPDATED = "order_updated"
    ORDER_CHANGE_REFUSED = "order_change_refused"
    ORDER_NOT_MADE = "order_not_made"
    PAYMENT_REMINDER = "payment_reminder"
    PAYMENT_RECEIVED = "payment_received"
    PAYMENT_SHORT = "payment_short"  # a transfer came in for less than the order owes
    ORDER_EXPIRED = "order_expired"
    ORDER_CANCELLED = "order_cancelled"
    PRODUCTION_STARTED = "production_started"
    BATCH_READY = "batch_ready"
    ORDER_SHIPPED = "order_shipped"
    REVIEW_REQUEST = "review_request"
    BATCH_DELAYED = "batch_delayed"
    BATCH_CANCELLED = "batch_cancelled"
    BATCH_OPEN = "batch_open"
    BATCH_CLOSING = "batch_closing"


class PaidKind(Enum):
    """What the seller's `Paid` cell says."""

    BLANK = "blank"
    YES = "yes"  # a tick or a word such as `lunas`: paid what was owed when ticked
    NO = "no"
    AMOUNT = "amount"  # an amount received, e.g. 165000
    UNKNOWN = "unknown"  # a word the tool does not understand: shown as a problem


@dataclass(frozen=True)
class PaidMark:
    kind: PaidKind = PaidKind.BLANK
    amount: Decimal = Decimal(0)
    text: str = ""  # what the seller typed, for the problem text

    @property
    def memo(self) -> str:
        """How the mark is remembered between syncs (to tell a new tick from an old one)."""
        if self.kind is PaidKind.AMOUNT:
            return f"amount:{self.amount}"
        return str(self.kind.value)


@dataclass(frozen=True)
class SellerInputs:
    """The seller's columns of one `Orders` row, read as the seller left them."""

    sheet_row: int | None = None  # 0-based row in the Orders grid; None: the order has no row
    paid: PaidMark = PaidMark()
    action: SellerAction = SellerAction.NONE
    action_text: str = ""  # set when the word was not understood
    tracking_no: str = ""
    seller_note: str = ""
    #: The four cells as the seller left them (Paid, Seller action, Tracking no., Seller note):
    #: remembered, so a deleted `Orders` tab is rebuilt with them.
    marks: tuple[str | int | float | bool | None, ...] = ()


@dataclass(frozen=True)
class Credit:
    """One incoming transfer (a credit row) on a bank statement.

    ``key`` is its identity: the same statement row pasted or imported twice has the same key
    (date, time, amount and description, spaces and case folded), so it counts once.
    """

    key: str
    day: dt.date | None
    time: dt.time | None
    amount: Decimal
    description: str
    bank: str = ""
    row: int | None = None  # 0-based row on the `Bank statement` tab, when read from there


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
        return next((product for product in self.products if product.sku == sku), None)

    def batch_at(self, moment: dt.datetime) -> Batch | None:
        """The batch whose window holds ``moment``, if any."""
        return next((batch for batch in self.batches if batch.contains(moment)), None)

    def batch_named(self, name: str) -> Batch | None:
        return next((batch for batch in self.batches if batch.name == name), None)

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
    opt_in: bool | None  # None: the buyer left the question blank
    quantities: tuple[tuple[str, int], ...]  # (sku, quantity > 0), in product order
    problems: tuple[str, ...]
    phone_grouped: str = ""  # ``phone`` as people write it (+62 812-3456-7890), if normalised


Quantities = tuple[tuple[str, int], ...]  # (sku, quantity > 0), in product order


@dataclass(frozen=True)
class PriorOrder:
    """What the tool remembers of an order from earlier syncs, plus the seller's columns now.

    Everything but ``seller`` comes from the tool's own memory tab (never from display cells).
    """

    number: str
    batch: str
    submitted: dt.datetime | None
    email: str
    status: Decision | None
    response_row: int | None
    lines: Quantities = ()  # the items the order holds (what was confirmed or asked)
    asked: Quantities | None = None  # the items last seen in its response
    held: Quantities | None = None  # a buyer's change that could not be applied
    problems: tuple[str, ...] = ()
    seq: int = 0  # how many decisions the buyer was told: versions the message keys
    confirmed_key: str = ""  # the message that told the buyer the order is confirmed
    deadline: dt.datetime | None = None
    reminder_sent: dt.datetime | None = None
    code: int | None = None
    paid_amount: Decimal = Decimal(0)
    paid_memo: str = "blank"  # the Paid cell as last seen
    receipts: int = 0  # payment_received messages made due so far
    settled: bool = False  # paid in full as of the last sync
    unmatched_like: tuple[str, ...] = ()
    #: Money from the bank statement put towards this order: (statement row key, amount).
    bank: tuple[tuple[str, Decimal], ...] = ()
    bank_ticked: bool = False  # the tool ticked `Paid` for it from the statement
    refused_credits: tuple[str, ...] = ()  # statement rows the seller took off it (unticked)
    seller: SellerInputs = SellerInputs()
    #: The `Seller action` seen by the last sync: a Confirm acts once, when it appears.
    last_action: SellerAction = SellerAction.NONE

    @property
    def paid(self) -> bool:
        return self.settled

    @property
    def seller_action(self) -> SellerAction:
        return self.seller.action

    @property
    def tracking_no(self) -> str:
        return self.seller.tracking_no

    @property
    def sheet_row(self) -> int | None:
        return self.seller.sheet_row


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
    edited: bool = False  # the buyer's changed items were applied this sync
    held: tuple[Line, ...] | None = None  # the buyer's change that could not be applied
    unmatched_like: tuple[str, ...] = ()
    # Filled in after the decisions (payments.settle): the money side of a confirmed order.
    code: int | None = None  # unique transfer code
    paid_amount: Decimal = Decimal(0)
    deadline: dt.datetime | None = None  # payment deadline, once the buyer was told
    seq: int = 0  # decisions told to the buyer, this one included
    confirmed_key: str = ""
    receipts: int = 0  # payment_received messages made due, this sync's included
    reminder_sent: dt.datetime | None = None
    seller_problems: tuple[str, ...] = ()  # seller words not understood, partly paid
    bank: tuple[tuple[str, Decimal], ...] = ()  # statement money put towards it
    bank_ticked: bool = False  # `Paid` is ticked by the tool from the statement
    tick_paid: bool = False  # this sync ticks `Paid` (the statement paid it in full)
    refused_credits: tuple[str, ...] = ()  # statement rows the seller took off it
    #: The seller's `Confirm` appeared on a confirmed, unpaid order already past its payment
    #: deadline: a new confirmation (told, with a new clock) instead of the expiry.
    reconfirmed: bool = False

    @property
    def amount_to_pay(self) -> Decimal:
        return self.total + (self.code or 0)

    @property
    def paid(self) -> bool:
        """Paid in full: what was received covers what the order owes now."""
        return self.paid_amount > 0 and self.paid_amount >= self.amount_to_pay

    @property
    def partly_paid(self) -> bool:
        return 0 < self.paid_amount < self.amount_to_pay

    @property
    def response_quantities(self) -> Quantities | None:
        return self.response.quantities if self.response is not None else None

    @property
    def refused(self) -> bool:
        """A buyer's change was held back this sync (it is news to the buyer)."""
        before = self.prior.held if self.prior else None
        return self.held is not None and quantities_of(self.held) != before

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
    def tracking_no(self) -> str:
        return self.prior.seller.tracking_no if self.prior else ""


def quantities_of(lines: tuple[Line, ...]) -> Quantities:
    return tuple((line.product.sku, line.quantity) for line in lines)


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


_Value = TypeVar("_Value")


def evolve(value: _Value, **changes: Any) -> _Value:
    """``dataclasses.replace`` for the frozen values here, faster: a copy of ``value`` with
    ``changes``, without running ``__init__`` again (none of ours checks anything there). A
    sync evolves every order several times.

    Each field is set on the copy in the class's order, by a function made once per class
    (as ``dataclasses`` makes ``__init__``), so neither object grows a ``__dict__`` of its
    own: Python keeps such objects' fields in a compact array shared in shape by the whole
    class (a dict each would add a fifth to every order a big shop holds in memory)."""
    shape = _SHAPES.get(type(value))
    if shape is None:
        shape = _shape(type(value))
    names, copy = shape
    if not changes.keys() <= names.keys():
        unknown = sorted(changes.keys() - names.keys())
        raise TypeError(f"{type(value).__name__} has no field {', '.join(unknown)}")
    return copy(value, changes)  # type: ignore[no-any-return]


#: Per dataclass: its fields, and its copying function ``(value, changes) -> copy``.
_SHAPES: dict[type, tuple[dict[str, None], Callable[[Any, dict[str, Any]], Any]]] = {}


def _shape(kind: type) -> tuple[dict[str, None], Callable[[Any, dict[str, Any]], Any]]:
    if not dataclasses.is_dataclass(kind):
        raise TypeError(f"{kind.__name__} is not a dataclass")
    names = dict.fromkeys(field.name for field in dataclasses.fields(kind))
    source = "\n".join(
        [
            "def copy(value, changes):",
            "    made = new(kind)",
            "    get = changes.get",
            *(f"    put(made, {name!r}, get({name!r}, value.{name}))" for name in names),
            "    return made",
        ]
    )
    scope: dict[str, Any] = {"new": object.__new__, "kind": kind, "put": object.__setattr__}
    exec(source, scope)  # noqa: S102 - field names of our own dataclasses, as dataclasses does
    _SHAPES[kind] = (names, scope["copy"])
    return _SHAPES[kind]
