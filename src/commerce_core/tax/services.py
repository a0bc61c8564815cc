"""What tax offers other contexts: the shop's rule table as a `TaxRuleSource`, and pricing's
`TaxSource` over any rule source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.uow import UnitOfWork, UnitOfWorkFactory
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
            return self.rules_within(uow, country_code, at)

    @staticmethod
    def rules_within(uow: TaxUnitOfWork, country_code: str,
                     at: datetime) -> Sequence[TaxRuleDefinition]:
        """The same, in the caller's transaction: a checkout reads them with its other reads
        rather than in a transaction of their own."""
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

    @property
    def local(self) -> bool:
        """The shop's own rule table (not an external service, nor a wrapper around the
        table, such as one that simulates an outage)."""
        return type(self._rules) is StoredTaxRules

    def within(self, uow: UnitOfWork, country_code: str, at: datetime) -> TaxRuleSet | None:
        """The shop's own rule table is read in the caller's transaction (the caller's unit of
        work is the shop's, so it has the tax rules); any other source answers None and is
        asked by `for_country` before the transaction."""
        if not self.local:
            return None
        return TaxRuleSet(tuple(StoredTaxRules.rules_within(
            cast(TaxUnitOfWork, uow), country_code, at)))
