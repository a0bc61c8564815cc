"""Builders for tests: a shop on memory adapters with a frozen clock, and invariant checks."""

from __future__ import annotations

from collections import Counter
from typing import Any

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.app import Ports
from commerce_core.inventory.model import ReservationStatus
from commerce_core.ordering.model import OrderStatus
from commerce_core.shared.events import EventEnvelope
from tests.ledger_support import books


class SimulatedCrash(BaseException):
    """Stands for the process dying: not an `Exception`, so nothing in the core catches it."""


def make_commerce(ports: Ports | None = None, **kwargs: Any) -> Commerce:
    commerce = Commerce(
        ports or bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds()),
        **kwargs,
    )
    books.watch(commerce.ports.uow)  # the ledger's books balance once the test is over
    return commerce


def gateway_of(commerce: Commerce) -> ScriptedPaymentGateway:
    gateway = commerce.ports.gateway
    assert isinstance(gateway, ScriptedPaymentGateway)
    return gateway


def clock_of(commerce: Commerce) -> FrozenClock:
    clock = commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    return clock


SHIRT = "LINEN-SHIRT-M"
MUG = "RETRO-MUG"
LAMP = "BRASS-LAMP"


def stock_shop(commerce: Commerce, *, shirts: int = 10, mugs: int = 10, lamps: int = 5) -> None:
    """One warehouse and three products priced in VND, with stock."""
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.catalog.create_product(
        "Linen shirt", "linen-shirt", [VariantSpec(SHIRT, Money(350_000, "VND"), "M")],
        publish=True,
    )
    commerce.catalog.create_product(
        "Retro mug", "retro-mug", [VariantSpec(MUG, Money(89_000, "VND"))], publish=True
    )
    commerce.catalog.create_product(
        "Brass lamp", "brass-lamp", [VariantSpec(LAMP, Money(1_250_000, "VND"))], publish=True
    )
    commerce.inventory.set_stock(SHIRT, "HCM", shirts)
    commerce.inventory.set_stock(MUG, "HCM", mugs)
    commerce.inventory.set_stock(LAMP, "HCM", lamps)


def cart_with(commerce: Commerce, *lines: tuple[str, int]) -> str:
    cart_id = commerce.cart.create("VND")
    for sku, quantity in lines:
        commerce.cart.add_item(cart_id, sku, quantity)
    return cart_id


def assert_nothing_leaked(commerce: Commerce) -> None:
    """Money and stock add up: the invariants every checkout outcome must leave behind.

    - `reserved` of every stock level equals the units of its live reservations;
    - the stock ledger of every row sums to its counters;
    - every live reservation a checkout made belongs to a confirmed (or later) order, never to a
      failed checkout (transfers and manual holds have owners of their own);
    - every confirmed or paid order has confirmed reservations covering each of its lines, one
      per warehouse a line was split across;
    - no authorization holds funds unless its order is confirmed or paid.
    """
    with commerce.ports.uow() as uow:
        levels = uow.stock.list()
        reservations = uow.reservations.list(limit=10_000)
        orders = uow.orders.list(limit=10_000)
        payments = [p for order in orders for p in uow.payments.for_order(order.id)]
        balances = uow.ledger.balances()
    assert [b for b in balances if b.drift] == [], "the ledger does not sum to the counters"
    live = [r for r in reservations
            if r.status in (ReservationStatus.ACTIVE, ReservationStatus.CONFIRMED)]
    held: Counter[tuple[str, str]] = Counter()
    for reservation in live:
        held[(reservation.sku, reservation.warehouse_id)] += reservation.unfulfilled
    for level in levels:
        assert level.reserved == held[(level.sku, level.warehouse_id)], level
        assert 0 <= level.reserved <= level.on_hand, level

    by_id = {r.id: r for r in reservations}
    # Fulfillment's first step moves an order to processing; its stock stays held until shipped.
    live_orders = {o.id for o in orders if o.status in (
        OrderStatus.CONFIRMED, OrderStatus.PAID, OrderStatus.PROCESSING,
        OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED)}
    for reservation in live:
        if reservation.reference_type != "checkout":
            continue
        assert reservation.status is ReservationStatus.CONFIRMED, reservation
        assert reservation.order_id in live_orders, reservation
    for order in orders:
        if order.id in live_orders:
            for line in order.lines:
                parts = [by_id[part.reservation_id] for part in line.parts]
                for reservation in parts:
                    assert reservation.status in (ReservationStatus.CONFIRMED,
                                                  ReservationStatus.FULFILLED), reservation
                assert sum(r.quantity for r in parts) == line.quantity
                assert len({r.warehouse_id for r in parts}) == len(parts)

    order_by_payment_key = {p.idempotency_key: p.order_id for p in payments}
    for authorization in gateway_of(commerce).held():
        order_id = order_by_payment_key.get(authorization.key)
        assert order_id in live_orders, f"authorization {authorization.key} leaked"


def every_event(uow: Any) -> list[EventEnvelope]:
    """Every event the unit of work's store committed, oldest first. Not a port method (an
    outbox in production is not listed whole): both shipped adapters keep `all` for tests."""
    return list(uow.outbox.all())


def events_of(commerce: Commerce, event_type: str) -> list[dict[str, Any]]:
    """Payloads of every committed event of one type, oldest first."""
    with commerce.ports.uow() as uow:
        return [e.payload for e in every_event(uow) if e.type == event_type]


def two_warehouse_shop(commerce: Commerce, *, shirts_hcm: int = 10, shirts_hn: int = 0,
                       mugs_hcm: int = 0, mugs_hn: int = 10) -> dict[str, str]:
    """HCM (the default) and HN, the shirt and the mug in VND; returns warehouse ids by code."""
    ids = {"HCM": commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City"),
           "HN": commerce.inventory.create_warehouse("HN", "Ha Noi")}
    commerce.catalog.create_product(
        "Linen shirt", "linen-shirt",
        [VariantSpec(SHIRT, Money(350_000, "VND"), "M", weight_grams=250)], publish=True,
    )
    commerce.catalog.create_product(
        "Retro mug", "retro-mug", [VariantSpec(MUG, Money(89_000, "VND"), weight_grams=400)],
        publish=True,
    )
    for sku, code, units in ((SHIRT, "HCM", shirts_hcm), (SHIRT, "HN", shirts_hn),
                             (MUG, "HCM", mugs_hcm), (MUG, "HN", mugs_hn)):
        if units:
            commerce.inventory.set_stock(sku, code, units)
    return ids
