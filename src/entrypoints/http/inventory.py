"""Inventory routes: availability for shoppers; for operators, warehouses and distributors, stock
items with their batches and ledger, receipts, damage and returns, adjustments, transfers,
reservations, alerts and the ledger audit."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status

from commerce_core import Commerce
from commerce_core.catalog.errors import SkuNotFound
from commerce_core.inventory.commands import (
    ActivateWarehouse,
    ApproveAdjustment,
    CancelTransfer,
    ConfirmReservation,
    DeactivateWarehouse,
    ExtendReservation,
    FulfilReservation,
    ReceiveTransfer,
    ReconcileReservedCounts,
    RejectAdjustment,
    ReleaseReservation,
    SetDefaultWarehouse,
    ShipTransfer,
)
from commerce_core.inventory.model import ReservationStatus
from commerce_core.inventory.movements import AdjustmentStatus, TransferStatus
from commerce_core.shared.ids import SKU_FORMAT, normalise_sku
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import PUBLIC, permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas import (
    Availability,
    NewWarehouse,
    ReservationOut,
    StockCount,
    StockLevelOut,
    WarehouseOut,
)
from entrypoints.http.schemas.inventory import (
    Confirmation,
    DistributorOut,
    DriftOut,
    Extension,
    FulfilQuantity,
    NewDistributor,
    NewReservation,
    Release,
    WarehouseDetailsBody,
    WarehouseDetailsOut,
)
from entrypoints.http.schemas.stock import (
    AdjustmentOut,
    AlertOut,
    BatchOut,
    Damage,
    Decision,
    LedgerBalanceOut,
    MovementOut,
    NewAdjustment,
    NewTransfer,
    Receipt,
    ReturnRestock,
    StockItemOut,
    StockSettingsBody,
    TransferOut,
)

SkuPath = Annotated[str, Path(pattern=SKU_FORMAT)]
SkuQuery = Annotated[str | None, Query(pattern=SKU_FORMAT)]

router = APIRouter(tags=["inventory"])
admin = APIRouter(tags=["inventory admin"])


@router.get("/stock/{sku}", summary="How many units of a SKU can be bought now",
            dependencies=[PUBLIC])
def availability(sku: SkuPath, commerce: CommerceDep) -> Availability:
    sku = normalise_sku(sku)
    if commerce.catalog.by_sku(sku) is None:
        raise SkuNotFound(f"no product sells SKU {sku}", sku=sku)
    available = commerce.inventory.available(sku)
    return Availability(sku=sku, available=available, in_stock=available > 0)


@admin.get("/warehouses", dependencies=[permit(Permission.INVENTORY_READ)])
def list_warehouses(commerce: CommerceDep) -> list[WarehouseOut]:
    return [WarehouseOut.of(w) for w in commerce.inventory.warehouses()]


@admin.post("/warehouses", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def create_warehouse(
    body: NewWarehouse, commerce: CommerceDep, request_id: RequestIdDep
) -> WarehouseOut:
    warehouse_id = str(commerce.handle(body.to_command(), correlation_id=request_id))
    return WarehouseOut.of(next(w for w in commerce.inventory.warehouses() if w.id == warehouse_id))


@admin.get("/stock", summary="Stock levels per SKU and warehouse",
           dependencies=[permit(Permission.INVENTORY_READ)])
def list_stock(commerce: CommerceDep, sku: SkuQuery = None) -> list[StockLevelOut]:
    return [StockLevelOut.of(level) for level in commerce.inventory.levels(sku)]


@admin.put(
    "/stock/{sku}/{warehouse}",
    summary="Set on hand after a count or a delivery",
    description="`warehouse` is its id or code. Answers the SKU's levels in every warehouse.",
    dependencies=[permit(Permission.INVENTORY_ADJUST)],
)
def set_stock(
    sku: SkuPath, warehouse: str, body: StockCount, commerce: CommerceDep, request_id: RequestIdDep
) -> list[StockLevelOut]:
    commerce.handle(body.to_command(sku, warehouse), correlation_id=request_id)
    return [StockLevelOut.of(level) for level in commerce.inventory.levels(sku)]


@admin.get("/reservations", summary="Reservations, newest first",
           dependencies=[permit(Permission.INVENTORY_READ)])
def list_reservations(
    commerce: CommerceDep,
    statuses: Annotated[list[ReservationStatus] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ReservationOut]:
    reservations = commerce.inventory.reservations(
        statuses=[s.value for s in statuses] if statuses else None, limit=limit
    )
    return [ReservationOut.of(r) for r in reservations]


# -- warehouses and distributors ------------------------------------------------------------------


@admin.get("/warehouses/{warehouse}", summary="A warehouse with its details (id or code)",
           dependencies=[permit(Permission.INVENTORY_READ)])
def get_warehouse(warehouse: str, commerce: CommerceDep) -> WarehouseDetailsOut:
    return WarehouseDetailsOut.of(commerce.inventory.warehouse(warehouse))


@admin.put("/warehouses/{warehouse}", summary="Rename a warehouse and replace its details",
           dependencies=[permit(Permission.INVENTORY_MANAGE)])
def update_warehouse(warehouse: str, body: WarehouseDetailsBody, commerce: CommerceDep,
                     request_id: RequestIdDep) -> WarehouseDetailsOut:
    commerce.handle(body.to_command(warehouse), correlation_id=request_id)
    return WarehouseDetailsOut.of(commerce.inventory.warehouse(warehouse))


@admin.post("/warehouses/{warehouse}/{action}",
            summary="Activate, deactivate, or make a warehouse the default",
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def change_warehouse_status(
    warehouse: str, action: Literal["activate", "deactivate", "default"],
    commerce: CommerceDep, request_id: RequestIdDep,
) -> WarehouseDetailsOut:
    command = {"activate": ActivateWarehouse, "deactivate": DeactivateWarehouse,
               "default": SetDefaultWarehouse}[action](warehouse)
    commerce.handle(command, correlation_id=request_id)
    return WarehouseDetailsOut.of(commerce.inventory.warehouse(warehouse))


@admin.get("/distributors", dependencies=[permit(Permission.INVENTORY_READ)])
def list_distributors(commerce: CommerceDep) -> list[DistributorOut]:
    return [DistributorOut.of(d) for d in commerce.inventory.distributors()]


@admin.post("/distributors", status_code=status.HTTP_201_CREATED,
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def create_distributor(body: NewDistributor, commerce: CommerceDep,
                       request_id: RequestIdDep) -> DistributorOut:
    distributor_id = commerce.handle(body.to_command(), correlation_id=request_id)
    return DistributorOut.of(commerce.inventory.distributor(distributor_id))


# -- stock items, receipts, the ledger ------------------------------------------------------------


@admin.get("/stock-items", summary="Stock items with their settings, by SKU and warehouse",
           dependencies=[permit(Permission.INVENTORY_READ)])
def list_stock_items(commerce: CommerceDep, sku: SkuQuery = None,
                     warehouse: str | None = None) -> list[StockItemOut]:
    return [StockItemOut.of_item(i) for i in commerce.inventory.items(sku=sku,
                                                                      warehouse=warehouse)]


@admin.put("/stock/{sku}/{warehouse}/settings",
           summary="Reorder point, min/max levels and bin location of a stock item",
           dependencies=[permit(Permission.INVENTORY_MANAGE)])
def configure_stock_item(sku: SkuPath, warehouse: str, body: StockSettingsBody,
                         commerce: CommerceDep, request_id: RequestIdDep) -> StockItemOut:
    commerce.handle(body.to_command(sku, warehouse), correlation_id=request_id)
    (item,) = commerce.inventory.items(sku=sku, warehouse=warehouse)
    return StockItemOut.of_item(item)


def _item_after(commerce: Commerce, sku: str, warehouse: str) -> StockItemOut:
    (item,) = commerce.inventory.items(sku=sku, warehouse=warehouse)
    return StockItemOut.of_item(item)


@admin.post("/stock/{sku}/{warehouse}/receipts", status_code=status.HTTP_201_CREATED,
            summary="Receive goods, into a batch and a bin when given",
            dependencies=[permit(Permission.INVENTORY_ADJUST)])
def receive_stock(sku: SkuPath, warehouse: str, body: Receipt, commerce: CommerceDep,
                  request_id: RequestIdDep) -> StockItemOut:
    commerce.handle(body.to_command(sku, warehouse), correlation_id=request_id)
    return _item_after(commerce, sku, warehouse)


@admin.post("/stock/{sku}/{warehouse}/damage", summary="Write off damaged units",
            dependencies=[permit(Permission.INVENTORY_ADJUST)])
def record_damage(sku: SkuPath, warehouse: str, body: Damage, commerce: CommerceDep,
                  request_id: RequestIdDep) -> StockItemOut:
    commerce.handle(body.to_command(sku, warehouse), correlation_id=request_id)
    return _item_after(commerce, sku, warehouse)


@admin.post("/stock/{sku}/{warehouse}/returns", summary="Put returned units back on the shelf",
            dependencies=[permit(Permission.INVENTORY_ADJUST)])
def restock_return(sku: SkuPath, warehouse: str, body: ReturnRestock, commerce: CommerceDep,
                   request_id: RequestIdDep) -> StockItemOut:
    commerce.handle(body.to_command(sku, warehouse), correlation_id=request_id)
    return _item_after(commerce, sku, warehouse)


@admin.get("/stock-batches", dependencies=[permit(Permission.INVENTORY_READ)])
def list_batches(commerce: CommerceDep, sku: SkuQuery = None,
                 warehouse: str | None = None) -> list[BatchOut]:
    return [BatchOut.of(b) for b in commerce.inventory.batches(sku=sku, warehouse=warehouse)]


@admin.get("/stock-movements", summary="The stock ledger, newest first",
           dependencies=[permit(Permission.INVENTORY_READ)])
def list_movements(
    commerce: CommerceDep, sku: SkuQuery = None, warehouse: str | None = None,
    reference: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[MovementOut]:
    return [MovementOut.of(m) for m in commerce.inventory.movements(
        sku=sku, warehouse=warehouse, reference_id=reference, limit=limit)]


@admin.get("/stock-audit", summary="Every row's counters next to what its ledger sums to",
           dependencies=[permit(Permission.INVENTORY_READ)])
def audit_stock(commerce: CommerceDep) -> list[LedgerBalanceOut]:
    return [LedgerBalanceOut.of(b) for b in commerce.inventory.audit()]


@admin.get("/stock-alerts", summary="Low stock, overstock, expiring batches, leaked holds",
           dependencies=[permit(Permission.INVENTORY_READ)])
def list_alerts(commerce: CommerceDep, warehouse: str | None = None) -> list[AlertOut]:
    return [AlertOut.of(a) for a in commerce.inventory.alerts(warehouse=warehouse)]


# -- adjustments and transfers --------------------------------------------------------------------


@admin.get("/adjustments", dependencies=[permit(Permission.INVENTORY_READ)])
def list_adjustments(commerce: CommerceDep,
                     status: AdjustmentStatus | None = None) -> list[AdjustmentOut]:
    return [AdjustmentOut.of(a) for a in commerce.inventory.adjustments(
        status=status.value if status else None)]


def _adjustment(commerce: Commerce, adjustment_id: str) -> AdjustmentOut:
    return AdjustmentOut.of(commerce.inventory.adjustment(adjustment_id))


@admin.post("/adjustments", status_code=status.HTTP_201_CREATED,
            summary="Ask for an adjustment of on hand; it executes when approved",
            dependencies=[permit(Permission.INVENTORY_ADJUST)])
def request_adjustment(body: NewAdjustment, commerce: CommerceDep,
                       request_id: RequestIdDep) -> AdjustmentOut:
    return _adjustment(commerce, commerce.handle(body.to_command(), correlation_id=request_id))


@admin.post("/adjustments/{adjustment_id}/{decision}",
            summary="Approve (and execute, once) or reject an adjustment",
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def decide_adjustment(adjustment_id: str, decision: Literal["approve", "reject"],
                      body: Decision, commerce: CommerceDep,
                      request_id: RequestIdDep) -> AdjustmentOut:
    command = (ApproveAdjustment(adjustment_id, body.by) if decision == "approve"
               else RejectAdjustment(adjustment_id, body.reason or "rejected", body.by))
    commerce.handle(command, correlation_id=request_id)
    return _adjustment(commerce, adjustment_id)


@admin.get("/transfers", dependencies=[permit(Permission.INVENTORY_READ)])
def list_transfers(commerce: CommerceDep,
                   status: TransferStatus | None = None) -> list[TransferOut]:
    return [TransferOut.of(t) for t in commerce.inventory.transfers(
        status=status.value if status else None)]


def _transfer(commerce: Commerce, transfer_id: str) -> TransferOut:
    return TransferOut.of(commerce.inventory.transfer(transfer_id))


@admin.post("/transfers", status_code=status.HTTP_201_CREATED,
            summary="Move stock between warehouses: the source units are reserved now",
            dependencies=[permit(Permission.INVENTORY_ADJUST)])
def request_transfer(body: NewTransfer, commerce: CommerceDep,
                     request_id: RequestIdDep) -> TransferOut:
    return _transfer(commerce, commerce.handle(body.to_command(), correlation_id=request_id))


@admin.post("/transfers/{transfer_id}/{step}", summary="Ship, receive or cancel a transfer",
            dependencies=[permit(Permission.INVENTORY_ADJUST)])
def move_transfer(transfer_id: str, step: Literal["ship", "receive", "cancel"],
                  commerce: CommerceDep, request_id: RequestIdDep) -> TransferOut:
    command = {"ship": ShipTransfer, "receive": ReceiveTransfer,
               "cancel": CancelTransfer}[step](transfer_id)
    commerce.handle(command, correlation_id=request_id)
    return _transfer(commerce, transfer_id)


# -- reservations ---------------------------------------------------------------------------------


@admin.post("/reservations", status_code=status.HTTP_201_CREATED,
            summary="Hold stock for a reference, all lines or none",
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def reserve_stock(body: NewReservation, commerce: CommerceDep,
                  request_id: RequestIdDep) -> list[ReservationOut]:
    ids = commerce.handle(body.to_command(), correlation_id=request_id)
    return [ReservationOut.of(commerce.inventory.reservation(r)) for line in ids for r in line]


@admin.get("/reservations/{reservation_id}", dependencies=[permit(Permission.INVENTORY_READ)])
def get_reservation(reservation_id: str, commerce: CommerceDep) -> ReservationOut:
    return ReservationOut.of(commerce.inventory.reservation(reservation_id))


@admin.post("/reservations/{reservation_id}/extend",
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def extend_reservation(reservation_id: str, body: Extension, commerce: CommerceDep,
                       request_id: RequestIdDep) -> ReservationOut:
    commerce.handle(ExtendReservation(reservation_id, body.expires_at),
                    correlation_id=request_id)
    return ReservationOut.of(commerce.inventory.reservation(reservation_id))


@admin.post("/reservations/{reservation_id}/confirm",
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def confirm_reservation(reservation_id: str, body: Confirmation, commerce: CommerceDep,
                        request_id: RequestIdDep) -> ReservationOut:
    commerce.handle(ConfirmReservation(reservation_id, body.order_id), correlation_id=request_id)
    return ReservationOut.of(commerce.inventory.reservation(reservation_id))


@admin.post("/reservations/{reservation_id}/release",
            summary="Release what is unfulfilled; releasing again changes nothing",
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def release_reservation(reservation_id: str, body: Release, commerce: CommerceDep,
                        request_id: RequestIdDep) -> ReservationOut:
    commerce.handle(ReleaseReservation(reservation_id, body.reason), correlation_id=request_id)
    return ReservationOut.of(commerce.inventory.reservation(reservation_id))


@admin.post("/reservations/{reservation_id}/fulfil",
            summary="Confirmed units leave the warehouse (first expiry, first out)",
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def fulfil_reservation(reservation_id: str, body: FulfilQuantity, commerce: CommerceDep,
                       request_id: RequestIdDep) -> ReservationOut:
    commerce.handle(FulfilReservation(reservation_id, body.quantity), correlation_id=request_id)
    return ReservationOut.of(commerce.inventory.reservation(reservation_id))


@admin.post("/reservation-jobs/reconcile",
            summary="Correct reserved counts to the live reservations; lists what drifted",
            dependencies=[permit(Permission.INVENTORY_MANAGE)])
def reconcile_reservations(commerce: CommerceDep, request_id: RequestIdDep) -> list[DriftOut]:
    drifts = commerce.handle(ReconcileReservedCounts(), correlation_id=request_id)
    return [DriftOut(sku=d.sku, warehouse_id=d.warehouse_id, reserved=d.reserved,
                     live_units=d.live_units, corrected=d.corrected) for d in drifts]
