"""`commerce.tax`: tax rules as plain methods."""

from __future__ import annotations

import builtins

from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.tax import commands as tc
from commerce_core.tax.model import TaxRule
from commerce_core.tax.ports import TaxUnitOfWork


class TaxApi:
    """Tax rules by destination."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[TaxUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def create_rule(self, command: tc.CreateTaxRule) -> str:
        return str(self._handle(command))

    def change_rate(self, command: tc.ChangeTaxRate) -> None:
        self._handle(command)

    def deactivate_rule(self, rule_id: str) -> None:
        self._handle(tc.DeactivateTaxRule(rule_id))

    def rules(self) -> builtins.list[TaxRule]:
        with self._read() as uow:
            return uow.tax_rules.list()
