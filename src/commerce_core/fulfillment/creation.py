"""Fulfillments come into being when an order is paid (or confirmed, for cash on delivery):
one per warehouse the order's lines were allocated to, once per order (spec B2.1)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from commerce_core.catalog import services as catalog
from commerce_core.fulfillment.model import (
    Fulfillment,
    FulfillmentItem,
    FulfillmentPolicy,
    split_cod,
)
from commerce_core.fulfillment.ports import FulfillmentUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.money import Money


def _money(data: Mapping[str, Any]) -> Money:
    return Money(int(data["amount"]), str(data["currency"]))


class _CreateFulfillments:
    """One fulfillment per warehouse the order's lines were allocated to, created once per
    order however often the event arrives (spec B2.1)."""

    def __init__(self, clock: Clock, ids: IdGenerator, policy: FulfillmentPolicy) -> None:
        self._clock, self._ids, self._policy = clock, ids, policy

    def create(self, payload: Mapping[str, Any], uow: FulfillmentUnitOfWork) -> None:
        order_id = str(payload["order_id"])
        if uow.fulfillments.for_order(order_id):
            return
        now = self._clock.now()
        items = list(payload.get("items") or [])
        skus = {str(item["sku"]) for item in items}
        weights = {sku: item.weight_grams for sku, item in catalog.sellable(uow, skus).items()}
        by_warehouse: dict[str, list[Mapping[str, Any]]] = {}
        for item in items:
            by_warehouse.setdefault(str(item["warehouse_id"]), []).append(item)
        warehouses = sorted(by_warehouse)
        total = _money(payload["total"])
        method = str(payload.get("payment_method") or "")
        cod = (split_cod(total, [sum(int(i["unit_price"]["amount"]) * int(i["quantity"])
                                     for i in by_warehouse[w]) for w in warehouses])
               if method == "cod" else [None] * len(warehouses))
        for warehouse_id, cod_amount in zip(warehouses, cod, strict=True):
            uow.fulfillments.add(Fulfillment.create(
                fulfillment_id=self._ids.new_id(), order_id=order_id,
                order_number=str(payload.get("order_number") or ""), warehouse_id=warehouse_id,
                items=[FulfillmentItem(self._ids.new_id(), str(i["sku"]), str(i["product_id"]),
                                       str(i["name"]), int(i["quantity"]),
                                       str(i["reservation_id"]), _money(i["unit_price"]),
                                       weights.get(str(i["sku"]), 0))
                       for i in by_warehouse[warehouse_id]],
                payment_method=method, order_value=total, cod_amount=cod_amount,
                policy=self._policy, now=now,
            ))


class CreateFulfillmentsOnOrderPaid(_CreateFulfillments):
    name = "fulfillment.create_fulfillments_on_order_paid"
    event_type = "order.paid"

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        self.create(envelope.payload, uow)


class CreateFulfillmentsOnCodOrderConfirmed(_CreateFulfillments):
    """Cash on delivery is paid at the door: its order is fulfilled once confirmed."""

    name = "fulfillment.create_fulfillments_on_cod_order_confirmed"
    event_type = "order.confirmed"

    @staticmethod
    def wants(envelope: EventEnvelope) -> bool:
        return envelope.payload.get("payment_method") == "cod"

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        if self.wants(envelope):
            self.create(envelope.payload, uow)
