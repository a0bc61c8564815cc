"""`commerce.webhooks`: subscriptions of third-party apps, their delivery log, replays and the
sender the worker runs, as plain methods."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from datetime import datetime

from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.webhooks.commands import (
    CreateSubscription,
    DeleteSubscription,
    DisableSubscription,
    EnableSubscription,
    ReplayDelivery,
    ReplayRange,
    RotateSecret,
    SendDueWebhooks,
    UpdateSubscription,
)
from commerce_core.webhooks.errors import InvalidWebhook
from commerce_core.webhooks.model import Delivery, DeliveryStatus, Subscription
from commerce_core.webhooks.ports import WebhooksUnitOfWork
from commerce_core.webhooks.queries import ReplayReport, SendReport, SubscriptionWithSecret


class WebhooksApi:
    def __init__(self, handle: Handle, read: UnitOfWorkFactory[WebhooksUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def create(self, url: str, event_types: Iterable[str],
               description: str = "") -> SubscriptionWithSecret:
        """The new subscription with its secret in clear (shown this once)."""
        result: SubscriptionWithSecret = self._handle(
            CreateSubscription(url, tuple(event_types), description))
        return result

    def update(self, subscription_id: str, *, url: str | None = None,
               event_types: Iterable[str] | None = None,
               description: str | None = None) -> Subscription:
        result: Subscription = self._handle(UpdateSubscription(
            subscription_id, url, tuple(event_types) if event_types is not None else None,
            description))
        return result

    def rotate_secret(self, subscription_id: str) -> SubscriptionWithSecret:
        """A new secret (shown this once); the old one keeps signing for the grace period."""
        result: SubscriptionWithSecret = self._handle(RotateSecret(subscription_id))
        return result

    def enable(self, subscription_id: str) -> Subscription:
        result: Subscription = self._handle(EnableSubscription(subscription_id))
        return result

    def disable(self, subscription_id: str) -> Subscription:
        result: Subscription = self._handle(DisableSubscription(subscription_id))
        return result

    def delete(self, subscription_id: str) -> Subscription:
        result: Subscription = self._handle(DeleteSubscription(subscription_id))
        return result

    def send_due(self, limit: int = 50) -> SendReport:
        """Post the deliveries that are due (the worker does this every few seconds)."""
        result: SendReport = self._handle(SendDueWebhooks(limit))
        return result

    def replay(self, delivery_id: str) -> Delivery:
        """Send one delivery's event again, as a new delivery flagged as a replay."""
        result: Delivery = self._handle(ReplayDelivery(delivery_id))
        return result

    def replay_range(self, subscription_id: str, start: datetime,
                     end: datetime) -> ReplayReport:
        """Send again every event the subscription was sent that occurred in [start, end)."""
        result: ReplayReport = self._handle(ReplayRange(subscription_id, start, end))
        return result

    def get(self, subscription_id: str) -> Subscription:
        with self._read() as uow:
            return uow.webhook_subscriptions.get(subscription_id)

    def list(self, *, include_deleted: bool = False) -> builtins.list[Subscription]:
        with self._read() as uow:
            return uow.webhook_subscriptions.list(include_deleted=include_deleted)

    def deliveries(self, subscription_id: str, *, status: str | None = None, limit: int = 50,
                   offset: int = 0) -> builtins.list[Delivery]:
        """The subscription's delivery log, newest first."""
        try:
            wanted = DeliveryStatus(status) if status else None
        except ValueError:
            raise InvalidWebhook(f"unknown delivery status {status!r}", status=status) from None
        with self._read() as uow:
            uow.webhook_subscriptions.get(subscription_id)
            return uow.webhook_deliveries.of_subscription(subscription_id, status=wanted,
                                                          limit=limit, offset=offset)

    def delivery(self, delivery_id: str) -> Delivery:
        with self._read() as uow:
            return uow.webhook_deliveries.get(delivery_id)
