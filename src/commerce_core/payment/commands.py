"""Payment commands."""

from __future__ import annotations

from attrs import frozen

from commerce_core.shared.money import Money


@frozen
class CapturePayment:
    """Take authorized money of a confirmed order: `amount` (all that is left of the
    authorization when None). `final=False` leaves the rest capturable later (shipping in
    parts), where the gateway allows several captures; a final capture releases the rest."""

    order_id: str
    amount: Money | None = None
    final: bool = True


@frozen
class VoidPayment:
    """Release what is left of the order's authorization: all of it before any capture, the
    rest after a capture in parts (the payment then counts as captured)."""

    order_id: str
    reason: str = ""


@frozen
class RecordCollection:
    """The courier collected `collected` for a cash-on-delivery order: what was owed (at most)
    is captured; a different amount is kept on the payment and announced."""

    order_id: str
    collected: Money


@frozen
class RecordCollectionFailed:
    """Nobody paid the courier: the cash-on-delivery payment fails."""

    order_id: str
    reason: str = "not_collected"


@frozen
class RetryCaptures:
    """The job: ask again, under the same keys, the captures whose gateway did not answer."""

    limit: int = 100


@frozen
class ExpireAuthorizations:
    """The job: authorizations older than their gateway's window can no longer be captured."""

    limit: int = 100


@frozen
class RefundPayment:
    """Give money of a captured payment back: `amount` (all that is left when None), once per
    `idempotency_key`. Several partial refunds may follow one another; together they never
    exceed what was captured, also when asked for at the same time."""

    order_id: str
    idempotency_key: str
    amount: Money | None = None
    reason: str = ""
    # The caller's ceiling (minor units; a customer-service agent's), checked before anything
    # is asked for: a refund above it is refused and nothing changes.
    limit: int | None = None


@frozen
class RecordDispute:
    """A gateway reported a chargeback of the payment it knows by `reference`: recorded once
    per `dispute_id` (a redelivered notification changes nothing). `amount` None: all of what
    was captured."""

    gateway: str
    reference: str
    dispute_id: str
    amount: Money | None = None
    reason: str = ""


@frozen
class CloseDispute:
    """Finance records how a chargeback was decided: `outcome` is `won` or `lost`."""

    payment_id: str
    dispute_id: str
    outcome: str
