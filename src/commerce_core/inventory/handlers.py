"""Inventory use cases: warehouses, stock on hand, adjustments and transfers.

Reservations and the background jobs are in `reservation_handlers.py`.
"""

from __future__ import annotations

from attrs import evolve

from commerce_core.inventory import services
from commerce_core.inventory.commands import (
    ActivateWarehouse,
    ApproveAdjustment,
    CancelTransfer,
    ConfigureStockItem,
    CreateDistributor,
    CreateWarehouse,
    DeactivateWarehouse,
    ReceiveStock,
    ReceiveTransfer,
    RecordDamage,
    RejectAdjustment,
    RequestAdjustment,
    RequestTransfer,
    RestockReturn,
    SetDefaultWarehouse,
    SetStock,
    ShipTransfer,
    UpdateWarehouse,
)
from commerce_core.inventory.errors import (
    DuplicateDistributor,
    DuplicateWarehouse,
    InvalidStockChange,
    StockBelowReserved,
)
from commerce_core.inventory.events import StockItemConfigured
from commerce_core.inventory.model import Distributor, Warehouse
from commerce_core.inventory.movements import AdjustmentRequest, Transfer
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.inventory.stock import MovementInfo, MovementType, StockSettings
from commerce_core.inventory.warehouses import Contact
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator, normalise_sku
from commerce_core.shared.uow import UnitOfWorkFactory


class _Handler:
    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock


# -- warehouses ------------------------------------------------------------------------------


class CreateWarehouseHandler:
    def __init__(
        self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateWarehouse) -> str:
        now = self._clock.now()
        with self._uow() as uow:
            if uow.warehouses.by_code(cmd.code.strip().upper()) is not None:
                raise DuplicateWarehouse(f"warehouse code {cmd.code} is taken", code=cmd.code)
            existing = uow.warehouses.list()
            warehouse = Warehouse.create(
                warehouse_id=self._ids.new_id(), code=cmd.code, name=cmd.name,
                # The first warehouse is the default one: a shop always has exactly one.
                is_default=cmd.is_default or not existing, now=now, details=cmd.details,
            )
            if warehouse.is_default:
                for other in existing:
                    other.make_default(False, now=now)
            uow.warehouses.add(warehouse)
            uow.commit()
        return warehouse.id


class UpdateWarehouseHandler(_Handler):
    def __call__(self, cmd: UpdateWarehouse) -> None:
        with self._uow() as uow:
            services.resolve_warehouse(uow, cmd.warehouse).update(cmd.name, cmd.details,
                                                         now=self._clock.now())
            uow.commit()


class SetDefaultWarehouseHandler(_Handler):
    """Exactly one default: the new one is marked and every other unmarked, in one commit."""

    def __call__(self, cmd: SetDefaultWarehouse) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            chosen = services.resolve_warehouse(uow, cmd.warehouse)
            chosen.make_default(True, now=now)
            for other in uow.warehouses.list():
                if other.id != chosen.id:
                    other.make_default(False, now=now)
            uow.commit()


class ActivateWarehouseHandler(_Handler):
    def __call__(self, cmd: ActivateWarehouse) -> None:
        with self._uow() as uow:
            services.resolve_warehouse(uow, cmd.warehouse).activate(now=self._clock.now())
            uow.commit()


class DeactivateWarehouseHandler(_Handler):
    def __call__(self, cmd: DeactivateWarehouse) -> None:
        with self._uow() as uow:
            services.resolve_warehouse(uow, cmd.warehouse).deactivate(now=self._clock.now())
            uow.commit()


class CreateDistributorHandler:
    def __init__(
        self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: CreateDistributor) -> str:
        with self._uow() as uow:
            code = cmd.code.strip().upper()
            if any(d.code == code for d in uow.distributors.list()):
                raise DuplicateDistributor(f"distributor code {code} is taken", code=code)
            distributor = Distributor.create(
                distributor_id=self._ids.new_id(), code=cmd.code, name=cmd.name,
                contact=Contact(cmd.email, cmd.phone), region_codes=list(cmd.region_codes),
                now=self._clock.now(),
            )
            uow.distributors.add(distributor)
            uow.commit()
        return distributor.id


# -- stock on hand ---------------------------------------------------------------------------


