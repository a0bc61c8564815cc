"""Facts about risk assessments."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class SignalScore:
    """One signal's part in a score: its points and why (or why it could not tell)."""

    name: str
    points: int
    explanation: str
    available: bool


@frozen
class RiskAssessed(DomainEvent):
    """An order was scored at checkout: `decision` is allow, review (capture held until a staff
    decision) or block (the checkout fails)."""

    type = "fraud.risk_assessed"
    assessment_id: str
    order_id: str
    checkout_id: str
    amount: Money
    score: int
    decision: str
    signals: tuple[SignalScore, ...]
    occurred_at: datetime


@frozen
class RiskReviewApproved(DomainEvent):
    """Staff approved an order under review: its capture may proceed."""

    type = "fraud.review_approved"
    assessment_id: str
    order_id: str
    reviewed_by: str
    note: str
    occurred_at: datetime


@frozen
class RiskReviewRejected(DomainEvent):
    """Staff rejected an order under review: it is cancelled, which voids its authorization
    and releases its stock."""

    type = "fraud.review_rejected"
    assessment_id: str
    order_id: str
    reviewed_by: str
    note: str
    occurred_at: datetime
