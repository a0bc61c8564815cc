"""Shipment storage: the shipment row and its carrier reports."""

from __future__ import annotations

import builtins
from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, children, column, money
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.shipping import shipment_tracking_events, shipments
from commerce_core.shared.address import PostalAddress
from commerce_core.shipping.errors import ShipmentNotFound
from commerce_core.shipping.model import Shipment, TrackingEvent
from commerce_core.shipping.ports import ShipmentStatus

_address = column(store=PostalAddress.to_dict, load=PostalAddress.from_dict)

# Every amount of a shipment is in its order's currency, the row's `currency`.
SHIPMENTS = AggregateMap[Shipment](
    kind="shipment",
    not_found=ShipmentNotFound,
    codec=RowCodec(
        Shipment, shipments,
        status=by_value(ShipmentStatus),
        previous_status=by_value(ShipmentStatus),
        origin=_address,
        destination=_address,
        cost=money("cost_amount"),
        cod_amount=money("cod_amount"),
        cod_collected=money("cod_collected_amount"),
        tracking_events=children(shipment_tracking_events, TrackingEvent,
                                 status=by_value(ShipmentStatus)),
        events=IGNORED,
    ),
)

_s = shipments.c
_NEWEST = (_s.created_at.desc(), CodePointOrder(_s.id).desc())


class SqlShipmentRepository(AggregateRepository[Shipment]):
    def for_package(self, fulfillment_id: str, package_id: str) -> Shipment | None:
        found = self._store.all(sa.select(shipments).where(
            _s.fulfillment_id == fulfillment_id, _s.package_id == package_id))
        return found[0] if found else None

    def for_order(self, order_id: str) -> builtins.list[Shipment]:
        return self._store.all(sa.select(shipments).where(_s.order_id == order_id)
                               .order_by(_s.created_at, CodePointOrder(_s.id)))

    def by_tracking_number(self, carrier: str, tracking_number: str) -> Shipment | None:
        found = self._store.all(sa.select(shipments).where(
            _s.carrier == carrier, _s.tracking_number == tracking_number))
        return found[0] if found else None

    def find_by_tracking_number(self, tracking_number: str) -> Shipment | None:
        found = self._store.all(sa.select(shipments)
                                .where(_s.tracking_number == tracking_number)
                                .order_by(*_NEWEST).limit(1))
        return found[0] if found else None

    def list(self, *, statuses: Collection[str] | None = None, carrier: str | None = None,
             order_id: str | None = None, needs_attention: bool | None = None,
             limit: int = 100) -> builtins.list[Shipment]:
        statement = sa.select(shipments)
        if statuses is not None:
            statement = statement.where(_s.status.in_(list(statuses)))
        if carrier is not None:
            statement = statement.where(_s.carrier == carrier)
        if order_id is not None:
            statement = statement.where(_s.order_id == order_id)
        if needs_attention is not None:
            statement = statement.where(_s.needs_attention == needs_attention)
        return self._store.all(statement.order_by(*_NEWEST).limit(limit))

    def stale(self, statuses: Collection[str], before: datetime,
              limit: int) -> builtins.list[str]:
        rows = self._store.db.execute(
            sa.select(_s.id).where(_s.status.in_(list(statuses)), _s.updated_at <= before)
            .order_by(_s.updated_at, CodePointOrder(_s.id)).limit(limit))
        return [row.id for row in rows]

    def bookings_due(self, now: datetime, limit: int) -> builtins.list[str]:
        rows = self._store.db.execute(
            sa.select(_s.id).where(_s.status == ShipmentStatus.DRAFT.value,
                                   _s.next_booking_at <= now)
            .order_by(_s.next_booking_at, CodePointOrder(_s.id)).limit(limit))
        return [row.id for row in rows]

    def cod_unsettled(self, limit: int) -> builtins.list[str]:
        rows = self._store.db.execute(
            sa.select(_s.id).where(_s.status == ShipmentStatus.DELIVERED.value,
                                   _s.cod_amount.is_not(None),
                                   _s.cod_collected_amount.is_not(None),
                                   _s.cod_settled.is_(False))
            .order_by(_s.updated_at, CodePointOrder(_s.id)).limit(limit))
        return [row.id for row in rows]
