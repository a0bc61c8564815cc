"""Pricing, promotion and tax bodies: coupons on carts, and the admin forms for price rows, price
rules, campaigns, promotions, coupons and tax rules. Responses are plain JSON built from the
aggregates' definitions (Money as {amount, currency})."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Final, Literal

from pydantic import ConfigDict, Field
from pydantic.config import JsonDict

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
    NOT_BLANK,
    CountryCode,
    DiscountPercent,
    Integral,
    MoneyIn,
    Name,
    PositiveMoneyIn,
    Priority,
    RatePercent,
    RequestBody,
    Sku,
    Timestamp,
)

AFTER_START = "; a window must end after it starts"


def given(*names: str) -> JsonDict:
    """JSON Schema for "each of `names` is present and not null" (a non-empty list for tiers)."""
    return {"required": list(names),
            "properties": {n: {"minItems": 1} if n in LISTS else {"not": {"type": "null"}}
                           for n in names}}


LISTS: Final = frozenset({"tiers", "customer_segments"})


def definition_json(aggregate: Any) -> dict[str, Any]:
    """An aggregate's definition (or price point) with its id, version and events left out."""
    inner = getattr(aggregate, "definition", None) or aggregate.point
    body: dict[str, Any] = json_ready(inner)
    body["version"] = aggregate.version
    return body


class CouponIn(RequestBody):
    code: str = Field(pattern=COUPON_CODE_FORMAT, examples=["TET10"])


# A sale window (either end) needs a sale price.
SALE_WINDOW_NEEDS_PRICE: Final[JsonDict] = {
    "if": {"anyOf": [given("sale_starts_at"), given("sale_ends_at")]},
    "then": given("sale_price"),
}
SALE_PRICE = ("In the base price's currency and below the base price; the sale window needs "
              "it")


class PriceIn(RequestBody):
    model_config = ConfigDict(json_schema_extra=SALE_WINDOW_NEEDS_PRICE)

    product_id: str
    base_price: PositiveMoneyIn
    sku: Sku | None = None
    warehouse_id: str | None = None
    sale_price: MoneyIn | None = Field(None, description=SALE_PRICE)
    sale_starts_at: Timestamp | None = None
    sale_ends_at: Timestamp | None = Field(None, description="After `sale_starts_at`")
    effective_from: Timestamp | None = Field(None, description="Default: now")
    effective_to: Timestamp | None = Field(None, description="After `effective_from`")

    def to_command(self) -> CreatePrice:
        return CreatePrice(
            self.product_id, self.base_price.to_money(), self.sku, self.warehouse_id,
            self.sale_price.to_money() if self.sale_price else None, self.sale_starts_at,
            self.sale_ends_at, None, self.effective_from, self.effective_to,
        )


class PriceChangeIn(RequestBody):
    model_config = ConfigDict(json_schema_extra=SALE_WINDOW_NEEDS_PRICE)

    expected_version: int = Field(ge=0, le=2**31,
                                  description="The version you read (optimistic lock)")
    base_price: PositiveMoneyIn
    sale_price: MoneyIn | None = Field(None, description=SALE_PRICE)
    sale_starts_at: Timestamp | None = None
    sale_ends_at: Timestamp | None = Field(None, description="After `sale_starts_at`")
    effective_to: Timestamp | None = Field(None, description="After the row's `effective_from`")

    def to_command(self, price_id: str) -> UpdatePrice:
        return UpdatePrice(
            price_id, self.expected_version, self.base_price.to_money(),
            self.sale_price.to_money() if self.sale_price else None, self.sale_starts_at,
            self.sale_ends_at, None, self.effective_to,
        )


class TierIn(RequestBody):
    min_quantity: int = Field(ge=1, le=MAX_COUNT)
    unit_price: MoneyIn


PRICE_RULE_ACTIONS: Final = ("percent_off", "amount_off", "set_price", "tiers")


