"""Adjustment requests and transfers: the multi-step stock changes."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.inventory import adjustment_requests, stock_transfers
from commerce_core.inventory.errors import AdjustmentNotFound, TransferNotFound
from commerce_core.inventory.movements import (
    AdjustmentRequest,
    AdjustmentStatus,
    Transfer,
    TransferStatus,
)

ADJUSTMENTS = AggregateMap[AdjustmentRequest](
    kind="adjustment",
    not_found=AdjustmentNotFound,
    codec=RowCodec(AdjustmentRequest, adjustment_requests, status=by_value(AdjustmentStatus),
                   events=IGNORED),
)
TRANSFERS = AggregateMap[Transfer](
    kind="transfer",
    not_found=TransferNotFound,
    codec=RowCodec(Transfer, stock_transfers, status=by_value(TransferStatus), events=IGNORED),
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
