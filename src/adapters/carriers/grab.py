"""GrabExpress (Delivery API v1) behind the `Carrier` port, over the injected `httpx.Client`.

Auth is OAuth2 client credentials: the token is cached until a minute before it expires and
fetched again once when an API call answers 401. Every answer's `X-Grabkit-Grab-Requestid` is
logged (Grab support asks for it). Timeouts, 5xx and 429 are `CarrierUnavailable`; other
refusals `CarrierError`.

Services: Grab's `INSTANT` → our `instant`, `SAME_DAY` → `same_day`. Amounts come as major units
of the quote's currency (`currency.exponent` decimals) and become `Money` in that currency; a
quote in another currency than the request's is refused. Grab routes by coordinates, which a
`PostalAddress` does not carry: pass `geocode` (address → latitude, longitude) to send them;
without it only the address text and keywords go.

Bookings: the tracking number is Grab's `deliveryID`, and our reference goes as
`merchantOrderID`. Grab has no idempotency key and no lookup by `merchantOrderID`, so
`find_booking` knows only the bookings this process made or saw in webhooks; to keep a
timed-out create from leaving a second live delivery, `book` first cancels whatever Grab holds
under the reference (`DELETE /v1/merchant/deliveries/{merchantOrderID}`; 404: nothing), and a 409
there (a delivery under that reference is already picked up) is a `CarrierError`, not a second
booking. Grab prints no labels: `label` draws a handover slip (`adapters.carriers.labels`).

Webhooks carry the secret the shop gave Grab in the `Authorization` header (no HMAC), compared
in constant time. `FAILED` means `cancelled` (reason `carrier_failed`: book again) before
pickup and `delivery_failed` after it; since the body does not say which, the adapter decides
by what it has seen of the delivery (a collected status in this process), else by the body (no
driver, or Grab's "could not find driver" reason, is before pickup); when neither tells, the
update moves nothing and is flagged as an exception for a person to look at.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from adapters.carriers.http import header, json_object, log, send
from adapters.carriers.labels import label_for_booking
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.money import Money
from commerce_core.shipping.ports import (
    Booking,
    BookingRequest,
    CarrierCapabilities,
    CarrierError,
    CarrierQuote,
    CarrierUnavailable,
    Parcel,
    ParcelItem,
    RateRequest,
    ShipmentStatus,
    ShippingLabel,
    TrackingUpdate,
)

CARRIER = "Grab"
TOKEN_URL = "https://partner-api.grab.com/grabid/v1/oauth2/token"
SANDBOX_URL = "https://partner-api.grab.com/grab-express-sandbox"
PRODUCTION_URL = "https://partner-api.grab.com/grab-express"
SCOPE = "grab_express.partner_deliveries"
REQUEST_ID = "X-Grabkit-Grab-Requestid"

_S = ShipmentStatus

SERVICES: Mapping[str, str] = {"INSTANT": "instant", "SAME_DAY": "same_day"}
SERVICE_TYPES: Mapping[str, str] = {ours: theirs for theirs, ours in SERVICES.items()}

# Grab `status` → ours (external-apis §6); FAILED depends on the phase, see `failed_status`.
STATUSES: Mapping[str, ShipmentStatus] = {
    "QUEUEING": _S.BOOKED, "ALLOCATING": _S.BOOKED,
    "PENDING_PICKUP": _S.ASSIGNED, "PICKING_UP": _S.ASSIGNED,
    "PENDING_DROP_OFF": _S.IN_TRANSIT,
    "IN_DELIVERY": _S.OUT_FOR_DELIVERY,
    "COMPLETED": _S.DELIVERED,
    "IN_RETURN": _S.RETURNING,
    "RETURNED": _S.RETURNED_TO_SENDER,
    "CANCELED": _S.CANCELLED, "CANCELLED": _S.CANCELLED,
}
# Statuses that mean the courier has the parcel.
COLLECTED = frozenset({"PENDING_DROP_OFF", "IN_DELIVERY", "COMPLETED", "IN_RETURN", "RETURNED"})
CANCELLABLE = frozenset({"QUEUEING", "ALLOCATING", "PENDING_PICKUP", "PICKING_UP"})
# Grab's failure reason codes ("6|Could not find driver") that happen before any pickup.
PRE_PICKUP_FAILURES = frozenset({"6"})
CARRIER_FAILED = "carrier_failed"
# A delivery in these states is no booking to find again (a new one may be made).
_ENDED = frozenset({"CANCELED", "CANCELLED", "FAILED"})

_V = TypeVar("_V")
Geocode = Callable[[PostalAddress], tuple[float, float] | None]


def failed_status(*, collected: bool | None, reason: str | None,
                  has_driver: bool) -> tuple[ShipmentStatus | None, str]:
    """Our status for FAILED: `collected` is what the adapter knows of the pickup (None: it
    does not know), `reason` Grab's `failedReason`, `has_driver` whether a driver was named."""
    if collected is True:
        return _S.DELIVERY_FAILED, reason or "delivery_failed"
    code = (reason or "").split("|", 1)[0].strip()
    if collected is False or code in PRE_PICKUP_FAILURES or not has_driver:
        return _S.CANCELLED, CARRIER_FAILED
    return None, reason or "failed"


