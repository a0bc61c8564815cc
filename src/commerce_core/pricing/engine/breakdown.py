"""The engine's answer: every number of a priced cart, and where each came from.

The constructors check the arithmetic, so a `PriceBreakdown` that exists reconciles exactly:

    line:   list_total - sum(adjustments) = discounted_total
            total = discounted_total + tax - tax_included
    order:  total = subtotal - discount_total + shipping - shipping_discount
                    + tax_total - tax_included
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs
from attrs import frozen

from commerce_core.pricing.model import PriceLevel
from commerce_core.pricing.ports import AppliedTax, RateTotal
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.money import Money


class PricingInconsistency(CommerceError):
    """The engine produced numbers that do not add up: a bug, never a customer's problem."""

    code = "pricing.inconsistent"


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise PricingInconsistency(message)


class AdjustmentKind(enum.StrEnum):
    SALE = "sale"  # the active sale price below the list price
    RULE = "rule"  # a price rule (volume tier, segment, time, condition)
    PROMOTION = "promotion"  # an automatic promotion
    COUPON = "coupon"  # a promotion applied through a coupon code


@frozen
class Adjustment:
    """An amount taken off a line or off shipping (positive means cheaper)."""

    kind: AdjustmentKind
    source_id: str  # price, rule or promotion id
    name: str
    amount: Money
    coupon_code: str | None = None


@frozen
class PriceSource:
    price_id: str
    level: PriceLevel
    on_sale: bool
    converted: bool = False
    fx_rate: Decimal | None = None
    original_unit_price: Money | None = None  # before conversion


@frozen
class LineBreakdown:
    line_id: str
    product_id: str
    sku: str | None
    warehouse_id: str | None
    quantity: int
    source: PriceSource
    list_unit_price: Money  # the regular price
    base_unit_price: Money  # the sale price when active, else the regular price
    unit_price: Money  # after price rules
    list_total: Money
    subtotal: Money  # unit_price * quantity
    adjustments: tuple[Adjustment, ...]
    discount: Money  # promotions and coupons
    discounted_total: Money  # subtotal - discount: the taxable amount
    taxes: tuple[AppliedTax, ...]
    tax: Money
    tax_included: Money
    total: Money
    no_tax_rule: bool = False

    def __attrs_post_init__(self) -> None:
        taken = sum(a.amount.amount for a in self.adjustments)
        _check(self.list_total.amount - taken == self.discounted_total.amount,
               f"line {self.line_id}: adjustments do not explain the price")
        _check(self.subtotal - self.discount == self.discounted_total,
               f"line {self.line_id}: discount does not reconcile")
        _check(self.discounted_total.amount >= 0, f"line {self.line_id} went below zero")
        _check(self.discounted_total + self.tax - self.tax_included == self.total,
               f"line {self.line_id}: total does not reconcile")


@frozen
class ShippingBreakdown:
    method: str | None
    amount: Money
    discount: Money
    adjustments: tuple[Adjustment, ...]
    taxes: tuple[AppliedTax, ...]
    tax: Money
    tax_included: Money
    total: Money

    def __attrs_post_init__(self) -> None:
        _check(sum(a.amount.amount for a in self.adjustments) == self.discount.amount,
               "shipping adjustments do not explain the shipping discount")
        _check(Money.zero(self.amount.currency) <= self.discount <= self.amount,
               "the shipping discount is outside 0..shipping")
        _check(self.amount - self.discount + self.tax - self.tax_included == self.total,
               "shipping total does not reconcile")


@frozen
class AppliedOffer:
    """One promotion or coupon applied to the order, with what it took off in total."""

    kind: AdjustmentKind
    promotion_id: str
    name: str
    discount_type: str  # the promotion's own vocabulary (percentage, fixed_amount, ...)
    is_stackable: bool
    item_discount: Money
    shipping_discount: Money
    campaign_id: str | None = None
    coupon_id: str | None = None
    coupon_code: str | None = None

    @property
    def total(self) -> Money:
        return self.item_discount + self.shipping_discount


@frozen
class InvalidCoupon:
    code: str
    reason: str  # a stable code, e.g. "coupon.usage_limit_reached"
    message: str


@frozen
class PricingWarning:
    code: str  # "tax.no_rule_matched", "tax.pending", "pricing.fx_rate_stale", ...
    message: str
    line_ids: tuple[str, ...] = ()


class TaxStatus(enum.StrEnum):
    CALCULATED = "calculated"
    ESTIMATED = "estimated"  # from the default location: the address is not known yet
    PENDING = "pending"  # no address and no default: shown as pending, not as 0
    EXEMPT = "exempt"


@frozen
class Totals:
    subtotal: Money
    discount_total: Money
    shipping: Money
    shipping_discount: Money
    tax_total: Money
    tax_included: Money  # the part of tax_total already inside prices (inclusive rules)
    total: Money

    def __attrs_post_init__(self) -> None:
        _check(self.discount_total <= self.subtotal, "discount above the order amount")
        _check(self.subtotal - self.discount_total + self.shipping - self.shipping_discount
               + self.tax_total - self.tax_included == self.total, "totals do not reconcile")
        _check(self.total.amount >= 0, "a negative total")

    @property
    def tax_added(self) -> Money:
        """The tax charged on top of prices (what an order's `tax` field holds)."""
        return self.tax_total - self.tax_included


@frozen
class PriceBreakdown:
    currency: str
    priced_at: datetime
    lines: tuple[LineBreakdown, ...]
    shipping: ShippingBreakdown
    offers: tuple[AppliedOffer, ...]
    tax_rates: tuple[RateTotal, ...]
    tax_status: TaxStatus
    no_tax_rule_matched: bool
    totals: Totals
    invalid_coupons: tuple[InvalidCoupon, ...] = ()
    warnings: tuple[PricingWarning, ...] = ()

    def __attrs_post_init__(self) -> None:
        t = self.totals
        _check(sum(ln.subtotal.amount for ln in self.lines) == t.subtotal.amount
               and sum(ln.discount.amount for ln in self.lines) == t.discount_total.amount
               and sum(ln.total.amount for ln in self.lines) + self.shipping.total.amount
               == t.total.amount, "lines do not add up to the totals")

    def line(self, line_id: str) -> LineBreakdown:
        return next(ln for ln in self.lines if ln.line_id == line_id)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: Money as {amount, currency}, Decimal as text, datetimes ISO 8601."""
        result: dict[str, Any] = _json(self)
        result["totals"]["tax_added"] = self.totals.tax_added.to_dict()
        return result


def json_ready(value: Any) -> Any:
    """Any engine or definition value as JSON-ready data, the way `to_dict` renders it."""
    return _json(value)


def _json(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_dict()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if attrs.has(type(value)):
        return {a.name: _json(getattr(value, a.name)) for a in attrs.fields(type(value))}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    return value
