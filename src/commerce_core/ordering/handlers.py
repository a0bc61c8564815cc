"""Ordering use cases and reactions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from commerce_core.ordering.commands import CancelOrder, LinkGuestOrders
from commerce_core.ordering.model import OrderStatus
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.uow import UnitOfWorkFactory, retrying


class CancelOrderHandler:
    def __init__(self, uow: UnitOfWorkFactory[OrderingUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: CancelOrder) -> None:
        def attempt() -> None:
            with self._uow() as uow:
                uow.orders.get(cmd.order_id).cancel(
                    cmd.reason, changed_by=cmd.changed_by, now=self._clock.now()
                )
                uow.commit()

        retrying(attempt, retry_on=ConcurrencyConflict)


class CancelPendingOrderOnReservationExpired:
    """`inventory.reservation_expired` → a still-pending order can no longer be fulfilled."""

    name = "ordering.cancel_pending_order_on_reservation_expired"
    event_type = "inventory.reservation_expired"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        # A reservation held for a checkout names the checkout; the pending order carries it.
        order = uow.orders.by_checkout(str(envelope.payload["reference"]))
        if order is not None and order.status is OrderStatus.PENDING:
            order.cancel("reservation_expired", changed_by="inventory", now=self._clock.now())


class MarkOrderPaidOnPaymentCaptured:
    """`payment.captured` → the confirmed order is paid."""

    name = "ordering.mark_order_paid_on_payment_captured"
    event_type = "payment.captured"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        uow.orders.get(str(envelope.payload["order_id"])).mark_paid(now=self._clock.now())


def link_guest_orders(uow: OrderingUnitOfWork, customer_id: str, email: str, *,
                      now: datetime) -> list[str]:
    """The ids of the guest orders with `email` that now belong to `customer_id`."""
    return [order.id for order in uow.orders.guest_orders(email)
            if order.link_customer(customer_id, now=now)]


class LinkGuestOrdersHandler:
    def __init__(self, uow: UnitOfWorkFactory[OrderingUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: LinkGuestOrders) -> list[str]:
        with self._uow() as uow:
            linked = link_guest_orders(uow, cmd.customer_id, cmd.email, now=self._clock.now())
            uow.commit()
        return linked


class LinkGuestOrdersOnEmailVerified:
    """`customer.verified` → the guest orders placed with that email become the customer's."""

    name = "ordering.link_guest_orders_on_email_verified"
    event_type = "customer.verified"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        link_guest_orders(uow, str(envelope.payload["customer_id"]),
                          str(envelope.payload["email"]), now=self._clock.now())


class LinkGuestOrdersOnVerifiedRegistration(LinkGuestOrdersOnEmailVerified):
    """`customer.created` of an account active at once (its email was verified elsewhere, a
    social sign-up) → as for `customer.verified`."""

    name = "ordering.link_guest_orders_on_verified_registration"
    event_type = "customer.created"

    def wants(self, envelope: EventEnvelope) -> bool:
        return envelope.payload.get("status") == "active"
