"""Return routes: a shopper asks to return units of a delivered order and follows the return;
staff approve, reject, receive, inspect, complete and retry refunds under `/admin/returns`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from commerce_core.app import Commerce
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.returns.commands import (
    ApproveReturn,
    CancelReturn,
    CompleteReturn,
    InspectReturn,
    ItemInspection,
    MarkReturnInTransit,
    ReceiveReturn,
    RejectReturn,
    RequestReturn,
    RetryReturnRefund,
    ReturnLine,
)
from commerce_core.returns.errors import ReturnNotFound
from commerce_core.returns.model import Return, ReturnStatus
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import PrincipalDep, ShopperDep, permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas.common import (
    MAX_OFFSET,
    Integral,
    MoneyOut,
    Quantity,
    RequestBody,
    Sku,
)

router = APIRouter(tags=["returns"])
admin = APIRouter(prefix="/returns", tags=["returns admin"])

Id = Annotated[str, Field(min_length=1, max_length=64)]
Text = Annotated[str, Field(max_length=1000)]
ReasonCode = Literal["defective", "wrong_item", "not_as_described", "changed_mind", "damaged",
                     "other"]
ConditionCode = Literal["new", "like_new", "good", "fair", "poor", "used", "damaged",
                        "defective"]
DispositionCode = Literal["restock", "quarantine", "destroy", "return_to_customer"]


class ReturnLineIn(RequestBody):
    order_item_id: Id = Field(description="The order line's id (`lines[].id` of the order)")
    quantity: Quantity
    condition: ConditionCode | None = None


class NewReturn(RequestBody):
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=100)
    reason: ReasonCode
    description: Text = ""
    exchange_sku: Sku | None = Field(
        default=None, description="Another variant of the same product instead of a refund")


class Rejection(RequestBody):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class Cancellation(RequestBody):
    reason: Annotated[str, Field(min_length=1, max_length=500)] = "customer_cancelled"


class Approval(RequestBody):
    refund_instead: bool = Field(
        default=False, description="The exchange's replacement is out of stock: refund instead")


class Receipt(RequestBody):
    quantities: dict[Id, Annotated[int, Field(strict=True, ge=0, le=999), Integral]] = Field(
        default_factory=dict, max_length=100,
        description="Units received per return item id; empty: every unit asked for")


class ItemInspectionIn(RequestBody):
    item_id: Id
    accepted: Annotated[int, Field(strict=True, ge=0, le=999), Integral]
    condition: ConditionCode
    disposition: DispositionCode
    notes: Text = ""


class InspectionIn(RequestBody):
    results: list[ItemInspectionIn] = Field(
        default_factory=list, max_length=100,
        description="Items not named are quarantined with every received unit accepted")


class ReturnItemOut(BaseModel):
    id: str
    order_item_id: str
    sku: str
    name: str
    quantity: int
    quantity_received: int
    quantity_accepted: int
    quantity_restocked: int
    unit_price: MoneyOut
    condition: str | None
    disposition: str | None
    warehouse_id: str


class RefundOut(BaseModel):
    items: MoneyOut
    tax: MoneyOut
    shipping: MoneyOut
    promotion: MoneyOut
    restocking_fee: MoneyOut
    return_shipping_fee: MoneyOut
    exchange_credit: MoneyOut
    total: MoneyOut


class StatusChangeOut(BaseModel):
    from_status: str | None
    to_status: str
    changed_by: str
    reason: str
    changed_at: datetime


class ExchangeOut(BaseModel):
    sku: str
    quantity: int
    unit_price: MoneyOut
    price_difference: MoneyOut = Field(description="Positive: owed by the customer; "
                                                   "negative: given back")
    order_id: str | None


class ReturnOut(BaseModel):
    id: str
    number: str
    order_id: str
    status: str
    return_type: str
    reason: str
    description: str
    items: list[ReturnItemOut]
    refund: RefundOut
    refund_state: str
    refund_id: str | None
    risk_score: int
    tracking_number: str | None
    label_carrier: str | None
    label_url: str | None
    exchange: ExchangeOut | None
    history: list[StatusChangeOut]
    created_at: datetime

    @classmethod
    def of(cls, ret: Return) -> ReturnOut:
        m = MoneyOut.of
        r = ret.refund
        swap = ret.exchange
        return cls(
            id=ret.id, number=ret.number, order_id=ret.order_id, status=ret.status.value,
            return_type=ret.return_type.value, reason=ret.reason.value,
            description=ret.description,
            items=[ReturnItemOut(
                id=i.id, order_item_id=i.order_item_id, sku=i.sku, name=i.name,
                quantity=i.quantity, quantity_received=i.quantity_received,
                quantity_accepted=i.quantity_accepted, quantity_restocked=i.quantity_restocked,
                unit_price=m(i.unit_price), condition=i.condition, disposition=i.disposition,
                warehouse_id=i.warehouse_id) for i in ret.items],
            refund=RefundOut(items=m(r.items), tax=m(r.tax), shipping=m(r.shipping),
                             promotion=m(r.promotion), restocking_fee=m(r.restocking_fee),
                             return_shipping_fee=m(r.return_shipping_fee),
                             exchange_credit=m(r.exchange_credit), total=m(r.total)),
            refund_state=ret.refund_state.value, refund_id=ret.refund_id,
            risk_score=ret.risk_score, tracking_number=ret.tracking_number,
            label_carrier=ret.label_carrier, label_url=ret.label_url,
            exchange=(ExchangeOut(sku=swap.sku, quantity=swap.quantity,
                                  unit_price=m(swap.unit_price),
                                  price_difference=m(swap.price_difference),
                                  order_id=swap.order_id) if swap else None),
            history=[StatusChangeOut(from_status=h.from_status, to_status=h.to_status,
                                     changed_by=h.changed_by, reason=h.reason,
                                     changed_at=h.changed_at) for h in ret.history],
            created_at=ret.created_at)


def _reached(commerce: Commerce, shopper: ShopperDep, return_id: str) -> Return:
    """The return, when the shopper reaches its order; else the unknown return's 404."""
    ret = commerce.returns.get(return_id)
    try:
        shopper.order(commerce, ret.order_id)
    except OrderNotFound:
        raise ReturnNotFound(f"return {return_id} not found", id=return_id) from None
    return ret