def map_status(grab_status: str, *, collected: bool | None = None, reason: str | None = None,
               has_driver: bool = False) -> tuple[ShipmentStatus | None, str | None]:
    """Our status for a Grab status, with the reason to record (FAILED)."""
    code = grab_status.strip().upper()
    if code == "FAILED":
        return failed_status(collected=collected, reason=reason, has_driver=has_driver)
    return STATUSES.get(code), None


def digits(phone: str) -> str:
    """E.164 digits without '+' (a Vietnamese 0-prefixed number gets its 84)."""
    number = "".join(c for c in phone if c.isdigit())
    if not phone.strip().startswith("+") and number.startswith("0"):
        return "84" + number[1:]
    return number


def to_money(amount: Any, currency: Mapping[str, Any]) -> Money:
    """Grab's major-unit amount in its currency, as `Money`."""
    code = str(currency.get("code", "")).upper()
    exponent = int(currency.get("exponent", 0))
    value = Decimal(str(amount))
    if value != value.quantize(Decimal(1).scaleb(-exponent)):
        raise CarrierError(f"Grab quoted {amount} {code} beyond {exponent} decimals")
    try:
        return Money.of(value, code)
    except InvalidInput as exc:
        raise CarrierError(f"Grab quoted an amount Money cannot hold: {amount} {code}") from exc


