"""Payment commands."""

from __future__ import annotations

from attrs import frozen

from commerce_core.shared.money import Money


@frozen
class CapturePayment:
    """Take the authorized money of a confirmed order (the amount is the order's own total)."""

    order_id: str


@frozen
class RefundPayment:
    """Give money of a captured payment back: `amount` (all that is left when None), once per
    `idempotency_key`. Several partial refunds may follow one another; together they never
    exceed what was captured, also when asked for at the same time."""

    order_id: str
    idempotency_key: str
    amount: Money | None = None
    reason: str = ""