# -- shoppers ----------------------------------------------------------------------------------
@router.post("/orders/{order_id}/returns", status_code=status.HTTP_201_CREATED,
             summary="Ask to return units of a delivered order (its customer or cart token)")
def request_return(order_id: str, body: NewReturn, commerce: CommerceDep,
                   request_id: RequestIdDep, shopper: ShopperDep) -> ReturnOut:
    order = shopper.order(commerce, order_id)
    customer_id = shopper.principal.customer_id
    return_id = commerce.handle(RequestReturn(
        order.id,
        tuple(ReturnLine(ln.order_item_id, ln.quantity, ln.condition) for ln in body.lines),
        body.reason, body.description,
        customer_id=customer_id if shopper.principal.owns(order.customer_id) else None,
        guest=not shopper.principal.owns(order.customer_id),
        exchange_sku=body.exchange_sku), correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(str(return_id)))


@router.get("/orders/{order_id}/returns", summary="The returns of an order, oldest first")
def order_returns(order_id: str, commerce: CommerceDep, shopper: ShopperDep) -> list[ReturnOut]:
    shopper.order(commerce, order_id)
    return [ReturnOut.of(r) for r in commerce.returns.for_order(order_id)]


@router.get("/returns/{return_id}", summary="A return, for its order's customer or token")
def get_return(return_id: str, commerce: CommerceDep, shopper: ShopperDep) -> ReturnOut:
    return ReturnOut.of(_reached(commerce, shopper, return_id))


@router.post("/returns/{return_id}/cancel", summary="Withdraw a pending or approved return")
def cancel_return(return_id: str, commerce: CommerceDep, request_id: RequestIdDep,
                  shopper: ShopperDep, body: Cancellation | None = None) -> ReturnOut:
    _reached(commerce, shopper, return_id)
    commerce.handle(CancelReturn(return_id, (body or Cancellation()).reason, "customer"),
                    correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))


