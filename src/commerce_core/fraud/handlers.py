"""Fraud use cases: the staff decision on a reviewed order, and the hold on its capture."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commerce_core.fraud.commands import ApproveReview, RejectReview
from commerce_core.fraud.errors import AssessmentNotFound, CaptureHeld
from commerce_core.fraud.model import RiskAssessment
from commerce_core.fraud.ports import FraudUnitOfWork
from commerce_core.ordering import services as orders
from commerce_core.payment.commands import CapturePayment
from commerce_core.shared.clock import Clock
from commerce_core.shared.uow import UnitOfWorkFactory

REJECTED_REASON = "fraud.rejected"


def assessment_of(uow: FraudUnitOfWork, order_id: str) -> RiskAssessment:
    found = uow.risk_assessments.for_order(order_id)
    if found is None:
        raise AssessmentNotFound(f"order {order_id} has no risk assessment", order_id=order_id)
    return found


class ApproveReviewHandler:
    """The hold on the capture goes; capturing is then the shop's usual call."""

    def __init__(self, uow: UnitOfWorkFactory[FraudUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ApproveReview) -> RiskAssessment:
        with self._uow() as uow:
            assessment = assessment_of(uow, cmd.order_id)
            assessment.approve(cmd.reviewed_by, cmd.note, now=self._clock.now())
            uow.commit()
        return assessment


class RejectReviewHandler:
    """The order is cancelled in the same transaction: the reactions to `order.cancelled` void
    the authorization and release the stock, as for any cancellation."""

    def __init__(self, uow: UnitOfWorkFactory[FraudUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: RejectReview) -> RiskAssessment:
        now = self._clock.now()
        with self._uow() as uow:
            assessment = assessment_of(uow, cmd.order_id)
            if assessment.reject(cmd.reviewed_by, cmd.note, now=now):
                orders.cancel(uow, cmd.order_id, REJECTED_REASON, changed_by=cmd.reviewed_by,
                              now=now)
            uow.commit()
        return assessment


class HoldCaptureUnderReview:
    """Wraps the capture handler: an order under review (or rejected) keeps its money held.
    The payment context knows nothing of fraud; the composition root puts this in front."""

    def __init__(self, uow: UnitOfWorkFactory[FraudUnitOfWork],
                 capture: Callable[[CapturePayment], Any]) -> None:
        self._uow, self._capture = uow, capture

    def __call__(self, cmd: CapturePayment) -> Any:
        with self._uow() as uow:
            assessment = uow.risk_assessments.for_order(cmd.order_id)
        if assessment is not None and assessment.holds_capture:
            raise CaptureHeld(
                f"order {cmd.order_id} waits for a risk review ({assessment.review.value}); "
                "its payment cannot be captured", order_id=cmd.order_id,
                review=assessment.review.value, score=assessment.score,
            )
        return self._capture(cmd)
