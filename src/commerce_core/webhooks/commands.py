"""Webhook commands."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen


@frozen
class CreateSubscription:
    """`event_types`: exact types (`order.paid`), a context's (`order.*`) or every one (`*`)."""

    url: str
    event_types: tuple[str, ...]
    description: str = ""


@frozen
class UpdateSubscription:
    """None leaves a field as it is."""

    subscription_id: str
    url: str | None = None
    event_types: tuple[str, ...] | None = None
    description: str | None = None


@frozen
class RotateSecret:
    subscription_id: str


@frozen
class EnableSubscription:
    subscription_id: str


@frozen
class DisableSubscription:
    subscription_id: str


@frozen
class DeleteSubscription:
    subscription_id: str


@frozen
class SendDueWebhooks:
    limit: int = 50


@frozen
class ReplayDelivery:
    delivery_id: str


@frozen
class ReplayRange:
    """Sends again every event the subscription was sent that occurred in [start, end)."""

    subscription_id: str
    start: datetime
    end: datetime
