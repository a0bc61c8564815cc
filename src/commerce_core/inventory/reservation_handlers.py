"""Reservation use cases, the inventory jobs (expiry, reconciliation, leaks) and reactions."""

from __future__ import annotations

import logging
from typing import Any

from commerce_core.inventory import services
from commerce_core.inventory.alerts import leak_cutoff
from commerce_core.inventory.allocation import Destination, GeoPoint
from commerce_core.inventory.commands import (
    ConfirmReservation,
    ExpireReservations,
    ExtendReservation,
    FulfilReservation,
    ReconcileReservedCounts,
    ReleaseReservation,
    ReportLeakedReservations,
    ReserveStock,
)
from commerce_core.inventory.model import ReservationPolicy
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.inventory.services import ReservedDrift, StockRequest, resolve_warehouse
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator, normalise_sku
from commerce_core.shared.uow import UnitOfWorkFactory, retrying

log = logging.getLogger("commerce.inventory")


class _Handler:
    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock


class ReserveStockHandler:
    """All lines or none, from the warehouses allocation picks; returns the reservation ids of
    each line (several when a line was split across warehouses)."""

    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock,
                 ids: IdGenerator, policy: ReservationPolicy) -> None:
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy

    def __call__(self, cmd: ReserveStock) -> list[list[str]]:
        def attempt() -> list[list[str]]:
            now = self._clock.now()
            with self._uow() as uow:
                requests = [
                    StockRequest(normalise_sku(line.sku), line.quantity,
                                 resolve_warehouse(uow, line.warehouse).id
                                 if line.warehouse else None)
                    for line in cmd.lines
                ]
                held = services.reserve(
                    uow, requests, reference=cmd.reference, reference_type=cmd.reference_type,
                    expires_at=now + self._policy.ttl(cmd.payment_method), now=now,
                    ids=self._ids, payment_method=cmd.payment_method,
                    customer_id=cmd.customer_id, destination=_destination(uow, cmd),
                )
                uow.commit()
            return [[r.id for r in line.reservations] for line in held]

        # A deadlock between two multi-row reservations aborts one of them; it tries again.
        result: list[list[str]] = retrying(attempt, retry_on=ConcurrencyConflict, attempts=3)
        return result


def _destination(uow: InventoryUnitOfWork, cmd: ReserveStock) -> Destination | None:
    point = (None if cmd.latitude is None or cmd.longitude is None
             else GeoPoint(cmd.latitude, cmd.longitude))
    distances = {resolve_warehouse(uow, ref).id: km for ref, km in cmd.distances_km}
    if point is None and not distances:
        return None
    return Destination(point=point, distances=distances or None)


class ExtendReservationHandler:
    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock,
                 policy: ReservationPolicy) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy

    def __call__(self, cmd: ExtendReservation) -> None:
        with self._uow() as uow:
            uow.reservations.get(cmd.reservation_id).extend(
                cmd.expires_at, now=self._clock.now(), factor=self._policy.max_extension_factor
            )
            uow.commit()


class ConfirmReservationHandler(_Handler):
    def __call__(self, cmd: ConfirmReservation) -> None:
        with self._uow() as uow:
            services.confirm(uow, [cmd.reservation_id], order_id=cmd.order_id,
                             now=self._clock.now())
            uow.commit()


class ReleaseReservationHandler(_Handler):
    def __call__(self, cmd: ReleaseReservation) -> int:
        def attempt() -> int:
            with self._uow() as uow:
                units = services.release(
                    uow, [cmd.reservation_id], reason=cmd.reason, now=self._clock.now()
                )
                uow.commit()
                return units

        return int(retrying(attempt, retry_on=ConcurrencyConflict))


class FulfilReservationHandler(_Handler):
    def __call__(self, cmd: FulfilReservation) -> None:
        with self._uow() as uow:
            services.fulfil(uow, cmd.reservation_id, cmd.quantity, now=self._clock.now())
            uow.commit()


class ExpireReservationsHandler(_Handler):
    """The expiry job: each due reservation expires in its own transaction, so one failure or a
    concurrent release (optimistic version) never blocks the rest; failures retry next run."""

    def __call__(self, cmd: ExpireReservations) -> int:
        now = self._clock.now()
        with self._uow() as uow:
            due = uow.reservations.due_to_expire(now, cmd.batch_size)
        expired = 0
        for reservation_id in due:
            try:
                with self._uow() as uow:
                    if services.expire(uow, uow.reservations.get(reservation_id), now=now):
                        expired += 1
                    uow.commit()
            except ConcurrencyConflict:
                log.info("reservation %s changed while expiring; left to its new owner",
                         reservation_id)
        return expired


class ReconcileReservedCountsHandler(_Handler):
    """The reconciliation job: each row in its own short transaction (it locks the row)."""

    def __call__(self, cmd: ReconcileReservedCounts) -> list[ReservedDrift]:
        with self._uow() as uow:
            rows = [(lv.sku, lv.warehouse_id) for lv in
                    uow.stock.list(normalise_sku(cmd.sku) if cmd.sku else None)]
        drifts: list[ReservedDrift] = []
        for sku, warehouse_id in rows:
            with self._uow() as uow:
                drift = services.reconcile(uow, sku, warehouse_id, now=self._clock.now())
                uow.commit()
            if drift is not None:
                log.warning("reserved of %s in %s was %d, live reservations hold %d (%s)",
                            sku, warehouse_id, drift.reserved, drift.live_units,
                            "corrected" if drift.corrected else "NOT corrected")
                drifts.append(drift)
        return drifts


class ReportLeakedReservationsHandler(_Handler):
    """Reservations still active 24 h after they were made: one alert event each, once."""

    def __call__(self, cmd: ReportLeakedReservations) -> int:
        now = self._clock.now()
        with self._uow() as uow:
            leaked = [r.id for r in uow.reservations.leaked(leak_cutoff(now), cmd.limit)]
        reported = 0
        for reservation_id in leaked:
            try:
                with self._uow() as uow:
                    if uow.reservations.get(reservation_id).report_leak(now=now):
                        reported += 1
                    uow.commit()
            except ConcurrencyConflict:
                continue  # released or expired meanwhile: no longer a leak
        return reported


class ReleaseReservationsOnOrderCancelled:
    """`order.cancelled` → give back what the order still holds (idempotent per reservation);
    units already fulfilled stay with the fulfilment, which compensates through a return."""

    name = "inventory.release_reservations_on_order_cancelled"
    event_type = "order.cancelled"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        ids = [str(r) for r in envelope.payload.get("reservation_ids", [])]
        services.release(uow, ids, reason="order_cancelled", now=self._clock.now(),
                         skip_fulfilled=True)
