"""Payment storage."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.payment import payments
from commerce_core.payment.errors import PaymentNotFound
from commerce_core.payment.model import Payment, PaymentStatus

PAYMENTS = AggregateMap[Payment](
    kind="payment",
    not_found=PaymentNotFound,
    codec=RowCodec(Payment, payments, amount=money("amount"), status=by_value(PaymentStatus),
                   events=IGNORED),
)

_FOR_ORDER = (
    sa.select(payments)
    .where(payments.c.order_id == sa.bindparam("order_id"))
    .order_by(payments.c.created_at, CodePointOrder(payments.c.id))
)


class SqlPaymentRepository(AggregateRepository[Payment]):
    def for_order(self, order_id: str) -> list[Payment]:
        return self._store.all(_FOR_ORDER, {"order_id": order_id})
