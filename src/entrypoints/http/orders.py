"""Order routes: an order and its cancellation for shoppers; listing and capture for operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, status
from pydantic import BaseModel, Field

from commerce_core.app import Commerce
from commerce_core.ordering.model import OrderStatus
from commerce_core.payment.commands import CapturePayment, RefundPayment
from commerce_core.payment.model import Refund
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import PrincipalDep, ShopperDep, permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas import CancelRequest, OrderOut, OrderSummary
from entrypoints.http.schemas.common import MAX_OFFSET, MoneyOut, PositiveMoneyIn, RequestBody

router = APIRouter(prefix="/orders", tags=["orders"])
admin = APIRouter(prefix="/orders", tags=["orders admin"])


def _order_out(commerce: Commerce, order_id: str) -> OrderOut:
    order = commerce.orders.get(order_id)
    return OrderOut.of(order, commerce.payments.for_order(order.id))


@router.get("/{order_id}", summary="An order, for its customer or the holder of its cart's token")
def get_order(order_id: str, commerce: CommerceDep, shopper: ShopperDep) -> OrderOut:
    shopper.order(commerce, order_id)
    return _order_out(commerce, order_id)


@router.post("/{order_id}/cancel",
             summary="Cancel before shipping; reserved stock and held money are given back")
def cancel_order(
    order_id: str, commerce: CommerceDep, request_id: RequestIdDep, shopper: ShopperDep,
    body: CancelRequest | None = None,
) -> OrderOut:
    shopper.order(commerce, order_id)
    commerce.handle((body or CancelRequest()).to_command(order_id), correlation_id=request_id)
    return _order_out(commerce, order_id)


@admin.get("/{order_id}", summary="Any order, for staff",
           dependencies=[permit(Permission.ORDERS_READ)])
def admin_get_order(order_id: str, commerce: CommerceDep) -> OrderOut:
    return _order_out(commerce, order_id)


@admin.post("/{order_id}/cancel", summary="Cancel any order before shipping, for staff",
            dependencies=[permit(Permission.ORDERS_CANCEL)])
def admin_cancel_order(
    order_id: str, commerce: CommerceDep, request_id: RequestIdDep, staff: PrincipalDep,
    body: CancelRequest | None = None,
) -> OrderOut:
    request = body or CancelRequest()
    commerce.handle(request.to_command(order_id, changed_by=staff.subject or "staff"),
                    correlation_id=request_id)
    return _order_out(commerce, order_id)


@admin.get("", summary="Orders, newest first", dependencies=[permit(Permission.ORDERS_READ)])
def list_orders(
    commerce: CommerceDep,
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[OrderSummary]:
    orders = commerce.orders.list(status=status.value if status else None, limit=limit,
                                  offset=offset)
    return [OrderSummary.of(order) for order in orders]


class NewRefund(RequestBody):
    amount: PositiveMoneyIn | None = Field(
        default=None, description="Leave out to refund everything still refundable")
    reason: str = Field(default="", max_length=500)


class RefundOut(BaseModel):
    id: str
    payment_id: str
    amount: MoneyOut
    status: str
    reason: str
    reference: str | None
    decline_code: str | None

    @classmethod
    def of(cls, refund: Refund) -> RefundOut:
        return cls(id=refund.id, payment_id=refund.payment_id, amount=MoneyOut.of(refund.amount),
                   status=refund.status.value, reason=refund.reason, reference=refund.reference,
                   decline_code=refund.decline_code)


RefundKey = Annotated[str, Header(
    alias="Idempotency-Key", min_length=1, max_length=255,
    description="Names this refund: a retry with the same key never refunds twice")]


@admin.post("/{order_id}/refunds", status_code=status.HTTP_201_CREATED,
            summary="Refund part or all of a captured payment (never more than was captured)",
            dependencies=[permit(Permission.PAYMENTS_REFUND)])
def refund_payment(order_id: str, body: NewRefund, idempotency_key: RefundKey,
                   commerce: CommerceDep, request_id: RequestIdDep,
                   principal: PrincipalDep) -> RefundOut:
    refund_id = commerce.handle(RefundPayment(
        order_id, idempotency_key, body.amount.to_money() if body.amount else None,
        body.reason, principal.refund_limit), correlation_id=request_id)
    return next(RefundOut.of(r) for r in commerce.payments.refunds(order_id) if r.id == refund_id)


@admin.get("/{order_id}/refunds", summary="The refunds of an order, oldest first",
           dependencies=[permit(Permission.PAYMENTS_READ)])
def list_refunds(order_id: str, commerce: CommerceDep) -> list[RefundOut]:
    commerce.orders.get(order_id)  # an unknown order is a 404, not an empty list
    return [RefundOut.of(r) for r in commerce.payments.refunds(order_id)]


@admin.post("/{order_id}/capture", summary="Take the authorized payment of a confirmed order",
            dependencies=[permit(Permission.PAYMENTS_CAPTURE)])
def capture_payment(order_id: str, commerce: CommerceDep, request_id: RequestIdDep) -> OrderOut:
    commerce.handle(CapturePayment(order_id), correlation_id=request_id)
    return _order_out(commerce, order_id)