class GrabCarrier:
    def __init__(self, client_id: str, client_secret: str, *, sandbox: bool = True,
                 webhook_secret: str = "", http: httpx.Client | None = None,
                 timeout: float = 10.0, clock: Clock | None = None, code: str = "grab",
                 base_url: str | None = None, token_url: str = TOKEN_URL,
                 vehicle_type: str = "BIKE", geocode: Geocode | None = None) -> None:
        self._client_id, self._client_secret = client_id, client_secret
        self._base = (base_url or (SANDBOX_URL if sandbox else PRODUCTION_URL)).rstrip("/")
        self._token_url = token_url
        self._webhook_secret = webhook_secret
        self._http = http or httpx.Client()
        self._timeout = timeout
        self._clock = clock or SystemClock()
        self._code, self._vehicle, self._geocode = code, vehicle_type, geocode
        self._lock = threading.Lock()
        self._token: tuple[str, datetime] | None = None
        # What this process knows, bounded (oldest first out): a long-lived process forgets
        # deliveries long done rather than growing without end.
        self._bookings: _Recent[Booking] = _Recent()  # by our reference
        self._requests: _Recent[BookingRequest] = _Recent()  # by delivery id, for labels
        self._collected: _Recent[bool] = _Recent()  # by delivery id: seen with the courier

    def __repr__(self) -> str:
        return f"GrabCarrier(base_url={self._base!r})"

    # -- the port ---------------------------------------------------------------------------
    @property
    def code(self) -> str:
        return self._code

    @property
    def capabilities(self) -> CarrierCapabilities:
        return CarrierCapabilities(
            services=tuple(SERVICE_TYPES), max_weight_g=20_000, max_length_cm=50,
            supports_returns=False,
            cancellable=frozenset({_S.DRAFT, _S.BOOKED, _S.ASSIGNED}))

    def quote(self, request: RateRequest) -> list[CarrierQuote]:
        body = self._route_body(request.origin, request.destination, request.parcels, (),
                                request.cod_amount)
        if request.service is not None:
            if request.service not in SERVICE_TYPES:
                return []
            body["serviceType"] = SERVICE_TYPES[request.service]
        answer = self._api("POST", "/v1/deliveries/quotes", body)
        quotes = []
        for quote in answer.get("quotes") or []:
            service = quote.get("service") or {}
            ours = SERVICES.get(str(service.get("type", "")).upper())
            if ours is None or (request.service is not None and request.service != ours):
                continue
            amount = to_money(quote.get("amount", 0), quote.get("currency") or {})
            if amount.currency != request.currency:
                raise CarrierError(f"Grab quotes {amount.currency} here, not "
                                   f"{request.currency}", currency=amount.currency)
            quotes.append(CarrierQuote(self._code, ours, str(service.get("name") or ours),
                                       amount, 0, 0,
                                       carrier_service_id=str(service.get("id", "")) or None))
        return quotes

    def book(self, request: BookingRequest) -> Booking:
        with self._lock:
            known = self._bookings.get(request.reference)
        if known is not None:
            return known
        service = SERVICE_TYPES.get(request.service)
        if service is None:
            raise CarrierError(f"Grab has no service {request.service!r}",
                               service=request.service)
        self._clear(request.reference)
        body = self._route_body(request.origin, request.destination, (request.parcel,),
                                request.items, request.cod_amount)
        body.update({
            "merchantOrderID": request.reference, "serviceType": service,
            "paymentMethod": "CASHLESS", "payer": "SENDER",
            "sender": _person(request.origin, None),
            "recipient": _person(request.destination, request.note),
        })
        answer = self._api("POST", "/v1/deliveries", body)
        delivery = str(answer.get("deliveryID") or "")
        if not delivery:
            raise CarrierError("Grab created no delivery", reference=request.reference)
        quote = answer.get("quote") or {}
        fee = (to_money(quote["amount"], quote.get("currency") or {})
               if "amount" in quote else None)
        booking = Booking(delivery, fee, carrier_reference=delivery,
                          tracking_url=answer.get("trackingURL"))
        with self._lock:
            self._bookings[request.reference] = booking
            self._requests[delivery] = request
        return booking

    def find_booking(self, reference: str) -> Booking | None:
        # Grab cannot be asked by merchantOrderID: only what this process booked or heard of.
        with self._lock:
            return self._bookings.get(reference)

    def label(self, tracking_number: str, format: str = "pdf") -> ShippingLabel:
        if format != "pdf":
            raise CarrierError("Grab handover slips are PDF only", format=format)
        with self._lock:
            booked = self._requests.get(tracking_number)
        content = label_for_booking(self._code, tracking_number, booked)
        return ShippingLabel(tracking_number, "pdf", content=content)

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        answer = self._api("GET", f"/v1/deliveries/{tracking_number}", None)
        code = str(answer.get("status") or "").upper()
        if not code:
            return []
        courier = answer.get("courier") or {}
        update = self._update(tracking_number, code, self._latest(answer),
                              reason=answer.get("failedReason"),
                              has_driver=bool(courier), merchant_order=answer.get(
                                  "merchantOrderID"), tracking_url=answer.get("trackingURL"))
        return [update]

    def cancel(self, tracking_number: str) -> None:
        response = self._request("DELETE", f"/v1/deliveries/{tracking_number}", None)
        if response.status_code in (200, 204):
            self._forget(tracking_number)
            return
        if response.status_code == 409:
            raise CarrierError(f"Grab delivery {tracking_number} was already picked up",
                               tracking_number=tracking_number)
        if response.status_code == 404:
            raise CarrierError(f"Grab knows no delivery {tracking_number}",
                               tracking_number=tracking_number)
        raise self._refusal(f"/v1/deliveries/{tracking_number}", response)

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes,
                       token: str | None = None) -> bool:
        sent = header(headers, "Authorization")
        if not self._webhook_secret or sent is None:
            return False
        return hmac.compare_digest(sent.encode(), self._webhook_secret.encode())

    def parse_webhook(self, raw_body: bytes) -> list[TrackingUpdate]:
        try:
            data = json.loads(raw_body)
        except ValueError as exc:
            raise CarrierError("Grab webhook body is not JSON") from exc
        items = data if isinstance(data, list) else [data]
        updates = []
        for item in items:
            if not isinstance(item, Mapping):
                continue
            delivery, code = item.get("deliveryID"), str(item.get("status") or "").upper()
            if not delivery or not code:
                raise CarrierError("Grab webhook without deliveryID or status")
            at = _unix(item.get("timestamp")) or self._clock.now()
            updates.append(self._update(
                str(delivery), code, at, reason=item.get("failedReason"),
                has_driver=bool(item.get("driver")), merchant_order=item.get("merchantOrderID"),
                tracking_url=item.get("trackURL")))
        return updates

    def health(self) -> bool:
        try:
            self._access_token()
        except (CarrierError, CarrierUnavailable):
            return False
        return True

    # -- internals --------------------------------------------------------------------------
    def _update(self, delivery: str, code: str, at: datetime, *, reason: Any,
                has_driver: bool, merchant_order: Any, tracking_url: Any) -> TrackingUpdate:
        with self._lock:
            if code in COLLECTED:
                self._collected[delivery] = True
            collected = self._collected.get(delivery)
            if merchant_order and str(merchant_order) not in self._bookings \
                    and code not in _ENDED:
                # Remembered so `find_booking` answers after a timed-out create.
                self._bookings[str(merchant_order)] = Booking(
                    delivery, carrier_reference=delivery,
                    tracking_url=str(tracking_url) if tracking_url else None)
        status, why = map_status(code, collected=collected,
                                 reason=str(reason) if reason else None, has_driver=has_driver)
        if status is _S.CANCELLED:
            self._forget(delivery)
        exceptional = code == "FAILED" and status is None
        if exceptional:
            log.warning("Grab delivery %s FAILED and its phase is unknown: %s", delivery, reason)
        elif status is None:
            log.info("Grab status %r of %s moves nothing", code, delivery)
        return TrackingUpdate(delivery, code, status, at,
                              description=str(reason) if reason else None,
                              is_exception=exceptional, reason=why)

    def _forget(self, delivery: str) -> None:
        """A cancelled delivery is no booking to hand back: booking the reference again makes
        a new one."""
        with self._lock:
            for reference, booking in list(self._bookings.items()):
                if booking.tracking_number == delivery:
                    del self._bookings[reference]

    def _latest(self, answer: Mapping[str, Any]) -> datetime:
        """When the delivery last moved: the latest time on its timeline."""
        timeline = answer.get("timeline")
        times = [t for t in (_time(v) for v in timeline.values()) if t is not None] if (
            isinstance(timeline, Mapping)) else []
        return max(times) if times else self._clock.now()

    def _clear(self, reference: str) -> None:
        """Cancel any delivery Grab holds under `reference` (a create that timed out)."""
        path = f"/v1/merchant/deliveries/{reference}"
        response = self._request("DELETE", path, None)
        if response.status_code in (200, 204, 404):
            return
        if response.status_code == 409:
            raise CarrierError(f"a Grab delivery for {reference} is already picked up",
                               reference=reference)
        raise self._refusal(path, response)

    def _route_body(self, origin: PostalAddress, destination: PostalAddress,
                    parcels: tuple[Parcel, ...], items: tuple[ParcelItem, ...],
                    cod: Money | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "vehicleType": self._vehicle,
            "packages": [_package(parcel, items) for parcel in parcels],
            "origin": self._place(origin), "destination": self._place(destination),
        }
        if cod is not None and not cod.is_zero:
            body["cashOnDelivery"] = {"amount": _major(cod)}
        return body

    def _place(self, address: PostalAddress) -> dict[str, Any]:
        place: dict[str, Any] = {"address": address.formatted(),
                                 "keywords": address.line1}
        point = self._geocode(address) if self._geocode else None
        if point is not None:
            place["coordinates"] = {"latitude": round(point[0], 7),
                                    "longitude": round(point[1], 7)}
        return place

    def _access_token(self, *, fresh: bool = False) -> str:
        with self._lock:
            now = self._clock.now()
            if not fresh and self._token is not None and self._token[1] > now:
                return self._token[0]
            response = send(CARRIER, "oauth2/token", lambda: self._http.post(
                self._token_url, timeout=self._timeout,
                headers={"Content-Type": "application/json", "Cache-Control": "no-cache"},
                content=json.dumps({"client_id": self._client_id,
                                    "client_secret": self._client_secret,
                                    "grant_type": "client_credentials",
                                    "scope": SCOPE}).encode()),
                request_id_header=REQUEST_ID)
            body = json_object(CARRIER, "oauth2/token", response)
            if response.status_code != 200 or "access_token" not in body:
                raise CarrierError(f"Grab refused the client credentials "
                                   f"({response.status_code})", status=response.status_code)
            lifetime = int(body.get("expires_in", 0))
            # Renew a minute early so a token never expires in flight.
            self._token = (str(body["access_token"]),
                           now + timedelta(seconds=max(lifetime - 60, 0)))
            return self._token[0]

    def _request(self, method: str, path: str, body: Mapping[str, Any] | None) -> httpx.Response:
        def attempt(token: str) -> httpx.Response:
            return send(CARRIER, f"{method} {path}", lambda: self._http.request(
                method, self._base + path, timeout=self._timeout,
                headers={"Authorization": f"Bearer {token}",
                         "Content-Type": "application/json"},
                content=json.dumps(body).encode() if body is not None else None),
                request_id_header=REQUEST_ID)

        response = attempt(self._access_token())
        if response.status_code == 401:
            response = attempt(self._access_token(fresh=True))
        return response

    def _api(self, method: str, path: str, body: Mapping[str, Any] | None) -> dict[str, Any]:
        response = self._request(method, path, body)
        if response.status_code >= 400:
            raise self._refusal(path, response)
        return json_object(CARRIER, path, response)

    @staticmethod
    def _refusal(path: str, response: httpx.Response) -> CarrierError:
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        reason = answer.get("message") or answer.get("reason") if isinstance(
            answer, dict) else None
        return CarrierError(f"Grab refused {path} ({response.status_code}"
                            f"{': ' + str(reason) if reason else ''})",
                            carrier="grab", status=response.status_code,
                            request_id=response.headers.get(REQUEST_ID))


