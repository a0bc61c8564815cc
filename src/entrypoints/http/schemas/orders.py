"""Order bodies: an order with lines, totals, payments and history; operator summaries."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from commerce_core.ordering.commands import CancelOrder
from commerce_core.ordering.model import Order, OrderLine, StatusChange
from commerce_core.payment.model import Payment
from entrypoints.http.schemas.common import MoneyOut, RequestBody


class CancelRequest(RequestBody):
    reason: str = Field("customer_request", min_length=1, max_length=200)

    def to_command(self, order_id: str, changed_by: str = "customer") -> CancelOrder:
        return CancelOrder(order_id, self.reason, changed_by=changed_by)


class LinePartOut(BaseModel):
    warehouse_id: str
    reservation_id: str
    quantity: int


class OrderLineOut(BaseModel):
    id: str
    sku: str
    product_id: str
    name: str
    quantity: int
    unit_price: MoneyOut
    line_total: MoneyOut
    warehouse_id: str = Field(description="The warehouse shipping most of the line")
    reservation_id: str
    parts: list[LinePartOut] = Field(
        description="What each warehouse ships of the line (one part unless it was split)")

    @classmethod
    def of(cls, line: OrderLine) -> OrderLineOut:
        return cls(
            id=line.id, sku=line.sku, product_id=line.product_id, name=line.name,
            quantity=line.quantity, unit_price=MoneyOut.of(line.unit_price),
            line_total=MoneyOut.of(line.line_total), warehouse_id=line.warehouse_id,
            reservation_id=line.reservation_id,
            parts=[LinePartOut(warehouse_id=p.warehouse_id, reservation_id=p.reservation_id,
                               quantity=p.quantity) for p in line.parts],
        )


class TotalsOut(BaseModel):
    subtotal: MoneyOut
    discount: MoneyOut
    shipping: MoneyOut
    tax: MoneyOut
    total: MoneyOut


class StatusChangeOut(BaseModel):
    from_status: str | None
    to_status: str
    reason: str
    changed_by: str
    changed_at: datetime

    @classmethod
    def of(cls, change: StatusChange) -> StatusChangeOut:
        return cls(
            from_status=change.from_status.value if change.from_status else None,
            to_status=change.to_status.value, reason=change.reason,
            changed_by=change.changed_by, changed_at=change.changed_at,
        )


class PaymentOut(BaseModel):
    id: str
    status: str
    method: str
    amount: MoneyOut
    gateway: str
    failure_code: str | None

    @classmethod
    def of(cls, payment: Payment) -> PaymentOut:
        return cls(id=payment.id, status=payment.status.value, method=payment.method,
                   amount=MoneyOut.of(payment.amount), gateway=payment.gateway,
                   failure_code=payment.failure_code)


class OrderOut(BaseModel):
    id: str
    number: str
    status: str
    checkout_id: str
    currency: str
    lines: list[OrderLineOut]
    totals: TotalsOut
    payment_method: str
    payment_status: str | None = Field(
        description="Status of the payment securing the order; null until one does"
    )
    payments: list[PaymentOut] = Field(description="Every payment attempt, oldest first")
    history: list[StatusChangeOut]
    cancel_reason: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, order: Order, payments: list[Payment]) -> OrderOut:
        securing = next((p for p in payments if p.id == order.payment_id), None)
        totals = order.totals
        return cls(
            id=order.id, number=order.number, status=order.status.value,
            checkout_id=order.checkout_id, currency=order.currency,
            lines=[OrderLineOut.of(line) for line in order.lines],
            totals=TotalsOut(
                subtotal=MoneyOut.of(totals.subtotal), discount=MoneyOut.of(totals.discount),
                shipping=MoneyOut.of(totals.shipping), tax=MoneyOut.of(totals.tax),
                total=MoneyOut.of(totals.total),
            ),
            payment_method=order.payment_method,
            payment_status=securing.status.value if securing else None,
            payments=[PaymentOut.of(p) for p in payments],
            history=[StatusChangeOut.of(change) for change in order.history],
            cancel_reason=order.cancel_reason, created_at=order.created_at,
            updated_at=order.updated_at,
        )


class OrderSummary(BaseModel):
    """An order in an operator's list (who bought, how much), without lines or payments."""

    id: str
    number: str
    status: str
    customer_id: str | None
    email: str | None
    total: MoneyOut
    item_count: int
    created_at: datetime

    @classmethod
    def of(cls, order: Order) -> OrderSummary:
        return cls(
            id=order.id, number=order.number, status=order.status.value,
            customer_id=order.customer_id, email=order.email,
            total=MoneyOut.of(order.totals.total),
            item_count=sum(line.quantity for line in order.lines), created_at=order.created_at,
        )
