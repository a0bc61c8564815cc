"""Fraud routes for operators: the review queue, the staff decision, an order's risk.

Approving lets the order's capture proceed (`POST /admin/orders/{id}/capture`); rejecting
cancels the order, which voids its authorization and releases its stock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from commerce_core.fraud.model import RiskAssessment
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.schemas.common import MAX_OFFSET, MoneyOut, RequestBody

admin = APIRouter(tags=["fraud admin"])


class SignalOut(BaseModel):
    name: str
    points: int
    explanation: str
    available: bool = Field(description="False: the signal could not tell (no points)")


class AssessmentOut(BaseModel):
    id: str
    order_id: str
    checkout_id: str
    amount: MoneyOut
    score: int = Field(description="0-100, capped")
    decision: str = Field(description="allow, review or block")
    review: str = Field(description="none, pending, approved or rejected")
    reviewed_by: str | None
    review_note: str | None
    signals: list[SignalOut]
    explanation: list[str]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, a: RiskAssessment) -> AssessmentOut:
        return cls(
            id=a.id, order_id=a.order_id, checkout_id=a.checkout_id,
            amount=MoneyOut.of(a.amount), score=a.score, decision=a.decision.value,
            review=a.review.value, reviewed_by=a.reviewed_by, review_note=a.review_note,
            signals=[SignalOut(name=s.name, points=s.points, explanation=s.explanation,
                               available=s.available) for s in a.signals],
            explanation=a.explain(), created_at=a.created_at, updated_at=a.updated_at,
        )


class ReviewDecision(RequestBody):
    reviewed_by: str = Field("operator", min_length=1, max_length=100)
    note: str = Field("", max_length=1000)


@admin.get("/fraud/reviews", summary="Orders waiting for a risk review, oldest first",
           dependencies=[permit(Permission.FRAUD_READ)])
def list_reviews(
    commerce: CommerceDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[AssessmentOut]:
    return [AssessmentOut.of(a) for a in commerce.fraud.reviews(limit=limit, offset=offset)]


@admin.post("/fraud/reviews/{order_id}/approve",
            summary="Approve an order under review: its capture may proceed",
            dependencies=[permit(Permission.FRAUD_REVIEW)])
def approve_review(order_id: str, commerce: CommerceDep,
                   body: ReviewDecision | None = None) -> AssessmentOut:
    decision = body or ReviewDecision()
    return AssessmentOut.of(commerce.fraud.approve(
        order_id, reviewed_by=decision.reviewed_by, note=decision.note))


@admin.post("/fraud/reviews/{order_id}/reject",
            summary="Reject an order under review: it is cancelled, its authorization "
                    "voided and its stock released",
            dependencies=[permit(Permission.FRAUD_REVIEW)])
def reject_review(order_id: str, commerce: CommerceDep,
                  body: ReviewDecision | None = None) -> AssessmentOut:
    decision = body or ReviewDecision()
    return AssessmentOut.of(commerce.fraud.reject(
        order_id, reviewed_by=decision.reviewed_by, note=decision.note))


@admin.get("/orders/{order_id}/risk",
           summary="The order's risk assessment: score, decision, every signal and why",
           dependencies=[permit(Permission.FRAUD_READ)])
def order_risk(order_id: str, commerce: CommerceDep) -> AssessmentOut:
    return AssessmentOut.of(commerce.fraud.assessment(order_id))
