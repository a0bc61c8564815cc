"""Payment storage."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables import payments
from commerce_core.payment.errors import PaymentNotFound
from commerce_core.payment.model import Payment, PaymentStatus
from commerce_core.shared.money import Money


def _payment_row(payment: Payment) -> Values:
    return {
        "id": payment.id,
        "order_id": payment.order_id,
        "amount": payment.amount.amount,
        "currency": payment.amount.currency,
        "method": payment.method,
        "gateway": payment.gateway,
        "idempotency_key": payment.idempotency_key,
        "status": payment.status.value,
        "reference": payment.reference,
        "failure_code": payment.failure_code,
        "created_at": payment.created_at,
        "updated_at": payment.updated_at,
    }


def _payment_from(row: Row, _: LoadedChildren) -> Payment:
    return Payment(
        id=row.id,
        order_id=row.order_id,
        amount=Money(row.amount, row.currency),
        method=row.method,
        gateway=row.gateway,
        idempotency_key=row.idempotency_key,
        status=PaymentStatus(row.status),
        reference=row.reference,
        failure_code=row.failure_code,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


PAYMENTS = AggregateMap[Payment](
    kind="payment",
    table=payments,
    not_found=PaymentNotFound,
    to_row=_payment_row,
    from_rows=_payment_from,
)

_FOR_ORDER = (
    sa.select(payments)
    .where(payments.c.order_id == sa.bindparam("order_id"))
    .order_by(payments.c.created_at, CodePointOrder(payments.c.id))
)


class SqlPaymentRepository(AggregateRepository[Payment]):
    def for_order(self, order_id: str) -> list[Payment]:
        return self._store.all(_FOR_ORDER, {"order_id": order_id})
