"""What inventory offers other contexts: stock operations that run inside a caller's unit of
work (the caller commits), and the values they take and return.

The checkout saga reserves, confirms and releases through them, fulfillment fulfils through
them, and the inventory handlers wrap them in their own transactions. Each keeps the counters,
the ledger (the `StockLevels` port appends a movement to every counter change) and the
reservation aggregates in step, and raises the low-stock alert when a change enters a band.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from attrs import frozen

from commerce_core.inventory.alerts import AlertType, band_entered
from commerce_core.inventory.allocation import Destination, Line, Part, allocate
from commerce_core.inventory.errors import (
    InsufficientStock,
    InvalidStockChange,
    StockBelowReserved,
    WarehouseInactive,
)
from commerce_core.inventory.events import (
    LowStockDetected,
    ReservedReconciled,
    StockChanged,
    StockDamaged,
    StockDepleted,
)
from commerce_core.inventory.model import (
    Reservation,
    ReservationPolicy,
    ReservationStatus,
    Warehouse,
)
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.inventory.stock import (
    Batch,
    MovementInfo,
    MovementType,
    StockChange,
    StockItem,
    StockMovement,
    fefo,
    walk_order,
)
from commerce_core.shared.ids import IdGenerator

__all__ = [
    "LineReservation", "MovementInfo", "MovementType", "ReservationPolicy", "StockRequest",
    "active_warehouse", "add_on_hand", "bins", "change", "confirm", "count", "damage", "expire",
    "fulfil", "never_expires", "reconcile", "release", "remove_on_hand", "reserve",
    "resolve_warehouse", "walk_order",
]

# A plan made on figures another buyer just changed is made again this many times before the
# request is refused; each retry reads fresh figures, so only real scarcity exhausts it.
REPLAN_ATTEMPTS = 5


@frozen
class StockRequest:
    sku: str
    quantity: int
    warehouse_id: str | None = None


@frozen
class LineReservation:
    """What holds one request: a reservation per warehouse the request was split across."""

    request: StockRequest
    reservations: tuple[Reservation, ...]

    @property
    def warehouse_id(self) -> str:
        """The warehouse holding most of the units (the first such, if tied)."""
        return max(self.reservations, key=lambda r: r.quantity).warehouse_id

    @property
    def reservation_id(self) -> str:
        return max(self.reservations, key=lambda r: r.quantity).id


# -- counters --------------------------------------------------------------------------------


def change(
    uow: InventoryUnitOfWork, sku: str, warehouse_id: str, *, on_hand: int = 0,
    reserved: int = 0, info: MovementInfo, now: datetime, reorder_point: int | None = None,
) -> StockMovement | None:
    """One guarded counter change with its movement (None: refused, nothing changed). A change
    that takes `available` into a more severe low-stock band records the alert with it."""
    movement = uow.stock.change(sku, warehouse_id, on_hand=on_hand, reserved=reserved, info=info)
    if movement is not None and movement.available_after < movement.available_before:
        _alert_on_crossing(uow, movement, reorder_point, now)
    return movement


def _alert_on_crossing(
    uow: InventoryUnitOfWork, movement: StockMovement, reorder_point: int | None, now: datetime
) -> None:
    if reorder_point is None:
        item = uow.stock.item(movement.sku, movement.warehouse_id)
        reorder_point = item.settings.reorder_point if item else 0
    entered = band_entered(movement.available_before, movement.available_after, reorder_point)
    if entered is None:
        return
    kind = AlertType.OUT_OF_STOCK if movement.available_after <= 0 else AlertType.LOW_STOCK
    uow.record(LowStockDetected(movement.sku, movement.warehouse_id, movement.available_after,
                                reorder_point, entered.value, kind.value, now))


# -- reservations ----------------------------------------------------------------------------


def resolve_warehouse(uow: InventoryUnitOfWork, ref: str) -> Warehouse:
    """A warehouse by code (case-insensitive) or id."""
    return uow.warehouses.by_code(ref.strip().upper()) or uow.warehouses.get(ref)


def bins(uow: InventoryUnitOfWork, warehouse_id: str) -> dict[str, str | None]:
    """The bin location of every SKU stocked in the warehouse."""
    return {i.sku: i.bin_location for i in uow.stock.items(warehouse_id=warehouse_id)}


def active_warehouse(uow: InventoryUnitOfWork, warehouse_id: str) -> Warehouse:
    warehouse = uow.warehouses.get(warehouse_id)
    if not warehouse.active:
        raise WarehouseInactive(f"warehouse {warehouse.code} is inactive",
                                warehouse_id=warehouse.id, code=warehouse.code)
    return warehouse


def reserve(
    uow: InventoryUnitOfWork,
    requests: Sequence[StockRequest],
    *,
    reference: str,
    expires_at: datetime,
    now: datetime,
    ids: IdGenerator,
    reference_type: str = "checkout",
    payment_method: str | None = None,
    customer_id: str | None = None,
    destination: Destination | None = None,
) -> list[LineReservation]:
    """Reserve every request or none: a request the active warehouses cannot cover raises
    `InsufficientStock` and the caller's transaction rolls back what was already taken.

    Warehouses are chosen by `allocation.allocate`: one warehouse for the whole order when one
    can fill it, else the best per line, else a line split across warehouses (a reservation per
    part). A request naming a warehouse is served only there. Rows are taken in (SKU, warehouse)
    order, so concurrent orders lock them in one order.
    """
    sites = [w.site() for w in uow.warehouses.list() if w.active]
    # Locked as read (in SKU, warehouse order): the plan is made on counters nobody changes
    # before this transaction ends, and concurrent orders lock in one order.
    items = _items(uow, {r.sku for r in requests}, lock=True)
    lines = [Line(r.sku, r.quantity, r.warehouse_id) for r in requests]
    plan = allocate(lines, sites, {key: item.available for key, item in items.items()},
                    destination)
    taken: list[dict[str, int]] = [{} for _ in requests]
    reservation_ids: dict[tuple[int, str], str] = {}

    def wanted(index: int, part: Part) -> StockChange:
        key = (index, part.warehouse_id)
        if key not in reservation_ids:
            reservation_ids[key] = ids.new_id()
        return StockChange(
            lines[index].sku, part.warehouse_id, reserved=part.quantity,
            info=MovementInfo(MovementType.RESERVATION, reason=reference_type,
                              reference_type="reservation", reference_id=reservation_ids[key],
                              notes=f"{reference_type}:{reference}"),
        )

    def took(index: int, part: Part, moved: StockMovement | None) -> bool:
        if moved is None:
            return False
        item = items.get((lines[index].sku, part.warehouse_id))
        if moved.available_after < moved.available_before:
            _alert_on_crossing(uow, moved, item.settings.reorder_point if item else 0, now)
        if moved.available_after <= 0 < moved.available_before:
            uow.record(StockDepleted(moved.sku, moved.warehouse_id, now))
        taken[index][part.warehouse_id] = taken[index].get(part.warehouse_id, 0) + part.quantity
        return True

    def take(index: int, part: Part) -> bool:
        (moved,) = uow.stock.change_many([wanted(index, part)])
        return took(index, part, moved)

    # Every part in one batch: the statements do not grow with the number of lines.
    planned = sorted(((i, p) for i, line_parts in enumerate(plan) for p in line_parts),
                     key=lambda ip: (lines[ip[0]].sku, ip[1].warehouse_id))
    moved_all = uow.stock.change_many([wanted(i, p) for i, p in planned])
    missing = [0] * len(lines)
    for (index, part), moved in zip(planned, moved_all, strict=True):
        if not took(index, part, moved):
            missing[index] += part.quantity
    for index, short in enumerate(missing):
        for _ in range(REPLAN_ATTEMPTS):
            if not short:
                break
            line = lines[index]
            items.update(_items(uow, {line.sku}))
            fresh = allocate([Line(line.sku, short, line.warehouse_id)], sites,
                             {k: i.available for k, i in items.items()}, destination)[0]
            for part in fresh:
                if take(index, part):
                    short -= part.quantity
        if short:
            raise InsufficientStock(
                f"{lines[index].sku} ran out while it was being reserved",
                sku=lines[index].sku, requested=lines[index].quantity,
                available=lines[index].quantity - short,
            )

    held: list[LineReservation] = []
    for index, request in enumerate(requests):
        parts = []
        for warehouse_id, quantity in sorted(taken[index].items(), key=lambda wq: -wq[1]):
            reservation = Reservation.hold(
                reservation_id=reservation_ids[(index, warehouse_id)], sku=request.sku,
                warehouse_id=warehouse_id, quantity=quantity, reference=reference,
                expires_at=expires_at, now=now, reference_type=reference_type,
                payment_method=payment_method, customer_id=customer_id,
            )
            uow.reservations.add(reservation)
            parts.append(reservation)
        held.append(LineReservation(request, tuple(parts)))
    return held


def _items(uow: InventoryUnitOfWork, skus: set[str],
           lock: bool = False) -> dict[tuple[str, str], StockItem]:
    return {(i.sku, i.warehouse_id): i for i in uow.stock.items_for(skus, lock=lock)}


def confirm(
    uow: InventoryUnitOfWork, reservation_ids: Sequence[str], *, order_id: str, now: datetime,
    reference: str | None = None,
) -> None:
    """Hand reserved stock to an order; raises `ReservationNotActive` if any ran out. They are
    read together, and not at all when the unit of work holds them (adopted from the checkout's
    local steps). `reference` (what they were made for) is accepted for callers that know it;
    the ids alone decide."""
    for reservation in uow.reservations.many(reservation_ids):
        reservation.confirm(order_id, now=now)


def _give_back(uow: InventoryUnitOfWork, reservation: Reservation, units: int,
               kind: MovementType, reason: str, now: datetime) -> None:
    moved = change(uow, reservation.sku, reservation.warehouse_id, reserved=-units, now=now,
                   info=MovementInfo(kind, reason=reason, reference_type="reservation",
                                     reference_id=reservation.id))
    if moved is None:
        raise InvalidStockChange(
            f"fewer than {units} units of {reservation.sku} are reserved",
            sku=reservation.sku, warehouse_id=reservation.warehouse_id,
        )


def release(
    uow: InventoryUnitOfWork, reservation_ids: Sequence[str], *, reason: str, now: datetime,
    skip_fulfilled: bool = False,
) -> int:
    """Release reservations (idempotently); returns the units given back to `available`.

    A fulfilled reservation is refused (its goods left; a return brings them back) unless
    `skip_fulfilled`, used by reactions that release whatever of an order is still held.
    """
    units = 0
    for reservation_id in reservation_ids:
        reservation = uow.reservations.get(reservation_id)
        if skip_fulfilled and reservation.status is ReservationStatus.FULFILLED:
            continue
        freed = reservation.release(reason, now=now)
        if freed:
            _give_back(uow, reservation, freed, MovementType.CANCELLATION, reason, now)
            units += freed
    return units


def expire(uow: InventoryUnitOfWork, reservation: Reservation, *, now: datetime) -> int:
    """Expire one due reservation; returns the units given back (0: not due or not active)."""
    units = reservation.expire(now=now)
    if units:
        _give_back(uow, reservation, units, MovementType.EXPIRY, "expired", now)
    return units


def fulfil(
    uow: InventoryUnitOfWork, reservation_id: str, quantity: int, *, now: datetime,
    kind: MovementType = MovementType.FULFILLMENT, reference_type: str = "reservation",
    reference_id: str | None = None, counterpart_warehouse_id: str | None = None,
) -> list[Batch]:
    """Reserved units leave the warehouse: on hand and reserved both drop by `quantity`.

    Batched units leave first-expiry-first-out; expired batches never leave this way, so when
    only expired units remain the fulfilment is refused with `InsufficientStock`. Returns the
    batches the units came from (units without a batch are not listed).
    """
    reservation = uow.reservations.get(reservation_id)
    reservation.fulfil(quantity, now=now)
    sku, warehouse_id = reservation.sku, reservation.warehouse_id
    level = uow.stock.get(sku, warehouse_id)
    batches = uow.stock.batches(sku=sku, warehouse_id=warehouse_id)
    loose = (level.on_hand if level else 0) - sum(b.on_hand for b in batches)
    pool = [*batches, Batch(sku, warehouse_id, "", None, max(loose, 0))]
    taken: list[Batch] = []
    for take in fefo(pool, quantity, today=now.date()):
        info = MovementInfo(kind, reason="fulfilled", reference_type=reference_type,
                            reference_id=reference_id or reservation.id,
                            batch_number=take.batch_number or None,
                            expiry_date=take.expiry_date,
                            counterpart_warehouse_id=counterpart_warehouse_id)
        if change(uow, sku, warehouse_id, on_hand=-take.quantity, reserved=-take.quantity,
                  info=info, now=now) is None:
            raise InvalidStockChange(f"fewer than {take.quantity} units of {sku} are reserved",
                                     sku=sku, warehouse_id=warehouse_id)
        if take.batch_number:
            uow.stock.change_batch(sku, warehouse_id, take.batch_number, -take.quantity)
            taken.append(Batch(sku, warehouse_id, take.batch_number, take.expiry_date,
                               take.quantity))
    return taken


# -- on hand ---------------------------------------------------------------------------------


def _trim_batches(uow: InventoryUnitOfWork, sku: str, warehouse_id: str, on_hand: int,
                  today: date) -> None:
    """Keep batch units within on hand after a loss nobody attributed to a batch: expired
    batches lose units first, then the others soonest expiry first."""
    batches = uow.stock.batches(sku=sku, warehouse_id=warehouse_id)
    excess = sum(b.on_hand for b in batches) - on_hand
    ordered = sorted(batches, key=lambda b: (not b.expired(today),
                                             b.expiry_date is None, b.expiry_date or date.max))
    for batch in ordered:
        if excess <= 0:
            return
        cut = min(excess, batch.on_hand)
        uow.stock.change_batch(sku, warehouse_id, batch.batch_number, -cut)
        excess -= cut


def add_on_hand(
    uow: InventoryUnitOfWork, sku: str, warehouse_id: str, quantity: int, *,
    info: MovementInfo, now: datetime,
) -> StockMovement:
    """Units arrive (receipt, transfer in, return); a batch named in `info` grows with them."""
    if quantity < 1:
        raise InvalidStockChange("stock arrives in whole units of at least 1", quantity=quantity)
    movement = change(uow, sku, warehouse_id, on_hand=quantity, info=info, now=now)
    if movement is None:  # only a broken row could refuse an addition
        raise InvalidStockChange(f"the stock row of {sku} refused {quantity} more units",
                                 sku=sku, warehouse_id=warehouse_id)
    if info.batch_number:
        uow.stock.change_batch(sku, warehouse_id, info.batch_number, quantity, info.expiry_date)
    uow.record(StockChanged(sku, warehouse_id, movement.on_hand_before, movement.on_hand_after,
                            movement.reserved_after, info.reason or info.type.value, now,
                            info.type.value, info.batch_number))
    return movement


def remove_on_hand(
    uow: InventoryUnitOfWork, sku: str, warehouse_id: str, quantity: int, *,
    info: MovementInfo, now: datetime,
) -> StockMovement:
    """Units leave without a reservation (damage, a negative adjustment): never below what is
    reserved for customers (`StockBelowReserved`)."""
    if quantity < 1:
        raise InvalidStockChange("stock leaves in whole units of at least 1", quantity=quantity)
    movement = change(uow, sku, warehouse_id, on_hand=-quantity, info=info, now=now)
    if movement is None:
        level = uow.stock.get(sku, warehouse_id)
        on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
        raise StockBelowReserved(
            f"{reserved} of {on_hand} units of {sku} are reserved; "
            f"{quantity} cannot be taken off",
            sku=sku, warehouse_id=warehouse_id, on_hand=on_hand, reserved=reserved,
            requested=quantity,
        )
    if info.batch_number:
        uow.stock.change_batch(sku, warehouse_id, info.batch_number, -quantity)
    _trim_batches(uow, sku, warehouse_id, movement.on_hand_after, now.date())
    uow.record(StockChanged(sku, warehouse_id, movement.on_hand_before, movement.on_hand_after,
                            movement.reserved_after, info.reason or info.type.value, now,
                            info.type.value, info.batch_number))
    return movement


def count(uow: InventoryUnitOfWork, sku: str, warehouse_id: str, on_hand: int, *,
          reason: str, now: datetime) -> None:
    """Set on hand after a count, never below what is reserved (`StockBelowReserved`)."""
    if on_hand < 0:
        raise InvalidStockChange("on hand cannot be negative", on_hand=on_hand)
    before = uow.stock.get(sku, warehouse_id)
    delta = on_hand - (before.on_hand if before else 0)
    info = MovementInfo(MovementType.COUNT, reason=reason)
    if delta == 0:
        if before is None:
            uow.stock.set_on_hand(sku, warehouse_id, 0, info=info)  # a row, known to be empty
    elif change(uow, sku, warehouse_id, on_hand=delta, info=info, now=now) is None:
        reserved = before.reserved if before else 0
        raise StockBelowReserved(
            f"{reserved} units of {sku} are reserved; on hand cannot drop to {on_hand}",
            sku=sku, reserved=reserved, on_hand=on_hand,
        )
    after = uow.stock.get(sku, warehouse_id)
    assert after is not None
    if delta < 0:
        _trim_batches(uow, sku, warehouse_id, after.on_hand, now.date())
    uow.record(StockChanged(sku, warehouse_id, before.on_hand if before else 0, after.on_hand,
                            after.reserved, reason, now))


def damage(uow: InventoryUnitOfWork, sku: str, warehouse_id: str, quantity: int, *,
           batch_number: str | None, reason: str, actor: str, now: datetime) -> StockMovement:
    movement = remove_on_hand(
        uow, sku, warehouse_id, quantity, now=now,
        info=MovementInfo(MovementType.DAMAGE, reason=reason or "damaged",
                          batch_number=batch_number, actor=actor),
    )
    uow.record(StockDamaged(sku, warehouse_id, quantity, batch_number, reason,
                            movement.on_hand_after, now))
    return movement


# -- jobs ------------------------------------------------------------------------------------


@frozen
class ReservedDrift:
    """A row whose `reserved` disagreed with its live reservations."""

    sku: str
    warehouse_id: str
    reserved: int
    live_units: int
    corrected: bool


def reconcile(uow: InventoryUnitOfWork, sku: str, warehouse_id: str, *,
              now: datetime) -> ReservedDrift | None:
    """Set `reserved` to what the live reservations hold, through a movement and an event.

    The row is locked first: a transaction that changed the counter has committed its
    reservation too, and none can change either until this one ends, so the comparison is
    exact. Drift that cannot be corrected (live units above on hand) is reported, not forced.
    """
    level = uow.stock.lock(sku, warehouse_id)
    if level is None:
        return None
    live = uow.reservations.live_units(sku, warehouse_id)
    if live == level.reserved:
        return None
    moved = change(uow, sku, warehouse_id, reserved=live - level.reserved, now=now,
                   info=MovementInfo(MovementType.RECONCILIATION, reason="reconciliation",
                                     notes=f"live reservations hold {live}"))
    if moved is not None:
        uow.record(ReservedReconciled(sku, warehouse_id, level.reserved, live, live, now))
    return ReservedDrift(sku, warehouse_id, level.reserved, live, moved is not None)


def never_expires(now: datetime) -> datetime:
    """An expiry for reservations an owner confirms in the same transaction (transfers)."""
    return now + timedelta(days=1)
