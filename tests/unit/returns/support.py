"""A shop whose delivered orders are returned: two warehouses (HCM the default, HN), a linen
shirt in M (350,000 ₫) and L (400,000 ₫), a mug, the fake carrier, a frozen clock."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.ordering import services as ordering
from commerce_core.payment.errors import GatewayTimeout, GatewayUnavailable
from commerce_core.payment.ports import GatewayResult
from commerce_core.returns.model import ReturnPolicy, RiskFacts
from commerce_core.shared.address import PostalAddress
from tests.ledger_support import books
from tests.shop import cart_with

SHIRT_M, SHIRT_L, MUG = "LINEN-SHIRT-M", "LINEN-SHIRT-L", "RETRO-MUG"
HOME = PostalAddress("Lan Nguyen", "0901234567", "12 Lý Tự Trọng", "Hồ Chí Minh", "VN",
                     district="Quận 1")
DESK = PostalAddress("Returns desk", "0281234567", "1 Kho Hàng", "Hồ Chí Minh", "VN")
POLICY = ReturnPolicy(return_address=DESK)


class RefundGateway(ScriptedPaymentGateway):
    """The scripted gateway whose refunds can time out after acting (the money moved, the answer
    was lost) or fail before acting, on demand; it counts refunds that moved money by key."""

    def __init__(self) -> None:
        super().__init__()
        self.refund_script: list[str] = []
        self.moved: dict[str, int] = {}  # gateway key → times money moved for it
        self._refund_lock = threading.Lock()

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        with self._refund_lock:
            step = self.refund_script.pop(0) if self.refund_script else "approve"
        if step == "down":
            raise GatewayUnavailable("the gateway answered 503")
        fresh = idempotency_key not in self.moved
        result = super().refund(reference, amount, idempotency_key)
        if result.approved and fresh:
            self.moved[idempotency_key] = self.moved.get(idempotency_key, 0) + 1
        if step == "timeout":
            raise GatewayTimeout("the gateway did not answer in time")
        return result


class FixedRisk:
    def __init__(self, score: int) -> None:
        self.score = score

    def __call__(self, facts: RiskFacts) -> int:
        return self.score


def returns_shop(*, risk: int | None = 50, policy: ReturnPolicy = POLICY,
                 commerce: Commerce | None = None, **kwargs: Any) -> Commerce:
    """The shop on memory adapters, or `commerce` (built over other adapters) stocked alike."""
    if commerce is None:
        ports = bundle(gateway=RefundGateway(), clock=FrozenClock(), ids=SequentialIds())
        commerce = Commerce(ports, return_policy=policy,
                            return_risk=FixedRisk(risk) if risk is not None else None,
                            **kwargs)
    books.watch(commerce.ports.uow)
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.inventory.create_warehouse("HN", "Ha Noi")
    commerce.catalog.create_product(
        "Linen shirt", "linen-shirt",
        [VariantSpec(SHIRT_M, Money(350_000, "VND"), "M", weight_grams=250),
         VariantSpec(SHIRT_L, Money(400_000, "VND"), "L", weight_grams=260)], publish=True)
    commerce.catalog.create_product(
        "Retro mug", "retro-mug", [VariantSpec(MUG, Money(89_000, "VND"), weight_grams=400)],
        publish=True)
    for sku, code, units in ((SHIRT_M, "HCM", 10), (SHIRT_L, "HCM", 5), (MUG, "HN", 10)):
        commerce.inventory.set_stock(sku, code, units)
    return commerce


def clock(commerce: Commerce) -> FrozenClock:  # the shop's frozen clock
    c = commerce.ports.clock
    assert isinstance(c, FrozenClock)
    return c


def gateway(commerce: Commerce) -> RefundGateway:
    g = commerce.ports.gateway
    assert isinstance(g, RefundGateway)
    return g


def delivered_order(commerce: Commerce, *lines: tuple[str, int], customer: str | None = "c-1",
                    days_ago: int = 0) -> str:
    """A paid order walked to delivered (`days_ago` days before now)."""
    placed = commerce.handle(PlaceOrder(cart_with(commerce, *lines), "card",
                                        email="lan@example.vn", customer_id=customer,
                                        ship_to=HOME))
    commerce.payments.capture(placed.order_id)
    at = clock(commerce)
    at.advance(timedelta(days=-days_ago))
    with commerce.ports.uow() as uow:
        for step in ("processing", "shipped", "delivered"):
            ordering.advance(uow, placed.order_id, step, "test", by="test", now=at.now())
        uow.commit()
    at.advance(timedelta(days=days_ago))
    return str(placed.order_id)


def line_id(commerce: Commerce, order_id: str, sku: str) -> str:
    with commerce.ports.uow() as uow:
        order = ordering.returnable(uow, order_id)
    return next(line.line_id for line in order.lines if line.sku == sku)


def order_status(commerce: Commerce, order_id: str) -> str:
    with commerce.ports.uow() as uow:
        return ordering.returnable(uow, order_id).status


def on_hand(commerce: Commerce, sku: str, code: str) -> int:
    warehouse_id = commerce.inventory.warehouse(code).id
    return sum(lv.on_hand for lv in commerce.inventory.levels(sku)
               if lv.warehouse_id == warehouse_id)
