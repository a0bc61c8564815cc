"""Shipments in memory."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shipping.errors import DuplicateTrackingNumber, ShipmentNotFound
from commerce_core.shipping.model import Shipment
from commerce_core.shipping.ports import ShipmentStatus


class InMemoryShipmentRepository(_Repository):
    kind = "shipment"
    not_found = ShipmentNotFound
    # As the SQL unique keys: one shipment per package, one per carrier tracking number.
    unique = (
        ("package", lambda s: [f"{s.fulfillment_id}\x1f{s.package_id}"], ConcurrencyConflict),
        ("tracking number", lambda s: [f"{s.carrier}\x1f{s.tracking_number}"]
         if s.tracking_number else [], DuplicateTrackingNumber),
    )
    indexed = (("order", lambda s: [s.order_id]),
               ("number", lambda s: [s.tracking_number] if s.tracking_number else []))

    def flush(self) -> None:
        # A tracking number arrives by update (booking), where the base checks no unique key.
        index = self._index("tracking number")
        for shipment in self._tracker.changed(self.kind):
            if shipment.tracking_number is None:
                continue
            owners = index.get(f"{shipment.carrier}\x1f{shipment.tracking_number}", set())
            if owners - {shipment.id}:
                raise DuplicateTrackingNumber(
                    f"tracking number already in use: {shipment.tracking_number}",
                    keys=[shipment.tracking_number])
        super().flush()

    def for_package(self, fulfillment_id: str, package_id: str) -> Shipment | None:
        rows = self._by("package", f"{fulfillment_id}\x1f{package_id}")
        return self._load(rows[0]) if rows else None

    def for_order(self, order_id: str) -> builtins.list[Shipment]:
        rows = sorted(self._by("order", order_id), key=lambda s: (s.created_at, s.id))
        return [self._load(r) for r in rows]

    def by_tracking_number(self, carrier: str, tracking_number: str) -> Shipment | None:
        rows = self._by("tracking number", f"{carrier}\x1f{tracking_number}")
        return self._load(rows[0]) if rows else None

    def find_by_tracking_number(self, tracking_number: str) -> Shipment | None:
        rows = sorted(self._by("number", tracking_number), key=lambda s: (s.created_at, s.id))
        return self._load(rows[-1]) if rows else None

    def list(self, *, statuses: Collection[str] | None = None, carrier: str | None = None,
             order_id: str | None = None, needs_attention: bool | None = None,
             limit: int = 100) -> builtins.list[Shipment]:
        rows = sorted(
            (s for s in self._all()
             if (statuses is None or s.status.value in statuses)
             and (carrier is None or s.carrier == carrier)
             and (order_id is None or s.order_id == order_id)
             and (needs_attention is None or s.needs_attention == needs_attention)),
            key=lambda s: (s.created_at, s.id), reverse=True)
        return [self._load(r) for r in rows[:limit]]

    def stale(self, statuses: Collection[str], before: datetime,
              limit: int) -> builtins.list[str]:
        rows = sorted((s for s in self._all()
                       if s.status.value in statuses and s.updated_at <= before),
                      key=lambda s: (s.updated_at, s.id))
        return [s.id for s in rows[:limit]]

    def bookings_due(self, now: datetime, limit: int) -> builtins.list[str]:
        rows = sorted((s for s in self._all()
                       if s.status is ShipmentStatus.DRAFT and s.next_booking_at is not None
                       and s.next_booking_at <= now),
                      key=lambda s: (s.next_booking_at, s.id))
        return [s.id for s in rows[:limit]]

    def cod_unsettled(self, limit: int) -> builtins.list[str]:
        rows = sorted((s for s in self._all()
                       if s.status is ShipmentStatus.DELIVERED and s.cod_amount is not None
                       and s.cod_collected is not None and not s.cod_settled),
                      key=lambda s: (s.updated_at, s.id))
        return [s.id for s in rows[:limit]]
