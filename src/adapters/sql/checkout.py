"""Checkout saga storage: the saga row, its priced lines and the reservations it holds."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, child_values, children, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.checkout import checkout_lines, checkout_reservations, checkouts
from commerce_core.checkout.errors import CheckoutNotFound
from commerce_core.checkout.model import (
    RELEASED_KEY_PREFIX,
    CheckoutLine,
    CheckoutSaga,
    SagaStatus,
    Step,
)

CHECKOUTS = AggregateMap[CheckoutSaga](
    kind="checkout",
    not_found=CheckoutNotFound,
    codec=RowCodec(
        CheckoutSaga, checkouts,
        lines=children(checkout_lines, CheckoutLine, unit_price=money()),
        total=money(),  # always in the saga's currency
        step=by_value(Step),
        status=by_value(SagaStatus),
        reservation_ids=child_values(checkout_reservations, "reservation_id"),
        events=IGNORED,
    ),
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
