"""`commerce.fraud`: the review queue, staff decisions and explanations as plain methods."""

from __future__ import annotations

from commerce_core.fraud.commands import ApproveReview, RejectReview
from commerce_core.fraud.handlers import assessment_of
from commerce_core.fraud.model import RiskAssessment
from commerce_core.fraud.ports import FraudUnitOfWork
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class FraudApi:
    """Risk assessments of orders and the manual review of those held."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[FraudUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def reviews(self, *, limit: int = 50, offset: int = 0) -> list[RiskAssessment]:
        """Orders waiting for a decision, oldest first."""
        with self._read() as uow:
            return uow.risk_assessments.pending_reviews(limit, offset)

    def assessment(self, order_id: str) -> RiskAssessment:
        """The order's assessment, or `AssessmentNotFound`."""
        with self._read() as uow:
            return assessment_of(uow, order_id)

    def explain(self, order_id: str) -> list[str]:
        """The score, the decision and every signal with its points, as sentences."""
        return self.assessment(order_id).explain()

    def approve(self, order_id: str, *, reviewed_by: str = "operator",
                note: str = "") -> RiskAssessment:
        result: RiskAssessment = self._handle(ApproveReview(order_id, reviewed_by, note))
        return result

    def reject(self, order_id: str, *, reviewed_by: str = "operator",
               note: str = "") -> RiskAssessment:
        result: RiskAssessment = self._handle(RejectReview(order_id, reviewed_by, note))
        return result
