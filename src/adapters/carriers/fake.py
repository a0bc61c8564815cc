"""A carrier in memory: deterministic prices and tracking numbers, scripted tracking, signed
webhooks, and failures on demand. It is the embedded default and the test double of the
carrier contract suite.

Prices: a base fee per parcel plus a fee per started kilogram, in the request's currency;
`express` costs half as much again and takes fewer days. Tracking numbers are derived from the
booking reference, so booking the same shipment twice gives the same number (once cancelled, a
booking under the same reference is a new parcel with a new number).

Labels are real PDF pages (`adapters.carriers.labels`): the tracking number as a Code 128
barcode, and the addresses the booking named.

Webhooks are JSON signed with HMAC-SHA256 over the raw body (header `X-Fake-Signature`, hex), so
the webhook path is exercised exactly as for a carrier that signs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from math import ceil
from typing import Any

from adapters.carriers.labels import label_for_booking
from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.money import Money
from commerce_core.shipping.ports import (
    Booking,
    BookingRequest,
    CarrierCapabilities,
    CarrierError,
    CarrierQuote,
    CarrierUnavailable,
    RateRequest,
    ShipmentStatus,
    ShippingLabel,
    TrackingUpdate,
)

SIGNATURE_HEADER = "X-Fake-Signature"
_S = ShipmentStatus
_SERVICES = {"standard": ("Standard", 3, 5, 1.0), "express": ("Express", 1, 2, 1.5)}
_NOT_CANCELLABLE = frozenset({_S.PICKED_UP, _S.IN_TRANSIT, _S.OUT_FOR_DELIVERY, _S.DELIVERED,
                              _S.DELIVERY_FAILED, _S.RETURNING, _S.RETURNED_TO_SENDER})


class FakeCarrier:
    def __init__(self, code: str = "fake", *, clock: Clock | None = None,
                 base_fee: int = 20_000, per_kg: int = 5_000,
                 secret: str = "fake-webhook-secret") -> None:
        self._code = code
        self._clock = clock or SystemClock()
        self.base_fee, self.per_kg = base_fee, per_kg
        self._secret = secret.encode()
        self._lock = threading.Lock()
        self._bookings: dict[str, Booking] = {}  # by our reference
        self._status: dict[str, ShipmentStatus] = {}  # by tracking number
        self._history: dict[str, list[TrackingUpdate]] = {}
        self._booked: dict[str, BookingRequest] = {}  # by tracking number, for its label
        self._failures: list[Exception] = []
        self._late_failures: list[Exception] = []  # raised after a booking took effect
        self.calls: list[str] = []  # every port call by name, for tests that count them

    # -- the port ---------------------------------------------------------------------------
    @property
    def code(self) -> str:
        return self._code

    @property
    def capabilities(self) -> CarrierCapabilities:
        return CarrierCapabilities(services=tuple(_SERVICES))

    def quote(self, request: RateRequest) -> list[CarrierQuote]:
        self._call("quote")
        quotes = []
        for service, (name, low, high, factor) in _SERVICES.items():
            if request.service is not None and request.service != service:
                continue
            amount = sum(self.base_fee + self.per_kg * max(1, ceil(p.weight_g / 1000))
                         for p in request.parcels)
            quotes.append(CarrierQuote(self._code, service, f"{self._code} {name}",
                                       Money(int(amount * factor), request.currency),
                                       low, high, service))
        return quotes

    def book(self, request: BookingRequest) -> Booking:
        self._call("book")
        with self._lock:
            seed = f"{self._code}:{request.reference}"
            if request.reference in self._bookings:
                known = self._bookings[request.reference]
                if self._status[known.tracking_number] is not _S.CANCELLED:
                    return known
                # Booking again after a cancellation: a new parcel, a new number.
                seed = f"{seed}:{known.tracking_number}"
            digest = hashlib.sha256(seed.encode()).hexdigest()
            tracking = f"FK{int(digest[:12], 16) % 10**10:010d}"
            fee = Money(self.base_fee + self.per_kg * max(1, ceil(request.parcel.weight_g / 1000)),
                        request.currency)
            booking = Booking(tracking, fee, carrier_reference=f"{self._code}-{tracking}")
            self._bookings[request.reference] = booking
            self._status[tracking] = _S.BOOKED
            self._history[tracking] = []
            self._booked[tracking] = request
        self._fail_late()
        return booking

    def find_booking(self, reference: str) -> Booking | None:
        self._call("find_booking")
        return self._bookings.get(reference)

    def label(self, tracking_number: str, format: str = "pdf") -> ShippingLabel:
        self._call("label")
        self._known(tracking_number)
        if format != "pdf":
            raise CarrierError(f"{self._code} prints PDF labels only", format=format)
        booked = self._booked.get(tracking_number)
        content = label_for_booking(self._code, tracking_number, booked)
        return ShippingLabel(tracking_number, format, content=content)

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        self._call("track")
        self._known(tracking_number)
        return list(self._history[tracking_number])

    def cancel(self, tracking_number: str) -> None:
        self._call("cancel")
        self._known(tracking_number)
        with self._lock:
            if self._status[tracking_number] in _NOT_CANCELLABLE:
                raise CarrierError(f"{tracking_number} was already picked up",
                                   tracking_number=tracking_number)
            self._record(tracking_number, _S.CANCELLED, self._clock.now())

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes,
                       token: str | None = None) -> bool:
        sent = {k.lower(): v for k, v in headers.items()}.get(SIGNATURE_HEADER.lower(), "")
        return hmac.compare_digest(sent, self.sign(raw_body))

    def parse_webhook(self, raw_body: bytes) -> list[TrackingUpdate]:
        data = json.loads(raw_body)
        items = data if isinstance(data, list) else [data]
        return [_update(item) for item in items]

    def health(self) -> bool:
        return not self._failures

    # -- scripting, for tests and the demo ---------------------------------------------------
    def sign(self, raw_body: bytes) -> str:
        return hmac.new(self._secret, raw_body, hashlib.sha256).hexdigest()

    def advance(self, tracking_number: str, status: ShipmentStatus | str, *,
                at: datetime | None = None, event_id: str | None = None,
                cod_collected: Money | None = None) -> TrackingUpdate:
        """The parcel moves at the carrier: `track` reports it from now on."""
        self._known(tracking_number)
        with self._lock:
            return self._record(tracking_number, _S(status), at or self._clock.now(),
                                event_id, cod_collected)

    def webhook(self, tracking_number: str, status: ShipmentStatus | str, *,
                at: datetime | None = None, event_id: str | None = None,
                cod_collected: Money | None = None) -> tuple[dict[str, str], bytes]:
        """The headers and body of the webhook the carrier would send for this move."""
        update = self.advance(tracking_number, status, at=at, event_id=event_id,
                              cod_collected=cod_collected)
        body = json.dumps(_payload(update)).encode()
        return {"Content-Type": "application/json", SIGNATURE_HEADER: self.sign(body)}, body

    def fail_next(self, times: int = 1, error: Exception | None = None, *,
                  after_booking: bool = False) -> None:
        """The next `times` port calls raise `error` (a timeout by default). With
        `after_booking`, the next `times` new bookings take effect and then raise: the
        carrier booked, the caller did not hear (what `find_booking` is for)."""
        failure = error or CarrierUnavailable(f"{self._code} timed out")
        with self._lock:
            (self._late_failures if after_booking else self._failures).extend([failure] * times)

    def status_of(self, tracking_number: str) -> ShipmentStatus:
        return self._status[tracking_number]

    # -- internals -------------------------------------------------------------------------
    def _call(self, name: str) -> None:
        self.calls.append(name)
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            raise failure

    def _fail_late(self) -> None:
        with self._lock:
            failure = self._late_failures.pop(0) if self._late_failures else None
        if failure is not None:
            raise failure

    def _known(self, tracking_number: str) -> None:
        if tracking_number not in self._status:
            raise CarrierError(f"{self._code} knows no parcel {tracking_number}",
                               tracking_number=tracking_number)

    def _record(self, tracking_number: str, status: ShipmentStatus, at: datetime,
                event_id: str | None = None,
                cod_collected: Money | None = None) -> TrackingUpdate:
        self._status[tracking_number] = status
        history = self._history[tracking_number]
        update = TrackingUpdate(tracking_number, status.value, status, at,
                                event_id or f"{tracking_number}-{len(history) + 1}",
                                cod_collected=cod_collected)
        history.append(update)
        return update


def _payload(update: TrackingUpdate) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "tracking_number": update.tracking_number, "status": update.carrier_status,
        "occurred_at": update.occurred_at.isoformat(), "event_id": update.carrier_event_id,
    }
    if update.cod_collected is not None:
        payload["cod_collected"] = {"amount": update.cod_collected.amount,
                                    "currency": update.cod_collected.currency}
    return payload


def _update(item: Mapping[str, Any]) -> TrackingUpdate:
    code = str(item["status"])
    status = _S(code) if code in _S.__members__.values() else None
    at = datetime.fromisoformat(str(item["occurred_at"]))
    cod = item.get("cod_collected")
    return TrackingUpdate(
        str(item["tracking_number"]), code, status,
        at if at.tzinfo else at.replace(tzinfo=UTC), item.get("event_id"),
        cod_collected=Money(int(cod["amount"]), str(cod["currency"])) if cod else None)
