"""The `TaxRuleSource` over the shop's own rule table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax.model import TaxRuleDefinition
from commerce_core.tax.ports import TaxUnitOfWork


class StoredTaxRules:
    """Reads rules through the tax unit of work. A storage failure surfaces as the adapter's
    `ServiceUnavailable`; it is never turned into "no rules"."""

    def __init__(self, uow: UnitOfWorkFactory[TaxUnitOfWork]) -> None:
        self._uow = uow

    def rules_for(self, country_code: str, at: datetime) -> Sequence[TaxRuleDefinition]:
        with self._uow() as uow:
            rules = uow.tax_rules.for_country(country_code.strip().upper())
        return [r.definition for r in rules if r.definition.live_at(at)]
