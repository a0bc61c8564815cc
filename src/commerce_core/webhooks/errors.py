"""Webhook errors."""

from __future__ import annotations

from commerce_core.shared.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable


class InvalidWebhook(InvalidInput):
    """A target URL that is not http(s), names no host, or points at an address the shop
    refuses (private, loopback, link-local, ...); an unknown event type; a bad time range."""

    code = "webhooks.invalid"


class SubscriptionNotFound(NotFound):
    code = "webhooks.subscription_not_found"


class DeliveryNotFound(NotFound):
    code = "webhooks.delivery_not_found"


class SubscriptionInactive(Conflict):
    """A disabled or deleted subscription is not sent to (nor replayed); enable it first."""

    code = "webhooks.subscription_inactive"


class WebhooksUnavailable(ServiceUnavailable):
    """The shop was built without webhook ports (`Ports.webhooks`)."""

    code = "webhooks.unavailable"


class TargetRefused(InvalidWebhook):
    """Raised by `WebhookSender.check_target` for a target the shop must not call."""

    code = "webhooks.target_refused"
