"""GHN (Giao Hàng Nhanh) API v2 behind the `Carrier` port, over the injected `httpx.Client`.

Every call is a JSON POST with the `Token` header (and `ShopId` on shop calls); GHN answers
`{"code": 200, "message", "data"}` and a `code` other than 200 is a refusal even on HTTP 200.
Timeouts, 5xx and 429 are `CarrierUnavailable`; other refusals are `CarrierError` carrying GHN's
`code_message`.

Routes are by GHN's own ids: `PostalAddress.district_code` is GHN's district id and
`ward_code` its ward code (the location hierarchy holds GHN's codes). The origin's codes come
from the request, else from the shop's configured pickup district and ward. Prices are VND only.

GHN services → ours (`service_type_id`): 1 → `express`, 2 → `standard` (light, e-commerce: the
parcel's sizes at order level), 3 → `economy`, 5 → `heavy` (sizes per item). A route offers a
subset, asked for with `available-services` before pricing each.

GHN has no idempotency key: `book` looks the reference up (`detail-by-client-code`) before
creating, and the reference goes out as `client_order_code`, so a booking after a timeout finds
the first instead of making a second. GHN signs no webhook: the URL registered with GHN carries
a secret path segment, compared here in constant time (`verify_webhook(token=...)`).
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from adapters.carriers.http import json_object, log, send
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.clock import Clock, SystemClock
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

CARRIER = "GHN"
DEV_URL = "https://dev-online-gateway.ghn.vn/shiip/public-api"
PROD_URL = "https://online-gateway.ghn.vn/shiip/public-api"
CURRENCY = "VND"
MAX_COD = 50_000_000
MAX_INSURANCE = 5_000_000

_S = ShipmentStatus

# GHN `service_type_id` → our service code and a display name.
SERVICE_TYPES: Mapping[int, tuple[str, str]] = {
    1: ("express", "GHN Express"),
    2: ("standard", "GHN Standard"),
    3: ("economy", "GHN Economy"),
    5: ("heavy", "GHN Heavy goods"),
}
SERVICE_TYPE_IDS: Mapping[str, int] = {code: type_id for type_id, (code, _) in
                                       SERVICE_TYPES.items()}

# GHN `Status` → our shipment status (external-apis §5).
STATUSES: Mapping[str, ShipmentStatus] = {
    "ready_to_pick": _S.BOOKED,
    "picking": _S.ASSIGNED, "money_collect_picking": _S.ASSIGNED,
    "picked": _S.PICKED_UP,
    "storing": _S.IN_TRANSIT, "transporting": _S.IN_TRANSIT, "sorting": _S.IN_TRANSIT,
    "delivering": _S.OUT_FOR_DELIVERY, "money_collect_delivering": _S.OUT_FOR_DELIVERY,
    "delivered": _S.DELIVERED,
    "delivery_fail": _S.DELIVERY_FAILED,
    "waiting_to_return": _S.RETURNING, "return": _S.RETURNING,
    "return_transporting": _S.RETURNING, "return_sorting": _S.RETURNING,
    "returning": _S.RETURNING, "return_fail": _S.RETURNING,
    "returned": _S.RETURNED_TO_SENDER,
    "cancel": _S.CANCELLED,
}
# Statuses that move nothing but need a person: stored with `is_exception`.
EXCEPTIONS = frozenset({"lost", "damage", "exception"})
# Webhook `Type`s that report a status change; the others (weight, COD, fee updates) repeat
# the current status, kept as history only.
STATUS_TYPES = frozenset({"create", "switch_status"})
REQUIRED_NOTES = frozenset({"CHOTHUHANG", "CHOXEMHANGKHONGTHU", "KHONGCHOXEMHANG"})
LABEL_PAGES: Mapping[str, str] = {"pdf": "printA5", "a5": "printA5", "80x80": "print80x80",
                                  "52x70": "print52x70"}


def map_status(ghn_status: str) -> tuple[ShipmentStatus | None, bool]:
    """Our status for a GHN status (None: moves nothing) and whether it is an exception."""
    code = ghn_status.strip().lower()
    return STATUSES.get(code), code in EXCEPTIONS


def parse_time(value: object, default: datetime) -> datetime:
    """GHN's ISO 8601 times (UTC, `Z` or an offset); naive ones are UTC."""
    if not isinstance(value, str) or not value:
        return default
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return default
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class GhnCarrier:
    def __init__(self, token: str, shop_id: int | str, *, base_url: str = DEV_URL,
                 from_district_id: int | None = None, from_ward_code: str | None = None,
                 webhook_token: str = "", http: httpx.Client | None = None,
                 timeout: float = 10.0, clock: Clock | None = None, code: str = "ghn",
                 payment_type_id: int = 1, required_note: str = "KHONGCHOXEMHANG") -> None:
        if required_note not in REQUIRED_NOTES:
            raise ValueError(f"required_note must be one of {sorted(REQUIRED_NOTES)}")
        self._token, self._shop_id = token, str(shop_id)
        self._base = base_url.rstrip("/")
        parts = urlsplit(self._base)
        self._print_host = f"{parts.scheme}://{parts.netloc}"  # labels: the bare host
        self._from_district, self._from_ward = from_district_id, from_ward_code
        self._webhook_token = webhook_token
        self._http = http or httpx.Client()
        self._timeout = timeout
        self._clock = clock or SystemClock()
        self._code = code
        self._payment_type_id, self._required_note = payment_type_id, required_note

    def __repr__(self) -> str:
        return f"GhnCarrier(base_url={self._base!r}, shop_id={self._shop_id!r})"

    # -- the port ---------------------------------------------------------------------------
    @property
    def code(self) -> str:
        return self._code

    @property
    def capabilities(self) -> CarrierCapabilities:
        return CarrierCapabilities(services=tuple(SERVICE_TYPE_IDS), max_weight_g=50_000,
                                   max_length_cm=200)

    def quote(self, request: RateRequest) -> list[CarrierQuote]:
        _vnd(request.currency)
        from_district, from_ward = self._origin(request.origin)
        to_district, to_ward = _route(request.destination, "destination")
        services = self._post("/v2/shipping-order/available-services", {
            "shop_id": int(self._shop_id), "from_district": from_district,
            "to_district": to_district}, shop=False)
        quotes = []
        for service in services if isinstance(services, list) else []:
            known = SERVICE_TYPES.get(int(service.get("service_type_id", 0)))
            if known is None:
                continue  # a GHN service we have no code for
            our_code, name = known
            if request.service is not None and request.service != our_code:
                continue
            total = 0
            for parcel in request.parcels:
                fee = self._post("/v2/shipping-order/fee", {
                    "service_id": int(service["service_id"]),
                    "service_type_id": int(service["service_type_id"]),
                    "from_district_id": from_district, "from_ward_code": from_ward,
                    "to_district_id": to_district, "to_ward_code": to_ward,
                    **_sizes(parcel), "insurance_value": _insurance(parcel),
                    "cod_value": request.cod_amount.amount if request.cod_amount else 0,
                    "cod_failed_amount": 0, "coupon": None})
                total += int(_mapping(fee).get("total", 0))
            quotes.append(CarrierQuote(self._code, our_code, str(service.get("short_name")
                                                                 or name),
                                       Money(total, CURRENCY),
                                       carrier_service_id=str(service["service_id"])))
        return quotes

    def book(self, request: BookingRequest) -> Booking:
        _vnd(request.currency)
        existing = self._lookup(request.reference)
        if existing is not None:
            return self._live(request.reference, *existing)
        try:
            data = _mapping(self._post("/v2/shipping-order/create", self._order(request)))
        except CarrierError:
            # Two processes booking the same reference: GHN refuses the second client code.
            existing = self._lookup(request.reference)
            if existing is not None:
                return self._live(request.reference, *existing)
            raise
        fee = data.get("total_fee")
        return Booking(str(data["order_code"]),
                       Money(int(fee), CURRENCY) if fee is not None else None,
                       carrier_reference=str(data["order_code"]),
                       expected_delivery=_optional_time(data.get("expected_delivery_time")))

    def find_booking(self, reference: str) -> Booking | None:
        found = self._lookup(reference)
        return found[0] if found is not None else None

    @staticmethod
    def _live(reference: str, booking: Booking, status: str) -> Booking:
        if status == "cancel":
            # GHN keeps a client order code for good: a cancelled booking is not handed back
            # as if live, and a new one needs a new reference.
            raise CarrierError(f"the GHN order under {reference} was cancelled; book again "
                               "under a new reference", reference=reference,
                               tracking_number=booking.tracking_number)
        return booking

    def _lookup(self, reference: str) -> tuple[Booking, str] | None:
        """The order GHN holds under our reference, with its GHN status."""
        try:
            data = self._post("/v2/shipping-order/detail-by-client-code",
                              {"client_order_code": reference}, shop=False)
        except CarrierError as exc:
            # GHN answers code 400 for an unknown client code; other refusals (a bad token)
            # must not pass for "not booked", or a second order would be created.
            if exc.details.get("code") == 400 and exc.details.get("status") in (200, 400):
                return None
            raise
        order = _mapping(data)
        if not order.get("order_code"):
            return None
        fee = order.get("total_fee")
        return Booking(str(order["order_code"]),
                       Money(int(fee), CURRENCY) if fee is not None else None,
                       carrier_reference=str(order["order_code"]),
                       expected_delivery=_optional_time(order.get("leadtime"))), str(
            order.get("status") or "")

    def label(self, tracking_number: str, format: str = "pdf") -> ShippingLabel:
        page = LABEL_PAGES.get(format)
        if page is None:
            raise CarrierError(f"GHN prints labels as {sorted(LABEL_PAGES)}", format=format)
        data = _mapping(self._post("/v2/a5/gen-token", {"order_codes": [tracking_number]}))
        token = data.get("token")
        if not token:
            raise CarrierError("GHN gave no label token", tracking_number=tracking_number)
        # A browser URL on the bare host, valid for 30 minutes.
        return ShippingLabel(tracking_number, "pdf",
                             url=f"{self._print_host}/a5/public-api/{page}?token={token}")

    def track(self, tracking_number: str) -> list[TrackingUpdate]:
        order = _mapping(self._post("/v2/shipping-order/detail",
                                    {"order_code": tracking_number}, shop=False))
        updates = []
        for entry in order.get("log") or []:
            if not isinstance(entry, Mapping) or not entry.get("status"):
                continue
            code = str(entry["status"])
            status, exceptional = map_status(code)
            updates.append(TrackingUpdate(
                tracking_number, code, status,
                parse_time(entry.get("updated_date"), self._clock.now()),
                is_exception=exceptional, reason=code if exceptional else None))
        return updates

    def cancel(self, tracking_number: str) -> None:
        results = self._post("/v2/switch-status/cancel", {"order_codes": [tracking_number]})
        for result in results if isinstance(results, list) else []:
            if str(result.get("order_code")) == tracking_number:
                if result.get("result") is True:
                    return
                raise CarrierError(
                    f"GHN did not cancel {tracking_number}: {result.get('message') or 'refused'}",
                    tracking_number=tracking_number, carrier_message=result.get("message"))
        raise CarrierError(f"GHN did not report on cancelling {tracking_number}",
                           tracking_number=tracking_number)

    def verify_webhook(self, headers: Mapping[str, str], raw_body: bytes,
                       token: str | None = None) -> bool:
        if not self._webhook_token or token is None:
            return False
        return hmac.compare_digest(token.encode(), self._webhook_token.encode())

    def parse_webhook(self, raw_body: bytes) -> list[TrackingUpdate]:
        try:
            data = json.loads(raw_body)
        except ValueError as exc:
            raise CarrierError("GHN webhook body is not JSON") from exc
        items = data if isinstance(data, list) else [data]
        return [self._webhook_update(item) for item in items if isinstance(item, Mapping)]

    def health(self) -> bool:
        try:
            self._call("GET", "/master-data/province", None, shop=False)
        except (CarrierError, CarrierUnavailable):
            return False
        return True

    # -- internals --------------------------------------------------------------------------
    def _webhook_update(self, item: Mapping[str, Any]) -> TrackingUpdate:
        tracking = item.get("OrderCode")
        code = str(item.get("Status") or "")
        if not tracking or not code:
            raise CarrierError("GHN webhook without OrderCode or Status")
        kind = str(item.get("Type") or "switch_status").lower()
        status, exceptional = map_status(code)
        if kind not in STATUS_TYPES:
            status = None  # a weight/COD/fee update repeats the status, it does not move it
        if status is None and not exceptional and kind in STATUS_TYPES:
            log.info("GHN status %r of %s moves nothing", code, tracking)
        if exceptional:
            log.warning("GHN reports %r for %s: %s", code, tracking, item.get("Reason"))
        cod = item.get("CODAmount")
        collected = (Money(int(cod), CURRENCY)
                     if status is _S.DELIVERED and isinstance(cod, int | float) and cod > 0
                     else None)
        description = item.get("Description") or item.get("Reason") or None
        return TrackingUpdate(
            str(tracking), code, status, parse_time(item.get("Time"), self._clock.now()),
            description=str(description) if description else None,
            location=str(item["Warehouse"]) if item.get("Warehouse") else None,
            is_exception=exceptional,
            reason=code if exceptional else (str(item["Reason"]) if item.get("Reason")
                                             else None),
            cod_collected=collected)

    def _origin(self, origin: PostalAddress | None) -> tuple[int, str]:
        if origin is not None and origin.district_code and origin.ward_code:
            return _route(origin, "origin")
        if self._from_district is None or not self._from_ward:
            raise CarrierError("GHN needs the origin's district id and ward code "
                               "(or the shop's pickup district and ward)", field="origin")
        return self._from_district, self._from_ward

    def _order(self, request: BookingRequest) -> dict[str, Any]:
        to_district, to_ward = _route(request.destination, "destination")
        cod = request.cod_amount.amount if request.cod_amount else 0
        if request.cod_amount is not None and request.cod_amount.currency != CURRENCY:
            raise CarrierError("GHN collects VND only", currency=request.cod_amount.currency)
        if cod > MAX_COD:
            raise CarrierError(f"GHN collects at most {MAX_COD} VND on delivery", cod=cod)
        service_type = SERVICE_TYPE_IDS.get(request.service)
        if service_type is None:
            raise CarrierError(f"GHN has no service {request.service!r}",
                               service=request.service)
        destination = request.destination
        body: dict[str, Any] = {
            "client_order_code": request.reference,
            "to_name": destination.name, "to_phone": _local_phone(destination.phone),
            "to_address": destination.formatted(), "to_ward_code": to_ward,
            "to_district_id": to_district,
            **_sizes(request.parcel),
            "service_type_id": service_type,
            "payment_type_id": self._payment_type_id,
            "required_note": self._required_note,
            "cod_amount": cod,
            "insurance_value": _insurance(request.parcel),
            "content": ", ".join(f"{i.quantity} x {i.name}" for i in request.items)[:2000],
            "items": [_item(item, heavy=service_type == 5, parcel=request.parcel)
                      for item in request.items] or [
                {"name": "parcel", "quantity": 1, "weight": request.parcel.weight_g}],
        }
        if request.note:
            body["note"] = request.note
        # The pickup address: the warehouse, or the shopper for a return (GHN would otherwise
        # pick up at the shop's registered address).
        origin = request.origin
        body.update({"from_name": origin.name, "from_phone": _local_phone(origin.phone),
                     "from_address": origin.formatted(), "from_ward_name": origin.ward,
                     "from_district_name": origin.district,
                     "from_province_name": origin.province})
        return body

    def _post(self, path: str, body: Mapping[str, Any], *, shop: bool = True) -> Any:
        return self._call("POST", path, body, shop=shop)

    def _call(self, method: str, path: str, body: Mapping[str, Any] | None, *,
              shop: bool) -> Any:
        headers = {"Token": self._token, "Content-Type": "application/json"}
        if shop:
            headers["ShopId"] = self._shop_id
        response = send(CARRIER, path, lambda: self._http.request(
            method, self._base + path, headers=headers, timeout=self._timeout,
            content=json.dumps(body).encode() if body is not None else None))
        answer = json_object(CARRIER, path, response)
        code = answer.get("code")
        if response.status_code >= 400 or code != 200:
            reason = answer.get("code_message") or answer.get("message") or "refused"
            raise CarrierError(f"GHN refused {path}: {reason}", carrier="ghn",
                               status=response.status_code, code=code,
                               code_message=answer.get("code_message"),
                               carrier_message=answer.get("message"))
        return answer.get("data")


