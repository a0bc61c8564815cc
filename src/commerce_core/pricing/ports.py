"""What pricing needs and offers: price and rule storage, exchange rates, a price cache to
invalidate, and the two collaborators the engine calls, with the data they exchange.

`PromotionEvaluator` (implemented by the promotion context) takes off promotions and coupons;
`TaxCalculator` (implemented by the tax context) computes tax by destination. Both are loaded
for one cart beforehand (`PromotionSource`, `TaxSource`), so the engine itself stays pure.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final, Protocol

from attrs import field, frozen

from commerce_core.pricing.currency import ExchangeRate
from commerce_core.pricing.errors import InvalidDestination
from commerce_core.pricing.model import Price, PricePoint
from commerce_core.pricing.rules import PriceRule
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWork


class PriceRepository(Protocol):
    """Price rows. At most one active row per (product, SKU, warehouse, currency) covers any
    moment: adding or changing a row whose window overlaps another active row of the same key
    raises `DuplicatePrice` at the latest on commit. Saving a changed row checks its `version`
    (a stale one raises `ConcurrencyConflict`)."""

    def add(self, price: Price) -> None: ...

    def get(self, price_id: str) -> Price:
        """The price, or `PriceNotFound`."""
        ...

    def for_key(
        self, product_id: str, sku: str | None, warehouse_id: str | None, currency: str
    ) -> list[Price]:
        """Active rows of exactly this key, by `effective_from`."""
        ...

    def points_for(self, product_ids: Collection[str]) -> list[PricePoint]:
        """The read side used by price calculation: active rows of these products at every
        level and in every currency, without loading aggregates."""
        ...

    def next_sequence(self, product_id: str) -> int:
        """The product's next price-event sequence number: ONE atomic increment in the caller's
        transaction (`UPDATE price_sequences SET last = last + 1 ... RETURNING last`, inserting
        1 when absent), so concurrent writers of one product never share a number. Numbers only
        grow; a rolled-back transaction may leave a gap, which consumers tolerate."""
        ...


class PriceRuleRepository(Protocol):
    def add(self, rule: PriceRule) -> None: ...

    def get(self, rule_id: str) -> PriceRule:
        """The rule, or `PriceRuleNotFound`."""
        ...

    def live(self, at: datetime) -> list[PriceRule]:
        """Active rules whose window contains `at`, in application order (higher priority
        first, then creation order)."""
        ...

    def list(self) -> list[PriceRule]: ...


class PricingUnitOfWork(UnitOfWork, Protocol):
    @property
    def prices(self) -> PriceRepository: ...

    @property
    def price_rules(self) -> PriceRuleRepository: ...


class ExchangeRates(Protocol):
    """Current exchange rates (an adapter caches them 1 h, single-flights misses and breaks the
    circuit on a failing provider). `rate` returns the freshest known rate with the time it was
    fetched, or raises `ExchangeRateUnavailable`; it never invents a rate of 1."""

    def rate(self, source: str, target: str) -> ExchangeRate: ...


class PriceCache(Protocol):
    """Cached price calculations. Invalidated by event subscribers, which run only after the
    price write committed, so a reader can never re-cache the old price after invalidation
    (spec pricing rule 6, scenario 9). Keys are built by the adapter from the full request
    context with a collision-resistant hash."""

    def invalidate_product(self, product_id: str) -> None: ...

    def clear(self) -> None:
        """Drop everything (a promotion or rule change can touch any product)."""
        ...


# -- promotions, as the engine sees them ------------------------------------------------------
@frozen
class PromotionLine:
    """A cart line as promotions see it: `unit_price` is after price rules, before promotions."""

    line_id: str
    product_id: str
    quantity: int
    unit_price: Money
    sku: str | None = None
    category_ids: tuple[str, ...] = ()
    brand_id: str | None = None

    @property
    def amount(self) -> Money:
        return self.unit_price * self.quantity


@frozen
class PromotionRequest:
    """The cart as promotions see it: explicit lines (spec §2 validation context)."""

    currency: str
    lines: tuple[PromotionLine, ...]
    coupon_codes: tuple[str, ...] = ()
    shipping_method: str | None = None
    shipping_amount: Money | None = None
    shipping_country: str | None = None
    shipping_region: str | None = None
    shipping_postcode: str | None = None
    payment_method: str | None = None


@frozen
class Shopper:
    customer_id: str | None = None
    segments: tuple[str, ...] = ()
    completed_orders: int | None = None  # None: unknown (a guest)


@frozen
class LineDiscount:
    line_id: str
    amount: Money


@frozen
class AppliedPromotion:
    promotion_id: str
    name: str
    discount_type: str  # the promotion's own vocabulary (percentage, fixed_amount, ...)
    is_stackable: bool
    line_discounts: tuple[LineDiscount, ...]
    item_discount: Money
    shipping_discount: Money
    campaign_id: str | None = None
    coupon_id: str | None = None
    coupon_code: str | None = None

    @property
    def total(self) -> Money:
        return self.item_discount + self.shipping_discount


@frozen
class RejectedCoupon:
    code: str
    reason: str  # a stable code such as "coupon.expired"
    message: str
    promotion_id: str | None = None


@frozen
class PromotionOutcome:
    applied: tuple[AppliedPromotion, ...]
    invalid_coupons: tuple[RejectedCoupon, ...]
    item_discount: Money
    shipping_discount: Money


class PromotionEvaluator(Protocol):
    """The promotions that may apply to one cart, loaded beforehand. `evaluate` is pure: the same
    request, shopper and time give the same outcome; every code that gives nothing is reported
    in `invalid_coupons` with its reason, never dropped."""

    def evaluate(self, request: PromotionRequest, shopper: Shopper,
                 at: datetime) -> PromotionOutcome: ...


class PromotionSource(Protocol):
    """Loads the promotions for one cart in a unit of work of its own (quotes). An outage raises
    `ServiceUnavailable`: a quote then goes on without discounts, a confirmation stops."""

    def load(self, *, coupon_codes: Sequence[str], customer_id: str | None,
             at: datetime) -> PromotionEvaluator: ...


# -- tax, as the engine sees it ---------------------------------------------------------------
# An ISO 3166 alpha-2 country code, upper-case, as entry points state it in their schemas.
COUNTRY_CODE_FORMAT: Final = r"^[A-Z]{2}$"
COUNTRY_CODE = re.compile(COUNTRY_CODE_FORMAT)


def _country(value: str) -> str:
    return value.strip().upper()


def _upper(value: str | None) -> str | None:
    return None if value is None else value.strip().upper() or None


@frozen
class TaxDestination:
    """Where the goods go: tax is computed by the shipping destination (spec §0)."""

    country_code: str = field(converter=_country)
    region: str | None = field(default=None, converter=_upper)
    postcode: str | None = field(default=None, converter=_upper)

    def __attrs_post_init__(self) -> None:
        if not COUNTRY_CODE.match(self.country_code):
            raise InvalidDestination(f"{self.country_code!r} is not an ISO 3166 alpha-2 code",
                                     country_code=self.country_code)


class NoRulePolicy(StrEnum):
    """What to do when no rule covers a line (spec tax rule 4)."""

    ZERO_WITH_WARNING = "zero_with_warning"
    FAIL = "fail"


@frozen
class TaxableLine:
    line_id: str
    amount: Money  # after discounts; net, or gross for inclusive rules
    tax_class: str | None = None
    category_ids: tuple[str, ...] = ()


@frozen
class TaxRequest:
    currency: str
    destination: TaxDestination
    lines: tuple[TaxableLine, ...]
    shipping: Money | None = None  # after the shipping discount
    customer_group_id: str | None = None
    tax_exempt: bool = False


@frozen
class AppliedTax:
    rule_id: str
    name: str
    tax_type: str
    rate: Decimal
    amount: Money
    inclusive: bool = False
    compound: bool = False


@frozen
class LineTax:
    line_id: str
    taxes: tuple[AppliedTax, ...]
    tax: Money  # every tax of the line, inclusive ones too
    included: Money  # the part already inside the amount (inclusive rules)
    net: Money  # the amount without any tax
    no_rule_matched: bool = False


@frozen
class RateTotal:
    """One rule's tax over the whole order."""

    rule_id: str
    name: str
    tax_type: str
    rate: Decimal
    inclusive: bool
    amount: Money


