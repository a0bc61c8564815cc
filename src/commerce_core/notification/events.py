"""Facts about notifications (spec §5 payloads: the id, correlation id, recipient, channel,
template, status, attempt, provider and its message id, error code)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class NotificationCreated(DomainEvent):
    """A message was enqueued; `status` is pending, scheduled (quiet hours) or cancelled."""

    type = "notification.created"
    notification_id: str
    correlation_id: str
    recipient_id: str
    channel: str
    template_id: str
    status: str
    occurred_at: datetime


@frozen
class NotificationSent(DomainEvent):
    type = "notification.sent"
    notification_id: str
    correlation_id: str
    recipient_id: str
    channel: str
    template_id: str
    attempt: int
    provider: str
    provider_message_id: str | None
    occurred_at: datetime


@frozen
class NotificationDelivered(DomainEvent):
    """The provider reported the message delivered to the recipient."""

    type = "notification.delivered"
    notification_id: str
    correlation_id: str
    recipient_id: str
    channel: str
    provider: str
    provider_message_id: str | None
    occurred_at: datetime


@frozen
class NotificationFailed(DomainEvent):
    """No more attempts: a permanent failure, the last attempt, expiry, or a bounce."""

    type = "notification.failed"
    notification_id: str
    correlation_id: str
    recipient_id: str
    channel: str
    template_id: str
    attempt: int
    error_code: str
    occurred_at: datetime


@frozen
class NotificationCancelled(DomainEvent):
    """Not sent on purpose: the recipient opted out (`reason` opted_out)."""

    type = "notification.cancelled"
    notification_id: str
    correlation_id: str
    recipient_id: str
    channel: str
    reason: str
    occurred_at: datetime
