"""Shipping's use cases: drafts from ready packages, booking outside any transaction, carrier
reports (webhooks and polling share one path), delivery, cancellation and labels."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any, Protocol

from commerce_core.ordering import services as ordering
from commerce_core.payment.commands import RecordCollection
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.bus import Handle
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict, InvalidInput
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
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
from commerce_core.shipping.errors import (
    DuplicateTrackingNumber,
    InvalidShipmentTransition,
    NoLabel,
    ShipmentRefused,
    ShippingNotConfigured,
    UnknownCarrier,
    WebhookRejected,
)
from commerce_core.shipping.model import (
    ACTIVE,
    BEFORE_PICKUP,
    Shipment,
    ShipmentPolicy,
)
from commerce_core.shipping.ports import (
    Booking,
    BookingRequest,
    Carrier,
    CarrierError,
    Carriers,
    CarrierUnavailable,
    Parcel,
    ShipmentStatus,
    ShipmentsUnitOfWork,
    ShippingLabel,
    TrackingUpdate,
)
from commerce_core.shipping.queries import CancellationReport, WebhookResult

log = logging.getLogger("commerce.shipping")
S = ShipmentStatus
Factory = UnitOfWorkFactory[ShipmentsUnitOfWork]


class PackagesToShip(Protocol):
    """What fulfillment hands over (its `ShipmentRequest`, read structurally)."""

    @property
    def fulfillment_id(self) -> str: ...

    @property
    def order_id(self) -> str: ...

    @property
    def warehouse_id(self) -> str: ...

    @property
    def package_ids(self) -> tuple[str, ...]: ...

    @property
    def weight_grams(self) -> int: ...

    @property
    def service_type(self) -> str: ...


def origin_of(uow: ShipmentsUnitOfWork, warehouse_id: str) -> PostalAddress:
    """The warehouse's address as a carrier wants it; refused when it is incomplete."""
    warehouse = uow.warehouses.get(warehouse_id)
    details = warehouse.details
    address = details.address
    try:
        return PostalAddress(
            name=warehouse.name, phone=details.phone, line1=address.line1,
            province=address.state_province or address.city,
            country_code=address.country_code, line2=address.line2 or None,
            district=address.city if address.state_province else None,
            postal_code=address.postal_code or None, email=details.email or None)
    except InvalidInput as error:
        raise ShipmentRefused(
            f"warehouse {warehouse.code} has no complete address to ship from "
            f"({error}); set its address and phone", warehouse_id=warehouse_id) from None


