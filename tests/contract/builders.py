"""Aggregates with sane defaults for the contract suites; each test names only what matters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import attrs
from attrs import AttrsInstance

from commerce_core.cart.model import Cart
from commerce_core.catalog.model import Category, Product, Variant
from commerce_core.checkout.model import CheckoutLine, CheckoutSaga
from commerce_core.inventory.model import Reservation, Warehouse
from commerce_core.ordering.model import Order, OrderLine, Totals, order_number
from commerce_core.payment.model import Payment
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.money import Money, total
from tests.contract.conftest import Store

SHIRT = "LINEN-SHIRT-M"
MUG = "RETRO-MUG"


def state(aggregate: AttrsInstance) -> dict[str, Any]:
    """Everything an aggregate holds except the events it has not handed over yet."""
    return attrs.asdict(aggregate, filter=lambda attribute, _: attribute.name != "events")


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


def product(
    store: Store,
    *,
    skus: Sequence[str] = (SHIRT,),
    slug: str = "linen-shirt",
    category_ids: Sequence[str] = (),
    publish: bool = False,
) -> Product:
    return Product.create(
        product_id=store.ids.new_id(),
        slug=slug,
        name="Linen shirt",
        description="Breathable, for Saigon afternoons.",
        variants=[
            Variant(sku, f"Size {sku[-1]}", vnd(350_000 + 1000 * i), {"size": sku[-1]}, 240)
            for i, sku in enumerate(skus)
        ],
        category_ids=list(category_ids),
        attributes={"material": "linen", "origin": "Đà Lạt"},
        publish=publish,
        now=store.clock.now(),
    )


def category(store: Store, *, slug: str = "shirts", parent_id: str | None = None) -> Category:
    return Category.create(
        category_id=store.ids.new_id(), slug=slug, name=slug.title(), parent_id=parent_id,
        now=store.clock.now(),
    )


def warehouse(store: Store, *, code: str = "HCM", is_default: bool = False) -> Warehouse:
    return Warehouse.create(
        warehouse_id=store.ids.new_id(), code=code, name=f"{code} warehouse",
        is_default=is_default, now=store.clock.now(),
    )


def reservation(
    store: Store,
    *,
    sku: str = SHIRT,
    warehouse_id: str = "warehouse-1",
    quantity: int = 2,
    reference: str = "checkout-1",
    ttl: timedelta = timedelta(minutes=30),
) -> Reservation:
    now = store.clock.now()
    return Reservation.hold(
        reservation_id=store.ids.new_id(), sku=sku, warehouse_id=warehouse_id,
        quantity=quantity, reference=reference, expires_at=now + ttl, now=now,
    )


def cart(
    store: Store,
    *,
    lines: Sequence[tuple[str, int]] = ((SHIRT, 2),),
    customer_id: str | None = None,
) -> Cart:
    now = store.clock.now()
    result = Cart.open(cart_id=store.ids.new_id(), currency="VND", customer_id=customer_id,
                       now=now)
    for i, (sku, quantity) in enumerate(lines):
        result.add_item(
            line_id=store.ids.new_id(), sku=sku, product_id=f"product-{sku}", name=sku.title(),
            unit_price=vnd(100_000 * (i + 1)), quantity=quantity,
            warehouse_id="warehouse-1" if i % 2 else None, now=now,
        )
    return result


def saga(
    store: Store,
    *,
    key: str = "idempotency-1",
    cart_id: str = "cart-1",
    lines: Sequence[tuple[str, int]] = ((SHIRT, 2), (MUG, 1)),
    lease: timedelta = timedelta(seconds=30),
) -> CheckoutSaga:
    checkout_lines = [
        CheckoutLine(sku, f"product-{sku}", sku.title(), quantity, vnd(89_000 * (i + 1)),
                     None if i % 2 else "warehouse-1")
        for i, (sku, quantity) in enumerate(lines)
    ]
    started = CheckoutSaga.start(
        saga_id=store.ids.new_id(), idempotency_key=key, request_hash="hash-" + key,
        cart_id=cart_id, customer_id="customer-1", email="lan@example.vn", payment_method="card",
        currency="VND", lines=checkout_lines,
        total=total([line.line_total for line in checkout_lines], "VND"),
        now=store.clock.now(), lease=lease,
    )
    started.order_created("order-1", "payment-1", ["r-2", "r-1"])
    return started


def order(
    store: Store,
    *,
    checkout_id: str = "checkout-1",
    customer_id: str | None = "customer-1",
    lines: Sequence[tuple[str, int]] = ((SHIRT, 2), (MUG, 1)),
) -> Order:
    now = store.clock.now()
    order_id = store.ids.new_id()
    order_lines = [
        OrderLine(store.ids.new_id(), sku, f"product-{sku}", sku.title(), quantity,
                  vnd(75_000 * (i + 1)), vnd(75_000 * (i + 1) * quantity), "warehouse-1",
                  f"reservation-{i}")
        for i, (sku, quantity) in enumerate(lines)
    ]
    subtotal = total([line.line_total for line in order_lines], "VND")
    return Order.place(
        order_id=order_id, number=order_number(order_id, now), checkout_id=checkout_id,
        cart_id="cart-1", customer_id=customer_id, email="lan@example.vn", currency="VND",
        lines=order_lines,
        totals=Totals(subtotal, vnd(10_000), vnd(30_000), vnd(5_000),
                      subtotal - vnd(10_000) + vnd(30_000) + vnd(5_000)),
        payment_method="cod", payment_id=None, now=now,
    )


def payment(store: Store, *, order_id: str = "order-1") -> Payment:
    payment_id = store.ids.new_id()
    return Payment.start(
        payment_id=payment_id, order_id=order_id, amount=vnd(740_000), method="card",
        gateway="fake", idempotency_key=f"checkout:{payment_id}:auth", now=store.clock.now(),
    )


def envelope(store: Store, *, event_type: str = "test.happened", aggregate_id: str = "a-1",
             correlation_id: str | None = "corr-1") -> EventEnvelope:
    return EventEnvelope(
        id=store.ids.new_id(), type=event_type, version=2, occurred_at=store.clock.now(),
        aggregate_id=aggregate_id,
        payload={"sku": SHIRT, "total": {"amount": 350_000, "currency": "VND"},
                 "lines": [1, 2.5, None, True], "note": "Giao hàng nhanh"},
        correlation_id=correlation_id, causation_id=None if correlation_id is None else "cause-1",
    )
