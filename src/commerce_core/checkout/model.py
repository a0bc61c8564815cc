"""The checkout saga: a persisted process manager that turns a cart into a confirmed order.

Steps, in order (the issue's order: stock is reserved and the order exists before the shopper
pays, which redirect gateways need):

    validated → priced → stock_reserved → order_created → payment_authorized → confirmed

Every step that changes state commits in ONE local transaction together with the saga's own
progress, so after a crash the saga's `step` says exactly what happened. Each step has a
compensation (reopen the cart, release stock, cancel the order, void the authorization).
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
    PRICED = "priced"  # the cart was validated and priced at list price
    STOCK_RESERVED = "stock_reserved"
    ORDER_CREATED = "order_created"
    CONFIRMED = "confirmed"  # payment authorized, stock confirmed, order confirmed


STEP_ORDER = [Step.PRICED, Step.STOCK_RESERVED, Step.ORDER_CREATED, Step.CONFIRMED]


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
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

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
    ) -> CheckoutSaga:
        saga = cls(
            saga_id, idempotency_key, request_hash, cart_id, customer_id, email, payment_method,
            currency, lines, total, Step.PRICED, SagaStatus.RUNNING, [], None, None, None, None,
            now + lease, now, now,
        )
        saga.events.append(
            CheckoutStarted(saga_id, cart_id, customer_id, total,
                            sum(ln.quantity for ln in lines), payment_method, now)
        )
        return saga

    @property
    def authorization_key(self) -> str:
        """The gateway idempotency key of this checkout's one authorization."""
        return f"checkout:{self.id}:auth"

    @property
    def may_hold_authorization(self) -> bool:
        """From order creation on, an authorization may exist at the gateway."""
        return STEP_ORDER.index(self.step) >= STEP_ORDER.index(Step.ORDER_CREATED)

    def is_stale(self, now: datetime) -> bool:
        """Unfinished and nobody working on it: its lease ran out."""
        return self.status in (SagaStatus.RUNNING, SagaStatus.COMPENSATING) and (
            self.lease_until <= now
        )

    def claim(self, *, now: datetime, lease: timedelta) -> None:
        """Take over an unfinished saga; the version bump makes one claimant win."""
        self.lease_until = now + lease
        self.updated_at = now

    def _advance(self, step: Step, now: datetime, lease: timedelta) -> None:
        self.step, self.updated_at, self.lease_until = step, now, now + lease

    def stock_reserved(self, reservation_ids: list[str], *, now: datetime,
                       lease: timedelta) -> None:
        self.reservation_ids = list(reservation_ids)
        self._advance(Step.STOCK_RESERVED, now, lease)

    def order_created(self, order_id: str, payment_id: str, *, now: datetime,
                      lease: timedelta) -> None:
        self.order_id, self.payment_id = order_id, payment_id
        self._advance(Step.ORDER_CREATED, now, lease)

    def confirmed(self, *, now: datetime) -> None:
        assert self.order_id is not None
        self._advance(Step.CONFIRMED, now, timedelta(0))
        self.status = SagaStatus.COMPLETED
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
