"""What the tax context needs: rule storage, and a source of rules for price calculation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from commerce_core.shared.uow import UnitOfWork
from commerce_core.tax.model import TaxRule, TaxRuleDefinition


class TaxRuleRepository(Protocol):
    def add(self, rule: TaxRule) -> None: ...

    def get(self, rule_id: str) -> TaxRule:
        """The rule, or `TaxRuleNotFound`."""
        ...

    def for_country(self, country_code: str) -> list[TaxRule]:
        """Every rule of the country, active or not, oldest first."""
        ...

    def list(self) -> list[TaxRule]: ...


class TaxUnitOfWork(UnitOfWork, Protocol):
    @property
    def tax_rules(self) -> TaxRuleRepository: ...


class TaxRuleSource(Protocol):
    """The rules that may apply to an order shipped to a country, as price calculation reads
    them (the local rule table, or an external tax service behind an adapter).

    Contract: the answer is complete or the call fails. An outage or a timeout raises
    `TaxServiceUnavailable` (a `ServiceUnavailable`); it never returns an empty list to mean
    "could not tell", because an empty list means "no rule", which callers must be able to
    tell apart from a failure (spec tax rules 4 and 5).
    """

    def rules_for(self, country_code: str, at: datetime) -> Sequence[TaxRuleDefinition]:
        """Rules of that country live at `at` (region, postcode, class and group filters are
        applied by the calculation)."""
        ...
