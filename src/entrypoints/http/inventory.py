"""Inventory routes: availability for shoppers; warehouses, stock and reservations for operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from commerce_core.catalog.errors import SkuNotFound
from commerce_core.inventory.model import ReservationStatus
from commerce_core.shared.ids import normalise_sku
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas import (
    Availability,
    NewWarehouse,
    ReservationOut,
    StockCount,
    StockLevelOut,
    WarehouseOut,
)

router = APIRouter(tags=["inventory"])
admin = APIRouter(tags=["inventory admin"])


@router.get("/stock/{sku}", summary="How many units of a SKU can be bought now")
def availability(sku: str, commerce: CommerceDep) -> Availability:
    sku = normalise_sku(sku)
    if commerce.catalog.by_sku(sku) is None:
        raise SkuNotFound(f"no product sells SKU {sku}", sku=sku)
    available = commerce.inventory.available(sku)
    return Availability(sku=sku, available=available, in_stock=available > 0)


@admin.get("/warehouses")
def list_warehouses(commerce: CommerceDep) -> list[WarehouseOut]:
    return [WarehouseOut.of(w) for w in commerce.inventory.warehouses()]


@admin.post("/warehouses", status_code=status.HTTP_201_CREATED)
def create_warehouse(
    body: NewWarehouse, commerce: CommerceDep, request_id: RequestIdDep
) -> WarehouseOut:
    warehouse_id = str(commerce.handle(body.to_command(), correlation_id=request_id))
    return WarehouseOut.of(next(w for w in commerce.inventory.warehouses() if w.id == warehouse_id))


@admin.get("/stock", summary="Stock levels per SKU and warehouse")
def list_stock(commerce: CommerceDep, sku: str | None = None) -> list[StockLevelOut]:
    return [StockLevelOut.of(level) for level in commerce.inventory.levels(sku)]


@admin.put(
    "/stock/{sku}/{warehouse}",
    summary="Set on hand after a count or a delivery",
    description="`warehouse` is its id or code. Answers the SKU's levels in every warehouse.",
)
def set_stock(
    sku: str, warehouse: str, body: StockCount, commerce: CommerceDep, request_id: RequestIdDep
) -> list[StockLevelOut]:
    commerce.handle(body.to_command(sku, warehouse), correlation_id=request_id)
    return [StockLevelOut.of(level) for level in commerce.inventory.levels(sku)]


@admin.get("/reservations", summary="Reservations, newest first")
def list_reservations(
    commerce: CommerceDep,
    statuses: Annotated[list[ReservationStatus] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ReservationOut]:
    reservations = commerce.inventory.reservations(
        statuses=[s.value for s in statuses] if statuses else None, limit=limit
    )
    return [ReservationOut.of(r) for r in reservations]