# -- staff -------------------------------------------------------------------------------------
@admin.get("", summary="Returns, newest first", dependencies=[permit(Permission.RETURNS_READ)])
def list_returns(
    commerce: CommerceDep, status: ReturnStatus | None = None,
    order_id: Annotated[str | None, Query(max_length=64)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[ReturnOut]:
    return [ReturnOut.of(r) for r in commerce.returns.list(
        status=status.value if status else None, order_id=order_id, customer_id=customer_id,
        limit=limit, offset=offset)]


@admin.get("/{return_id}", summary="Any return", dependencies=[permit(Permission.RETURNS_READ)])
def admin_get_return(return_id: str, commerce: CommerceDep) -> ReturnOut:
    return ReturnOut.of(commerce.returns.get(return_id))


def _by(staff: PrincipalDep) -> str:
    return staff.subject or "staff"


@admin.post("/{return_id}/approve", summary="Approve: the label is booked once",
            dependencies=[permit(Permission.RETURNS_MANAGE)])
def approve_return(return_id: str, commerce: CommerceDep, request_id: RequestIdDep,
                   staff: PrincipalDep, body: Approval | None = None) -> ReturnOut:
    commerce.handle(ApproveReturn(return_id, _by(staff), (body or Approval()).refund_instead),
                    correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))


@admin.post("/{return_id}/reject", dependencies=[permit(Permission.RETURNS_MANAGE)])
def reject_return(return_id: str, body: Rejection, commerce: CommerceDep,
                  request_id: RequestIdDep, staff: PrincipalDep) -> ReturnOut:
    commerce.handle(RejectReturn(return_id, body.reason, _by(staff)), correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))


@admin.post("/{return_id}/cancel", dependencies=[permit(Permission.RETURNS_MANAGE)])
def admin_cancel_return(return_id: str, commerce: CommerceDep, request_id: RequestIdDep,
                        staff: PrincipalDep, body: Cancellation | None = None) -> ReturnOut:
    commerce.handle(CancelReturn(return_id, (body or Cancellation()).reason, _by(staff)),
                    correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))


@admin.post("/{return_id}/in-transit", summary="The carrier picked the parcel up",
            dependencies=[permit(Permission.RETURNS_MANAGE)])
def return_in_transit(return_id: str, commerce: CommerceDep,
                      request_id: RequestIdDep) -> ReturnOut:
    commerce.handle(MarkReturnInTransit(return_id), correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))


@admin.post("/{return_id}/receive", summary="Units arrived at the warehouse",
            dependencies=[permit(Permission.RETURNS_MANAGE)])
def receive_return(return_id: str, commerce: CommerceDep, request_id: RequestIdDep,
                   staff: PrincipalDep, body: Receipt | None = None) -> ReturnOut:
    commerce.handle(ReceiveReturn(return_id, dict((body or Receipt()).quantities), _by(staff)),
                    correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))


@admin.post("/{return_id}/inspect", summary="Accepted units, condition and disposition per item",
            dependencies=[permit(Permission.RETURNS_MANAGE)])
def inspect_return(return_id: str, commerce: CommerceDep, request_id: RequestIdDep,
                   staff: PrincipalDep, body: InspectionIn | None = None) -> ReturnOut:
    results = tuple(ItemInspection(r.item_id, r.accepted, r.condition, r.disposition, r.notes)
                    for r in (body or InspectionIn()).results)
    commerce.handle(InspectReturn(return_id, results, _by(staff)), correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))


@admin.post("/{return_id}/complete",
            summary="Restock and announce; the refund follows (within the caller's refund "
                    "ceiling)",
            dependencies=[permit(Permission.RETURNS_MANAGE)])
def complete_return(return_id: str, commerce: CommerceDep, request_id: RequestIdDep,
                    staff: PrincipalDep) -> ReturnOut:
    commerce.handle(CompleteReturn(return_id, _by(staff), staff.refund_limit),
                    correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))


@admin.post("/{return_id}/refund-retry",
            summary="Ask a failed refund again under the same key (within the caller's "
                    "refund ceiling)",
            dependencies=[permit(Permission.RETURNS_MANAGE)])
def retry_return_refund(return_id: str, commerce: CommerceDep, request_id: RequestIdDep,
                        staff: PrincipalDep) -> ReturnOut:
    commerce.handle(RetryReturnRefund(return_id, staff.refund_limit),
                    correlation_id=request_id)
    return ReturnOut.of(commerce.returns.get(return_id))
