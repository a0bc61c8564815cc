"""Pricing commands: price rows, bulk updates and price rules."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.pricing.rules import RuleAction, RuleCondition, RuleType
from commerce_core.shared.money import Money


@frozen
class CreatePrice:
    product_id: str
    base_price: Money
    sku: str | None = None
    warehouse_id: str | None = None
    sale_price: Money | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    cost_price: Money | None = None
    effective_from: datetime | None = None  # default: now
    effective_to: datetime | None = None


@frozen
class UpdatePrice:
    """Replace a row's amounts; `expected_version` is the version the editor saw (optimistic
    locking: a concurrent edit makes this one fail with a conflict)."""

    price_id: str
    expected_version: int
    base_price: Money
    sale_price: Money | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    cost_price: Money | None = None
    effective_to: datetime | None = None


@frozen
class DeactivatePrice:
    price_id: str


@frozen
class PriceUpdate:
    """One item of a bulk update: sets the row of this key effective now (created if absent)."""

    product_id: str
    base_price: Money
    sku: str | None = None
    warehouse_id: str | None = None
    sale_price: Money | None = None
    sale_starts_at: datetime | None = None
    sale_ends_at: datetime | None = None
    cost_price: Money | None = None


@frozen
class BulkUpdatePrices:
    """At most 10,000 items; processed in chunks of 500, one transaction each."""

    items: tuple[PriceUpdate, ...]


@frozen
class CreatePriceRule:
    name: str
    rule_type: RuleType
    condition: RuleCondition
    action: RuleAction
    priority: int = 0
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    stop_further_rules: bool = False


@frozen
class DeactivatePriceRule:
    rule_id: str
