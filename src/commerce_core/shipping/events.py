"""Facts shipping publishes (spec shipping §7)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


@frozen
class ShipmentCreated(DomainEvent):
    """A draft shipment for one package, before the carrier is asked (its tracking number is
    None until booked)."""

    type = "shipping.shipment_created"
    shipment_id: str
    order_id: str
    fulfillment_id: str
    package_id: str
    carrier: str
    service_type: str
    tracking_number: str | None
    status: str
    warehouse_id: str
    cost: Money | None
    occurred_at: datetime


@frozen
class ShipmentBooked(DomainEvent):
    """The carrier took the booking and gave a tracking number."""

    type = "shipping.shipment_booked"
    shipment_id: str
    order_id: str
    carrier: str
    tracking_number: str
    cost: Money | None
    occurred_at: datetime


@frozen
class ShipmentStatusChanged(DomainEvent):
    type = "shipping.shipment_status_changed"
    shipment_id: str
    order_id: str
    fulfillment_id: str
    old_status: str
    new_status: str
    reason: str
    tracking_number: str | None
    occurred_at: datetime


@frozen
class ShipmentDelivered(DomainEvent):
    """Delivered: the return window starts at `delivered_at`."""

    type = "shipping.shipment_delivered"
    shipment_id: str
    order_id: str
    fulfillment_id: str
    delivered_at: datetime
    signature_url: str | None
    photo_url: str | None
    cod_amount: Money | None
    cod_collected: Money | None


@frozen
class TrackingUpdated(DomainEvent):
    """A carrier report was stored (whether or not it moved the shipment)."""

    type = "shipping.tracking_updated"
    shipment_id: str
    order_id: str
    tracking_number: str
    event_code: str
    status: str | None
    applied: bool
    location: str | None
    occurred_at: datetime


@frozen
class LabelGenerated(DomainEvent):
    type = "shipping.label_generated"
    shipment_id: str
    tracking_number: str
    label_url: str | None
    format: str
    occurred_at: datetime


@frozen
class DeliveryFailed(DomainEvent):
    type = "shipping.delivery_failed"
    shipment_id: str
    order_id: str
    attempt: int
    reason: str
    occurred_at: datetime


@frozen
class BookingFailed(DomainEvent):
    """The carrier could not book the shipment; `flagged` once the retries are spent (manual
    processing needed)."""

    type = "shipping.booking_failed"
    shipment_id: str
    order_id: str
    carrier: str
    attempt: int
    error: str
    flagged: bool
    occurred_at: datetime
