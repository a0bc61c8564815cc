"""The `Carrier` port and the values that cross it.

Every carrier adapter (GHN, Grab, the fake) speaks in these terms: our canonical shipment status,
weights in grams and sizes in centimetres, money as `Money` in the order's currency. A carrier's own
status codes stay in `TrackingUpdate.carrier_status` (history) and are mapped to
`ShipmentStatus` by the adapter; codes with no canonical meaning map to None (stored, not
applied).
"""

from __future__ import annotations

import builtins
import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from attrs import field, frozen

from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.errors import CommerceError, ServiceUnavailable
from commerce_core.shared.money import Money
from commerce_core.shared.uow import UnitOfWork
from commerce_core.shipping.methods import IssuedQuote, ShippingMethod


class ShipmentStatus(StrEnum):
    """The canonical shipment states (spec shipping §3)."""

    DRAFT = "draft"
    BOOKED = "booked"
    ASSIGNED = "assigned"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_FAILED = "delivery_failed"
    RETURNING = "returning"
    RETURNED_TO_SENDER = "returned_to_sender"
    CANCELLED = "cancelled"


class CarrierError(CommerceError):
    """The carrier refused the request (bad address, service not available, already picked
    up): asking again unchanged fails again."""

    code = "shipping.carrier_refused"


class CarrierUnavailable(ServiceUnavailable):
    """The carrier did not answer in time or answered with a server error: worth retrying, or
    falling back to another carrier or a cached rate."""

    code = "shipping.carrier_unavailable"


@frozen
class Parcel:
    """One package: weight in grams, sizes in centimetres, the declared value of its goods."""

    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    declared_value: Money | None = None


@frozen
class ParcelItem:
    """A line inside a parcel, as carriers want it on the waybill."""

    sku: str
    name: str
    quantity: int
    unit_price: Money | None = None
    weight_g: int | None = None


@frozen
class RateRequest:
    origin: PostalAddress
    destination: PostalAddress
    parcels: tuple[Parcel, ...]
    currency: str
    order_total: Money | None = None
    item_count: int = 1
    cod_amount: Money | None = None
    service: str | None = None  # only this service (e.g. "express"); None: every service


@frozen
class CarrierQuote:
    """One service's price from one carrier."""

    carrier: str
    service: str  # our service code: standard, express, same_day, next_day, instant
    service_name: str
    amount: Money
    estimated_days_min: int | None = None
    estimated_days_max: int | None = None
    carrier_service_id: str | None = None  # the carrier's own id of the service


@frozen
class BookingRequest:
    """Book the collection and delivery of one package. `reference` is our shipment id: sent as
    the carrier's client order code so a timed-out booking can be found again."""

    reference: str
    order_id: str
    service: str
    origin: PostalAddress
    destination: PostalAddress
    parcel: Parcel
    items: tuple[ParcelItem, ...]
    currency: str
    cod_amount: Money | None = None
    note: str | None = None
    is_return: bool = False


@frozen
class Booking:
    tracking_number: str
    fee: Money | None = None
    carrier_reference: str | None = None  # the carrier's own order id when it differs
    expected_delivery: datetime | None = None
    tracking_url: str | None = None


@frozen
class ShippingLabel:
    tracking_number: str
    format: str  # pdf, png, zpl
    content: bytes | None = None
    url: str | None = None  # where the carrier serves it (GHN: a print URL valid 30 min)


@frozen
class TrackingUpdate:
    """A carrier's report about one parcel, from a webhook or a tracking query."""

    tracking_number: str
    carrier_status: str  # the carrier's own code, kept as history
    status: ShipmentStatus | None  # canonical status, None when it moves nothing
    occurred_at: datetime
    carrier_event_id: str | None = None
    description: str | None = None
    location: str | None = None
    is_exception: bool = False
    reason: str | None = None
    cod_collected: Money | None = None

    @property
    def dedupe_key(self) -> str:
        """Carrier + tracking number + status code (+ the carrier's event id or the time)."""
        marker = self.carrier_event_id or self.occurred_at.isoformat()
        return f"{self.tracking_number}:{self.carrier_status}:{marker}"


@frozen
class CarrierCapabilities:
    services: tuple[str, ...]
    max_weight_g: int = 30_000
    max_length_cm: int = 150
    supports_labels: bool = True
    supports_cod: bool = True
    supports_returns: bool = True
    cancellable: frozenset[ShipmentStatus] = field(
        factory=lambda: frozenset({ShipmentStatus.DRAFT, ShipmentStatus.BOOKED,
                                   ShipmentStatus.ASSIGNED}))


class Carrier(Protocol):
    """A carrier adapter. Every call may raise `CarrierUnavailable` (timeout, 5xx: retry or fall
    back) or `CarrierError` (refused: do not retry unchanged)."""

    @property
    def code(self) -> str: ...

    @property
    def capabilities(self) -> CarrierCapabilities: ...

    def quote(self, request: RateRequest) -> list[CarrierQuote]: ...

    def book(self, request: BookingRequest) -> Booking: ...

    def find_booking(self, reference: str) -> Booking | None:
        """The booking made under our `reference`, if any (after a timed-out `book`)."""
        ...

    def label(self, tracking_number: str, format: str = "pdf") -> ShippingLabel: ...

    def track(self, tracking_number: str) -> list[TrackingUpdate]: ...

    def cancel(self, tracking_number: str) -> None:
        """Cancel before pickup; `CarrierError` when the carrier says it is too late."""
        ...

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes,
                       token: str | None = None) -> bool:
        """Whether the call really comes from the carrier. `token` is the secret path segment
        of the webhook URL, for carriers that sign nothing (GHN)."""
        ...

    def parse_webhook(self, raw_body: bytes) -> list[TrackingUpdate]: ...

    def health(self) -> bool: ...


