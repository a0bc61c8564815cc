"""Order routes: an order and its cancellation for shoppers; listing and capture for operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from commerce_core.app import Commerce
from commerce_core.ordering.model import OrderStatus
from commerce_core.payment.commands import CapturePayment
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas import CancelRequest, OrderOut, OrderSummary
from entrypoints.http.schemas.common import MAX_OFFSET

router = APIRouter(prefix="/orders", tags=["orders"])
admin = APIRouter(prefix="/orders", tags=["orders admin"])


def _order_out(commerce: Commerce, order_id: str) -> OrderOut:
    order = commerce.orders.get(order_id)
    return OrderOut.of(order, commerce.payments.for_order(order.id))


@router.get("/{order_id}")
def get_order(order_id: str, commerce: CommerceDep) -> OrderOut:
    return _order_out(commerce, order_id)


@router.post("/{order_id}/cancel",
             summary="Cancel before shipping; reserved stock and held money are given back")
def cancel_order(
    order_id: str, commerce: CommerceDep, request_id: RequestIdDep,
    body: CancelRequest | None = None,
) -> OrderOut:
    commerce.handle((body or CancelRequest()).to_command(order_id), correlation_id=request_id)
    return _order_out(commerce, order_id)


@admin.get("", summary="Orders, newest first")
def list_orders(
    commerce: CommerceDep,
    status: OrderStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[OrderSummary]:
    orders = commerce.orders.list(status=status.value if status else None, limit=limit,
                                  offset=offset)
    return [OrderSummary.of(order) for order in orders]


@admin.post("/{order_id}/capture", summary="Take the authorized payment of a confirmed order")
def capture_payment(order_id: str, commerce: CommerceDep, request_id: RequestIdDep) -> OrderOut:
    commerce.handle(CapturePayment(order_id), correlation_id=request_id)
    return _order_out(commerce, order_id)
