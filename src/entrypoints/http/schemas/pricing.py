"""Pricing, promotion and tax bodies: coupons on carts, and the admin forms for price rows, price
rules, campaigns, promotions, coupons and tax rules. Responses are plain JSON built from the
aggregates' definitions (Money as {amount, currency})."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from commerce_core.pricing.commands import CreatePrice, CreatePriceRule, UpdatePrice
from commerce_core.pricing.engine.breakdown import json_ready
from commerce_core.pricing.rules import RuleAction, RuleCondition, RuleType
from commerce_core.promotion.commands import (
    COUPON_CODE_FORMAT,
    COUPON_PREFIX_FORMAT,
    CreateCampaign,
    CreateCoupon,
    CreatePromotion,
    GenerateCoupons,
)
from commerce_core.promotion.model import CampaignType
from commerce_core.promotion.terms import (
    Benefit,
    BuyXGetY,
    FixedAmountOff,
    FreeShipping,
    PercentageOff,
    ProductScope,
)
from commerce_core.shared.errors import InvalidInput
from commerce_core.tax.commands import TAX_TYPE_FORMAT, CreateTaxRule
from entrypoints.http.schemas.common import (
    MAX_COUNT,
    CountryCode,
    MoneyIn,
    Name,
    PositiveMoneyIn,
    Priority,
    RequestBody,
    Timestamp,
)

Percent = Field(gt=0, le=100, description="A percentage, e.g. 10 for 10%")


def definition_json(aggregate: Any) -> dict[str, Any]:
    """An aggregate's definition (or price point) with its id, version and events left out."""
    inner = getattr(aggregate, "definition", None) or aggregate.point
    body: dict[str, Any] = json_ready(inner)
    body["version"] = aggregate.version
    return body


class CouponIn(RequestBody):
    code: str = Field(pattern=COUPON_CODE_FORMAT, examples=["TET10"])


class PriceIn(RequestBody):
    product_id: str
    base_price: PositiveMoneyIn
    sku: str | None = None
    warehouse_id: str | None = None
    sale_price: MoneyIn | None = None
    sale_starts_at: Timestamp | None = None
    sale_ends_at: Timestamp | None = None
    effective_from: Timestamp | None = None
    effective_to: Timestamp | None = None

    def to_command(self) -> CreatePrice:
        return CreatePrice(
            self.product_id, self.base_price.to_money(), self.sku, self.warehouse_id,
            self.sale_price.to_money() if self.sale_price else None, self.sale_starts_at,
            self.sale_ends_at, None, self.effective_from, self.effective_to,
        )


class PriceChangeIn(RequestBody):
    expected_version: int = Field(ge=0, le=2**31,
                                  description="The version you read (optimistic lock)")
    base_price: PositiveMoneyIn
    sale_price: MoneyIn | None = None
    sale_starts_at: Timestamp | None = None
    sale_ends_at: Timestamp | None = None
    effective_to: Timestamp | None = None

    def to_command(self, price_id: str) -> UpdatePrice:
        return UpdatePrice(
            price_id, self.expected_version, self.base_price.to_money(),
            self.sale_price.to_money() if self.sale_price else None, self.sale_starts_at,
            self.sale_ends_at, None, self.effective_to,
        )


class TierIn(RequestBody):
    min_quantity: int = Field(ge=1, le=MAX_COUNT)
    unit_price: MoneyIn


class PriceRuleIn(RequestBody):
    """One action: `percent_off`, `amount_off`, `set_price` or `tiers` (volume pricing)."""

    name: Name
    rule_type: RuleType
    priority: Priority = 0
    product_ids: list[str] = Field(default_factory=list)
    skus: list[str] = Field(default_factory=list)
    category_ids: list[str] = Field(default_factory=list)
    customer_segments: list[str] = Field(default_factory=list)
    min_quantity: int | None = Field(None, ge=1, le=MAX_COUNT)
    percent_off: Decimal | None = Percent
    amount_off: MoneyIn | None = None
    set_price: MoneyIn | None = None
    tiers: list[TierIn] = Field(default_factory=list)
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None
    stop_further_rules: bool = False

    def to_command(self) -> CreatePriceRule:
        if self.tiers:
            action = RuleAction.volume_tiers(
                *((t.min_quantity, t.unit_price.to_money()) for t in self.tiers))
        elif self.percent_off is not None:
            action = RuleAction.percent_off(self.percent_off)
        elif self.amount_off is not None:
            action = RuleAction.amount_off(self.amount_off.to_money())
        elif self.set_price is not None:
            action = RuleAction.set_price(self.set_price.to_money())
        else:
            raise InvalidInput("a price rule needs one action: percent_off, amount_off, "
                               "set_price or tiers")
        condition = RuleCondition(
            product_ids=tuple(self.product_ids), skus=tuple(self.skus),
            category_ids=tuple(self.category_ids),
            customer_segments=tuple(self.customer_segments), min_quantity=self.min_quantity,
        )
        return CreatePriceRule(self.name, self.rule_type, condition, action, self.priority,
                               self.starts_at, self.ends_at, self.stop_further_rules)


