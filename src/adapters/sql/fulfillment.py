"""Fulfillment storage: fulfillments with their items, packages and SLA breaches; pick lists
with their lines and the fulfillment items each line carries."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import (
    AggregateMap,
    AggregateRepository,
    ChildRows,
    LoadedChildren,
    Row,
    Values,
)
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables import (
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
from commerce_core.shared.money import Money

# -- fulfillments -------------------------------------------------------------------------------


def _fulfillment_row(f: Fulfillment) -> Values:
    # Every amount of a fulfillment is in its order's currency.
    return {
        "id": f.id, "number": f.number, "order_id": f.order_id,
        "order_number": f.order_number, "warehouse_id": f.warehouse_id,
        "status": f.status.value, "priority": f.priority, "payment_method": f.payment_method,
        "currency": f.order_value.currency, "order_value_amount": f.order_value.amount,
        "cod_amount": None if f.cod_amount is None else f.cod_amount.amount,
        "qc_required": f.qc_required, "qc_passed": f.qc_passed, "qc_reason": f.qc_reason,
        "picklist_id": f.picklist_id, "shipment_id": f.shipment_id, "carrier": f.carrier,
        "service_type": f.service_type, "cancel_reason": f.cancel_reason,
        "created_at": f.created_at, "updated_at": f.updated_at,
        "status_since": f.status_since,
    }


def _fulfillment_children(f: Fulfillment) -> ChildRows:
    key = {"fulfillment_id": f.id}
    return {
        fulfillment_items.name: [
            {**key, "position": n, "item_id": i.id, "sku": i.sku, "product_id": i.product_id,
             "name": i.name, "quantity_ordered": i.quantity_ordered,
             "quantity_picked": i.quantity_picked, "quantity_packed": i.quantity_packed,
             "reservation_id": i.reservation_id, "unit_price_amount": i.unit_price.amount,
             "weight_grams": i.weight_grams}
            for n, i in enumerate(f.items)
        ],
        fulfillment_packages.name: [
            {**key, "position": n, "package_id": p.id, "number": p.number,
             "weight_grams": p.weight_grams, "length_cm": p.length_cm, "width_cm": p.width_cm,
             "height_cm": p.height_cm, "declared_value_amount": p.declared_value.amount,
             "insured": p.insured, "status": p.status, "tracking_number": p.tracking_number}
            for n, p in enumerate(f.packages)
        ],
        fulfillment_package_items.name: [
            {**key, "position": n, "package_id": package_id, "item_id": item.item_id,
             "quantity": item.quantity}
            for n, (package_id, item) in enumerate(
                (p.id, item) for p in f.packages for item in p.items)
        ],
        fulfillment_sla_breaches.name: [
            {**key, "position": n, "status": status} for n, status in enumerate(f.sla_breaches)
        ],
    }


def _fulfillment_from(row: Row, children: LoadedChildren) -> Fulfillment:
    def money(amount: int) -> Money:
        return Money(amount, row.currency)

    contents: dict[str, list[PackageItem]] = {}
    for item in children[fulfillment_package_items.name]:
        contents.setdefault(item.package_id, []).append(PackageItem(item.item_id, item.quantity))
    return Fulfillment(
        id=row.id, number=row.number, order_id=row.order_id, order_number=row.order_number,
        warehouse_id=row.warehouse_id, status=FulfillmentStatus(row.status),
        priority=row.priority, payment_method=row.payment_method,
        order_value=money(row.order_value_amount),
        cod_amount=None if row.cod_amount is None else money(row.cod_amount),
        qc_required=bool(row.qc_required),
        items=[
            FulfillmentItem(i.item_id, i.sku, i.product_id, i.name, i.quantity_ordered,
                            i.reservation_id, money(i.unit_price_amount), i.weight_grams,
                            i.quantity_picked, i.quantity_packed)
            for i in children[fulfillment_items.name]
        ],
        created_at=row.created_at, updated_at=row.updated_at,
        packages=[
            Package(p.package_id, p.number, p.weight_grams, p.length_cm, p.width_cm,
                    p.height_cm, tuple(contents.get(p.package_id, ())),
                    money(p.declared_value_amount), bool(p.insured), p.status,
                    p.tracking_number)
            for p in children[fulfillment_packages.name]
        ],
        qc_passed=None if row.qc_passed is None else bool(row.qc_passed),
        qc_reason=row.qc_reason, picklist_id=row.picklist_id, shipment_id=row.shipment_id,
        carrier=row.carrier, service_type=row.service_type, status_since=row.status_since,
        cancel_reason=row.cancel_reason,
        sla_breaches=[b.status for b in children[fulfillment_sla_breaches.name]],
        version=row.version,
    )


FULFILLMENTS = AggregateMap[Fulfillment](
    kind="fulfillment",
    table=fulfillments,
    children=(fulfillment_items, fulfillment_packages, fulfillment_package_items,
              fulfillment_sla_breaches),
    not_found=FulfillmentNotFound,
    to_row=_fulfillment_row,
    to_children=_fulfillment_children,
    from_rows=_fulfillment_from,
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


def _picklist_row(p: Picklist) -> Values:
    return {
        "id": p.id, "number": p.number, "warehouse_id": p.warehouse_id,
        "status": p.status.value, "created_at": p.created_at, "expires_at": p.expires_at,
        "started_at": p.started_at, "completed_at": p.completed_at,
    }


def _picklist_children(p: Picklist) -> ChildRows:
    key = {"picklist_id": p.id}
    return {
        picklist_lines.name: [
            {**key, "position": n, "sequence": line.sequence, "sku": line.sku,
             "bin_location": line.bin_location, "quantity": line.quantity,
             "quantity_picked": line.quantity_picked}
            for n, line in enumerate(p.lines)
        ],
        picklist_sources.name: [
            {**key, "position": n, "line_sequence": sequence,
             "fulfillment_id": source.fulfillment_id, "item_id": source.item_id,
             "quantity": source.quantity}
            for n, (sequence, source) in enumerate(
                (line.sequence, source) for line in p.lines for source in line.sources)
        ],
        picklist_fulfillments.name: [
            {**key, "position": n, "fulfillment_id": fid}
            for n, fid in enumerate(p.fulfillment_ids)
        ],
    }


def _picklist_from(row: Row, children: LoadedChildren) -> Picklist:
    sources: dict[int, list[PickSource]] = {}
    for s in children[picklist_sources.name]:
        sources.setdefault(s.line_sequence, []).append(
            PickSource(s.fulfillment_id, s.item_id, s.quantity))
    return Picklist(
        id=row.id, number=row.number, warehouse_id=row.warehouse_id,
        status=PicklistStatus(row.status),
        lines=[PickLine(line.sequence, line.sku, line.bin_location, line.quantity,
                        tuple(sources.get(line.sequence, ())), line.quantity_picked)
               for line in children[picklist_lines.name]],
        fulfillment_ids=[f.fulfillment_id for f in children[picklist_fulfillments.name]],
        created_at=row.created_at, expires_at=row.expires_at, started_at=row.started_at,
        completed_at=row.completed_at, version=row.version,
    )


PICKLISTS = AggregateMap[Picklist](
    kind="picklist",
    table=picklists,
    children=(picklist_lines, picklist_sources, picklist_fulfillments),
    not_found=PicklistNotFound,
    to_row=_picklist_row,
    to_children=_picklist_children,
    from_rows=_picklist_from,
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
