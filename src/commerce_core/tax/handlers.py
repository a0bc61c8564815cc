"""Tax rule administration use cases."""

from __future__ import annotations

from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax.commands import ChangeTaxRate, CreateTaxRule, DeactivateTaxRule
from commerce_core.tax.model import TaxRule, TaxRuleDefinition
from commerce_core.tax.ports import TaxUnitOfWork

Uow = UnitOfWorkFactory[TaxUnitOfWork]


class CreateTaxRuleHandler:
    def __init__(self, uow: Uow, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateTaxRule) -> str:
        now = self._clock.now()
        definition = TaxRuleDefinition(
            rule_id=self._ids.new_id(), name=cmd.name.strip(),
            country_code=cmd.country_code.strip().upper(),
            tax_type=cmd.tax_type.strip().upper(), rate=cmd.rate, created_at=now,
            region=cmd.region.strip().upper() if cmd.region else None,
            postcode=cmd.postcode.strip().upper() if cmd.postcode else None,
            tax_classes=cmd.tax_classes, categories=cmd.categories,
            customer_group_id=cmd.customer_group_id, is_compound=cmd.is_compound,
            is_inclusive=cmd.is_inclusive, applies_to_shipping=cmd.applies_to_shipping,
            priority=cmd.priority, effective_from=cmd.effective_from,
            effective_to=cmd.effective_to,
        )
        with self._uow() as uow:
            uow.tax_rules.add(TaxRule.create(definition, now=now))
            uow.commit()
        return definition.rule_id


class ChangeTaxRateHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ChangeTaxRate) -> None:
        with self._uow() as uow:
            uow.tax_rules.get(cmd.rule_id).change_rate(cmd.rate, now=self._clock.now())
            uow.commit()


class DeactivateTaxRuleHandler:
    def __init__(self, uow: Uow, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: DeactivateTaxRule) -> None:
        with self._uow() as uow:
            uow.tax_rules.get(cmd.rule_id).deactivate(now=self._clock.now())
            uow.commit()