class CampaignIn(RequestBody):
    name: Name
    campaign_type: CampaignType
    starts_at: Timestamp
    ends_at: Timestamp | None = None
    budget_limit: PositiveMoneyIn | None = None
    priority: Priority = 0
    description: str = ""

    def to_command(self) -> CreateCampaign:
        return CreateCampaign(
            self.name, self.campaign_type, self.starts_at, self.ends_at,
            self.budget_limit.to_money() if self.budget_limit else None, self.priority,
            description=self.description,
        )


class PromotionIn(RequestBody):
    """The common benefits; `kind` picks one and its fields."""

    name: Name
    kind: Literal["percentage", "fixed_amount", "buy_x_get_y", "free_shipping"]
    percent: Decimal | None = Percent
    amount: MoneyIn | None = None
    buy_quantity: int | None = Field(None, ge=1, le=MAX_COUNT)
    get_quantity: int | None = Field(None, ge=1, le=MAX_COUNT)
    shipping_methods: list[str] = Field(default_factory=list)
    campaign_id: str | None = None
    product_ids: list[str] = Field(default_factory=list)
    category_ids: list[str] = Field(default_factory=list)
    minimum_order_amount: MoneyIn | None = None
    maximum_discount_amount: PositiveMoneyIn | None = None
    total_usage_limit: int | None = Field(None, ge=1, le=MAX_COUNT)
    usage_limit_per_customer: int | None = Field(None, ge=1, le=MAX_COUNT)
    is_stackable: bool = False
    requires_coupon: bool = False
    stop_rules_processing: bool = False
    priority: Priority = 0
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = None

    def benefit(self) -> Benefit:
        if self.kind == "percentage" and self.percent is not None:
            return PercentageOff(self.percent)
        if self.kind == "fixed_amount" and self.amount is not None:
            return FixedAmountOff(self.amount.to_money())
        if self.kind == "buy_x_get_y" and self.buy_quantity and self.get_quantity:
            return BuyXGetY(self.buy_quantity, self.get_quantity,
                            self.percent if self.percent is not None else Decimal(100))
        if self.kind == "free_shipping":
            return FreeShipping(tuple(self.shipping_methods))
        raise InvalidInput(f"a {self.kind} promotion misses its fields", kind=self.kind)

    def to_command(self) -> CreatePromotion:
        return CreatePromotion(
            self.name, self.benefit(), self.campaign_id,
            scope=ProductScope(product_ids=tuple(self.product_ids),
                               category_ids=tuple(self.category_ids)),
            minimum_order_amount=self.minimum_order_amount.to_money()
            if self.minimum_order_amount else None,
            maximum_discount_amount=self.maximum_discount_amount.to_money()
            if self.maximum_discount_amount else None,
            usage_limit_per_customer=self.usage_limit_per_customer,
            total_usage_limit=self.total_usage_limit, is_stackable=self.is_stackable,
            requires_coupon=self.requires_coupon,
            stop_rules_processing=self.stop_rules_processing, priority=self.priority,
            starts_at=self.starts_at, ends_at=self.ends_at,
        )


class NewCouponIn(RequestBody):
    code: str = Field(pattern=COUPON_CODE_FORMAT, examples=["TET10"])
    usage_limit: int | None = Field(None, ge=1, le=MAX_COUNT)
    usage_limit_per_customer: int | None = Field(None, ge=1, le=MAX_COUNT)
    customer_id: str | None = None
    expires_at: Timestamp | None = None

    def to_command(self, promotion_id: str) -> CreateCoupon:
        return CreateCoupon(promotion_id, self.code, usage_limit=self.usage_limit,
                            usage_limit_per_customer=self.usage_limit_per_customer,
                            customer_id=self.customer_id, expires_at=self.expires_at)


class CouponBatchIn(RequestBody):
    count: int = Field(ge=1, le=10_000)
    prefix: str = Field(pattern=COUPON_PREFIX_FORMAT, examples=["TET"])
    usage_limit: int | None = Field(1, ge=1, le=MAX_COUNT)
    expires_at: Timestamp | None = None

    def to_command(self, promotion_id: str) -> GenerateCoupons:
        return GenerateCoupons(promotion_id, self.count, self.prefix, self.usage_limit,
                               expires_at=self.expires_at)


class TaxRuleIn(RequestBody):
    name: Name
    country_code: CountryCode
    tax_type: str = Field(pattern=TAX_TYPE_FORMAT, examples=["VAT"])
    rate: Decimal = Field(ge=0, le=100, description="Percent, up to 4 decimals")
    region: str | None = None
    postcode: str | None = None
    tax_classes: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    customer_group_id: str | None = None
    is_compound: bool = False
    is_inclusive: bool = False
    applies_to_shipping: bool = False
    priority: Priority = 0
    effective_from: Timestamp | None = None
    effective_to: Timestamp | None = None

    def to_command(self) -> CreateTaxRule:
        return CreateTaxRule(
            self.name, self.country_code, self.tax_type, self.rate, self.region, self.postcode,
            tuple(self.tax_classes), tuple(self.categories), self.customer_group_id,
            self.is_compound, self.is_inclusive, self.applies_to_shipping, self.priority,
            self.effective_from, self.effective_to,
        )
