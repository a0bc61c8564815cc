"""Data-protection use cases (spec §3 rule 7): everything held about a customer as JSON, and
deletion: refused while orders are in progress, otherwise scheduled 30 days ahead (cancellable),
then anonymised by the daily job, which emits `customer.deleted`."""

from __future__ import annotations

from typing import Any

from commerce_core.customer.commands import (
    CancelAccountDeletion,
    ExportCustomerData,
    ProcessScheduledDeletions,
    RequestAccountDeletion,
)
from commerce_core.customer.errors import DeletionRefused
from commerce_core.customer.model import Customer
from commerce_core.customer.ports import CustomerOrders, CustomerUnitOfWork
from commerce_core.customer.queries import DeletionRun
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import to_json
from commerce_core.shared.uow import UnitOfWorkFactory

Factory = UnitOfWorkFactory[CustomerUnitOfWork]
MAX_DELETIONS_PER_RUN = 200


def _refuse_with_active_orders(orders: CustomerOrders, customer_id: str) -> None:
    active = orders.facts(customer_id).active_order_ids
    if active:
        raise DeletionRefused(
            f"customer {customer_id} has {len(active)} order(s) in progress; the account can "
            "be deleted once they are finished", order_ids=list(active))


class RequestAccountDeletionHandler:
    """Ordering is asked first, outside the customer's transaction; an order placed in the
    moment between is caught by the job, which postpones deletion while orders are active."""

    def __init__(self, uow: Factory, clock: Clock, orders: CustomerOrders) -> None:
        self._uow, self._clock, self._orders = uow, clock, orders

    def __call__(self, cmd: RequestAccountDeletion) -> Customer:
        _refuse_with_active_orders(self._orders, cmd.customer_id)
        with self._uow() as uow:
            customer = uow.customers.get(cmd.customer_id)
            customer.schedule_deletion(cmd.reason, now=self._clock.now())
            uow.commit()
        return customer


class CancelAccountDeletionHandler:
    def __init__(self, uow: Factory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: CancelAccountDeletion) -> Customer:
        with self._uow() as uow:
            customer = uow.customers.get(cmd.customer_id)
            customer.cancel_deletion(now=self._clock.now())
            uow.commit()
        return customer


class ProcessScheduledDeletionsHandler:
    """At most `limit` (≤ 200) customers per run, one commit each, so one failure leaves the
    others done. Orders, payments and other accounting records keep the customer id."""

    def __init__(self, uow: Factory, clock: Clock, orders: CustomerOrders) -> None:
        self._uow, self._clock, self._orders = uow, clock, orders

    def __call__(self, cmd: ProcessScheduledDeletions) -> DeletionRun:
        now = self._clock.now()
        limit = max(1, min(cmd.limit, MAX_DELETIONS_PER_RUN))
        with self._uow() as uow:
            due = [c.id for c in uow.customers.due_for_deletion(now, limit)]
        deleted: list[str] = []
        postponed: list[str] = []
        for customer_id in due:
            if self._orders.facts(customer_id).active_order_ids:
                postponed.append(customer_id)
                continue
            with self._uow() as uow:
                customer = uow.customers.get(customer_id)
                customer.anonymise(now=now)
                uow.commit()
            deleted.append(customer_id)
        return DeletionRun(tuple(deleted), tuple(postponed))


def export(customer: Customer, order_ids: tuple[str, ...]) -> dict[str, Any]:
    """Everything this context holds about the customer, in JSON types."""
    return {
        "customer_id": customer.id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
        "date_of_birth": customer.date_of_birth.isoformat() if customer.date_of_birth else None,
        "gender": customer.gender,
        "customer_type": customer.customer_type,
        "status": customer.status.value,
        "email_verified": customer.email_verified,
        "phone_verified": customer.phone_verified,
        "registration_source": customer.registration_source,
        "group": customer.group,
        "segments": list(customer.segments),
        "preferences": to_json(customer.preferences),
        "addresses": [to_json(a) for a in customer.addresses],
        "last_login_at": to_json(customer.last_login_at),
        "deletion_scheduled_at": to_json(customer.deletion_scheduled_at),
        "created_at": customer.created_at.isoformat(),
        "updated_at": customer.updated_at.isoformat(),
        "order_ids": list(order_ids),
    }


class ExportCustomerDataHandler:
    def __init__(self, uow: Factory, orders: CustomerOrders) -> None:
        self._uow, self._orders = uow, orders

    def __call__(self, cmd: ExportCustomerData) -> dict[str, Any]:
        with self._uow() as uow:
            customer = uow.customers.get(cmd.customer_id)
        return export(customer, self._orders.facts(customer.id).order_ids)