class Shipping:
    """The collaborators every use case shares."""

    def __init__(self, uow: Factory, carriers: Carriers, clock: Clock, ids: IdGenerator,
                 policy: ShipmentPolicy, handle: Handle | None) -> None:
        self.uow, self.carriers, self.clock, self.ids = uow, carriers, clock, ids
        self.policy, self.handle = policy, handle

    # -- carriers ----------------------------------------------------------------------------
    def carrier(self, code: str) -> Carrier:
        carrier = self.carriers.get(code)
        if carrier is None:
            raise UnknownCarrier(f"no carrier {code!r} is configured", carrier=code)
        return carrier

    def choose(self, shipping_method: str | None, service: str | None) -> tuple[str, str]:
        """The carrier and service of a shipment. A method code `carrier:service` names its
        carrier (ADR 0020); otherwise the first configured carrier offering `standard`."""
        if shipping_method and ":" in shipping_method:
            code, _, named = shipping_method.partition(":")
            if self.carriers.get(code) is not None:
                return code, service or named or "standard"
        for code in self.carriers.codes():
            carrier = self.carriers.get(code)
            if carrier is not None and "standard" in carrier.capabilities.services:
                return code, service or "standard"
        raise ShippingNotConfigured("no configured carrier offers a standard service")

    # -- creation ----------------------------------------------------------------------------
    def draft(self, uow: ShipmentsUnitOfWork, *, fulfillment_id: str, order_id: str,
              warehouse_id: str, package_id: str, weight_g: int, length_cm: int,
              width_cm: int, height_cm: int, service: str | None) -> Shipment:
        """The package's shipment, drafted in the caller's transaction (once per package)."""
        existing = uow.shipments.for_package(fulfillment_id, package_id)
        if existing is not None:
            return existing
        order = uow.orders.get(order_id)
        if order.ship_to is None:
            raise ShipmentRefused(
                f"order {order.number} has no ship-to address: nothing can be shipped",
                order_id=order_id)
        origin = origin_of(uow, warehouse_id)
        carrier, service_type = self.choose(order.shipping_method, service)
        others = uow.shipments.for_order(order_id)
        # Cash is collected once: the order's first shipment carries the whole amount.
        cod = (order.totals.total if order.payment_method == "cod"
               and not any(s.cod_amount is not None for s in others) else None)
        shipment = Shipment.draft(
            shipment_id=self.ids.new_id(), order_id=order_id, fulfillment_id=fulfillment_id,
            package_id=package_id, customer_id=order.customer_id, warehouse_id=warehouse_id,
            carrier=carrier, service_type=service_type, origin=origin,
            destination=order.ship_to, weight_g=weight_g, length_cm=length_cm,
            width_cm=width_cm, height_cm=height_cm, currency=order.currency, cod_amount=cod,
            now=self.clock.now())
        uow.shipments.add(shipment)
        return shipment

    # -- booking -----------------------------------------------------------------------------
    def book(self, shipment_id: str) -> Shipment:
        """Book a draft with its carrier, outside any transaction; the shipment id is the
        carrier's client reference, so a timed-out booking is found again, not made twice. A
        failure keeps the draft (retried with backoff, then flagged) and is raised."""
        with self.uow() as uow:
            shipment = uow.shipments.get(shipment_id)
        if shipment.status is not S.DRAFT:
            return shipment
        carrier = self.carrier(shipment.carrier)
        request = BookingRequest(
            reference=shipment.id, order_id=shipment.order_id, service=shipment.service_type,
            origin=shipment.origin, destination=shipment.destination,
            parcel=Parcel(shipment.weight_g, shipment.length_cm, shipment.width_cm,
                          shipment.height_cm),
            items=(), currency=shipment.currency, cod_amount=shipment.cod_amount,
            note=f"shipment {shipment.number}")
        booking: Booking | None
        try:
            try:
                booking = carrier.book(request)
            except CarrierUnavailable:
                booking = carrier.find_booking(shipment.id)
                if booking is None:
                    raise
        except (CarrierUnavailable, CarrierError) as error:
            self._booking_failed(shipment_id, error)
            raise
        return self._record_booking(shipment_id, booking)

    def _booking_failed(self, shipment_id: str, error: CommerceError) -> None:
        with self.uow() as uow:
            shipment = uow.shipments.get(shipment_id)
            shipment.booking_failed(error.message, self.policy, now=self.clock.now())
            uow.commit()
        log.warning("shipment %s: booking failed (%s)", shipment_id, error.message)

    def _record_booking(self, shipment_id: str, booking: Booking) -> Shipment:
        with self.uow() as uow:
            shipment = uow.shipments.get(shipment_id)
            other = uow.shipments.by_tracking_number(shipment.carrier, booking.tracking_number)
            if other is not None and other.id != shipment.id:
                shipment.flag(f"tracking number {booking.tracking_number} already used by "
                              f"shipment {other.number}", now=self.clock.now())
                uow.commit()
                raise DuplicateTrackingNumber(
                    f"{shipment.carrier} gave tracking number {booking.tracking_number}, "
                    f"already used by shipment {other.number}",
                    shipment_id=shipment_id, tracking_number=booking.tracking_number)
            shipment.booked(booking, now=self.clock.now())
            uow.commit()
            return shipment

    # -- carrier reports ---------------------------------------------------------------------
    def apply(self, carrier: str, updates: Iterable[TrackingUpdate],
              source: str) -> WebhookResult:
        """Store and apply carrier reports, one shipment transaction each (webhooks and
        polling alike). A duplicate changes nothing; an unknown parcel is logged."""
        count = applied = duplicates = 0
        for update in updates:
            count += 1
            outcome, shipment = self._apply_one(carrier, update, source)
            if outcome is None:
                duplicates += 1
            elif outcome:
                applied += 1
                if shipment is not None and shipment.status is S.DELIVERED:
                    self.settle_cod(shipment.id)
        return WebhookResult(count, applied, duplicates)

    def _apply_one(self, carrier: str, update: TrackingUpdate,
                   source: str) -> tuple[bool | None, Shipment | None]:
        for attempt in range(3):
            try:
                with self.uow() as uow:
                    shipment = uow.shipments.by_tracking_number(carrier,
                                                                update.tracking_number)
                    if shipment is None:
                        log.warning("%s reported on unknown parcel %s", carrier,
                                    update.tracking_number)
                        return False, None
                    outcome = shipment.track(update, self.policy, source=source,
                                             now=self.clock.now())
                    if outcome is not None:
                        uow.commit()
                    return outcome, shipment
            except ConcurrencyConflict:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def settle_cod(self, shipment_id: str) -> bool:
        """Cash the courier collected goes to payment's collection record (which captures
        it); marked settled on success. A failure is logged and the poll job asks again."""
        with self.uow() as uow:
            shipment = uow.shipments.get(shipment_id)
        if (shipment.cod_amount is None or shipment.cod_collected is None
                or shipment.cod_settled or self.handle is None):
            return False
        try:
            self.handle(RecordCollection(shipment.order_id, shipment.cod_collected))
        except CommerceError as error:
            log.warning("shipment %s: collected cash not recorded yet (%s)", shipment_id,
                        error.message)
            return False
        with self.uow() as uow:
            uow.shipments.get(shipment_id).cod_settled_now()
            uow.commit()
        return True

    # -- cancellation ------------------------------------------------------------------------
    def cancel(self, shipment_id: str, reason: str) -> ShipmentStatus:
        with self.uow() as uow:
            shipment = uow.shipments.get(shipment_id)
        if shipment.status is S.CANCELLED:
            return shipment.status
        if shipment.status not in BEFORE_PICKUP and shipment.status not in (
                S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED):
            raise InvalidShipmentTransition(
                f"shipment {shipment.number} is {shipment.status} and cannot be cancelled",
                shipment_id=shipment_id, status=shipment.status.value)
        too_late = False
        if shipment.tracking_number is not None:
            carrier = self.carrier(shipment.carrier)
            try:
                carrier.cancel(shipment.tracking_number)
            except CarrierError as error:
                log.info("shipment %s: %s", shipment_id, error.message)
                too_late = True
            except CarrierUnavailable:
                if shipment.status in BEFORE_PICKUP:
                    raise  # nothing is cancelled until the carrier says so
                log.warning("shipment %s: the carrier did not answer the cancel; the parcel "
                            "is marked returning", shipment_id)
        with self.uow() as uow:
            shipment = uow.shipments.get(shipment_id)
            if too_late and shipment.status in BEFORE_PICKUP:
                raise InvalidShipmentTransition(
                    f"the carrier refused to cancel shipment {shipment.number}; it may have "
                    "been picked up", shipment_id=shipment_id)
            status = shipment.cancel(reason, now=self.clock.now())
            uow.commit()
        return status

    def cancel_for_order(self, order_id: str, reason: str) -> CancellationReport:
        """Each shipment in its own transaction; errors are collected, not rolled back."""
        with self.uow() as uow:
            shipments = uow.shipments.for_order(order_id)
        cancelled: list[str] = []
        returning: list[str] = []
        errors: dict[str, str] = {}
        for shipment in shipments:
            if shipment.status in (S.DELIVERED, S.RETURNED_TO_SENDER, S.CANCELLED, S.RETURNING):
                continue
            try:
                status = self.cancel(shipment.id, reason)
            except CommerceError as error:
                errors[shipment.id] = error.message
                continue
            (cancelled if status is S.CANCELLED else returning).append(shipment.id)
        return CancellationReport(tuple(cancelled), tuple(returning), errors)


