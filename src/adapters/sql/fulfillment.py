"""Fulfillment storage: fulfillments with their items, packages and SLA breaches; pick lists
with their lines and the fulfillment items each line carries."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, child_values, children, column, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.fulfillment import (
    fulfillment_items,
    fulfillment_package_items,
    fulfillment_packages,
    fulfillment_sla_breaches,
    fulfillments,
    picklist_fulfillments,
    picklist_lines,
    picklist_sources,
    picklists,
)
from commerce_core.fulfillment.errors import FulfillmentNotFound, PicklistNotFound
from commerce_core.fulfillment.model import (
    Fulfillment,
    FulfillmentItem,
    FulfillmentStatus,
    Package,
    PackageItem,
)
from commerce_core.fulfillment.picklists import (
    PickLine,
    Picklist,
    PicklistStatus,
    PickSource,
)

# -- fulfillments -------------------------------------------------------------------------------


# Every amount of a fulfillment is in its order's currency, the root row's `currency`.
FULFILLMENTS = AggregateMap[Fulfillment](
    kind="fulfillment",
    not_found=FulfillmentNotFound,
    codec=RowCodec(
        Fulfillment, fulfillments,
        status=by_value(FulfillmentStatus),
        order_value=money(),
        cod_amount=money("cod_amount"),
        items=children(fulfillment_items, FulfillmentItem,
                       id=column("item_id"), unit_price=money(from_parent=True)),
        packages=children(
            fulfillment_packages, Package,
            id=column("package_id"), declared_value=money(from_parent=True),
            items=children(fulfillment_package_items, PackageItem, link=("package_id", "id")),
        ),
        sla_breaches=child_values(fulfillment_sla_breaches, "status"),
        events=IGNORED,
    ),
)

_f = fulfillments.c
_OLDEST = (_f.created_at, CodePointOrder(_f.id))
_FOR_ORDER = (sa.select(fulfillments).where(_f.order_id == sa.bindparam("order_id"))
              .order_by(CodePointOrder(_f.warehouse_id)))
_SINCE = (
    sa.select(_f.id)
    .where(_f.status == sa.bindparam("status"), _f.status_since < sa.bindparam("before"))
    .order_by(_f.status_since, CodePointOrder(_f.id))
    .limit(sa.bindparam("limit"))
)


class SqlFulfillmentRepository(AggregateRepository[Fulfillment]):
    def for_order(self, order_id: str) -> list[Fulfillment]:
        return self._store.all(_FOR_ORDER, {"order_id": order_id})

    def list(self, *, warehouse_id: str | None = None, statuses: Collection[str] | None = None,
             limit: int = 100) -> builtins.list[Fulfillment]:
        statement = sa.select(fulfillments)
        if warehouse_id is not None:
            statement = statement.where(_f.warehouse_id == warehouse_id)
        if statuses is not None:
            statement = statement.where(_f.status.in_(list(statuses)))
        return self._store.all(statement.order_by(*_OLDEST).limit(limit))

    def in_status_since(self, status: str, before: datetime, limit: int) -> builtins.list[str]:
        rows = self._store.db.execute(_SINCE, {"status": status, "before": before,
                                               "limit": limit})
        return [row.id for row in rows]


# -- pick lists ---------------------------------------------------------------------------------


PICKLISTS = AggregateMap[Picklist](
    kind="picklist",
    not_found=PicklistNotFound,
    codec=RowCodec(
        Picklist, picklists,
        status=by_value(PicklistStatus),
        lines=children(picklist_lines, PickLine, sources=children(
            picklist_sources, PickSource, link=("line_sequence", "sequence"))),
        fulfillment_ids=child_values(picklist_fulfillments, "fulfillment_id"),
        events=IGNORED,
    ),
)

_p = picklists.c


class SqlPicklistRepository(AggregateRepository[Picklist]):
    def list(self, *, warehouse_id: str | None = None,
             statuses: Collection[str] | None = None, limit: int = 100) -> builtins.list[Picklist]:
        statement = sa.select(picklists)
        if warehouse_id is not None:
            statement = statement.where(_p.warehouse_id == warehouse_id)
        if statuses is not None:
            statement = statement.where(_p.status.in_(list(statuses)))
        return self._store.all(statement.order_by(
            _p.created_at.desc(), CodePointOrder(_p.id).desc()).limit(limit))
