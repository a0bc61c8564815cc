"""What can be asked of shipping (spec shipping §6)."""

from __future__ import annotations

from collections.abc import Mapping

from attrs import field, frozen


@frozen
class CreateShipmentsForFulfillment:
    """Staff: a shipment for every package of a ready fulfillment (idempotent per package).
    The package facts come from fulfillment's `package_status_changed` (`ready`) payloads."""

    fulfillment_id: str
    order_id: str
    warehouse_id: str
    packages: tuple[Mapping[str, object], ...]
    service_type: str | None = None


@frozen
class BookShipment:
    """Ask the carrier to book a draft shipment (again after a failure)."""

    shipment_id: str


@frozen
class RetryBookings:
    """The job: book the drafts whose booking failed and whose backoff has passed."""

    limit: int = 50


@frozen
class GenerateLabel:
    shipment_id: str
    format: str = "pdf"


@frozen
class ConfirmDelivery:
    shipment_id: str
    signature_url: str | None = None
    photo_url: str | None = None
    notes: str | None = None


@frozen
class CancelShipment:
    shipment_id: str
    reason: str = "cancelled by staff"


@frozen
class CancelShipmentsForOrder:
    order_id: str
    reason: str = "order cancelled"


@frozen
class ProcessCarrierWebhook:
    """A carrier's call, verified over the raw body before it is parsed."""

    carrier: str
    headers: Mapping[str, str] = field(factory=dict)
    body: bytes = b""
    token: str | None = None


@frozen
class PollStaleShipments:
    """The job: ask the carriers about shipments in an active carrier state with no news for
    `stale_minutes`; their answers go the webhook's way."""

    stale_minutes: int = 60
    batch_size: int = 50
    limit: int = 500
