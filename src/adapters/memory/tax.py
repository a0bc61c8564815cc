"""In-memory tax adapters: the rule repository, and rule sources for tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.tax.errors import TaxRuleNotFound, TaxServiceUnavailable
from commerce_core.tax.model import TaxRule, TaxRuleDefinition
from commerce_core.tax.ports import TaxRuleSource


class InMemoryTaxRuleRepository(_Repository):
    kind = "tax_rule"
    not_found = TaxRuleNotFound

    def for_country(self, country_code: str) -> list[TaxRule]:
        rows = sorted((r for r in self._all() if r.definition.country_code == country_code),
                      key=lambda r: (r.definition.created_at, r.id))
        return [self._load(r) for r in rows]

    def list(self) -> list[TaxRule]:
        rows = sorted(self._all(), key=lambda r: (r.definition.country_code,
                                                  r.definition.created_at, r.id))
        return [self._load(r) for r in rows]


class StaticTaxRuleSource:
    """A `TaxRuleSource` over a fixed list; `down = True` makes it time out."""

    def __init__(self, rules: Iterable[TaxRuleDefinition] = ()) -> None:
        self.rules = list(rules)
        self.down = False

    def rules_for(self, country_code: str, at: datetime) -> Sequence[TaxRuleDefinition]:
        if self.down:
            raise TaxServiceUnavailable("the tax service timed out", country_code=country_code)
        return [r for r in self.rules if r.country_code == country_code and r.live_at(at)]


class SwitchableTaxRuleSource:
    """Wraps a real source; while `down` is True every call times out (outage drills)."""

    def __init__(self, inner: TaxRuleSource) -> None:
        self._inner = inner
        self.down = False

    def rules_for(self, country_code: str, at: datetime) -> Sequence[TaxRuleDefinition]:
        if self.down:
            raise TaxServiceUnavailable("the tax service timed out", country_code=country_code)
        return self._inner.rules_for(country_code, at)
