"""The checkout saga: a persisted process manager that turns a cart into a confirmed order.

Logical steps, in order (stock is reserved and the order exists before the shopper pays, which
redirect gateways need):

    validate cart → price (engine) → reserve stock → create order
    → score the order's risk                                        (one local transaction)
    → stop a blocked order (compensated), or authorize payment (the gateway, outside any
      transaction)
    [→ await the shopper: a redirect gateway answered "pending"         (one local transaction)
       until a signal settles it: IPN, webhook, the shopper's return, a status query, or the
       deadline]
    → confirm: payment, reservations, order and cart                      (one local transaction)

The local steps commit together with the saga's own progress, so after a crash the saga's `step`
says exactly what happened (ADR 0003). Each step has a compensation: release the stock, cancel the
order, void the authorization, reopen the cart.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.checkout.events import CheckoutCompleted, CheckoutFailed, CheckoutStarted
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


class Step(StrEnum):
    ORDER_CREATED = "order_created"  # validated, priced, stock reserved, order + payment pending
    # The shopper pays on the provider's page; the lease runs to the payment deadline.
    AWAITING_PAYMENT = "awaiting_payment"
    CONFIRMED = "confirmed"  # payment authorized, stock confirmed, order confirmed


# What each durable step means, for people reading a saga (CLI, HTTP, demo).
STEP_DONE = {
    Step.ORDER_CREATED: ("cart validated", "priced by the price engine", "stock reserved",
                         "order created"),
    Step.AWAITING_PAYMENT: ("payment started on the provider's page",),
    Step.CONFIRMED: ("payment authorized", "order confirmed"),
}


class SagaStatus(StrEnum):
    RUNNING = "running"
    COMPENSATING = "compensating"
    COMPLETED = "completed"
    FAILED = "failed"


@frozen
class CheckoutLine:
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: Money
    warehouse_id: str | None

    @property
    def line_total(self) -> Money:
        return self.unit_price * self.quantity


# The shop's own keys: a keyless checkout is keyed by its cart's version, a released key by its
# checkout's id. Client keys may not start so (`InvalidIdempotencyKey`), so they never collide.
KEYLESS_KEY_PREFIX = "cart:"
RELEASED_KEY_PREFIX = "released:"


def fingerprint(*parts: object) -> str:
    """A stable digest of a request, to tell a replay from another request under the same key."""
    return hashlib.sha256("\x1f".join(repr(p) for p in parts).encode()).hexdigest()


@define(eq=False)
class CheckoutSaga:
    id: str
    idempotency_key: str
    request_hash: str
    cart_id: str
    customer_id: str | None
    email: str | None
    payment_method: str
    currency: str
    lines: list[CheckoutLine]
    total: Money
    step: Step
    status: SagaStatus
    reservation_ids: list[str]
    order_id: str | None
    payment_id: str | None
    failure_code: str | None
    failure_message: str | None
    lease_until: datetime
    created_at: datetime
    updated_at: datetime
    # What the gateway needs to authorize, kept so a resumed checkout asks it the same: the
    # shopper's address (VNPay requires it) and the provider's token of their instrument (a
    # Stripe `pm_…`, never card data).
    client_ip: str | None = None
    payment_token: str | None = None
    # What stored value (gift cards, store credit, points) pays of `total`, in minor units;
    # the gateway is asked for the rest (`card_total`), or not at all.
    stored_value: int = 0
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def card_total(self) -> Money:
        return Money(self.total.amount - self.stored_value, self.total.currency)

    @classmethod
    def start(
        cls,
        *,
        saga_id: str,
        idempotency_key: str,
        request_hash: str,
        cart_id: str,
        customer_id: str | None,
        email: str | None,
        payment_method: str,
        currency: str,
        lines: list[CheckoutLine],
        total: Money,
        now: datetime,
        lease: timedelta,
        client_ip: str | None = None,
        payment_token: str | None = None,
    ) -> CheckoutSaga:
        saga = cls(
            saga_id, idempotency_key, request_hash, cart_id, customer_id, email, payment_method,
            currency, lines, total, Step.ORDER_CREATED, SagaStatus.RUNNING, [], None, None, None,
            None, now + lease, now, now, client_ip, payment_token,
        )
        saga.events.append(
            CheckoutStarted(saga_id, cart_id, customer_id, total,
                            sum(ln.quantity for ln in lines), payment_method, now)
        )
        return saga

    @property
    def is_finished(self) -> bool:
        return self.status in (SagaStatus.COMPLETED, SagaStatus.FAILED)

    def key_expired(self, now: datetime, retention: timedelta) -> bool:
        """A finished checkout's key is kept for `retention`; after that the key is free and
        a request bearing it is a new request. An unfinished one keeps its key: its retry must
        reach it."""
        return self.is_finished and self.created_at + retention <= now

    def release_key(self, *, now: datetime) -> None:
        """Free the idempotency key; the checkout stays, under a key no request can send."""
        self.idempotency_key = f"{RELEASED_KEY_PREFIX}{self.id}"
        self.updated_at = now

    @property
    def authorization_key(self) -> str:
        """The gateway idempotency key of this checkout's one authorization."""
        return f"checkout:{self.id}:auth"

    def is_stale(self, now: datetime) -> bool:
        """Unfinished and nobody working on it: its lease ran out."""
        return self.status in (SagaStatus.RUNNING, SagaStatus.COMPENSATING) and (
            self.lease_until <= now
        )

    def claim(self, *, now: datetime, lease: timedelta) -> None:
        """Take over an unfinished saga; the version bump makes one claimant win."""
        self.lease_until = now + lease
        self.updated_at = now

    def order_created(self, order_id: str, payment_id: str | None, reservation_ids: list[str],
                      stored_value: int = 0) -> None:
        """What the first local transaction made, recorded in that same transaction. No
        payment: stored value pays the whole order."""
        self.order_id, self.payment_id = order_id, payment_id
        self.reservation_ids = list(reservation_ids)
        self.stored_value = stored_value

    def awaiting_payment(self, *, deadline: datetime, now: datetime) -> None:
        """The gateway waits for the shopper: nobody needs to take the saga over before
        `deadline`, when recovery asks the provider once more and expires what is unpaid."""
        self.step, self.lease_until, self.updated_at = Step.AWAITING_PAYMENT, deadline, now

    @property
    def awaits_payment(self) -> bool:
        return self.status is SagaStatus.RUNNING and self.step is Step.AWAITING_PAYMENT

    def confirmed(self, *, now: datetime) -> None:
        assert self.order_id is not None
        self.step, self.status, self.updated_at = Step.CONFIRMED, SagaStatus.COMPLETED, now
        self.events.append(CheckoutCompleted(self.id, self.order_id, now))

    def compensating(self, code: str, message: str, *, now: datetime, lease: timedelta) -> None:
        if self.status is SagaStatus.COMPENSATING:
            return
        self.status, self.failure_code, self.failure_message = (
            SagaStatus.COMPENSATING, code, message)
        self.updated_at, self.lease_until = now, now + lease

    def failed(self, *, now: datetime) -> None:
        """Every compensation ran: nothing this checkout took is still held."""
        self.status, self.updated_at = SagaStatus.FAILED, now
        self.events.append(
            CheckoutFailed(self.id, self.cart_id, self.step.value, self.failure_code or "",
                           self.failure_message or "", now)
        )
