"""Stock operations that run inside a caller's unit of work (the checkout saga's steps use them).

Each keeps the counters and the reservation aggregates in step; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from commerce_core.inventory.errors import InsufficientStock, WarehouseNotFound
from commerce_core.inventory.model import Reservation
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.shared.ids import IdGenerator


@frozen
class StockRequest:
    sku: str
    quantity: int
    warehouse_id: str | None = None


def reserve(
    uow: InventoryUnitOfWork,
    requests: Sequence[StockRequest],
    *,
    reference: str,
    expires_at: datetime,
    now: datetime,
    ids: IdGenerator,
) -> list[Reservation]:
    """Reserve every request or none: the first line that cannot be covered raises
    `InsufficientStock` and the caller's transaction rolls back the lines already taken.

    A request naming a warehouse is served only there; otherwise the default warehouse is tried
    first, then the others by code (multi-warehouse allocation and splitting come later).
    """
    warehouses = [w for w in uow.warehouses.list() if w.active]
    if not warehouses:
        raise WarehouseNotFound("no active warehouse to reserve from")
    reservations: list[Reservation] = []
    for request in requests:
        candidates = [request.warehouse_id] if request.warehouse_id else [w.id for w in warehouses]
        chosen = next(
            (w for w in candidates if uow.stock.try_reserve(request.sku, w, request.quantity)),
            None,
        )
        if chosen is None:
            available = sum(
                level.available for level in uow.stock.list(request.sku)
                if level.warehouse_id in candidates
            )
            raise InsufficientStock(
                f"only {available} of {request.sku} available, {request.quantity} requested",
                sku=request.sku, requested=request.quantity, available=max(available, 0),
            )
        reservation = Reservation.hold(
            reservation_id=ids.new_id(), sku=request.sku, warehouse_id=chosen,
            quantity=request.quantity, reference=reference, expires_at=expires_at, now=now,
        )
        uow.reservations.add(reservation)
        reservations.append(reservation)
    return reservations


def confirm(
    uow: InventoryUnitOfWork, reservation_ids: Sequence[str], *, order_id: str, now: datetime
) -> None:
    """Hand reserved stock to an order; raises `ReservationNotActive` if any ran out."""
    for reservation_id in reservation_ids:
        uow.reservations.get(reservation_id).confirm(order_id, now=now)


def release(
    uow: InventoryUnitOfWork, reservation_ids: Sequence[str], *, reason: str, now: datetime
) -> int:
    """Release reservations (idempotently); returns the units given back to `available`."""
    units = 0
    for reservation_id in reservation_ids:
        reservation = uow.reservations.get(reservation_id)
        freed = reservation.release(reason, now=now)
        if freed:
            uow.stock.unreserve(reservation.sku, reservation.warehouse_id, freed)
            units += freed
    return units
