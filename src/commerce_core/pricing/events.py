"""Facts pricing publishes.

`price.updated` carries a `sequence` that grows with every price write of a product,
whichever of its price rows changed: a consumer keeps the last sequence it saw per product and
drops an event whose sequence is not higher (out-of-order or replayed delivery).
"""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class PriceUpdated(DomainEvent):
    """A price row was created or changed; `price` is the base price, `sale_price` the sale one."""

    type = "price.updated"
    product_id: str
    price_id: str
    sku: str | None
    warehouse_id: str | None
    currency: str
    price_type: str  # PRODUCT | SKU | PRODUCT_WAREHOUSE | SKU_WAREHOUSE
    price: Money
    previous_price: Money | None
    sale_price: Money | None
    previous_sale_price: Money | None
    effective_from: datetime
    sequence: int
    occurred_at: datetime


@frozen
class PriceDeleted(DomainEvent):
    """A price row was deactivated; lookups fall back to the next level."""

    type = "price.deleted"
    product_id: str
    price_id: str
    sku: str | None
    warehouse_id: str | None
    currency: str
    sequence: int
    occurred_at: datetime


@frozen
class PriceRuleCreated(DomainEvent):
    type = "price.rule_created"
    rule_id: str
    name: str
    rule_type: str
    priority: int
    occurred_at: datetime


@frozen
class PriceRuleDeactivated(DomainEvent):
    type = "price.rule_deactivated"
    rule_id: str
    occurred_at: datetime
