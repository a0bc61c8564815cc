"""Risk assessments in memory."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.fraud.errors import AssessmentNotFound
from commerce_core.fraud.model import ReviewStatus, RiskAssessment
from commerce_core.fraud.ports import History
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.money import Money


class InMemoryRiskAssessmentRepository(_Repository):
    kind = "risk_assessment"
    not_found = AssessmentNotFound
    # One assessment per order, as the SQL unique index says.
    unique = (("order", lambda a: [a.order_id], ConcurrencyConflict),)
    indexed = (
        ("email", lambda a: [a.email] if a.email else []),
        ("ip", lambda a: [a.client_ip] if a.client_ip else []),
        ("card", lambda a: [a.card_hash] if a.card_hash else []),
        ("pending", lambda a: ["pending"] if a.review is ReviewStatus.PENDING else []),
    )

    def for_order(self, order_id: str) -> RiskAssessment | None:
        rows = self._by("order", order_id)
        return self._load(rows[0]) if rows else None

    def pending_reviews(self, limit: int, offset: int = 0) -> list[RiskAssessment]:
        rows = sorted(self._by("pending", "pending"), key=lambda a: (a.created_at, a.id))
        return [self._load(r) for r in rows[offset:offset + limit]]

    def history(self, *, email: str | None, ip: str | None, card: str | None, currency: str,
                since: datetime) -> History:
        def recent(index: str, key: str | None) -> int:
            if key is None:
                return 0
            return sum(1 for a in self._by(index, key) if a.created_at >= since)

        went_ahead = [a for a in (self._by("email", email) if email else [])
                      if a.went_ahead]
        same_currency = [a.amount.amount for a in went_ahead if a.amount.currency == currency]
        average = (Money(sum(same_currency) // len(same_currency), currency)
                   if same_currency else None)
        return History(recent("email", email), recent("ip", ip), recent("card", card),
                       len(went_ahead), average)
