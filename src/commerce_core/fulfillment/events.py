"""Facts fulfillment publishes (spec B4; one canonical spelling per fact, ambiguity 5)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class ItemSummary:
    sku: str
    quantity: int


@frozen
class FulfillmentStatusChanged(DomainEvent):
    """Every accepted transition of a fulfillment, from its creation (`old_status` None) on."""

    type = "fulfillment.status_changed"
    fulfillment_id: str
    fulfillment_number: str
    order_id: str
    order_number: str
    warehouse_id: str
    old_status: str | None
    new_status: str
    reason: str
    items: tuple[ItemSummary, ...]
    occurred_at: datetime


@frozen
class PackageStatusChanged(DomainEvent):
    """A package was created or became ready for a carrier. `ready` is the hand-over to
    shipping: it carries the order id and number shipping needs."""

    type = "fulfillment.package_status_changed"
    package_id: str
    package_number: str
    fulfillment_id: str
    order_id: str
    order_number: str
    warehouse_id: str
    status: str
    weight_grams: int
    length_cm: int
    width_cm: int
    height_cm: int
    insured: bool
    tracking_number: str | None
    occurred_at: datetime


@frozen
class PicklistStatusChanged(DomainEvent):
    type = "fulfillment.picklist_status_changed"
    picklist_id: str
    picklist_number: str
    warehouse_id: str
    old_status: str | None
    new_status: str
    fulfillment_ids: tuple[str, ...]
    occurred_at: datetime


@frozen
class SlaBreached(DomainEvent):
    """Published once per fulfillment and status (ambiguity 8)."""

    type = "fulfillment.sla_breached"
    fulfillment_id: str
    order_id: str
    status: str
    age_minutes: int
    threshold_minutes: int
    occurred_at: datetime


@frozen
class QcFailed(DomainEvent):
    type = "fulfillment.qc_failed"
    fulfillment_id: str
    order_id: str
    order_number: str
    reason: str
    reservation_ids: tuple[str, ...]
    occurred_at: datetime
