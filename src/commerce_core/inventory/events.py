"""Facts inventory publishes."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class WarehouseCreated(DomainEvent):
    type = "inventory.warehouse_created"
    warehouse_id: str
    code: str
    name: str
    is_default: bool
    occurred_at: datetime


@frozen
class StockChanged(DomainEvent):
    """On hand was set or adjusted by an operator (reservations have their own events)."""

    type = "inventory.stock_changed"
    sku: str
    warehouse_id: str
    on_hand_before: int
    on_hand: int
    reserved: int
    reason: str
    occurred_at: datetime


@frozen
class StockReserved(DomainEvent):
    type = "inventory.stock_reserved"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    reference: str
    expires_at: datetime
    occurred_at: datetime


@frozen
class ReservationConfirmed(DomainEvent):
    type = "inventory.reservation_confirmed"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    order_id: str
    occurred_at: datetime


@frozen
class ReservationReleased(DomainEvent):
    type = "inventory.reservation_released"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    reason: str
    reference: str
    order_id: str | None
    occurred_at: datetime


@frozen
class ReservationExpired(DomainEvent):
    type = "inventory.reservation_expired"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    reference: str
    order_id: str | None
    expires_at: datetime
    occurred_at: datetime


@frozen
class StockCommitted(DomainEvent):
    """Reserved units left the warehouse: on hand and reserved both went down."""

    type = "inventory.stock_committed"
    reservation_id: str
    sku: str
    warehouse_id: str
    quantity: int
    order_id: str | None
    occurred_at: datetime
