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


def announce(commerce: Commerce, event_type: str, **payload: Any) -> None:
    """An event another context would publish, handed to the subscribers (a fresh id each
    time: a second announcement is a second event, not a redelivery)."""
    now = clock(commerce).now()
    envelope = EventEnvelope(commerce.ports.ids.new_id(), event_type, 1, now,
                             str(next(iter(payload.values()))),
                             {**payload, "occurred_at": now.isoformat()})
    commerce.bus.deliver(envelope)
