"""A shop with loyalty: the returns test shop (linen shirts at 350,000 and 400,000 ₫, a mug at
89,000 ₫, a frozen clock), with categories for the shirts and the mug."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from commerce_core import Commerce, Money, VariantSpec
from commerce_core.shared.events import EventEnvelope
from tests.shop import every_event
from tests.unit.returns.support import (
    MUG,
    SHIRT_L,
    SHIRT_M,
    clock,
    delivered_order,
    line_id,
    returns_shop,
)

__all__ = [
    "LAMP",
    "MUG",
    "PHONE",
    "SHIRT_L",
    "SHIRT_M",
    "SOFA",
    "DictWallet",
    "announce",
    "clock",
    "delivered",
    "goods",
    "later",
    "line_id",
    "loyalty_shop",
    "redeliver",
]


def loyalty_shop(**kwargs: Any) -> Commerce:
    kwargs.setdefault("points_wallet", DictWallet())
    return returns_shop(risk=10, **kwargs)


LAMP, SOFA, PHONE = "DESK-LAMP", "CORNER-SOFA", "PHONE-X"


def goods(commerce: Commerce) -> str:
    """A desk lamp at 2,345,000 ₫ and a sofa at 5,000,000 ₫ (home), a phone at 10,000,000 ₫ in
    electronics (whose id is returned)."""
    electronics = commerce.catalog.create_category("electronics", "Electronics")
    for sku, name, price, cats in ((LAMP, "Desk lamp", 2_345_000, ()),
                                   (SOFA, "Corner sofa", 5_000_000, ()),
                                   (PHONE, "Phone X", 10_000_000, (electronics,))):
        commerce.catalog.create_product(name, sku.lower(), [VariantSpec(sku, Money(price, "VND"))],
                                        category_ids=cats, publish=True)
        commerce.inventory.set_stock(sku, "HCM", 20)
    return electronics


def delivered(commerce: Commerce, *lines: tuple[str, int], customer: str = "c-1",
              days_ago: int = 0) -> str:
    """A delivered order; its `order.status_changed` events reach the subscribers."""
    order_id = delivered_order(commerce, *lines, customer=customer, days_ago=days_ago)
    commerce.relay_outbox(1000)
    return order_id


def redeliver(commerce: Commerce, event_type: str, times: int = 2, **match: Any) -> None:
    """Hand committed events of a type (payload fields equal to `match`) to the subscribers
    again, as a broker delivering at least once does."""
    with commerce.ports.uow() as uow:
        found: list[EventEnvelope] = [
            e for e in every_event(uow) if e.type == event_type
            and all(e.payload.get(k) == v for k, v in match.items())]
    for _ in range(times):
        for envelope in found:
            commerce.bus.deliver(envelope)


def later(commerce: Commerce, days: int) -> None:
    clock(commerce).advance(timedelta(days=days))


class DictWallet:
    """Points lots in a dict (not transactional): enough to exercise loyalty's rules before a
    ledger is plugged in."""

    def __init__(self) -> None:
        self.lots: dict[str, list[list[Any]]] = {}  # customer → [lot id, points, expires_at]
        self.seen: dict[tuple[str, str], Any] = {}

    def balance(self, uow: Any, customer_id: str) -> int:
        return sum(lot[1] for lot in self.lots.get(customer_id, []))

    def credit(self, uow: Any, customer_id: str, points: int, *, source: str, source_id: str,
               expires_at: Any) -> int:
        if (source, source_id + customer_id) not in self.seen:
            self.seen[(source, source_id + customer_id)] = True
            self.lots.setdefault(customer_id, []).append(
                [f"{source}:{source_id}", points, expires_at])
        return self.balance(uow, customer_id)

    def take(self, uow: Any, customer_id: str, points: int, *, source: str,
             source_id: str) -> tuple[int, int]:
        key = (source, source_id + customer_id)
        if key in self.seen:
            return self.seen[key], self.balance(uow, customer_id)
        taken = 0
        for lot in sorted(self.lots.get(customer_id, []), key=lambda x: x[2]):
            part = min(lot[1], points - taken)
            lot[1] -= part
            taken += part
        self.seen[key] = taken
        return taken, self.balance(uow, customer_id)

    def expire_due(self, uow: Any, now: Any, limit: int) -> list[Any]:
        from commerce_core.loyalty.ports import ExpiredPoints
        out = []
        for customer, lots in self.lots.items():
            for lot in lots:
                if lot[1] and lot[2] is not None and lot[2] <= now:
                    points, lot[1] = lot[1], 0
                    out.append(ExpiredPoints(customer, points, self.balance(uow, customer),
                                             lot[0]))
        return out[:limit]


def announce(commerce: Commerce, event_type: str, **payload: Any) -> None:
    """An event another context would publish, handed to the subscribers (a fresh id each
    time: a second announcement is a second event, not a redelivery)."""
    now = clock(commerce).now()
    envelope = EventEnvelope(commerce.ports.ids.new_id(), event_type, 1, now,
                             str(next(iter(payload.values()))),
                             {**payload, "occurred_at": now.isoformat()})
    commerce.bus.deliver(envelope)