# -- command handlers -----------------------------------------------------------------------


class BookShipmentHandler:
    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, cmd: BookShipment) -> Shipment:
        return self._shipping.book(cmd.shipment_id)


class RetryBookingsHandler:
    """The job: drafts whose booking is due (new ones, failed ones after their backoff)."""

    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, cmd: RetryBookings) -> int:
        with self._shipping.uow() as uow:
            due = uow.shipments.bookings_due(self._shipping.clock.now(), cmd.limit)
        booked = 0
        for shipment_id in due:
            try:
                self._shipping.book(shipment_id)
                booked += 1
            except CommerceError:
                continue  # recorded on the shipment: backoff, then flagged
        return booked


class GenerateLabelHandler:
    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, cmd: GenerateLabel) -> ShippingLabel:
        shipping = self._shipping
        with shipping.uow() as uow:
            shipment = uow.shipments.get(cmd.shipment_id)
        if shipment.tracking_number is None:
            raise NoLabel(f"shipment {shipment.number} is not booked yet",
                          shipment_id=shipment.id)
        label = shipping.carrier(shipment.carrier).label(shipment.tracking_number, cmd.format)
        with shipping.uow() as uow:
            uow.shipments.get(cmd.shipment_id).label_stored(label.format, label.url,
                                                            now=shipping.clock.now())
            uow.commit()
        return label


class ConfirmDeliveryHandler:
    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, cmd: ConfirmDelivery) -> None:
        with self._shipping.uow() as uow:
            uow.shipments.get(cmd.shipment_id).confirm_delivery(
                signature_url=cmd.signature_url, photo_url=cmd.photo_url, notes=cmd.notes,
                now=self._shipping.clock.now())
            uow.commit()


