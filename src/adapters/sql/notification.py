"""Notification storage: messages with their delivery log, and recipients' preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, children, column
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.notification import notification_attempts
from adapters.sql.tables.notification import notification_preferences as p
from adapters.sql.tables.notification import notifications as t
from commerce_core.notification.errors import NotificationNotFound
from commerce_core.notification.model import (
    Category,
    Channel,
    DeliveryAttempt,
    Notification,
    Preferences,
    Status,
)

NOTIFICATIONS = AggregateMap[Notification](
    kind="notification",
    not_found=NotificationNotFound,
    codec=RowCodec(Notification, t, channel=by_value(Channel), category=by_value(Category),
                   status=by_value(Status), data=column(store=dict, load=dict),
                   attempts=children(notification_attempts, DeliveryAttempt), events=IGNORED),
)

PREFERENCES = AggregateMap[Preferences](
    kind="notification_preferences",
    not_found=NotificationNotFound,
    codec=RowCodec(Preferences, p, events=IGNORED),
)

_WAITING = (Status.PENDING.value, Status.SCHEDULED.value)
_TIME = t.c.scheduled_at.type
due_at = sa.func.coalesce(t.c.next_retry_at, t.c.scheduled_at, type_=_TIME)
# Concurrent senders each take different rows instead of queueing behind one another (on
# SQLite the whole database is locked by the transaction, which serialises them anyway).
_DUE = (
    sa.select(t)
    .where(sa.or_(
        sa.and_(t.c.status.in_(_WAITING), due_at <= sa.bindparam("now", type_=_TIME)),
        sa.and_(t.c.status == Status.SENDING.value,
                t.c.updated_at < sa.bindparam("stale", type_=_TIME)),
    ))
    .order_by(due_at, CodePointOrder(t.c.id))
    .limit(sa.bindparam("limit"))
    .with_for_update(skip_locked=True)
)
_BY_CORRELATION = sa.select(t).where(t.c.correlation_id == sa.bindparam("correlation_id"))
_BY_PROVIDER_MESSAGE = sa.select(t).where(
    t.c.provider == sa.bindparam("provider"),
    t.c.provider_message_id == sa.bindparam("message_id"),
)
_SENT_SINCE = sa.select(sa.func.count()).select_from(t).where(
    t.c.recipient_id == sa.bindparam("recipient_id"),
    t.c.channel == sa.bindparam("channel"),
    t.c.category == sa.bindparam("category"),
    t.c.sent_at >= sa.bindparam("since"),
)
_PREFERENCES = sa.select(p).where(p.c.id == sa.bindparam("id"))


class SqlNotificationRepository(AggregateRepository[Notification]):
    def by_correlation(self, correlation_id: str) -> Notification | None:
        return self._store.first(_BY_CORRELATION, {"correlation_id": correlation_id})

    def by_provider_message(self, provider: str, message_id: str) -> Notification | None:
        return self._store.first(_BY_PROVIDER_MESSAGE,
                                 {"provider": provider, "message_id": message_id})

    def claim_due(self, now: datetime, limit: int,
                  stale_before: datetime) -> list[Notification]:
        return self._store.all(_DUE, {"now": now, "stale": stale_before, "limit": limit})

    def sent_since(self, recipient_id: str, channel: Channel, category: Category,
                   since: datetime) -> int:
        return int(self._store.db.execute(_SENT_SINCE, {
            "recipient_id": recipient_id, "channel": channel.value,
            "category": category.value, "since": since,
        }).scalar_one())

    def list(self, *, status: Status | None = None, channel: Channel | None = None,
             recipient_id: str | None = None, limit: int = 50,
             offset: int = 0) -> list[Notification]:
        query = sa.select(t)
        conditions: list[Any] = []
        if status is not None:
            conditions.append(t.c.status == status.value)
        if channel is not None:
            conditions.append(t.c.channel == channel.value)
        if recipient_id is not None:
            conditions.append(t.c.recipient_id == recipient_id)
        if conditions:
            query = query.where(*conditions)
        query = (query.order_by(t.c.created_at.desc(), CodePointOrder(t.c.id).desc())
                 .limit(limit).offset(offset))
        return self._store.all(query)


class SqlPreferencesRepository(AggregateRepository[Preferences]):
    def find(self, recipient_id: str) -> Preferences | None:
        cached = self._store.cached(recipient_id)
        if cached is not None:
            return cached
        return self._store.first(_PREFERENCES, {"id": recipient_id})
