"""Facts about payments."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class PaymentAuthorized(DomainEvent):
    type = "payment.authorized"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    reference: str
    occurred_at: datetime


@frozen
class PaymentActionRequired(DomainEvent):
    """The shopper pays on the provider's page; `reference` names the attempt there."""

    type = "payment.requires_action"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    reference: str
    occurred_at: datetime


@frozen
class PaymentExpired(DomainEvent):
    """The shopper did not finish paying within the window; the order is cancelled."""

    type = "payment.expired"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    occurred_at: datetime


@frozen
class PaymentFailed(DomainEvent):
    type = "payment.failed"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    code: str
    message: str
    occurred_at: datetime


@frozen
class PaymentCaptured(DomainEvent):
    """The gateway took `amount` this time; `total_captured` so far; `final` once nothing more
    of the authorization will be captured (a capture in parts emits one event per part)."""

    type = "payment.captured"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    occurred_at: datetime
    total_captured: Money | None = None
    final: bool = True


@frozen
class CaptureFailed(DomainEvent):
    """A capture took nothing: `retryable` when the gateway did not answer (the retry job asks
    again under the same key), not when it refused (staff decide)."""

    type = "payment.capture_failed"
    payment_id: str
    order_id: str
    amount: Money
    reason: str
    retryable: bool
    attempts: int
    occurred_at: datetime


@frozen
class CollectionMismatched(DomainEvent):
    """A courier collected another amount than was owed for a cash-on-delivery order:
    `difference` is collected minus owed (negative when short). Finance follows it up."""

    type = "payment.collection_mismatched"
    payment_id: str
    order_id: str
    owed: Money
    collected: Money
    difference: Money
    occurred_at: datetime


@frozen
class AuthorizationExpired(DomainEvent):
    """The hold lapsed before `amount` of it was captured: that much can no longer be taken."""

    type = "payment.authorization_expired"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    occurred_at: datetime


@frozen
class PaymentVoided(DomainEvent):
    type = "payment.voided"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    occurred_at: datetime


@frozen
class PaymentRefunded(DomainEvent):
    """Money went back to the shopper: `amount` this time (by refund `refund_id`; none for the
    refund of an order cancelled after capture), `total_refunded` so far, `full` once all of
    the captured amount is back."""

    type = "payment.refunded"
    payment_id: str
    order_id: str
    amount: Money
    gateway: str
    occurred_at: datetime
    refund_id: str | None = None
    total_refunded: Money | None = None
    full: bool = True


@frozen
class RefundFailed(DomainEvent):
    """The gateway refused a refund: nothing went back, the amount can be asked for again."""

    type = "payment.refund_failed"
    refund_id: str
    payment_id: str
    order_id: str
    amount: Money
    decline_code: str | None
    occurred_at: datetime


@frozen
class DisputeOpened(DomainEvent):
    """The cardholder's bank opened a chargeback of `amount` (spec: the payment is `disputed`);
    finance answers it with the provider. Refunds of the order's returns wait meanwhile."""

    type = "payment.dispute_opened"
    payment_id: str
    order_id: str
    dispute_id: str
    amount: Money
    reason: str
    gateway: str
    occurred_at: datetime


@frozen
class DisputeClosed(DomainEvent):
    """The chargeback was decided: `outcome` is `won` (the shop keeps the money) or `lost`
    (`amount` went back to the cardholder and counts as refunded)."""

    type = "payment.dispute_closed"
    payment_id: str
    order_id: str
    dispute_id: str
    amount: Money
    outcome: str
    gateway: str
    occurred_at: datetime
