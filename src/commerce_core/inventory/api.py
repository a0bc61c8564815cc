"""`commerce.inventory`: the inventory use cases as plain methods, plus queries."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from commerce_core.inventory.alerts import StockAlert, leak_cutoff
from commerce_core.inventory.commands import (
    ActivateWarehouse,
    ApproveAdjustment,
    CancelTransfer,
    ConfigureStockItem,
    ConfirmReservation,
    CreateDistributor,
    CreateWarehouse,
    DeactivateWarehouse,
    ExpireReservations,
    ExtendReservation,
    FulfilReservation,
    ReceiveStock,
    ReceiveTransfer,
    ReconcileReservedCounts,
    RecordDamage,
    RejectAdjustment,
    ReleaseReservation,
    ReportLeakedReservations,
    RequestAdjustment,
    RequestTransfer,
    ReserveLine,
    ReserveStock,
    RestockReturn,
    SetDefaultWarehouse,
    SetStock,
    ShipTransfer,
    UpdateWarehouse,
)
from commerce_core.inventory.model import Distributor, Reservation, StockLevel, Warehouse
from commerce_core.inventory.movements import AdjustmentRequest, Transfer
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.inventory.queries import ledger_audit, stock_alerts
from commerce_core.inventory.services import ReservedDrift, resolve_warehouse
from commerce_core.inventory.stock import (
    Batch,
    LedgerBalance,
    StockItem,
    StockMovement,
    StockSettings,
)
from commerce_core.inventory.warehouses import WarehouseDetails
from commerce_core.shared.bus import Handle
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import normalise_sku
from commerce_core.shared.uow import UnitOfWorkFactory


class InventoryApi:
    """Warehouses, stock, reservations, adjustments and transfers."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[InventoryUnitOfWork],
                 clock: Clock) -> None:
        self._handle, self._read, self._clock = handle, read, clock

    def _warehouse_id(self, uow: InventoryUnitOfWork, ref: str | None) -> str | None:
        return None if ref is None else resolve_warehouse(uow, ref).id

    # -- warehouses and distributors ------------------------------------------------------------
    def create_warehouse(self, code: str, name: str = "", *, is_default: bool = False,
                         details: WarehouseDetails | None = None) -> str:
        return str(self._handle(CreateWarehouse(code, name, is_default,
                                                details or WarehouseDetails())))

    def update_warehouse(self, warehouse: str, name: str, details: WarehouseDetails) -> None:
        self._handle(UpdateWarehouse(warehouse, name, details))

    def set_default_warehouse(self, warehouse: str) -> None:
        self._handle(SetDefaultWarehouse(warehouse))

    def activate_warehouse(self, warehouse: str) -> None:
        self._handle(ActivateWarehouse(warehouse))

    def deactivate_warehouse(self, warehouse: str) -> None:
        self._handle(DeactivateWarehouse(warehouse))

    def warehouses(self) -> builtins.list[Warehouse]:
        with self._read() as uow:
            return uow.warehouses.list()

    def warehouse(self, ref: str) -> Warehouse:
        with self._read() as uow:
            return resolve_warehouse(uow, ref)

    def create_distributor(self, code: str, name: str = "", *,
                           region_codes: Sequence[str] = (), email: str = "",
                           phone: str = "") -> str:
        return str(self._handle(CreateDistributor(code, name, tuple(region_codes), email,
                                                  phone)))

    def distributor(self, distributor_id: str) -> Distributor:
        with self._read() as uow:
            return uow.distributors.get(distributor_id)

    def distributors(self) -> builtins.list[Distributor]:
        with self._read() as uow:
            return uow.distributors.list()

    # -- stock ----------------------------------------------------------------------------------
    def set_stock(self, sku: str, warehouse: str, on_hand: int, reason: str = "count") -> None:
        self._handle(SetStock(sku, warehouse, on_hand, reason))

    def configure(self, sku: str, warehouse: str, settings: StockSettings) -> None:
        self._handle(ConfigureStockItem(sku, warehouse, settings))

    def receive(self, sku: str, warehouse: str, quantity: int, *,
                batch_number: str | None = None, expiry_date: date | None = None,
                bin_location: str | None = None, actor: str = "operator") -> None:
        self._handle(ReceiveStock(sku, warehouse, quantity, batch_number, expiry_date,
                                  bin_location, actor=actor))

    def damage(self, sku: str, warehouse: str, quantity: int, *,
               batch_number: str | None = None, reason: str = "damaged") -> None:
        self._handle(RecordDamage(sku, warehouse, quantity, batch_number, reason))

    def restock_return(self, sku: str, warehouse: str, quantity: int, *,
                       order_id: str | None = None) -> None:
        self._handle(RestockReturn(sku, warehouse, quantity, order_id))

    def available(self, sku: str) -> int:
        """Units of `sku` a shopper can buy now, across active warehouses."""
        sku = normalise_sku(sku)
        with self._read() as uow:
            active = {w.id for w in uow.warehouses.list() if w.active}
            return sum(lv.available for lv in uow.stock.list(sku) if lv.warehouse_id in active)

    def levels(self, sku: str | None = None) -> builtins.list[StockLevel]:
        with self._read() as uow:
            return uow.stock.list(
                normalise_sku(sku) if sku else None
            )

    def items(self, *, sku: str | None = None,
              warehouse: str | None = None) -> builtins.list[StockItem]:
        with self._read() as uow:
            return uow.stock.items(
                sku=normalise_sku(sku) if sku else None,
                warehouse_id=self._warehouse_id(uow, warehouse),
            )

    def batches(self, *, sku: str | None = None,
                warehouse: str | None = None) -> builtins.list[Batch]:
        with self._read() as uow:
            return uow.stock.batches(
                sku=normalise_sku(sku) if sku else None,
                warehouse_id=self._warehouse_id(uow, warehouse),
            )

    def movements(self, *, sku: str | None = None, warehouse: str | None = None,
                  reference_id: str | None = None,
                  limit: int = 100) -> builtins.list[StockMovement]:
        """Ledger lines, newest first."""
        with self._read() as uow:
            return uow.ledger.movements(
                sku=normalise_sku(sku) if sku else None,
                warehouse_id=self._warehouse_id(uow, warehouse), reference_id=reference_id,
                limit=limit,
            )

    def audit(self) -> builtins.list[LedgerBalance]:
        """Every row's counters next to its ledger sums; `drift` marks disagreement."""
        with self._read() as uow:
            return ledger_audit(uow)

    def alerts(self, *, warehouse: str | None = None) -> builtins.list[StockAlert]:
        with self._read() as uow:
            return stock_alerts(uow, self._clock.now(),
                                warehouse_id=self._warehouse_id(uow, warehouse))

    # -- adjustments and transfers --------------------------------------------------------------
    def request_adjustment(self, sku: str, warehouse: str, quantity_change: int, *,
                           reason: str = "correction", notes: str = "",
                           requested_by: str = "operator") -> str:
        return str(self._handle(RequestAdjustment(sku, warehouse, quantity_change, reason,
                                                  notes, requested_by)))

    def approve_adjustment(self, adjustment_id: str, approved_by: str = "operator") -> None:
        self._handle(ApproveAdjustment(adjustment_id, approved_by))

    def reject_adjustment(self, adjustment_id: str, reason: str,
                          rejected_by: str = "operator") -> None:
        self._handle(RejectAdjustment(adjustment_id, reason, rejected_by))

    def adjustment(self, adjustment_id: str) -> AdjustmentRequest:
        with self._read() as uow:
            return uow.adjustments.get(adjustment_id)

    def adjustments(self, *, status: str | None = None,
                    limit: int = 100) -> builtins.list[AdjustmentRequest]:
        with self._read() as uow:
            return uow.adjustments.list(
                status=status, limit=limit)

    def request_transfer(self, sku: str, from_warehouse: str, to_warehouse: str,
                         quantity: int, *, reason: str = "rebalance") -> str:
        return str(self._handle(RequestTransfer(sku, from_warehouse, to_warehouse, quantity,
                                                reason)))

    def ship_transfer(self, transfer_id: str) -> None:
        self._handle(ShipTransfer(transfer_id))

    def receive_transfer(self, transfer_id: str) -> None:
        self._handle(ReceiveTransfer(transfer_id))

    def cancel_transfer(self, transfer_id: str) -> None:
        self._handle(CancelTransfer(transfer_id))

    def transfer(self, transfer_id: str) -> Transfer:
        with self._read() as uow:
            return uow.transfers.get(transfer_id)

    def transfers(self, *, status: str | None = None,
                  limit: int = 100) -> builtins.list[Transfer]:
        with self._read() as uow:
            return uow.transfers.list(status=status, limit=limit)

    # -- reservations ---------------------------------------------------------------------------
    def reserve(self, reference: str, lines: Sequence[tuple[str, int] | ReserveLine], *,
                payment_method: str | None = None, customer_id: str | None = None,
                reference_type: str = "order", latitude: float | None = None,
                longitude: float | None = None,
                distances_km: Mapping[str, float] | None = None,
                ) -> builtins.list[builtins.list[str]]:
        """Reservation ids per line (several when a line is split across warehouses). A
        destination (coordinates, or km per warehouse code or id) prefers near warehouses."""
        wanted = tuple(line if isinstance(line, ReserveLine) else ReserveLine(*line)
                       for line in lines)
        result: list[list[str]] = self._handle(ReserveStock(
            reference, wanted, payment_method, customer_id, reference_type, latitude,
            longitude, tuple((distances_km or {}).items())))
        return result

    def reservation(self, reservation_id: str) -> Reservation:
        with self._read() as uow:
            return uow.reservations.get(reservation_id)

    def reservations(self, *, statuses: builtins.list[str] | None = None,
                     limit: int = 100) -> builtins.list[Reservation]:
        with self._read() as uow:
            return uow.reservations.list(
                statuses=statuses, limit=limit
            )

    def extend(self, reservation_id: str, expires_at: datetime) -> None:
        self._handle(ExtendReservation(reservation_id, expires_at))

    def confirm(self, reservation_id: str, order_id: str) -> None:
        self._handle(ConfirmReservation(reservation_id, order_id))

    def release(self, reservation_id: str, reason: str = "manual") -> int:
        return int(self._handle(ReleaseReservation(reservation_id, reason)))

    def fulfil(self, reservation_id: str, quantity: int) -> None:
        self._handle(FulfilReservation(reservation_id, quantity))

    def expire_reservations(self, batch_size: int = 100) -> int:
        return int(self._handle(ExpireReservations(batch_size)))

    def reconcile(self, sku: str | None = None) -> builtins.list[ReservedDrift]:
        return list(self._handle(ReconcileReservedCounts(sku)))

    def leaked_reservations(self) -> int:
        """How many reservations have been active for more than 24 hours."""
        with self._read() as uow:
            return int(uow.reservations.count_active_before(leak_cutoff(self._clock.now())))

    def report_leaks(self, limit: int = 100) -> int:
        return int(self._handle(ReportLeakedReservations(limit)))