class _Recent(OrderedDict[str, _V]):
    """A dict keeping its newest `size` entries."""

    def __init__(self, size: int = 10_000) -> None:
        super().__init__()
        self._size = size

    def __setitem__(self, key: str, value: _V) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self._size:
            self.popitem(last=False)


def _package(parcel: Parcel, items: tuple[ParcelItem, ...]) -> dict[str, Any]:
    name = ", ".join(item.name for item in items)[:100] if items else "parcel"
    package: dict[str, Any] = {
        "name": name, "description": name,
        "quantity": sum(item.quantity for item in items) if items else 1,
        "dimensions": {"height": parcel.height_cm, "width": parcel.width_cm,
                       "depth": parcel.length_cm, "weight": parcel.weight_g},
    }
    if parcel.declared_value is not None:
        package["price"] = _major(parcel.declared_value)
    return package


def _person(address: PostalAddress, instruction: str | None) -> dict[str, Any]:
    first, _, last = address.name.partition(" ")
    person: dict[str, Any] = {"firstName": first, "lastName": last or first,
                              "phone": digits(address.phone), "smsEnabled": True}
    if address.email:
        person["email"] = address.email
    if instruction:
        person["instruction"] = instruction
    return person


def _major(money: Money) -> int | float:
    value = money.to_decimal()
    return int(value) if value == value.to_integral_value() else float(value)


def _unix(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def _time(value: Any) -> datetime | None:
    if isinstance(value, str):
        try:
            at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return _unix(value)