class CancelShipmentHandler:
    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, cmd: CancelShipment) -> str:
        return self._shipping.cancel(cmd.shipment_id, cmd.reason).value


class CancelShipmentsForOrderHandler:
    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, cmd: CancelShipmentsForOrder) -> CancellationReport:
        return self._shipping.cancel_for_order(cmd.order_id, cmd.reason)


class ProcessCarrierWebhookHandler:
    """Verify over the raw body, then parse, then apply as polling does."""

    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, cmd: ProcessCarrierWebhook) -> WebhookResult:
        carrier = self._shipping.carrier(cmd.carrier)
        if not carrier.verify_webhook(cmd.headers, cmd.body, cmd.token):
            raise WebhookRejected(f"the {cmd.carrier} webhook does not verify")
        try:
            updates = carrier.parse_webhook(cmd.body)
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidInput(f"the {cmd.carrier} webhook cannot be read: {error}") from None
        return self._shipping.apply(cmd.carrier, updates, "webhook")


class PollStaleShipmentsHandler:
    """Shipments in an active carrier state with no news for a while are asked about, in
    batches per carrier; answers go the webhook's way. Collected cash not yet recorded with
    payment is recorded again."""

    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, cmd: PollStaleShipments) -> WebhookResult:
        shipping = self._shipping
        before = shipping.clock.now() - timedelta(minutes=cmd.stale_minutes)
        with shipping.uow() as uow:
            ids = uow.shipments.stale([s.value for s in ACTIVE], before, cmd.limit)
            stale = [uow.shipments.get(i) for i in ids]
            unsettled = uow.shipments.cod_unsettled(cmd.limit)
        by_carrier: dict[str, list[str]] = {}
        for shipment in stale:
            if shipment.tracking_number is not None:
                by_carrier.setdefault(shipment.carrier, []).append(shipment.tracking_number)
        total = applied = duplicates = 0
        for code, numbers in by_carrier.items():
            carrier = shipping.carriers.get(code)
            if carrier is None:
                continue
            for batch in _batches(numbers, cmd.batch_size):
                for number in batch:
                    try:
                        updates = carrier.track(number)
                    except (CarrierUnavailable, CarrierError) as error:
                        log.warning("tracking %s with %s failed: %s", number, code,
                                    error.message)
                        continue
                    result = shipping.apply(code, updates, "poll")
                    total += result.updates
                    applied += result.applied
                    duplicates += result.duplicates
        for shipment_id in unsettled:
            shipping.settle_cod(shipment_id)
        return WebhookResult(total, applied, duplicates)


def _batches(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), max(size, 1)):
        yield items[start:start + size]


# -- fulfillment's hand-over ----------------------------------------------------------------


class ShipmentGatewayForFulfillment:
    """Fulfillment's `ShipmentGateway`, implemented by shipping: one shipment per package
    (those the `ready` events already drafted are reused), each booked now."""

    name = "shipping"

    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def create_shipment(self, request: PackagesToShip) -> str:
        shipping = self._shipping
        with shipping.uow() as uow:
            ids: list[str] = []
            missing = [p for p in request.package_ids
                       if uow.shipments.for_package(request.fulfillment_id, p) is None]
            share = request.weight_grams // max(len(missing), 1)
            for package_id in request.package_ids:
                # Packages whose `ready` event was not handled yet: their weight is the
                # fulfillment's shared out, their size unknown to this call.
                shipment = shipping.draft(
                    uow, fulfillment_id=request.fulfillment_id, order_id=request.order_id,
                    warehouse_id=request.warehouse_id, package_id=package_id,
                    weight_g=share, length_cm=0, width_cm=0, height_cm=0,
                    service=request.service_type)
                ids.append(shipment.id)
            uow.commit()
        if not ids:
            raise ShipmentRefused("the fulfillment has no package to ship",
                                  fulfillment_id=request.fulfillment_id)
        for shipment_id in ids:
            shipping.book(shipment_id)
        return ids[0]


# -- subscribers ----------------------------------------------------------------------------


