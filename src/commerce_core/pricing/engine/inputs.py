"""What the price engine is given: plain frozen values, loaded beforehand (it does no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, timedelta, tzinfo
from enum import StrEnum

from attrs import field, frozen

from commerce_core.pricing.model import PricePoint
from commerce_core.pricing.ports import NoRulePolicy, TaxDestination
from commerce_core.pricing.rules import PriceRuleDefinition
from commerce_core.shared.money import Money


@frozen
class CartLineInput:
    """One cart line with what rules, promotions and tax look at (categories, brand, tax class).
    Send the real tax class and categories: an empty list silently matches fewer rules."""

    line_id: str
    product_id: str
    quantity: int
    sku: str | None = None
    warehouse_id: str | None = None
    category_ids: tuple[str, ...] = ()
    brand_id: str | None = None
    tax_class: str | None = None
    attributes: Mapping[str, str] = field(factory=dict)

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.product_id, self.sku or "", self.warehouse_id or "", self.line_id)


@frozen
class ShippingSelection:
    method: str
    amount: Money  # net of tax, before any shipping discount


@frozen
class PricingInput:
    currency: str
    lines: tuple[CartLineInput, ...]
    coupon_codes: tuple[str, ...] = ()
    shipping: ShippingSelection | None = None
    destination: TaxDestination | None = None  # the shipping address, when known
    payment_method: str | None = None


@frozen
class CustomerContext:
    """Who buys. `customer_group_id` is the tax group, never the customer id (spec tax rule 6)."""

    customer_id: str | None = None
    segments: tuple[str, ...] = ()
    customer_group_id: str | None = None
    completed_orders: int | None = None  # None: unknown (guest)
    tax_exempt: bool = False


class PricingStage(StrEnum):
    QUOTE = "quote"  # cart view: tax may be pending or estimated
    CONFIRM = "confirm"  # checkout: everything must be final


@frozen
class PricingContext:
    stage: PricingStage = PricingStage.QUOTE
    no_tax_rule_policy: NoRulePolicy = NoRulePolicy.ZERO_WITH_WARNING
    # Before the address is known, a quote may estimate tax from this location.
    default_destination: TaxDestination | None = None
    timezone: tzinfo = UTC  # the shop's: time-of-day and weekday rules read it
    fx_stale_after: timedelta = timedelta(hours=1)  # older rates are used but flagged
    fx_refuse_after: timedelta = timedelta(hours=24)  # older rates are refused


@frozen
class PriceCatalogue:
    """Price rows of the cart's products (every level, every currency) and the live rules."""

    prices: tuple[PricePoint, ...] = ()
    rules: tuple[PriceRuleDefinition, ...] = ()
