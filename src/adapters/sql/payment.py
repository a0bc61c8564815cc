"""Payment storage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, children, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.payment import (
    payment_disputes,
    payment_tender_refunds,
    payment_tenders,
    payment_transactions,
    payments,
    refunds,
)
from commerce_core.payment.errors import PaymentNotFound, RefundNotFound, TenderNotFound
from commerce_core.payment.model import (
    CAPTURABLE,
    Dispute,
    DisputeStatus,
    Payment,
    PaymentStatus,
    PaymentTransaction,
    Refund,
    RefundStatus,
    TransactionKind,
    TransactionStatus,
)
from commerce_core.payment.tenders import Tender, TenderKind, TenderRefund, TenderStatus

PAYMENTS = AggregateMap[Payment](
    kind="payment",
    not_found=PaymentNotFound,
    codec=RowCodec(
        Payment, payments, amount=money("amount"), status=by_value(PaymentStatus),
        transactions=children(payment_transactions, PaymentTransaction,
                              amount=money("amount", from_parent=True),
                              kind=by_value(TransactionKind), status=by_value(TransactionStatus)),
        disputes=children(payment_disputes, Dispute, amount=money("amount", from_parent=True),
                          status=by_value(DisputeStatus)),
        events=IGNORED),
)

_FOR_ORDER = (
    sa.select(payments)
    .where(payments.c.order_id == sa.bindparam("order_id"))
    .order_by(payments.c.created_at, CodePointOrder(payments.c.id))
)


_BY_REFERENCE = sa.select(payments).where(
    payments.c.gateway == sa.bindparam("gateway"),
    payments.c.reference == sa.bindparam("reference"),
)


_CAPTURES_DUE = (
    sa.select(payments.c.id)
    .where(payments.c.capture_retry_at <= sa.bindparam("now"), payments.c.capture_pending > 0)
    .order_by(payments.c.capture_retry_at)
    .limit(sa.bindparam("limit"))
)

_AUTHORIZED_BEFORE = (
    sa.select(payments)
    .where(payments.c.status.in_([s.value for s in CAPTURABLE]),
           payments.c.gateway == sa.bindparam("gateway"),
           payments.c.authorized_at < sa.bindparam("cutoff"))
    .order_by(payments.c.authorized_at)
    .limit(sa.bindparam("limit"))
)


class SqlPaymentRepository(AggregateRepository[Payment]):
    def captures_due(self, now: datetime, limit: int) -> list[str]:
        rows = self._store.db.execute(_CAPTURES_DUE, {"now": now, "limit": limit})
        return [row.id for row in rows]

    def authorized_before(self, gateway: str, cutoff: datetime, limit: int) -> list[Payment]:
        return self._store.all(_AUTHORIZED_BEFORE,
                               {"gateway": gateway, "cutoff": cutoff, "limit": limit})

    def for_order(self, order_id: str) -> list[Payment]:
        return self._store.all(_FOR_ORDER, {"order_id": order_id})

    def by_reference(self, gateway: str, reference: str) -> Payment | None:
        return self._store.first(_BY_REFERENCE, {"gateway": gateway, "reference": reference})


REFUNDS = AggregateMap[Refund](
    kind="refund",
    not_found=RefundNotFound,
    codec=RowCodec(Refund, refunds, amount=money("amount"), status=by_value(RefundStatus),
                   events=IGNORED),
)

_REFUND_BY_KEY = sa.select(refunds).where(refunds.c.idempotency_key == sa.bindparam("key"))
_REFUNDS_OF = (
    sa.select(refunds)
    .where(refunds.c.payment_id == sa.bindparam("payment_id"))
    .order_by(refunds.c.created_at, CodePointOrder(refunds.c.id))
)


class SqlRefundRepository(AggregateRepository[Refund]):
    def by_key(self, idempotency_key: str) -> Refund | None:
        return self._store.first(_REFUND_BY_KEY, {"key": idempotency_key})

    def for_payment(self, payment_id: str) -> list[Refund]:
        return self._store.all(_REFUNDS_OF, {"payment_id": payment_id})


TENDERS = AggregateMap[Tender](
    kind="tender",
    not_found=TenderNotFound,
    codec=RowCodec(Tender, payment_tenders, kind=by_value(TenderKind),
                   status=by_value(TenderStatus),
                   refunds=children(payment_tender_refunds, TenderRefund), events=IGNORED),
)

_TENDERS_OF = (
    sa.select(payment_tenders)
    .where(payment_tenders.c.order_id == sa.bindparam("order_id"))
    .order_by(payment_tenders.c.created_at, CodePointOrder(payment_tenders.c.id))
)


class SqlTenderRepository(AggregateRepository[Tender]):
    def of_order(self, order_id: str) -> list[Tender]:
        return self._store.all(_TENDERS_OF, {"order_id": order_id})
