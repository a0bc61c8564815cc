"""`commerce.pricing`: price rows and price rules as plain methods."""

from __future__ import annotations

import builtins

from commerce_core.pricing import commands as pc
from commerce_core.pricing import handlers as ph
from commerce_core.pricing.model import Price
from commerce_core.pricing.ports import PricingUnitOfWork
from commerce_core.pricing.rules import PriceRule
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class PricingApi:
    """Price rows and price rules (a cart is priced through `commerce.cart.price`)."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[PricingUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def create_price(self, command: pc.CreatePrice) -> str:
        return str(self._handle(command))

    def update_price(self, command: pc.UpdatePrice) -> int:
        return int(self._handle(command))

    def deactivate_price(self, price_id: str) -> None:
        self._handle(pc.DeactivatePrice(price_id))

    def bulk_update(self, command: pc.BulkUpdatePrices) -> ph.BulkUpdateResult:
        result: ph.BulkUpdateResult = self._handle(command)
        return result

    def price(self, price_id: str) -> Price:
        with self._read() as uow:
            return uow.prices.get(price_id)

    def prices_of(self, product_id: str) -> builtins.list[Price]:
        with self._read() as uow:
            points = uow.prices.points_for([product_id])
            return [uow.prices.get(p.price_id) for p in points]

    def create_rule(self, command: pc.CreatePriceRule) -> str:
        return str(self._handle(command))

    def deactivate_rule(self, rule_id: str) -> None:
        self._handle(pc.DeactivatePriceRule(rule_id))

    def rules(self) -> builtins.list[PriceRule]:
        with self._read() as uow:
            return uow.price_rules.list()
