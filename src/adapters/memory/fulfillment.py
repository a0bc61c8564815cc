"""In-memory fulfillments and pick lists, and a carrier that records the shipments asked of it."""

from __future__ import annotations

import builtins
import threading
from collections.abc import Collection
from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.fulfillment.errors import FulfillmentNotFound, PicklistNotFound
from commerce_core.fulfillment.model import Fulfillment
from commerce_core.fulfillment.picklists import Picklist
from commerce_core.fulfillment.ports import ShipmentRequest
from commerce_core.shared.errors import ConcurrencyConflict, ServiceUnavailable


class InMemoryFulfillmentRepository(_Repository):
    kind = "fulfillment"
    not_found = FulfillmentNotFound
    # One per (order, warehouse), as the SQL unique key: a duplicate creation is a lost race.
    unique = (("order and warehouse", lambda f: [f"{f.order_id}|{f.warehouse_id}"],
               ConcurrencyConflict),)

    def for_order(self, order_id: str) -> list[Fulfillment]:
        rows = sorted((f for f in self._all() if f.order_id == order_id),
                      key=lambda f: (f.warehouse_id, f.id))
        return [self._load(f) for f in rows]

    def list(self, *, warehouse_id: str | None = None, statuses: Collection[str] | None = None,
             limit: int = 100) -> builtins.list[Fulfillment]:
        rows = sorted(
            (f for f in self._all()
             if (warehouse_id is None or f.warehouse_id == warehouse_id)
             and (statuses is None or f.status.value in statuses)),
            key=lambda f: (f.created_at, f.id),
        )
        return [self._load(f) for f in rows[:limit]]

    def in_status_since(self, status: str, before: datetime, limit: int) -> builtins.list[str]:
        rows = sorted(
            (f for f in self._all() if f.status.value == status
             and f.status_since is not None and f.status_since < before),
            key=lambda f: (f.status_since, f.id),
        )
        return [f.id for f in rows[:limit]]


class InMemoryPicklistRepository(_Repository):
    kind = "picklist"
    not_found = PicklistNotFound

    def list(self, *, warehouse_id: str | None = None,
             statuses: Collection[str] | None = None, limit: int = 100) -> builtins.list[Picklist]:
        rows = sorted(
            (p for p in self._all()
             if (warehouse_id is None or p.warehouse_id == warehouse_id)
             and (statuses is None or p.status.value in statuses)),
            key=lambda p: (p.created_at, p.id), reverse=True,
        )
        return [self._load(p) for p in rows[:limit]]


class RecordingCarrier:
    """A carrier for tests and demos: one shipment per idempotency key, every request kept.
    `down = True` makes it answer like an outage."""

    name = "recording"

    def __init__(self) -> None:
        self.requests: list[ShipmentRequest] = []
        self.shipments: dict[str, str] = {}
        self.down = False
        self._lock = threading.Lock()

    def create_shipment(self, request: ShipmentRequest) -> str:
        with self._lock:
            if self.down:
                raise ServiceUnavailable("the carrier is not answering")
            self.requests.append(request)
            if request.idempotency_key not in self.shipments:
                self.shipments[request.idempotency_key] = f"SHP-{len(self.shipments) + 1:06d}"
            return self.shipments[request.idempotency_key]
