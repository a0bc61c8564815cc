"""What a promotion gives (its benefit), to which items (its scope) and when (its conditions)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum

from attrs import frozen

from commerce_core.promotion.errors import InvalidPromotion
from commerce_core.shared.money import Money


class DiscountType(StrEnum):
    PERCENTAGE = "percentage"
    FIXED_AMOUNT = "fixed_amount"
    BUY_X_GET_Y = "buy_x_get_y"
    TIERED = "tiered"
    ITEM_SELECTION = "item_selection"
    FREE_SHIPPING = "free_shipping"
    BUNDLE = "bundle"


def _percent(value: Decimal, what: str) -> None:
    if not isinstance(value, Decimal) or not Decimal(0) < value <= 100:
        raise InvalidPromotion(f"{what} must be a Decimal above 0 and at most 100",
                               value=str(value))


@frozen
class ProductScope:
    """Which cart lines a promotion looks at. Empty lists mean "every product"; an excluded
    product never qualifies, even when its category does."""

    product_ids: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()
    brand_ids: tuple[str, ...] = ()
    excluded_product_ids: tuple[str, ...] = ()

    def matches(self, product_id: str, category_ids: tuple[str, ...], brand_id: str | None) -> bool:
        if product_id in self.excluded_product_ids:
            return False
        if not (self.product_ids or self.category_ids or self.brand_ids):
            return True
        return (
            product_id in self.product_ids
            or bool(set(self.category_ids) & set(category_ids))
            or (brand_id is not None and brand_id in self.brand_ids)
        )

    @property
    def is_everything(self) -> bool:
        return not (self.product_ids or self.category_ids or self.brand_ids
                    or self.excluded_product_ids)


@frozen
class PercentageOff:
    """`percent` of the eligible amount, rounded once (half-even), then spread over lines."""

    percent: Decimal

    def __attrs_post_init__(self) -> None:
        _percent(self.percent, "a percentage")


@frozen
class FixedAmountOff:
    """`amount` off the eligible amount as a whole, or off each eligible unit (`per_unit`)."""

    amount: Money
    per_unit: bool = False

    def __attrs_post_init__(self) -> None:
        if self.amount.amount <= 0:
            raise InvalidPromotion("a fixed discount must be above zero")


@frozen
class BuyXGetY:
    """Buy `buy_quantity` units, get `get_quantity` units `get_percent` off (100 = free).

    `get_scope` None means the "get" units come from the same scope as the "buy" units
    (same-product offers); otherwise they must match `get_scope` (buy A get B).
    """

    buy_quantity: int
    get_quantity: int
    get_percent: Decimal = Decimal(100)
    get_scope: ProductScope | None = None
    max_applications: int | None = None

    def __attrs_post_init__(self) -> None:
        if self.buy_quantity < 1 or self.get_quantity < 1:
            raise InvalidPromotion("buy and get quantities are at least 1")
        _percent(self.get_percent, "the discount on the free units")
        if self.max_applications is not None and self.max_applications < 1:
            raise InvalidPromotion("max applications is at least 1")


@frozen
class Tier:
    """Reached when the eligible quantity (int) or spend (Money) is at least `at_least`."""

    at_least: int | Money
    percent: Decimal | None = None
    amount: Money | None = None

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise InvalidPromotion("a tier gives either a percentage or an amount")
        if self.percent is not None:
            _percent(self.percent, "a tier percentage")
        if self.amount is not None and self.amount.amount <= 0:
            raise InvalidPromotion("a tier amount must be above zero")

    @property
    def threshold(self) -> int:
        return self.at_least.amount if isinstance(self.at_least, Money) else self.at_least


@frozen
class Tiered:
    """The highest tier whose threshold is met applies; thresholds include their lower bound."""

    tiers: tuple[Tier, ...]

    def __attrs_post_init__(self) -> None:
        if not self.tiers:
            raise InvalidPromotion("a tiered promotion needs tiers")
        kinds = {isinstance(t.at_least, Money) for t in self.tiers}
        if len(kinds) != 1:
            raise InvalidPromotion("tiers are all by quantity or all by spend")
        thresholds = [t.threshold for t in self.tiers]
        if thresholds[0] < 1 or thresholds != sorted(set(thresholds)):
            raise InvalidPromotion("tier thresholds must be >= 1 and strictly increasing")

    @property
    def by_spend(self) -> bool:
        return isinstance(self.tiers[0].at_least, Money)

    def reached(self, value: int) -> Tier | None:
        met = [t for t in self.tiers if t.threshold <= value]
        return met[-1] if met else None


class Pick(StrEnum):
    CHEAPEST = "cheapest"
    MOST_EXPENSIVE = "most_expensive"


@frozen
class ItemSelection:
    """`percent` off the `count` cheapest (or most expensive) eligible units."""

    pick: Pick
    count: int = 1
    percent: Decimal = Decimal(100)

    def __attrs_post_init__(self) -> None:
        if self.count < 1:
            raise InvalidPromotion("item selection picks at least one unit")
        _percent(self.percent, "an item selection percentage")


@frozen
class FreeShipping:
    """Shipping paid by the shop, for `methods` only (empty: every method), up to `cap`."""

    methods: tuple[str, ...] = ()
    cap: Money | None = None

    def __attrs_post_init__(self) -> None:
        if self.cap is not None and self.cap.amount <= 0:
            raise InvalidPromotion("a free-shipping cap must be above zero")


@frozen
class BundleComponent:
    product_id: str
    quantity: int = 1

    def __attrs_post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidPromotion("a bundle component needs at least one unit")


@frozen
class BundlePrice:
    """Each complete set of `components` costs `price` together."""

    components: tuple[BundleComponent, ...]
    price: Money

    def __attrs_post_init__(self) -> None:
        if len(self.components) < 1:
            raise InvalidPromotion("a bundle needs components")
        if len({c.product_id for c in self.components}) != len(self.components):
            raise InvalidPromotion("list each bundle component once, with its quantity")
        if self.price.amount < 0:
            raise InvalidPromotion("a bundle price cannot be negative")


Benefit = (
    PercentageOff | FixedAmountOff | BuyXGetY | Tiered | ItemSelection | FreeShipping | BundlePrice
)

DISCOUNT_TYPES: Mapping[type, DiscountType] = {
    PercentageOff: DiscountType.PERCENTAGE,
    FixedAmountOff: DiscountType.FIXED_AMOUNT,
    BuyXGetY: DiscountType.BUY_X_GET_Y,
    Tiered: DiscountType.TIERED,
    ItemSelection: DiscountType.ITEM_SELECTION,
    FreeShipping: DiscountType.FREE_SHIPPING,
    BundlePrice: DiscountType.BUNDLE,
}


def money_in(benefit: Benefit) -> list[Money]:
    """Every amount a benefit names (they must all be in the cart's currency to apply)."""
    if isinstance(benefit, FixedAmountOff):
        return [benefit.amount]
    if isinstance(benefit, Tiered):
        return [m for t in benefit.tiers for m in (t.at_least, t.amount) if isinstance(m, Money)]
    if isinstance(benefit, FreeShipping):
        return [benefit.cap] if benefit.cap else []
    if isinstance(benefit, BundlePrice):
        return [benefit.price]
    return []


# -- conditions: an AND/OR tree over cart facts ---------------------------------------------------

class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IN = "in"  # the fact is one of the values
    NOT_IN = "not_in"
    CONTAINS = "contains"  # a list fact contains the value
    CONTAINS_ANY = "contains_any"  # a list fact shares at least one value


FactValue = str | int | tuple[str, ...] | None

# The facts a condition may name; `subtotal` is in minor units, before promotions.
FACTS = frozenset({
    "subtotal", "item_quantity", "line_count", "currency", "product_ids", "category_ids",
    "brand_ids", "skus", "shipping_method", "shipping_country", "shipping_region",
    "shipping_postcode", "payment_method", "customer_id", "customer_segments",
})


@frozen
class Condition:
    fact: str
    op: Op
    value: str | int | tuple[str, ...]

    def __attrs_post_init__(self) -> None:
        if self.fact not in FACTS:
            raise InvalidPromotion(f"unknown condition fact {self.fact!r}", fact=self.fact)

    def holds(self, facts: Mapping[str, FactValue]) -> bool:
        actual = facts.get(self.fact)
        if actual is None:
            return self.op is Op.NE or self.op is Op.NOT_IN
        expected = self.value
        if self.op is Op.EQ:
            return actual == expected
        if self.op is Op.NE:
            return actual != expected
        if self.op in (Op.IN, Op.NOT_IN):
            inside = isinstance(expected, tuple) and actual in expected
            return inside if self.op is Op.IN else not inside
        if self.op in (Op.CONTAINS, Op.CONTAINS_ANY):
            if not isinstance(actual, tuple):
                return False
            wanted = expected if isinstance(expected, tuple) else (str(expected),)
            return (all if self.op is Op.CONTAINS else any)(w in actual for w in wanted)
        if not isinstance(actual, int) or not isinstance(expected, int):
            return False
        return {
            Op.GT: actual > expected, Op.GTE: actual >= expected,
            Op.LT: actual < expected, Op.LTE: actual <= expected,
        }[self.op]


@frozen
class AllOf:
    conditions: tuple[ConditionNode, ...]

    def holds(self, facts: Mapping[str, FactValue]) -> bool:
        return all(c.holds(facts) for c in self.conditions)


@frozen
class AnyOf:
    conditions: tuple[ConditionNode, ...]

    def holds(self, facts: Mapping[str, FactValue]) -> bool:
        return any(c.holds(facts) for c in self.conditions)


ConditionNode = Condition | AllOf | AnyOf