class SetStockHandler(_Handler):
    def __call__(self, cmd: SetStock) -> None:
        if cmd.on_hand < 0:
            raise InvalidStockChange("on hand cannot be negative", on_hand=cmd.on_hand)
        sku = normalise_sku(cmd.sku)
        with self._uow() as uow:
            warehouse = services.resolve_warehouse(uow, cmd.warehouse)
            services.count(uow, sku, warehouse.id, cmd.on_hand, reason=cmd.reason,
                           now=self._clock.now())
            uow.commit()


class ConfigureStockItemHandler(_Handler):
    def __call__(self, cmd: ConfigureStockItem) -> None:
        sku, now = normalise_sku(cmd.sku), self._clock.now()
        with self._uow() as uow:
            warehouse = services.resolve_warehouse(uow, cmd.warehouse)
            uow.stock.configure(sku, warehouse.id, cmd.settings)
            s = cmd.settings
            uow.record(StockItemConfigured(sku, warehouse.id, s.reorder_point, s.reorder_quantity,
                                           s.min_level, s.max_level, s.bin_location, now))
            uow.commit()


class ReceiveStockHandler(_Handler):
    """A goods receipt: into a batch (with its expiry) and a bin when given."""

    def __call__(self, cmd: ReceiveStock) -> None:
        sku, now = normalise_sku(cmd.sku), self._clock.now()
        with self._uow() as uow:
            warehouse = services.resolve_warehouse(uow, cmd.warehouse)
            batch = cmd.batch_number.strip().upper() if cmd.batch_number else None
            services.add_on_hand(
                uow, sku, warehouse.id, cmd.quantity, now=now,
                info=MovementInfo(MovementType.RECEIPT, reason=cmd.reason, batch_number=batch,
                                  expiry_date=cmd.expiry_date if batch else None,
                                  actor=cmd.actor),
            )
            if cmd.bin_location:
                item = uow.stock.item(sku, warehouse.id)
                current = item.settings if item else StockSettings()
                settings = evolve(current, bin_location=cmd.bin_location)
                if settings != current:
                    uow.stock.configure(sku, warehouse.id, settings)
            uow.commit()


class RecordDamageHandler(_Handler):
    def __call__(self, cmd: RecordDamage) -> None:
        sku = normalise_sku(cmd.sku)
        with self._uow() as uow:
            warehouse = services.resolve_warehouse(uow, cmd.warehouse)
            services.damage(uow, sku, warehouse.id, cmd.quantity,
                            batch_number=cmd.batch_number, reason=cmd.reason, actor=cmd.actor,
                            now=self._clock.now())
            uow.commit()


class RestockReturnHandler(_Handler):
    def __call__(self, cmd: RestockReturn) -> None:
        sku = normalise_sku(cmd.sku)
        with self._uow() as uow:
            warehouse = services.resolve_warehouse(uow, cmd.warehouse)
            services.add_on_hand(
                uow, sku, warehouse.id, cmd.quantity, now=self._clock.now(),
                info=MovementInfo(MovementType.RETURN, reason="return",
                                  reference_type="order" if cmd.order_id else "",
                                  reference_id=cmd.order_id or "",
                                  batch_number=cmd.batch_number, actor=cmd.actor),
            )
            uow.commit()


# -- adjustment requests ---------------------------------------------------------------------


class RequestAdjustmentHandler:
    def __init__(
        self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: RequestAdjustment) -> str:
        sku = normalise_sku(cmd.sku)
        with self._uow() as uow:
            warehouse = services.resolve_warehouse(uow, cmd.warehouse)
            if cmd.quantity_change < 0:
                # Refused early when it could not execute now; approval checks again, for real.
                level = uow.stock.get(sku, warehouse.id)
                on_hand, reserved = (level.on_hand, level.reserved) if level else (0, 0)
                if on_hand + cmd.quantity_change < reserved:
                    raise StockBelowReserved(
                        f"{reserved} of {on_hand} units of {sku} are reserved; on hand cannot "
                        f"drop by {-cmd.quantity_change}",
                        sku=sku, on_hand=on_hand, reserved=reserved,
                        quantity_change=cmd.quantity_change,
                    )
            request = AdjustmentRequest.request(
                adjustment_id=self._ids.new_id(), sku=sku, warehouse_id=warehouse.id,
                quantity_change=cmd.quantity_change, reason=cmd.reason, notes=cmd.notes,
                requested_by=cmd.requested_by, now=self._clock.now(),
            )
            uow.adjustments.add(request)
            uow.commit()
        return request.id


