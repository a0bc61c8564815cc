"""What webhook use cases answer."""

from __future__ import annotations

from attrs import frozen

from commerce_core.webhooks.model import Subscription


@frozen
class SubscriptionWithSecret:
    """A subscription just created or rotated, with its signing secret in clear: the only
    time the shop shows it."""

    subscription: Subscription
    secret: str


@frozen
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"webhooks_sent": self.sent, "webhooks_retrying": self.retrying,
                "webhooks_failed": self.failed, "webhooks_cancelled": self.cancelled}


@frozen
class ReplayReport:
    subscription_id: str
    delivery_ids: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.delivery_ids)
