"""Payment routes for operators: an order's payments with their ledger, captures (whole or in
parts) and the release of what is left of a hold. Refunds stay under `/admin/orders/{id}/refunds`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from commerce_core.checkout.commands import ConfirmBankTransfer
from commerce_core.payment.commands import (
    CapturePayment,
    CloseDispute,
    RecordCollection,
    RecordCollectionFailed,
    VoidPayment,
)
from commerce_core.payment.model import Dispute, Payment, PaymentTransaction
from commerce_core.shared.money import Money
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas.common import MoneyIn, MoneyOut, PositiveMoneyIn, RequestBody

admin = APIRouter(tags=["payments admin"])


class TransactionOut(BaseModel):
    kind: str = Field(description="authorize, capture, void, refund, expire or dispute")
    status: str = Field(description="succeeded or failed")
    amount: MoneyOut
    reference: str | None = Field(description="The gateway's name for this movement")
    refund_id: str | None
    failure_code: str | None
    created_at: datetime

    @classmethod
    def of(cls, entry: PaymentTransaction) -> TransactionOut:
        return cls(kind=entry.kind.value, status=entry.status.value,
                   amount=MoneyOut.of(entry.amount), reference=entry.reference,
                   refund_id=entry.refund_id, failure_code=entry.failure_code,
                   created_at=entry.created_at)


class DisputeOut(BaseModel):
    id: str = Field(description="The gateway's name for the chargeback")
    amount: MoneyOut
    reason: str
    status: str = Field(description="open, won or lost (lost counts as refunded)")
    opened_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, dispute: Dispute) -> DisputeOut:
        return cls(id=dispute.id, amount=MoneyOut.of(dispute.amount), reason=dispute.reason,
                   status=dispute.status.value, opened_at=dispute.opened_at,
                   closed_at=dispute.closed_at)


class PaymentDetail(BaseModel):
    id: str
    order_id: str
    status: str
    method: str
    gateway: str
    authorized: MoneyOut
    captured: MoneyOut
    refunded: MoneyOut = Field(description="Asked for and given back so far")
    capturable: MoneyOut
    refundable: MoneyOut
    capture_pending: MoneyOut | None = Field(
        description="A capture the gateway did not answer, asked again by the retry job")
    capture_retry_at: datetime | None
    failure_code: str | None
    created_at: datetime
    updated_at: datetime
    ledger: list[TransactionOut] = Field(description="Append-only, oldest first")
    disputes: list[DisputeOut] = Field(default_factory=list,
                                       description="Chargebacks, oldest first")

    @classmethod
    def of(cls, payment: Payment) -> PaymentDetail:
        currency = payment.amount.currency

        def money(amount: int) -> MoneyOut:
            return MoneyOut.of(Money(amount, currency))

        return cls(
            id=payment.id, order_id=payment.order_id, status=payment.status.value,
            method=payment.method, gateway=payment.gateway,
            authorized=MoneyOut.of(payment.amount), captured=money(payment.captured_amount),
            refunded=money(payment.refunded_amount), capturable=MoneyOut.of(payment.capturable),
            refundable=MoneyOut.of(payment.refundable),
            capture_pending=money(payment.capture_pending) if payment.capture_pending else None,
            capture_retry_at=payment.capture_retry_at, failure_code=payment.failure_code,
            created_at=payment.created_at, updated_at=payment.updated_at,
            ledger=[TransactionOut.of(t) for t in payment.transactions],
            disputes=[DisputeOut.of(d) for d in payment.disputes])


class CaptureRequest(RequestBody):
    amount: PositiveMoneyIn | None = Field(
        default=None, description="Leave out to capture all that is left of the authorization")
    final: bool = Field(
        default=True, description="false keeps the rest capturable (shipping in parts), where "
                                  "the gateway captures in parts; true releases the rest")


class CollectionRequest(RequestBody):
    collected: MoneyIn = Field(description="What the courier collected at the door")


class CollectionFailedRequest(RequestBody):
    reason: str = Field(default="not_collected", min_length=1, max_length=500)


class TransferReceived(RequestBody):
    amount: PositiveMoneyIn = Field(description="What arrived at the shop's bank")


class TransferOutcome(BaseModel):
    outcome: str = Field(description="confirmed, or already_settled for a repeat")


class VoidRequest(RequestBody):
    reason: str = Field(default="", max_length=500)


@admin.get("/orders/{order_id}/payments", dependencies=[permit(Permission.PAYMENTS_READ)],
           summary="An order's payments, each with its ledger, oldest first")
def order_payments(order_id: str, commerce: CommerceDep) -> list[PaymentDetail]:
    commerce.orders.get(order_id)  # an unknown order is a 404, not an empty list
    return [PaymentDetail.of(p) for p in commerce.payments.for_order(order_id)]


@admin.get("/payments/{payment_id}",
           dependencies=[permit(Permission.PAYMENTS_READ)],
           summary="A payment with its ledger")
def get_payment(payment_id: str, commerce: CommerceDep) -> PaymentDetail:
    return PaymentDetail.of(commerce.payments.get(payment_id))


@admin.post("/orders/{order_id}/payments/capture",
            dependencies=[permit(Permission.PAYMENTS_CAPTURE)],
            summary="Capture all or part of the order's authorization")
def capture(order_id: str, commerce: CommerceDep, request_id: RequestIdDep,
            body: CaptureRequest | None = None) -> PaymentDetail:
    asked = body or CaptureRequest()
    payment_id = commerce.handle(
        CapturePayment(order_id, asked.amount.to_money() if asked.amount else None, asked.final),
        correlation_id=request_id)
    return PaymentDetail.of(commerce.payments.get(str(payment_id)))


@admin.post("/orders/{order_id}/payments/void", dependencies=[permit(Permission.PAYMENTS_VOID)],
            summary="Release what is left of the order's authorization")
def void(order_id: str, commerce: CommerceDep, request_id: RequestIdDep,
         body: VoidRequest | None = None) -> PaymentDetail:
    payment_id = commerce.handle(VoidPayment(order_id, (body or VoidRequest()).reason),
                                 correlation_id=request_id)
    return PaymentDetail.of(commerce.payments.get(str(payment_id)))


@admin.post("/orders/{order_id}/payments/collection",
            dependencies=[permit(Permission.PAYMENTS_CAPTURE)],
            summary="Cash on delivery: what the courier collected (captured; a difference is "
                    "flagged)")
def record_collection(order_id: str, body: CollectionRequest, commerce: CommerceDep,
                      request_id: RequestIdDep) -> PaymentDetail:
    payment_id = commerce.handle(RecordCollection(order_id, body.collected.to_money()),
                                 correlation_id=request_id)
    return PaymentDetail.of(commerce.payments.get(str(payment_id)))


@admin.post("/orders/{order_id}/payments/collection-failed",
            dependencies=[permit(Permission.PAYMENTS_CAPTURE)],
            summary="Cash on delivery: nobody paid the courier (the payment fails)")
def record_collection_failed(order_id: str, commerce: CommerceDep, request_id: RequestIdDep,
                             body: CollectionFailedRequest | None = None) -> PaymentDetail:
    payment_id = commerce.handle(
        RecordCollectionFailed(order_id, (body or CollectionFailedRequest()).reason),
        correlation_id=request_id)
    return PaymentDetail.of(commerce.payments.get(str(payment_id)))


@admin.post("/bank-transfers/{reference}/confirm",
            dependencies=[permit(Permission.PAYMENTS_CAPTURE)],
            summary="A bank transfer arrived: its order is confirmed (once)")
def confirm_transfer(reference: str, body: TransferReceived, commerce: CommerceDep,
                     request_id: RequestIdDep) -> TransferOutcome:
    outcome = commerce.handle(ConfirmBankTransfer(reference, body.amount.to_money()),
                              correlation_id=request_id)
    return TransferOutcome(outcome=str(outcome))


class DisputeDecision(RequestBody):
    outcome: Literal["won", "lost"] = Field(
        description="won: the shop keeps the money; lost: it went back to the cardholder")


@admin.post("/payments/{payment_id}/disputes/{dispute_id}/close",
            dependencies=[permit(Permission.PAYMENTS_REFUND)],
            summary="Record how a chargeback was decided (once; a lost one counts as refunded)")
def close_dispute(payment_id: str, dispute_id: str, body: DisputeDecision,
                  commerce: CommerceDep, request_id: RequestIdDep) -> PaymentDetail:
    commerce.handle(CloseDispute(payment_id, dispute_id, body.outcome),
                    correlation_id=request_id)
    return PaymentDetail.of(commerce.payments.get(payment_id))