class Carriers(Protocol):
    """The carriers this shop is configured with, by code."""

    def get(self, code: str) -> Carrier | None: ...

    def codes(self) -> Sequence[str]: ...


# -- storage of shipments ------------------------------------------------------------------------

if TYPE_CHECKING:
    from commerce_core.shipping.model import Shipment


class ShipmentRepository(Protocol):
    def add(self, shipment: Shipment) -> None:
        """One shipment per (fulfillment, package) and one per (carrier, tracking number): a
        second raises `ConcurrencyConflict` at the latest on commit."""
        ...

    def get(self, shipment_id: str) -> Shipment:
        """The shipment, or `ShipmentNotFound`."""
        ...

    def for_package(self, fulfillment_id: str, package_id: str) -> Shipment | None: ...

    def for_order(self, order_id: str) -> list[Shipment]:
        """Oldest first."""
        ...

    def by_tracking_number(self, carrier: str, tracking_number: str) -> Shipment | None: ...

    def find_by_tracking_number(self, tracking_number: str) -> Shipment | None:
        """The most recent shipment with this tracking number, whatever its carrier."""
        ...

    def list(self, *, statuses: Collection[str] | None = None, carrier: str | None = None,
             order_id: str | None = None, needs_attention: bool | None = None,
             limit: int = 100) -> builtins.list[Shipment]:
        """Newest first."""
        ...

    def stale(self, statuses: Collection[str], before: datetime,
              limit: int) -> builtins.list[str]:
        """Ids of shipments in `statuses` not updated since `before`, least recently first."""
        ...

    def bookings_due(self, now: datetime, limit: int) -> builtins.list[str]:
        """Ids of drafts whose next booking attempt is due, oldest first."""
        ...

    def cod_unsettled(self, limit: int) -> builtins.list[str]:
        """Ids of delivered shipments whose collected cash is not recorded with payment yet."""
        ...


class ShipmentsUnitOfWork(InventoryUnitOfWork, OrderingUnitOfWork, Protocol):
    """Shipments, with the orders they ship (address, currency, status) and the warehouses
    they leave from."""

    @property
    def shipments(self) -> ShipmentRepository: ...
# -- shipping methods and rate quotes ------------------------------------------------------------
# The cart as shipping sees it, the storage of methods and issued quotes, and the cache of
# carriers' answers. Checkout reads an issued quote through `ShippingMethodsUnitOfWork` in its own
# transaction and checks it with `IssuedQuote.usable_for` (ADR 0022).


@frozen
class ShippableLine:
    sku: str
    quantity: int
    warehouse_id: str | None  # None: the default warehouse ships it
    amount: Money  # the line's total, for a carrier's declared value


@frozen
class ShippableGoods:
    """What a cart asks to ship: its lines, and the order amount free shipping and bands look
    at (the lines after item discounts, before shipping and tax)."""

    cart_id: str
    currency: str
    lines: tuple[ShippableLine, ...]
    order_total: Money

    @property
    def key(self) -> str:
        return content_key(self.currency, ((ln.sku, ln.warehouse_id, ln.quantity)
                                           for ln in self.lines))


def content_key(currency: str, lines: Iterable[tuple[str, str | None, int]]) -> str:
    """A digest of a cart's contents (SKU, warehouse, quantity per line, and its currency): a
    quote issued for one content is refused for another."""
    parts = sorted(f"{sku}|{warehouse or ''}|{quantity}" for sku, warehouse, quantity in lines)
    return hashlib.sha256("\n".join([currency, *parts]).encode()).hexdigest()[:32]


class CartGoods(Protocol):
    """The goods of a cart (the composition root reads them from the cart context)."""

    def __call__(self, cart_id: str) -> ShippableGoods: ...


class ShippingMethodRepository(Protocol):
    def add(self, method: ShippingMethod) -> None: ...

    def get(self, method_id: str) -> ShippingMethod:
        """The method, or `ShippingMethodNotFound`."""
        ...

    def by_code(self, code: str) -> ShippingMethod | None: ...

    def list(self) -> list[ShippingMethod]:
        """Every method, by display order then code."""
        ...


class ShippingQuoteRepository(Protocol):
    def add(self, quote: IssuedQuote) -> None: ...

    def get(self, quote_id: str) -> IssuedQuote:
        """The quote, or `ShippingQuoteNotFound`."""
        ...

    def for_cart(self, cart_id: str) -> list[IssuedQuote]:
        """The quotes issued for a cart, newest first."""
        ...


class ShippingMethodsUnitOfWork(UnitOfWork, Protocol):
    @property
    def shipping_methods(self) -> ShippingMethodRepository: ...

    @property
    def shipping_quotes(self) -> ShippingQuoteRepository: ...


class ShippingRateCache(Protocol):
    """Carriers' answers by a digest of the request (origin, destination, parcels, item count,
    order total, currency, carrier and service). `get` answers within the fresh TTL; `last`
    answers the last answer kept longer, for when the carrier fails; `invalidate` forgets all
    (a method changed). A cache that cannot be reached answers None and keeps nothing."""

    def get(self, key: str) -> tuple[CarrierQuote, ...] | None: ...

    def last(self, key: str) -> tuple[CarrierQuote, ...] | None: ...

    def put(self, key: str, quotes: tuple[CarrierQuote, ...]) -> None: ...

    def invalidate(self) -> None: ...
