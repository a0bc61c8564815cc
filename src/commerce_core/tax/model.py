"""Tax rules: where (country, region, postcode), on what (tax class, category), for whom
(customer group), how much (a percentage) and how (compound, inclusive, on shipping)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import attrs
from attrs import define, field, frozen

from commerce_core.pricing.ports import COUNTRY_CODE, TaxDestination
from commerce_core.shared.events import DomainEvent
from commerce_core.tax.errors import InvalidTaxRule
from commerce_core.tax.events import TaxRateChanged, TaxRuleCreated, TaxRuleDeactivated


def _upper(value: str | None) -> str | None:
    return None if value is None else value.strip().upper() or None


def check_rate(rate: Decimal) -> Decimal:
    """A percentage from 0 to 100 with at most 4 decimal places (10, 5.25, 0)."""
    if not isinstance(rate, Decimal) or not rate.is_finite():
        raise InvalidTaxRule("a tax rate is a Decimal percentage", rate=str(rate))
    exponent = rate.as_tuple().exponent
    if not Decimal(0) <= rate <= 100 or (isinstance(exponent, int) and exponent < -4):
        raise InvalidTaxRule("a tax rate is 0 to 100 percent with at most 4 decimals",
                             rate=str(rate))
    return rate


@frozen
class TaxRuleDefinition:
    """One tax rule. `postcode` is exact, or a prefix when it ends with `*` ("700*")."""

    rule_id: str
    name: str
    country_code: str
    tax_type: str  # VAT, GST, SALES, EXCISE, IMPORT_DUTY, ...
    rate: Decimal  # percent
    created_at: datetime
    region: str | None = None
    postcode: str | None = None
    tax_classes: tuple[str, ...] = ()  # product tax classes (empty: all)
    categories: tuple[str, ...] = ()  # category ids (empty: all)
    customer_group_id: str | None = None  # None: every group
    is_compound: bool = False
    is_inclusive: bool = False
    applies_to_shipping: bool = False
    priority: int = 0
    effective_from: datetime | None = None
    effective_to: datetime | None = None
    is_active: bool = True

    def __attrs_post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidTaxRule("a tax rule needs a name")
        if not COUNTRY_CODE.match(self.country_code):
            raise InvalidTaxRule("the country is an upper-case ISO 3166 alpha-2 code",
                                 country_code=self.country_code)
        if not self.tax_type.strip() or self.tax_type != self.tax_type.upper():
            raise InvalidTaxRule("a tax type is an upper-case name (VAT, EXCISE, ...)")
        check_rate(self.rate)
        if self.region is not None and self.region != _upper(self.region):
            raise InvalidTaxRule("regions are upper-case codes", region=self.region)
        if self.postcode is not None and self.region is None:
            raise InvalidTaxRule("a postcode rule names its region too")
        if self.is_compound and self.is_inclusive:
            raise InvalidTaxRule("a rule is either compound or inclusive, not both")
        if self.effective_from and self.effective_to and self.effective_to <= self.effective_from:
            raise InvalidTaxRule("a rule's window must end after it starts")

    def live_at(self, at: datetime) -> bool:
        return (self.is_active
                and (self.effective_from is None or self.effective_from <= at)
                and (self.effective_to is None or at < self.effective_to))

    @property
    def location_level(self) -> int:
        """0 country, 1 region, 2 postcode: the more specific wins within a tax type."""
        return 2 if self.postcode is not None else 1 if self.region is not None else 0

    def covers(self, destination: TaxDestination) -> bool:
        if destination.country_code != self.country_code:
            return False
        if self.region is not None and destination.region != self.region:
            return False
        if self.postcode is None:
            return True
        code = destination.postcode or ""
        if self.postcode.endswith("*"):
            return code.startswith(self.postcode[:-1])
        return code == self.postcode

    def covers_product(self, tax_class: str | None, category_ids: tuple[str, ...]) -> bool:
        return (not self.tax_classes or tax_class in self.tax_classes) and (
            not self.categories or bool(set(self.categories) & set(category_ids))
        )

    @property
    def specificity(self) -> tuple[int, int, int, int]:
        """Location first, then a product filter, then a customer group, then priority."""
        product = int(bool(self.tax_classes or self.categories))
        return (self.location_level, product, int(self.customer_group_id is not None),
                self.priority)


@define(eq=False)
class TaxRule:
    definition: TaxRuleDefinition
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def id(self) -> str:
        return self.definition.rule_id

    @classmethod
    def create(cls, definition: TaxRuleDefinition, *, now: datetime) -> TaxRule:
        d = definition
        rule = cls(d, now)
        rule.events.append(TaxRuleCreated(d.rule_id, d.name, d.country_code, d.region,
                                          d.postcode, d.tax_type, str(d.rate), now))
        return rule

    def change_rate(self, rate: Decimal, *, now: datetime) -> None:
        """A new percentage for the same rule (prefer a new dated rule to keep history)."""
        previous = self.definition.rate
        if check_rate(rate) == previous:
            return
        self.definition = attrs.evolve(self.definition, rate=rate)
        self.updated_at = now
        self.events.append(TaxRateChanged(self.id, str(previous), str(rate), now))

    def deactivate(self, *, now: datetime) -> None:
        if not self.definition.is_active:
            return
        self.definition = attrs.evolve(self.definition, is_active=False)
        self.updated_at = now
        self.events.append(TaxRuleDeactivated(self.id, now))
