"""The `Shipment` aggregate: one package on its way with one carrier (spec shipping §3).

Carrier reports (webhooks and polling alike) are kept as an append-only history of
`TrackingEvent`s; each moves the shipment only forward along the table below. A carrier may skip
scans (a lost `picked_up` webhook), so a report for any state reachable from the current one is
applied; a report for a state behind it (late, duplicated, out of order) is stored and logged,
never applied. The one loop, out for delivery ⇄ failed attempt, follows the carrier's clock: a
report older than the one that set the current state does not undo it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from attrs import define, field, frozen

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money
from commerce_core.shipping.errors import InvalidShipmentTransition
from commerce_core.shipping.events import (
    BookingFailed,
    DeliveryFailed,
    LabelGenerated,
    ShipmentBooked,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentStatusChanged,
    TrackingUpdated,
)
from commerce_core.shipping.ports import Booking, ShipmentStatus, TrackingUpdate

log = logging.getLogger("commerce.shipping")

S = ShipmentStatus

# The canonical table (spec §3): where a shipment may go next.
TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    S.DRAFT: frozenset({S.BOOKED, S.CANCELLED}),
    S.BOOKED: frozenset({S.ASSIGNED, S.PICKED_UP, S.CANCELLED}),
    S.ASSIGNED: frozenset({S.PICKED_UP, S.CANCELLED}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT, S.RETURNING}),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERED, S.RETURNING}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.DELIVERY_FAILED, S.RETURNING}),
    S.DELIVERY_FAILED: frozenset({S.OUT_FOR_DELIVERY, S.RETURNING}),
    S.RETURNING: frozenset({S.RETURNED_TO_SENDER}),
    S.DELIVERED: frozenset(),
    S.RETURNED_TO_SENDER: frozenset(),
    S.CANCELLED: frozenset(),
}
TERMINAL = frozenset({S.DELIVERED, S.RETURNED_TO_SENDER, S.CANCELLED})
# States in which the carrier holds (or is about to collect) the parcel: what polling asks about.
ACTIVE = frozenset({S.BOOKED, S.ASSIGNED, S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY,
                    S.DELIVERY_FAILED, S.RETURNING})
BEFORE_PICKUP = frozenset({S.DRAFT, S.BOOKED, S.ASSIGNED})
_LOOP = frozenset({S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED})


def _reachable(start: ShipmentStatus) -> frozenset[ShipmentStatus]:
    seen: set[ShipmentStatus] = set()
    todo = list(TRANSITIONS[start])
    while todo:
        state = todo.pop()
        if state not in seen:
            seen.add(state)
            todo.extend(TRANSITIONS[state])
    return frozenset(seen)


# Where a carrier report may take a shipment: anything ahead of it on the table (skipped scans),
# except that cancellation only happens before pickup.
REACHABLE: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    state: _reachable(state) - ({S.CANCELLED} if state not in BEFORE_PICKUP else set())
    for state in ShipmentStatus
}


@frozen
class ShipmentPolicy:
    max_delivery_attempts: int = 3
    max_booking_attempts: int = 3
    booking_backoff: timedelta = timedelta(minutes=5)  # doubled after each failure


@frozen
class TrackingEvent:
    """One carrier report, kept whether or not it moved the shipment."""

    dedupe_key: str
    carrier_status: str
    status: ShipmentStatus | None
    occurred_at: datetime
    recorded_at: datetime
    applied: bool
    source: str  # webhook, poll, staff
    carrier_event_id: str | None = None
    description: str | None = None
    location: str | None = None
    reason: str | None = None


@define
class Shipment:
    id: str
    number: str
    order_id: str
    fulfillment_id: str
    package_id: str
    customer_id: str | None
    warehouse_id: str
    carrier: str
    service_type: str
    status: ShipmentStatus
    origin: PostalAddress
    destination: PostalAddress
    weight_g: int
    length_cm: int
    width_cm: int
    height_cm: int
    currency: str
    created_at: datetime
    updated_at: datetime
    cost: Money | None = None
    cod_amount: Money | None = None
    cod_collected: Money | None = None
    cod_settled: bool = False
    tracking_number: str | None = None
    carrier_reference: str | None = None
    label_format: str | None = None
    label_url: str | None = None
    previous_status: ShipmentStatus | None = None
    status_at: datetime | None = None  # the carrier time of the report that set the status
    delivery_attempts: int = 0
    booking_attempts: int = 0
    next_booking_at: datetime | None = None
    booking_error: str | None = None
    needs_attention: bool = False
    signature_url: str | None = None
    photo_url: str | None = None
    proof_notes: str | None = None
    cancel_reason: str | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    tracking_events: list[TrackingEvent] = field(factory=list)
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    # -- creation and booking --------------------------------------------------------------
    @classmethod
    def draft(cls, *, shipment_id: str, order_id: str, fulfillment_id: str, package_id: str,
              customer_id: str | None, warehouse_id: str, carrier: str, service_type: str,
              origin: PostalAddress, destination: PostalAddress, weight_g: int, length_cm: int,
              width_cm: int, height_cm: int, currency: str, cod_amount: Money | None,
              now: datetime) -> Shipment:
        number = f"SHP-{now:%Y%m%d}-{shipment_id.replace('-', '')[-8:].upper()}"
        shipment = cls(shipment_id, number, order_id, fulfillment_id, package_id, customer_id,
                       warehouse_id, carrier, service_type, S.DRAFT, origin, destination,
                       weight_g, length_cm, width_cm, height_cm, currency, now, now,
                       cod_amount=cod_amount, next_booking_at=now)
        shipment.events.append(ShipmentCreated(
            shipment_id, order_id, fulfillment_id, package_id, carrier, service_type, None,
            S.DRAFT.value, warehouse_id, None, now))
        return shipment

    def booked(self, booking: Booking, *, now: datetime) -> bool:
        """Record the carrier's booking; False when it already was (a retry)."""
        if self.status is not S.DRAFT:
            if self.tracking_number == booking.tracking_number:
                return False
            raise InvalidShipmentTransition(
                f"shipment {self.number} is {self.status}, not a draft", shipment_id=self.id)
        self.tracking_number = booking.tracking_number
        self.carrier_reference = booking.carrier_reference
        if booking.fee is not None and booking.fee.currency == self.currency:
            self.cost = booking.fee
        self.booking_error, self.next_booking_at, self.needs_attention = None, None, False
        self.events.append(ShipmentBooked(self.id, self.order_id, self.carrier,
                                          booking.tracking_number, self.cost, now))
        self._move(S.BOOKED, "booked with the carrier", now)
        return True

    def booking_failed(self, error: str, policy: ShipmentPolicy, *, now: datetime) -> None:
        """The draft stays; it is tried again after a backoff, then flagged for a person."""
        self.booking_attempts += 1
        self.booking_error = error
        flagged = self.booking_attempts >= policy.max_booking_attempts
        self.needs_attention = flagged
        self.next_booking_at = (None if flagged else
                                now + policy.booking_backoff * 2 ** (self.booking_attempts - 1))
        self.updated_at = now
        self.events.append(BookingFailed(self.id, self.order_id, self.carrier,
                                         self.booking_attempts, error, flagged, now))

    def label_stored(self, format: str, url: str | None, *, now: datetime) -> None:
        assert self.tracking_number is not None
        self.label_format, self.label_url, self.updated_at = format, url, now
        self.events.append(LabelGenerated(self.id, self.tracking_number, url, format, now))

    # -- carrier reports ---------------------------------------------------------------------
    def has_seen(self, update: TrackingUpdate) -> bool:
        return any(e.dedupe_key == update.dedupe_key for e in self.tracking_events)

    def track(self, update: TrackingUpdate, policy: ShipmentPolicy, *, source: str,
              now: datetime) -> bool | None:
        """Store a carrier report and apply it if it moves the shipment forward. None for a
        duplicate (nothing stored), else whether the status changed."""
        if self.has_seen(update):
            return None
        target = update.status
        applied = target is not None and self._accepts(target, update.occurred_at)
        if target is not None and not applied and target is not self.status:
            log.warning("shipment %s: %s report %s (%s) ignored in status %s", self.id,
                        self.carrier, update.carrier_status, target, self.status)
        self.tracking_events.append(TrackingEvent(
            update.dedupe_key, update.carrier_status, target, update.occurred_at, now, applied,
            source, update.carrier_event_id, update.description, update.location,
            update.reason))
        self.events.append(TrackingUpdated(
            self.id, self.order_id, update.tracking_number, update.carrier_status,
            target.value if target else None, applied, update.location, update.occurred_at))
        self.updated_at = now
        if not applied or target is None:
            return False
        if update.cod_collected is not None:
            self.cod_collected = update.cod_collected
        reason = update.reason or update.description or f"carrier reported {update.carrier_status}"
        if target is S.DELIVERY_FAILED:
            self._move(target, reason, now, at=update.occurred_at)
            self.delivery_attempts += 1
            self.events.append(DeliveryFailed(self.id, self.order_id, self.delivery_attempts,
                                              reason, now))
            if self.delivery_attempts >= policy.max_delivery_attempts:
                self._move(S.RETURNING, f"{self.delivery_attempts} delivery attempts failed",
                           now, at=update.occurred_at)
        elif target is S.DELIVERED:
            self._deliver(reason, now, at=update.occurred_at)
        else:
            self._move(target, reason, now, at=update.occurred_at)
        return True

    def _accepts(self, target: ShipmentStatus, occurred_at: datetime) -> bool:
        if target not in REACHABLE[self.status]:
            return False
        if self.status in _LOOP and target in _LOOP:
            return self.status_at is None or occurred_at > self.status_at
        return True

    # -- staff -------------------------------------------------------------------------------
    def confirm_delivery(self, *, signature_url: str | None, photo_url: str | None,
                         notes: str | None, now: datetime) -> None:
        """Proof of delivery; the previous status is captured before the change."""
        if self.status not in (S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED):
            raise InvalidShipmentTransition(
                f"shipment {self.number} is {self.status}; only a parcel on its way can be "
                "confirmed delivered", shipment_id=self.id, status=self.status.value)
        self.signature_url, self.photo_url, self.proof_notes = signature_url, photo_url, notes
        self._deliver("delivery confirmed", now, at=now)

    def cancel(self, reason: str, *, now: datetime) -> ShipmentStatus:
        """Before pickup: cancelled. After: the parcel comes back (`returning`)."""
        if self.status in BEFORE_PICKUP:
            self.cancel_reason, self.cancelled_at = reason, now
            self.needs_attention, self.next_booking_at = False, None
            self._move(S.CANCELLED, reason, now)
        elif self.status in (S.PICKED_UP, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_FAILED):
            self.cancel_reason = reason
            self._move(S.RETURNING, reason, now)
        else:
            raise InvalidShipmentTransition(
                f"shipment {self.number} is {self.status} and cannot be cancelled",
                shipment_id=self.id, status=self.status.value)
        return self.status

    def flag(self, error: str, *, now: datetime) -> None:
        self.needs_attention, self.booking_error, self.updated_at = True, error, now

    def cod_settled_now(self) -> None:
        self.cod_settled = True

    # -- internals ---------------------------------------------------------------------------
    def _deliver(self, reason: str, now: datetime, *, at: datetime) -> None:
        self.delivered_at = now
        self._move(S.DELIVERED, reason, now, at=at)
        self.events.append(ShipmentDelivered(
            self.id, self.order_id, self.fulfillment_id, now, self.signature_url,
            self.photo_url, self.cod_amount, self.cod_collected))

    def _move(self, new: ShipmentStatus, reason: str, now: datetime, *,
              at: datetime | None = None) -> None:
        if new not in REACHABLE[self.status] and new not in TRANSITIONS[self.status]:
            raise InvalidShipmentTransition(
                f"shipment {self.number} cannot go from {self.status} to {new}",
                shipment_id=self.id, status=self.status.value, requested=new.value)
        old = self.status
        self.previous_status, self.status = old, new
        self.status_at, self.updated_at = at or now, now
        if new is S.PICKED_UP or (self.shipped_at is None and new in (
                S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.DELIVERY_FAILED)):
            self.shipped_at = self.shipped_at or now
        self.events.append(ShipmentStatusChanged(
            self.id, self.order_id, self.fulfillment_id, old.value, new.value, reason,
            self.tracking_number, now))

    @property
    def picked_up(self) -> bool:
        return self.shipped_at is not None
