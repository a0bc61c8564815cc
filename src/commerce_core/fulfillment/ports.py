"""What fulfillment needs: storage and the carrier hand-over."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from attrs import frozen

from commerce_core.catalog.ports import ProductReadUnitOfWork
from commerce_core.fulfillment.model import Fulfillment
from commerce_core.fulfillment.picklists import Picklist
from commerce_core.inventory.ports import InventoryUnitOfWork


class FulfillmentRepository(Protocol):
    def add(self, fulfillment: Fulfillment) -> None:
        """One fulfillment per (order, warehouse): a second raises `ConcurrencyConflict` at the
        latest on commit, which makes creation idempotent under concurrent deliveries."""
        ...

    def get(self, fulfillment_id: str) -> Fulfillment:
        """The fulfillment, or `FulfillmentNotFound`."""
        ...

    def for_order(self, order_id: str) -> list[Fulfillment]:
        """By warehouse id."""
        ...

    def list(
        self, *, warehouse_id: str | None = None, statuses: Collection[str] | None = None,
        limit: int = 100,
    ) -> builtins.list[Fulfillment]:
        """Oldest first."""
        ...

    def in_status_since(self, status: str, before: datetime, limit: int) -> builtins.list[str]:
        """Ids of fulfillments in `status` since before `before`, oldest first."""
        ...


class PicklistRepository(Protocol):
    def add(self, picklist: Picklist) -> None: ...

    def get(self, picklist_id: str) -> Picklist:
        """The pick list, or `PicklistNotFound`."""
        ...

    def list(self, *, warehouse_id: str | None = None, statuses: Collection[str] | None = None,
             limit: int = 100) -> builtins.list[Picklist]:
        """Newest first."""
        ...


class FulfillmentUnitOfWork(ProductReadUnitOfWork, InventoryUnitOfWork, Protocol):
    """Picking deducts stock and cancelling releases it in the fulfillment's transaction; the
    catalog gives the unit weights packing is checked against."""

    @property
    def fulfillments(self) -> FulfillmentRepository: ...

    @property
    def picklists(self) -> PicklistRepository: ...


@frozen
class ShipmentRequest:
    fulfillment_id: str
    order_id: str
    order_number: str
    warehouse_id: str
    package_ids: tuple[str, ...]
    weight_grams: int
    service_type: str
    idempotency_key: str


class ShipmentGateway(Protocol):
    """A carrier (or the shipping context) that accepts ready packages.

    `create_shipment` is idempotent on `request.idempotency_key`: asking again returns the
    first shipment's id. An outage raises `ServiceUnavailable`.
    """

    name: str

    def create_shipment(self, request: ShipmentRequest) -> str: ...
