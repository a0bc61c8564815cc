"""Webhook storage: subscriptions, and deliveries with their attempt log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import AS_JSON_LIST, IGNORED, RowCodec, by_value, children
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.webhooks import webhook_attempts
from adapters.sql.tables.webhooks import webhook_deliveries as d
from adapters.sql.tables.webhooks import webhook_subscriptions as s
from commerce_core.webhooks.errors import DeliveryNotFound, SubscriptionNotFound
from commerce_core.webhooks.ports import (
    Attempt,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionStatus,
)

SUBSCRIPTIONS = AggregateMap[Subscription](
    kind="webhook_subscription",
    not_found=SubscriptionNotFound,
    codec=RowCodec(Subscription, s, event_types=AS_JSON_LIST,
                   status=by_value(SubscriptionStatus), events=IGNORED),
)

DELIVERIES = AggregateMap[Delivery](
    kind="webhook_delivery",
    not_found=DeliveryNotFound,
    codec=RowCodec(Delivery, d, status=by_value(DeliveryStatus),
                   attempts=children(webhook_attempts, Attempt), events=IGNORED),
)

_OLDEST_FIRST = (s.c.created_at, CodePointOrder(s.c.id))
_ACTIVE = (sa.select(s).where(s.c.status == SubscriptionStatus.ACTIVE.value)
           .order_by(*_OLDEST_FIRST))
_LIVE = (sa.select(s).where(s.c.status != SubscriptionStatus.DELETED.value)
         .order_by(*_OLDEST_FIRST))
_ALL = sa.select(s).order_by(*_OLDEST_FIRST)

_TIME = d.c.next_attempt_at.type
# Concurrent senders each take different rows instead of queueing behind one another (on
# SQLite the whole database is locked by the transaction, which serialises them anyway).
_DUE = (
    sa.select(d)
    .where(sa.or_(
        sa.and_(d.c.status == DeliveryStatus.PENDING.value,
                d.c.next_attempt_at <= sa.bindparam("now", type_=_TIME)),
        sa.and_(d.c.status == DeliveryStatus.SENDING.value,
                d.c.updated_at < sa.bindparam("stale", type_=_TIME)),
    ))
    .order_by(d.c.next_attempt_at, CodePointOrder(d.c.id))
    .limit(sa.bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_BY_KEY = sa.select(d).where(d.c.dedupe_key == sa.bindparam("key"))
_ORIGINALS = (
    sa.select(d)
    .where(d.c.subscription_id == sa.bindparam("subscription_id"),
           d.c.replay_of.is_(None),
           d.c.occurred_at >= sa.bindparam("start", type_=_TIME),
           d.c.occurred_at < sa.bindparam("end", type_=_TIME))
    .order_by(d.c.occurred_at, CodePointOrder(d.c.id))
    .limit(sa.bindparam("limit"))
)


class SqlSubscriptionRepository(AggregateRepository[Subscription]):
    def active(self) -> list[Subscription]:
        return self._store.all(_ACTIVE)

    def list(self, *, include_deleted: bool = False) -> list[Subscription]:
        return self._store.all(_ALL if include_deleted else _LIVE)


class SqlDeliveryRepository(AggregateRepository[Delivery]):
    def by_key(self, dedupe_key: str) -> Delivery | None:
        return self._store.first(_BY_KEY, {"key": dedupe_key})

    def claim_due(self, now: datetime, limit: int, stale_before: datetime) -> list[Delivery]:
        return self._store.all(_DUE, {"now": now, "stale": stale_before, "limit": limit})

    def of_subscription(self, subscription_id: str, *, status: DeliveryStatus | None = None,
                        limit: int = 50, offset: int = 0) -> list[Delivery]:
        query = sa.select(d).where(d.c.subscription_id == subscription_id)
        if status is not None:
            query = query.where(d.c.status == status.value)
        query = (query.order_by(d.c.created_at.desc(), CodePointOrder(d.c.id).desc())
                 .limit(limit).offset(offset))
        return self._store.all(query)

    def originals_between(self, subscription_id: str, start: datetime, end: datetime,
                          limit: int) -> list[Delivery]:
        return self._store.all(_ORIGINALS, {"subscription_id": subscription_id,
                                            "start": start, "end": end, "limit": limit})
