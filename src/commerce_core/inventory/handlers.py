"""Inventory use cases and reactions."""

from __future__ import annotations

import logging
from typing import Any

from commerce_core.inventory import services
from commerce_core.inventory.commands import (
    CreateWarehouse,
    ExpireReservations,
    FulfilReservation,
    ReleaseReservation,
    SetStock,
)
from commerce_core.inventory.errors import DuplicateWarehouse, InvalidStockChange
from commerce_core.inventory.events import StockChanged
from commerce_core.inventory.model import Warehouse
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import ConcurrencyConflict
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator, normalise_sku
from commerce_core.shared.uow import UnitOfWorkFactory, retrying

log = logging.getLogger("commerce.inventory")


def resolve_warehouse(uow: InventoryUnitOfWork, ref: str) -> Warehouse:
    """A warehouse by code (case-insensitive) or id."""
    return uow.warehouses.by_code(ref.strip().upper()) or uow.warehouses.get(ref)


class CreateWarehouseHandler:
    def __init__(
        self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateWarehouse) -> str:
        with self._uow() as uow:
            if uow.warehouses.by_code(cmd.code.strip().upper()) is not None:
                raise DuplicateWarehouse(f"warehouse code {cmd.code} is taken", code=cmd.code)
            existing = uow.warehouses.list()
            warehouse = Warehouse.create(
                warehouse_id=self._ids.new_id(), code=cmd.code, name=cmd.name,
                # The first warehouse is the default one: a shop always has exactly one.
                is_default=cmd.is_default or not existing, now=self._clock.now(),
            )
            if warehouse.is_default:
                for other in existing:
                    other.is_default = False
            uow.warehouses.add(warehouse)
            uow.commit()
        return warehouse.id


class SetStockHandler:
    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: SetStock) -> None:
        if cmd.on_hand < 0:
            raise InvalidStockChange("on hand cannot be negative", on_hand=cmd.on_hand)
        sku = normalise_sku(cmd.sku)
        with self._uow() as uow:
            warehouse = resolve_warehouse(uow, cmd.warehouse)
            before = uow.stock.set_on_hand(sku, warehouse.id, cmd.on_hand)
            after = uow.stock.get(sku, warehouse.id)
            assert after is not None
            uow.record(
                StockChanged(
                    sku, warehouse.id, before.on_hand if before else 0, after.on_hand,
                    after.reserved, cmd.reason, self._clock.now(),
                )
            )
            uow.commit()


class ReleaseReservationHandler:
    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ReleaseReservation) -> int:
        def attempt() -> int:
            with self._uow() as uow:
                units = services.release(
                    uow, [cmd.reservation_id], reason=cmd.reason, now=self._clock.now()
                )
                uow.commit()
                return units

        return int(retrying(attempt, retry_on=ConcurrencyConflict))


class FulfilReservationHandler:
    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: FulfilReservation) -> None:
        with self._uow() as uow:
            reservation = uow.reservations.get(cmd.reservation_id)
            reservation.fulfil(cmd.quantity, now=self._clock.now())
            uow.stock.commit(reservation.sku, reservation.warehouse_id, cmd.quantity)
            uow.commit()


class ExpireReservationsHandler:
    """The expiry job: each due reservation expires in its own transaction, so one failure or a
    concurrent release (optimistic version) never blocks the rest; failures retry next run."""

    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: ExpireReservations) -> int:
        now = self._clock.now()
        with self._uow() as uow:
            due = uow.reservations.due_to_expire(now, cmd.batch_size)
        expired = 0
        for reservation_id in due:
            try:
                with self._uow() as uow:
                    reservation = uow.reservations.get(reservation_id)
                    units = reservation.expire(now=now)
                    if units:
                        uow.stock.unreserve(reservation.sku, reservation.warehouse_id, units)
                        expired += 1
                    uow.commit()
            except ConcurrencyConflict:
                log.info("reservation %s changed while expiring; left to its new owner",
                         reservation_id)
        return expired


class ReleaseReservationsOnOrderCancelled:
    """`order.cancelled` → give the order's reserved stock back (idempotent per reservation)."""

    name = "inventory.release_reservations_on_order_cancelled"
    event_type = "order.cancelled"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        ids = [str(r) for r in envelope.payload.get("reservation_ids", [])]
        services.release(uow, ids, reason="order_cancelled", now=self._clock.now())
