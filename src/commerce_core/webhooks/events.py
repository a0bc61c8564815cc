"""Facts about webhook subscriptions."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class SubscriptionDisabled(DomainEvent):
    """A subscription stopped receiving events: `reason` is `consecutive_failures` (its last
    `consecutive_failures` deliveries all failed; the notice to the shop) or `manual`."""

    type = "webhooks.subscription_disabled"
    subscription_id: str
    url: str
    reason: str
    consecutive_failures: int
    occurred_at: datetime