def _mapping(data: Any) -> Mapping[str, Any]:
    if isinstance(data, list) and data and isinstance(data[0], Mapping):
        return data[0]  # detail-by-client-code answers an object, some versions a list
    return data if isinstance(data, Mapping) else {}


def _vnd(currency: str) -> None:
    if currency != CURRENCY:
        raise CarrierError(f"GHN prices in VND, not {currency}", currency=currency)


def _route(address: PostalAddress, role: str) -> tuple[int, str]:
    if not address.district_code or not address.ward_code:
        raise CarrierError(f"GHN needs the {role}'s district id and ward code", field=role)
    try:
        return int(address.district_code), address.ward_code
    except ValueError as exc:
        raise CarrierError(f"{address.district_code!r} is not a GHN district id",
                           field=role) from exc


def _sizes(parcel: Parcel) -> dict[str, int]:
    return {"weight": parcel.weight_g, "length": parcel.length_cm, "width": parcel.width_cm,
            "height": parcel.height_cm}


def _insurance(parcel: Parcel) -> int:
    value = parcel.declared_value
    if value is None or value.currency != CURRENCY:
        return 0
    return min(value.amount, MAX_INSURANCE)


def _item(item: ParcelItem, *, heavy: bool, parcel: Parcel) -> dict[str, Any]:
    line: dict[str, Any] = {"name": item.name, "code": item.sku, "quantity": item.quantity}
    if item.unit_price is not None and item.unit_price.currency == CURRENCY:
        line["price"] = item.unit_price.amount
    if item.weight_g is not None:
        line["weight"] = item.weight_g
    if heavy:
        # Heavy service: GHN prices by each item's sizes.
        line.update({"length": parcel.length_cm, "width": parcel.width_cm,
                     "height": parcel.height_cm,
                     "weight": item.weight_g or parcel.weight_g})
    return line


def _local_phone(phone: str) -> str:
    """GHN wants Vietnamese numbers in the national form (0901234567)."""
    digits = "".join(c for c in phone if c.isdigit())
    if phone.strip().startswith("+84") or (digits.startswith("84") and len(digits) == 11):
        return "0" + digits[2:]
    return digits


def _optional_time(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_time(value, datetime.min.replace(tzinfo=UTC))
    return None if parsed.year == 1 else parsed
