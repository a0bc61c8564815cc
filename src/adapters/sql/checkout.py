"""Checkout saga storage: the saga row, its priced lines and the reservations it holds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    ChildRows,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables import checkout_lines, checkout_reservations, checkouts
from commerce_core.checkout.errors import CheckoutNotFound
from commerce_core.checkout.model import (
    RELEASED_KEY_PREFIX,
    CheckoutLine,
    CheckoutSaga,
    SagaStatus,
    Step,
)
from commerce_core.shared.money import Money


def _saga_row(saga: CheckoutSaga) -> Values:
    return {
        "id": saga.id,
        "idempotency_key": saga.idempotency_key,
        "request_hash": saga.request_hash,
        "cart_id": saga.cart_id,
        "customer_id": saga.customer_id,
        "email": saga.email,
        "payment_method": saga.payment_method,
        "currency": saga.currency,  # the total is always in the saga's currency
        "total_amount": saga.total.amount,
        "step": saga.step.value,
        "status": saga.status.value,
        "order_id": saga.order_id,
        "payment_id": saga.payment_id,
        "failure_code": saga.failure_code,
        "failure_message": saga.failure_message,
        "lease_until": saga.lease_until,
        "created_at": saga.created_at,
        "updated_at": saga.updated_at,
    }


def _saga_children(saga: CheckoutSaga) -> ChildRows:
    return {
        checkout_lines.name: [
            {
                "checkout_id": saga.id,
                "position": position,
                "sku": line.sku,
                "product_id": line.product_id,
                "name": line.name,
                "quantity": line.quantity,
                "unit_price_amount": line.unit_price.amount,
                "currency": line.unit_price.currency,
                "warehouse_id": line.warehouse_id,
            }
            for position, line in enumerate(saga.lines)
        ],
        checkout_reservations.name: [
            {"checkout_id": saga.id, "position": position, "reservation_id": reservation_id}
            for position, reservation_id in enumerate(saga.reservation_ids)
        ],
    }


def _saga_from(row: Row, children: LoadedChildren) -> CheckoutSaga:
    return CheckoutSaga(
        id=row.id,
        idempotency_key=row.idempotency_key,
        request_hash=row.request_hash,
        cart_id=row.cart_id,
        customer_id=row.customer_id,
        email=row.email,
        payment_method=row.payment_method,
        currency=row.currency,
        lines=[
            CheckoutLine(
                sku=line.sku,
                product_id=line.product_id,
                name=line.name,
                quantity=line.quantity,
                unit_price=Money(line.unit_price_amount, line.currency),
                warehouse_id=line.warehouse_id,
            )
            for line in children[checkout_lines.name]
        ],
        total=Money(row.total_amount, row.currency),
        step=Step(row.step),
        status=SagaStatus(row.status),
        reservation_ids=[link.reservation_id for link in children[checkout_reservations.name]],
        order_id=row.order_id,
        payment_id=row.payment_id,
        failure_code=row.failure_code,
        failure_message=row.failure_message,
        lease_until=row.lease_until,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


CHECKOUTS = AggregateMap[CheckoutSaga](
    kind="checkout",
    table=checkouts,
    children=(checkout_lines, checkout_reservations),
    not_found=CheckoutNotFound,
    to_row=_saga_row,
    to_children=_saga_children,
    from_rows=_saga_from,
)

_c = checkouts.c
_BY_KEY = sa.select(checkouts).where(_c.idempotency_key == sa.bindparam("key"))
_STALE = (
    sa.select(_c.id)
    .where(
        _c.status.in_([SagaStatus.RUNNING.value, SagaStatus.COMPENSATING.value]),
        _c.lease_until <= sa.bindparam("now"),
    )
    .order_by(_c.created_at, CodePointOrder(_c.id))
    .limit(sa.bindparam("limit"))
)


_KEYS_TO_RELEASE = (
    sa.select(_c.id)
    .where(
        _c.status.in_([SagaStatus.COMPLETED.value, SagaStatus.FAILED.value]),
        _c.created_at <= sa.bindparam("before"),
        sa.not_(_c.idempotency_key.startswith(RELEASED_KEY_PREFIX, autoescape=True)),
    )
    .order_by(_c.created_at, CodePointOrder(_c.id))
    .limit(sa.bindparam("limit"))
)


class SqlCheckoutSagaRepository(AggregateRepository[CheckoutSaga]):
    def by_key(self, idempotency_key: str) -> CheckoutSaga | None:
        return self._store.first(_BY_KEY, {"key": idempotency_key})

    def stale(self, now: datetime, limit: int) -> list[str]:
        return [row.id for row in self._store.db.execute(_STALE, {"now": now, "limit": limit})]

    def keys_to_release(self, created_before: datetime, limit: int) -> list[str]:
        rows = self._store.db.execute(_KEYS_TO_RELEASE, {"before": created_before,
                                                         "limit": limit})
        return [row.id for row in rows]
