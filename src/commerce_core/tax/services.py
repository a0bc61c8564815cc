"""What tax offers other contexts: the shop's rule table as a `TaxRuleSource`, and pricing's
`TaxSource` over any rule source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax.calculation import TaxRuleSet
from commerce_core.tax.errors import TaxServiceUnavailable
from commerce_core.tax.model import TaxRuleDefinition
from commerce_core.tax.ports import TaxRuleSource, TaxUnitOfWork


class StoredTaxRules:
    """Reads rules through the tax unit of work. A storage failure surfaces as the adapter's
    `ServiceUnavailable`; it is never turned into "no rules"."""

    def __init__(self, uow: UnitOfWorkFactory[TaxUnitOfWork]) -> None:
        self._uow = uow

    def rules_for(self, country_code: str, at: datetime) -> Sequence[TaxRuleDefinition]:
        with self._uow() as uow:
            rules = uow.tax_rules.for_country(country_code.strip().upper())
        return [r.definition for r in rules if r.definition.live_at(at)]


class TaxRates:
    """Pricing's `TaxSource`: the rules of a country from `rules`, or `TaxServiceUnavailable`
    when they cannot be read (never an empty guess)."""

    def __init__(self, rules: TaxRuleSource) -> None:
        self._rules = rules

    def for_country(self, country_code: str, at: datetime) -> TaxRuleSet:
        try:
            return TaxRuleSet(tuple(self._rules.rules_for(country_code, at)))
        except TaxServiceUnavailable:
            raise
        except ServiceUnavailable as error:
            raise TaxServiceUnavailable(
                f"tax rules for {country_code} are unavailable: {error.message}",
                country_code=country_code,
            ) from error
