"""Adjustment requests and transfers: the multi-step stock changes."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables import adjustment_requests, stock_transfers
from commerce_core.inventory.errors import AdjustmentNotFound, TransferNotFound
from commerce_core.inventory.movements import (
    AdjustmentRequest,
    AdjustmentStatus,
    Transfer,
    TransferStatus,
)


def _adjustment_row(request: AdjustmentRequest) -> Values:
    return {
        "id": request.id, "sku": request.sku, "warehouse_id": request.warehouse_id,
        "quantity_change": request.quantity_change, "reason": request.reason,
        "notes": request.notes, "status": request.status.value,
        "requested_by": request.requested_by, "requested_at": request.requested_at,
        "decided_by": request.decided_by, "decided_at": request.decided_at,
        "rejection_reason": request.rejection_reason,
    }


def _adjustment_from(row: Row, _: LoadedChildren) -> AdjustmentRequest:
    return AdjustmentRequest(
        id=row.id, sku=row.sku, warehouse_id=row.warehouse_id,
        quantity_change=row.quantity_change, reason=row.reason, notes=row.notes,
        status=AdjustmentStatus(row.status), requested_by=row.requested_by,
        requested_at=row.requested_at, decided_by=row.decided_by, decided_at=row.decided_at,
        rejection_reason=row.rejection_reason, version=row.version,
    )


ADJUSTMENTS = AggregateMap[AdjustmentRequest](
    kind="adjustment", table=adjustment_requests, not_found=AdjustmentNotFound,
    to_row=_adjustment_row, from_rows=_adjustment_from,
)


def _transfer_row(transfer: Transfer) -> Values:
    return {
        "id": transfer.id, "sku": transfer.sku, "from_warehouse_id": transfer.from_warehouse_id,
        "to_warehouse_id": transfer.to_warehouse_id, "quantity": transfer.quantity,
        "status": transfer.status.value, "reservation_id": transfer.reservation_id,
        "reason": transfer.reason, "requested_by": transfer.requested_by,
        "created_at": transfer.created_at, "updated_at": transfer.updated_at,
        "shipped_at": transfer.shipped_at, "received_at": transfer.received_at,
        "cancelled_at": transfer.cancelled_at,
    }


def _transfer_from(row: Row, _: LoadedChildren) -> Transfer:
    return Transfer(
        id=row.id, sku=row.sku, from_warehouse_id=row.from_warehouse_id,
        to_warehouse_id=row.to_warehouse_id, quantity=row.quantity,
        status=TransferStatus(row.status), reservation_id=row.reservation_id,
        reason=row.reason, requested_by=row.requested_by, created_at=row.created_at,
        updated_at=row.updated_at, shipped_at=row.shipped_at, received_at=row.received_at,
        cancelled_at=row.cancelled_at, version=row.version,
    )


TRANSFERS = AggregateMap[Transfer](
    kind="transfer", table=stock_transfers, not_found=TransferNotFound,
    to_row=_transfer_row, from_rows=_transfer_from,
)


def _newest_first(table: sa.Table, created: str) -> tuple[sa.Select[tuple[object]],
                                                          sa.Select[tuple[object]]]:
    newest = sa.select(table).order_by(table.c[created].desc(),
                                       CodePointOrder(table.c.id).desc())
    return (newest.limit(sa.bindparam("limit")),
            newest.where(table.c.status == sa.bindparam("status")).limit(sa.bindparam("limit")))


_ADJUSTMENTS, _ADJUSTMENTS_BY_STATUS = _newest_first(adjustment_requests, "requested_at")
_TRANSFERS, _TRANSFERS_BY_STATUS = _newest_first(stock_transfers, "created_at")


class SqlAdjustmentRequestRepository(AggregateRepository[AdjustmentRequest]):
    def list(self, *, status: str | None = None, limit: int = 100) -> list[AdjustmentRequest]:
        if status is None:
            return self._store.all(_ADJUSTMENTS, {"limit": limit})
        return self._store.all(_ADJUSTMENTS_BY_STATUS, {"status": status, "limit": limit})


class SqlTransferRepository(AggregateRepository[Transfer]):
    def list(self, *, status: str | None = None, limit: int = 100) -> list[Transfer]:
        if status is None:
            return self._store.all(_TRANSFERS, {"limit": limit})
        return self._store.all(_TRANSFERS_BY_STATUS, {"status": status, "limit": limit})