@frozen
class TaxResult:
    lines: tuple[LineTax, ...]
    shipping: LineTax | None
    tax: Money
    included: Money
    rates: tuple[RateTotal, ...]
    no_rule_matched: bool  # some product line had no rule at all (not the same as a 0% rule)
    unmatched_line_ids: tuple[str, ...] = ()
    exempt: bool = False


class TaxCalculator(Protocol):
    """The tax rules of one destination country, loaded beforehand. `calculate` is pure; under
    `NoRulePolicy.FAIL` a line no rule covers raises `NoTaxRuleMatched`."""

    def calculate(self, request: TaxRequest, *, at: datetime,
                  policy: NoRulePolicy) -> TaxResult: ...


class TaxSource(Protocol):
    """Loads the tax rules of a country. The answer is complete or the call fails: an outage or
    a timeout raises `TaxServiceUnavailable`, never an empty rule set (spec tax rules 4 and 5)."""

    def for_country(self, country_code: str, at: datetime) -> TaxCalculator: ...

    @property
    def local(self) -> bool:
        """Whether the rules live in the shop's own database (then `within` reads them)."""
        ...

    def within(self, uow: UnitOfWork, country_code: str, at: datetime) -> TaxCalculator | None:
        """The same rules read in the caller's transaction `uow`, when they live in the shop's
        own database; None when they come from elsewhere (then `for_country` is asked before
        any transaction opens, so an outage stops a checkout before anything is written)."""
        ...
