"""The risk assessment: one per order, made at checkout before any money is held.

It keeps the score, every signal with its points and explanation (also those that could not
tell, with why), the decision the thresholds gave, and what it was computed from (email,
client IP, a hash of the card fingerprint), so later assessments can count attempts and past
orders by the same keys. An order sent to review holds its capture until staff approve or
reject it; the decision is recorded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.fraud.errors import NotUnderReview
from commerce_core.fraud.events import (
    RiskAssessed,
    RiskReviewApproved,
    RiskReviewRejected,
    SignalScore,
)
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money

MAX_SCORE = 100


class Decision(StrEnum):
    ALLOW = "allow"
    REVIEW = "review"
    BLOCK = "block"


class ReviewStatus(StrEnum):
    NONE = "none"  # allowed or blocked: nobody needs to look
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@frozen
class Thresholds:
    """Spec payment §6: a score above `block_above` blocks, from `review_from` up to it
    reviews, below allows."""

    block_above: int = 75
    review_from: int = 50

    def decide(self, score: int) -> Decision:
        if score > self.block_above:
            return Decision.BLOCK
        if score >= self.review_from:
            return Decision.REVIEW
        return Decision.ALLOW


@define(eq=False)
class RiskAssessment:
    id: str
    order_id: str
    checkout_id: str
    amount: Money
    score: int
    decision: Decision
    signals: tuple[SignalScore, ...]
    email: str | None
    client_ip: str | None
    card_hash: str | None
    review: ReviewStatus
    reviewed_by: str | None
    review_note: str | None
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def record(
        cls, *, assessment_id: str, order_id: str, checkout_id: str, amount: Money,
        signals: Sequence[SignalScore], thresholds: Thresholds, email: str | None,
        client_ip: str | None, card_hash: str | None, now: datetime,
    ) -> RiskAssessment:
        score = min(MAX_SCORE, sum(s.points for s in signals if s.available))
        decision = thresholds.decide(score)
        review = ReviewStatus.PENDING if decision is Decision.REVIEW else ReviewStatus.NONE
        assessment = cls(assessment_id, order_id, checkout_id, amount, score, decision,
                         tuple(signals), email, client_ip, card_hash, review, None, None, now,
                         now)
        assessment.events.append(RiskAssessed(assessment_id, order_id, checkout_id, amount,
                                              score, decision.value, tuple(signals), now))
        return assessment

    @property
    def holds_capture(self) -> bool:
        """Under review or rejected: the money stays held, never taken."""
        return self.review in (ReviewStatus.PENDING, ReviewStatus.REJECTED)

    @property
    def went_ahead(self) -> bool:
        """The order was placed and not refused on review (counts as the email's history)."""
        return self.decision is Decision.ALLOW or self.review is ReviewStatus.APPROVED

    def _decide(self, outcome: ReviewStatus, reviewed_by: str, note: str, *,
                now: datetime) -> bool:
        """False when the same decision was already taken (a repeated request)."""
        if self.review is outcome:
            return False
        if self.review is not ReviewStatus.PENDING:
            raise NotUnderReview(
                f"order {self.order_id} is not waiting for a review (review: {self.review})",
                order_id=self.order_id, review=self.review.value,
            )
        self.review, self.reviewed_by, self.review_note = outcome, reviewed_by, note
        self.updated_at = now
        return True

    def approve(self, reviewed_by: str, note: str, *, now: datetime) -> None:
        if self._decide(ReviewStatus.APPROVED, reviewed_by, note, now=now):
            self.events.append(
                RiskReviewApproved(self.id, self.order_id, reviewed_by, note, now))

    def reject(self, reviewed_by: str, note: str, *, now: datetime) -> bool:
        """True when this call rejected it (the order is to be cancelled now)."""
        if not self._decide(ReviewStatus.REJECTED, reviewed_by, note, now=now):
            return False
        self.events.append(RiskReviewRejected(self.id, self.order_id, reviewed_by, note, now))
        return True

    def explain(self) -> list[str]:
        """The assessment as sentences, strongest signal first, those that could not tell last."""
        lines = [f"score {self.score}/100: {self.decision.value}"
                 + (f" (review {self.review.value})" if self.review is not ReviewStatus.NONE
                    else "")]
        for s in sorted(self.signals, key=lambda s: (not s.available, -s.points, s.name)):
            mark = f"+{s.points}" if s.available else "n/a"
            lines.append(f"{mark:>4} {s.name}: {s.explanation}")
        return lines