class PriceRuleIn(RequestBody):
    """Exactly one action: `percent_off`, `amount_off`, `set_price` or `tiers` (volume
    pricing)."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [given(action) for action in PRICE_RULE_ACTIONS],
            # Each rule type needs its criterion: volume a minimum quantity or tiers, a
            # customer segment rule its segments, a time-based rule its window.
            "allOf": [
                {"if": {"required": ["rule_type"], "properties": {"rule_type": {"const": kind}}},
                 "then": {"anyOf": [given(n) for n in needs]}}
                for kind, needs in (("volume", ("min_quantity", "tiers")),
                                    ("customer_segment", ("customer_segments",)),
                                    ("time_based", ("starts_at", "ends_at")))
            ],
        })

    name: Name
    rule_type: RuleType
    priority: Priority = 0
    product_ids: list[str] = Field(default_factory=list)
    skus: list[str] = Field(default_factory=list)
    category_ids: list[str] = Field(default_factory=list)
    customer_segments: list[str] = Field(default_factory=list)
    min_quantity: int | None = Field(None, ge=1, le=MAX_COUNT)
    percent_off: DiscountPercent | None = None
    amount_off: MoneyIn | None = None
    set_price: MoneyIn | None = None
    tiers: list[TierIn] = Field(
        default_factory=list, max_length=100,
        description="Volume pricing: minimums strictly increasing, prices in one currency")
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = Field(None, description="After `starts_at`")
    stop_further_rules: bool = False

    def to_command(self) -> CreatePriceRule:
        present = [a for a in PRICE_RULE_ACTIONS if getattr(self, a) not in (None, [])]
        if len(present) != 1:
            raise InvalidInput("a price rule needs exactly one action: percent_off, amount_off, "
                               "set_price or tiers", actions=present)
        if self.tiers:
            action = RuleAction.volume_tiers(
                *((t.min_quantity, t.unit_price.to_money()) for t in self.tiers))
        elif self.percent_off is not None:
            action = RuleAction.percent_off(self.percent_off)
        elif self.amount_off is not None:
            action = RuleAction.amount_off(self.amount_off.to_money())
        else:
            assert self.set_price is not None
            action = RuleAction.set_price(self.set_price.to_money())
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
    ends_at: Timestamp | None = Field(None, description="After `starts_at`")
    budget_limit: PositiveMoneyIn | None = None
    priority: Priority = 0
    description: str = ""

    def to_command(self) -> CreateCampaign:
        return CreateCampaign(
            self.name, self.campaign_type, self.starts_at, self.ends_at,
            self.budget_limit.to_money() if self.budget_limit else None, self.priority,
            description=self.description,
        )


class PromotionFields(RequestBody):
    """What every promotion has; `kind` picks the benefit and the fields it needs. Every amount
    of a promotion is in one currency."""

    name: Name
    campaign_id: str | None = None
    product_ids: list[str] = Field(default_factory=list)
    category_ids: list[str] = Field(default_factory=list)
    minimum_order_amount: MoneyIn | None = None
    maximum_discount_amount: PositiveMoneyIn | None = None
    total_usage_limit: int | None = Field(None, ge=1, le=MAX_COUNT)
    usage_limit_per_customer: Annotated[int | None, Integral] = Field(None, ge=1, le=MAX_COUNT,
                                                                      strict=True)
    is_stackable: bool = False
    requires_coupon: bool = False
    stop_rules_processing: bool = False
    priority: Priority = 0
    starts_at: Timestamp | None = None
    ends_at: Timestamp | None = Field(None, description="After `starts_at`")

    def benefit(self) -> Benefit:
        raise NotImplementedError

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


class PercentagePromotion(PromotionFields):
    kind: Literal["percentage"]
    percent: DiscountPercent

    def benefit(self) -> Benefit:
        return PercentageOff(self.percent)


class FixedAmountPromotion(PromotionFields):
    kind: Literal["fixed_amount"]
    amount: PositiveMoneyIn

    def benefit(self) -> Benefit:
        return FixedAmountOff(self.amount.to_money())


class BuyXGetYPromotion(PromotionFields):
    kind: Literal["buy_x_get_y"]
    buy_quantity: int = Field(ge=1, le=MAX_COUNT)
    get_quantity: int = Field(ge=1, le=MAX_COUNT)
    percent: DiscountPercent = Field(Decimal(100), description="Off the free units; 100 = free")

    def benefit(self) -> Benefit:
        return BuyXGetY(self.buy_quantity, self.get_quantity, self.percent)


class FreeShippingPromotion(PromotionFields):
    kind: Literal["free_shipping"]
    shipping_methods: list[str] = Field(default_factory=list,
                                        description="Empty: every method")

    def benefit(self) -> Benefit:
        return FreeShipping(tuple(self.shipping_methods))


PromotionIn = Annotated[
    PercentagePromotion | FixedAmountPromotion | BuyXGetYPromotion | FreeShippingPromotion,
    Field(discriminator="kind"),
]


class NewCouponIn(RequestBody):
    code: str = Field(pattern=COUPON_CODE_FORMAT, examples=["TET10"])
    usage_limit: int | None = Field(None, ge=1, le=MAX_COUNT)
    usage_limit_per_customer: Annotated[int | None, Integral] = Field(None, ge=1, le=MAX_COUNT,
                                                                      strict=True)
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
    """A postcode rule names its region; a rule is compound or inclusive, not both."""

    model_config = ConfigDict(json_schema_extra={
        "if": given("postcode"), "then": given("region"),
        "not": {"required": ["is_compound", "is_inclusive"],
                "properties": {"is_compound": {"const": True}, "is_inclusive": {"const": True}}},
    })

    name: Name
    country_code: CountryCode
    tax_type: str = Field(pattern=TAX_TYPE_FORMAT, examples=["VAT"])
    rate: RatePercent
    region: str | None = Field(None, min_length=1, max_length=64, pattern=NOT_BLANK,
                               description="A region code (stored upper-case)")
    postcode: str | None = Field(None, description="Needs `region`")
    tax_classes: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    customer_group_id: str | None = None
    is_compound: bool = False
    is_inclusive: bool = False
    applies_to_shipping: bool = False
    priority: Priority = 0
    effective_from: Timestamp | None = None
    effective_to: Timestamp | None = Field(None, description="After `effective_from`")

    def to_command(self) -> CreateTaxRule:
        return CreateTaxRule(
            self.name, self.country_code, self.tax_type, self.rate, self.region, self.postcode,
            tuple(self.tax_classes), tuple(self.categories), self.customer_group_id,
            self.is_compound, self.is_inclusive, self.applies_to_shipping, self.priority,
            self.effective_from, self.effective_to,
        )
