"""`commerce.shipping`: shipments as plain methods, plus queries."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence

from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.shipping.commands import (
    BookShipment,
    CancelShipment,
    CancelShipmentsForOrder,
    ConfirmDelivery,
    GenerateLabel,
    PollStaleShipments,
    ProcessCarrierWebhook,
    RetryBookings,
)
from commerce_core.shipping.errors import ShipmentNotFound
from commerce_core.shipping.model import Shipment
from commerce_core.shipping.ports import ShipmentsUnitOfWork, ShippingLabel
from commerce_core.shipping.queries import (
    CancellationReport,
    PublicTracking,
    PublicTrackingEvent,
    WebhookResult,
)
from commerce_core.shipping.rates_api import ShippingRatesApi


class ShippingApi:
    """Shipments of ready packages: booking, tracking, delivery, cancellation, labels; `rates`
    holds the shipping methods and the quotes a checkout is charged."""

    def __init__(self, handle: Handle, read: UnitOfWorkFactory[ShipmentsUnitOfWork],
                 rates: ShippingRatesApi | None = None) -> None:
        self._handle, self._read = handle, read
        self.rates = rates

    # -- queries ------------------------------------------------------------------------------
    def get(self, shipment_id: str) -> Shipment:
        with self._read() as uow:
            return uow.shipments.get(shipment_id)

    def for_order(self, order_id: str) -> builtins.list[Shipment]:
        with self._read() as uow:
            return uow.shipments.for_order(order_id)

    def for_package(self, fulfillment_id: str, package_id: str) -> Shipment | None:
        with self._read() as uow:
            return uow.shipments.for_package(fulfillment_id, package_id)

    def list(self, *, statuses: Sequence[str] | None = None, carrier: str | None = None,
             order_id: str | None = None, needs_attention: bool | None = None,
             limit: int = 100) -> builtins.list[Shipment]:
        with self._read() as uow:
            return uow.shipments.list(statuses=statuses, carrier=carrier, order_id=order_id,
                                      needs_attention=needs_attention, limit=limit)

    def track(self, tracking_number: str) -> PublicTracking:
        """The public view of a parcel: its status and the carrier's reports, nothing
        personal."""
        with self._read() as uow:
            shipment = uow.shipments.find_by_tracking_number(tracking_number)
        if shipment is None or shipment.tracking_number is None:
            raise ShipmentNotFound(f"no parcel {tracking_number}")
        return PublicTracking(
            shipment.tracking_number, shipment.carrier, shipment.status.value,
            tuple(PublicTrackingEvent(e.status.value if e.status else None, e.carrier_status,
                                      e.occurred_at, e.location, e.description)
                  for e in sorted(shipment.tracking_events, key=lambda e: e.occurred_at)))

    # -- use cases ----------------------------------------------------------------------------
    def book(self, shipment_id: str) -> Shipment:
        result: Shipment = self._handle(BookShipment(shipment_id))
        return result

    def retry_bookings(self, limit: int = 50) -> int:
        return int(self._handle(RetryBookings(limit)))

    def label(self, shipment_id: str, format: str = "pdf") -> ShippingLabel:
        result: ShippingLabel = self._handle(GenerateLabel(shipment_id, format))
        return result

    def confirm_delivery(self, shipment_id: str, *, signature_url: str | None = None,
                         photo_url: str | None = None, notes: str | None = None) -> None:
        self._handle(ConfirmDelivery(shipment_id, signature_url, photo_url, notes))

    def cancel(self, shipment_id: str, reason: str = "cancelled by staff") -> str:
        return str(self._handle(CancelShipment(shipment_id, reason)))

    def cancel_for_order(self, order_id: str,
                         reason: str = "order cancelled") -> CancellationReport:
        result: CancellationReport = self._handle(CancelShipmentsForOrder(order_id, reason))
        return result

    def process_webhook(self, carrier: str, headers: Mapping[str, str], body: bytes,
                        token: str | None = None) -> WebhookResult:
        result: WebhookResult = self._handle(
            ProcessCarrierWebhook(carrier, dict(headers), body, token))
        return result

    def poll(self, *, stale_minutes: int = 60, batch_size: int = 50) -> WebhookResult:
        result: WebhookResult = self._handle(PollStaleShipments(stale_minutes, batch_size))
        return result