class DraftShipmentOnPackageReady:
    """`fulfillment.package_status_changed` (ready): the package's draft shipment, once per
    (fulfillment, package). An event without an order id is refused (it dead-letters); an
    order with no ship-to address is not shipped by a carrier and is only logged."""

    name = "shipping.draft_shipment_on_package_ready"
    event_type = "fulfillment.package_status_changed"

    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    @staticmethod
    def wants(envelope: EventEnvelope) -> bool:
        return envelope.payload.get("status") == "ready"

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        payload = envelope.payload
        if payload.get("status") != "ready":
            return
        missing = [k for k in ("order_id", "fulfillment_id", "package_id", "warehouse_id")
                   if not payload.get(k)]
        if missing:
            raise InvalidInput(f"a ready package event needs {', '.join(missing)}",
                               event_id=envelope.id)
        try:
            self._shipping.draft(
                uow, fulfillment_id=str(payload["fulfillment_id"]),
                order_id=str(payload["order_id"]), warehouse_id=str(payload["warehouse_id"]),
                package_id=str(payload["package_id"]),
                weight_g=int(payload.get("weight_grams") or 0),
                length_cm=int(payload.get("length_cm") or 0),
                width_cm=int(payload.get("width_cm") or 0),
                height_cm=int(payload.get("height_cm") or 0), service=None)
        except ShipmentRefused as refused:
            log.warning("package %s not shipped: %s", payload["package_id"], refused.message)


_ORDER_PATH = ("processing", "shipped", "delivered")


def walk_order(uow: Any, order_id: str, to: str, reason: str, *, now: Any) -> None:
    """Move the order up to `to` along processing → shipped → delivered, from wherever it is;
    an order already there or beyond, or cancelled, stays."""
    status = str(uow.orders.get(order_id).status.value)
    if status in ("confirmed", "paid"):
        start = 0
    elif status in ("processing", "partially_shipped"):
        start = 1
    elif status == "shipped":
        start = 2
    else:
        return
    for step in _ORDER_PATH[start:_ORDER_PATH.index(to) + 1]:
        ordering.advance(uow, order_id, step, reason, by="shipping", now=now)


_WAREHOUSE_WORK = frozenset({"picking", "picked", "pick_failed", "packing", "packed",
                             "pack_failed", "ready", "shipped"})


class OrderProcessingOnFulfillmentStarted:
    """The warehouse's first work on an order's fulfillment (picking onwards; its creation and
    planning aside, so a paid order reads paid until then) moves the order to processing
    (ambiguity 2)."""

    name = "shipping.order_processing_on_fulfillment"
    event_type = "fulfillment.status_changed"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    @staticmethod
    def wants(envelope: EventEnvelope) -> bool:
        return (bool(envelope.payload.get("order_id"))
                and envelope.payload.get("new_status") in _WAREHOUSE_WORK)

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        order_id = envelope.payload.get("order_id")
        if self.wants(envelope):
            walk_order(uow, str(order_id), "processing", "fulfillment started",
                       now=self._clock.now())


class OrderFollowsShipments:
    """Pickup ships the order; the last of its shipments delivered delivers it."""

    name = "shipping.order_follows_shipments"
    event_type = "shipping.shipment_status_changed"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    @staticmethod
    def wants(envelope: EventEnvelope) -> bool:
        return envelope.payload.get("new_status") in (
            "picked_up", "in_transit", "out_for_delivery", "delivered")

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        order_id, new = str(envelope.payload["order_id"]), envelope.payload["new_status"]
        now = self._clock.now()
        if new == "delivered":
            shipments = [s for s in uow.shipments.for_order(order_id)
                         if s.status is not S.CANCELLED]
            if shipments and all(s.status is S.DELIVERED for s in shipments):
                walk_order(uow, order_id, "delivered", "every shipment delivered", now=now)
                return
        if new in ("picked_up", "in_transit", "out_for_delivery", "delivered"):
            walk_order(uow, order_id, "shipped", "picked up by the carrier", now=now)


class CancelShipmentsOnOrderCancelled:
    """`order.cancelled`: every shipment of the order is cancelled with its carrier (after
    pickup: returning). A shipment the carrier would not cancel is flagged for a person and
    logged; the others are still cancelled."""

    name = "shipping.cancel_shipments_on_order_cancelled"
    event_type = "order.cancelled"

    def __init__(self, shipping: Shipping) -> None:
        self._shipping = shipping

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        shipping = self._shipping
        for shipment in uow.shipments.for_order(str(envelope.payload["order_id"])):
            if shipment.status in (S.DELIVERED, S.RETURNED_TO_SENDER, S.CANCELLED,
                                   S.RETURNING):
                continue
            now = shipping.clock.now()
            try:
                if shipment.tracking_number is not None:
                    try:
                        shipping.carrier(shipment.carrier).cancel(shipment.tracking_number)
                    except CarrierError:
                        if shipment.status in BEFORE_PICKUP:
                            raise
                shipment.cancel("order cancelled", now=now)
            except CommerceError as error:
                log.warning("shipment %s not cancelled: %s", shipment.id, error.message)
                shipment.flag(f"not cancelled with the order: {error.message}", now=now)