class ApproveAdjustmentHandler(_Handler):
    """Approve and execute in one transaction; approving an executed request changes nothing."""

    def __call__(self, cmd: ApproveAdjustment) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            request = uow.adjustments.get(cmd.adjustment_id)
            if not request.approve(cmd.approved_by, now=now):
                return
            info = MovementInfo(MovementType.ADJUSTMENT, reason=request.reason,
                                reference_type="adjustment", reference_id=request.id,
                                notes=request.notes, actor=cmd.approved_by)
            if request.quantity_change > 0:
                services.add_on_hand(uow, request.sku, request.warehouse_id,
                                     request.quantity_change, info=info, now=now)
            else:
                services.remove_on_hand(uow, request.sku, request.warehouse_id,
                                        -request.quantity_change, info=info, now=now)
            uow.commit()


class RejectAdjustmentHandler(_Handler):
    def __call__(self, cmd: RejectAdjustment) -> None:
        with self._uow() as uow:
            uow.adjustments.get(cmd.adjustment_id).reject(cmd.rejected_by, cmd.reason,
                                                          now=self._clock.now())
            uow.commit()


# -- transfers -------------------------------------------------------------------------------


class RequestTransferHandler:
    """Reserve the units at the source now, so the transfer can always ship them."""

    def __init__(
        self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock, ids: IdGenerator
    ) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: RequestTransfer) -> str:
        sku, now = normalise_sku(cmd.sku), self._clock.now()
        transfer_id = self._ids.new_id()
        with self._uow() as uow:
            source = services.active_warehouse(
                uow, services.resolve_warehouse(uow, cmd.from_warehouse).id)
            target = services.active_warehouse(
                uow, services.resolve_warehouse(uow, cmd.to_warehouse).id)
            (held,) = services.reserve(
                uow, [services.StockRequest(sku, cmd.quantity, source.id)],
                reference=transfer_id, reference_type="transfer",
                expires_at=services.never_expires(now), now=now, ids=self._ids,
            )
            (reservation,) = held.reservations
            reservation.confirm(None, now=now)  # owned by the transfer: it never expires
            uow.transfers.add(Transfer.request(
                transfer_id=transfer_id, sku=sku, from_warehouse_id=source.id,
                to_warehouse_id=target.id, quantity=cmd.quantity,
                reservation_id=reservation.id, reason=cmd.reason,
                requested_by=cmd.requested_by, now=now,
            ))
            uow.commit()
        return transfer_id


class ShipTransferHandler(_Handler):
    def __call__(self, cmd: ShipTransfer) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            transfer = uow.transfers.get(cmd.transfer_id)
            if transfer.ship(now=now):
                services.fulfil(uow, transfer.reservation_id, transfer.quantity, now=now,
                                kind=MovementType.TRANSFER_OUT, reference_type="transfer",
                                reference_id=transfer.id,
                                counterpart_warehouse_id=transfer.to_warehouse_id)
            uow.commit()


class ReceiveTransferHandler(_Handler):
    def __call__(self, cmd: ReceiveTransfer) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            transfer = uow.transfers.get(cmd.transfer_id)
            if transfer.receive(now=now):
                services.add_on_hand(
                    uow, transfer.sku, transfer.to_warehouse_id, transfer.quantity, now=now,
                    info=MovementInfo(MovementType.TRANSFER_IN, reason="transfer",
                                      reference_type="transfer", reference_id=transfer.id,
                                      transfer_id=transfer.id,
                                      counterpart_warehouse_id=transfer.from_warehouse_id),
                )
            uow.commit()


class CancelTransferHandler(_Handler):
    def __call__(self, cmd: CancelTransfer) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            transfer = uow.transfers.get(cmd.transfer_id)
            if transfer.cancel(now=now):
                services.release(uow, [transfer.reservation_id], reason="transfer_cancelled",
                                 now=now)
            uow.commit()
