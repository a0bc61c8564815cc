"""Carrier doubles: GHN API v2 and GrabExpress v1 as `httpx.MockTransport` handlers that keep
state (orders, deliveries, tokens) and answer with the payload shapes of
`external-apis.md` §5 and §6, plus the harnesses the carrier contract suite drives them with.

Each double can be told to fail the next call (`fail_next`): `timeout` before acting,
`timeout_after` after acting (the carrier did it, the caller did not hear), `500`, and for GHN
`code_error` (HTTP 200 with a refusal `code` in the body). Each can play the carrier moving a
parcel (`advance`), returning the webhook body the carrier would then send.
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx

from adapters.carriers.fake import FakeCarrier
from adapters.carriers.ghn import DEV_URL, GhnCarrier
from adapters.carriers.grab import SANDBOX_URL, TOKEN_URL, GrabCarrier
from adapters.memory import FrozenClock
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money
from commerce_core.shipping.ports import (
    BookingRequest,
    Carrier,
    Parcel,
    ParcelItem,
    RateRequest,
    ShipmentStatus,
)

_S = ShipmentStatus
Headers = dict[str, str]
Webhook = tuple[Headers, bytes, str | None]  # headers, raw body, URL secret


def _json(status: int, body: Any, headers: Headers | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers or {})


class _Failures:
    """Failures scripted for the next matching calls."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, str | None]] = []

    def add(self, kind: str, path: str | None) -> None:
        self.pending.append((kind, path))

    def take(self, path: str) -> str | None:
        for index, (kind, wanted) in enumerate(self.pending):
            if wanted is None or path.endswith(wanted):
                del self.pending[index]
                return kind
        return None


# -- GHN ------------------------------------------------------------------------------------


GHN_SERVICES: list[dict[str, Any]] = [
    {"service_id": 53320, "short_name": "Hang nhe", "service_type_id": 2},
    {"service_id": 100039, "short_name": "Hang nang", "service_type_id": 5},
]
GHN_REQUIRED = ("to_name", "to_phone", "to_address", "to_ward_code", "to_district_id", "weight",
                "length", "width", "height", "service_type_id", "payment_type_id",
                "required_note", "items", "cod_amount")
GHN_CANCELLABLE = frozenset({"ready_to_pick", "picking", "money_collect_picking"})


class GhnDouble:
    """GHN's shop API for one shop: services on every route, fees by weight, orders with a
    status and a log, cancellation before pickup, label tokens."""

    token = "ghn-token-3f9a"
    shop_id = 885_123
    base = DEV_URL

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.orders: dict[str, dict[str, Any]] = {}  # by order_code
        self.requests: list[httpx.Request] = []
        self.failures = _Failures()
        self.label_tokens: dict[str, list[str]] = {}
        self._numbers = itertools.count(1)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))

    def fail_next(self, kind: str, path: str | None = None) -> None:
        self.failures.add(kind, path)

    # -- the carrier's side ----------------------------------------------------------------
    def advance(self, order_code: str, status: str, *, reason: str = "",
                kind: str = "switch_status") -> dict[str, Any]:
        """The order moves at GHN; the body of the webhook GHN sends about it."""
        order = self.orders[order_code]
        self.clock.advance(timedelta(minutes=5))
        at = self.clock.now()
        order["status"] = status
        order["log"].append({"status": status, "updated_date": at.isoformat()})
        return {
            "Type": kind, "OrderCode": order_code,
            "ClientOrderCode": order["client_order_code"], "Status": status,
            "Time": at.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "Reason": reason, "ReasonCode": "",
            "Description": f"GHN {status}", "CODAmount": order["cod_amount"],
            "CODTransferDate": None, "ConvertedWeight": order["weight"],
            "Weight": order["weight"], "Length": order["length"], "Width": order["width"],
            "Height": order["height"], "Fee": {"MainService": order["total_fee"],
                                               "Total": order["total_fee"]},
            "TotalFee": order["total_fee"], "PaymentType": order["payment_type_id"],
            "ShopID": self.shop_id, "Warehouse": "Buu cuc Cau Giay", "IsPartialReturn": False,
            "PartialReturnCode": "",
        }

    def orders_for(self, client_order_code: str) -> list[dict[str, Any]]:
        return [o for o in self.orders.values()
                if o["client_order_code"] == client_order_code]

    # -- HTTP --------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/shiip/public-api")
        failure = self.failures.take(path)
        if failure == "timeout":
            raise httpx.ReadTimeout("scripted", request=request)
        if failure == "500":
            return httpx.Response(502, text="<html>Bad gateway</html>")
        if failure == "code_error":
            return _json(200, {"code": 400, "message": "Loi he thong",
                               "code_message": "SYSTEM_ERR", "data": None})
        if request.headers.get("Token") != self.token:
            return _json(401, {"code": 401, "message": "Token is not valid",
                               "code_message": "USER_ERR_TOKEN", "data": None})
        response = self._route(request, path)
        if failure == "timeout_after":
            raise httpx.ReadTimeout("scripted after acting", request=request)
        return response

    def _route(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.method == "GET" and path == "/master-data/province":
            return self._ok([{"ProvinceID": 201, "ProvinceName": "Ha Noi"}])
        if request.method != "POST":
            return _json(404, {"code": 404, "message": "not found"})
        body = json.loads(request.content or b"{}")
        shop_call = path in ("/v2/shipping-order/fee", "/v2/shipping-order/create",
                             "/v2/switch-status/cancel", "/v2/a5/gen-token")
        if shop_call and request.headers.get("ShopId") != str(self.shop_id):
            return self._refuse("ShopId is required", "USER_ERR_SHOP")
        routes: dict[str, Callable[[dict[str, Any]], httpx.Response]] = {
            "/v2/shipping-order/available-services": self._services,
            "/v2/shipping-order/fee": self._fee,
            "/v2/shipping-order/create": self._create,
            "/v2/shipping-order/detail": self._detail,
            "/v2/shipping-order/detail-by-client-code": self._detail_by_client_code,
            "/v2/switch-status/cancel": self._cancel,
            "/v2/a5/gen-token": self._gen_token,
        }
        handler = routes.get(path)
        if handler is None:
            return _json(404, {"code": 404, "message": "route not found"})
        return handler(body)

    @staticmethod
    def _ok(data: Any) -> httpx.Response:
        return _json(200, {"code": 200, "message": "Success", "data": data})

    @staticmethod
    def _refuse(message: str, code_message: str = "USER_ERR_COMMON") -> httpx.Response:
        return _json(400, {"code": 400, "message": message, "code_message": code_message,
                           "data": None})

    def _services(self, body: dict[str, Any]) -> httpx.Response:
        if body.get("shop_id") != self.shop_id or not isinstance(body.get("from_district"), int) \
                or not isinstance(body.get("to_district"), int):
            return self._refuse("shop_id, from_district and to_district are required")
        return self._ok(GHN_SERVICES)

    @staticmethod
    def price(weight: int, service_type_id: int, insurance: int = 0) -> int:
        kilos = max(1, -(-weight // 1000))
        base = 16_500 + 5_000 * (kilos - 1)
        return base * (2 if service_type_id == 5 else 1) + insurance // 200

    def _fee(self, body: dict[str, Any]) -> httpx.Response:
        for name in ("to_district_id", "to_ward_code", "weight"):
            if not body.get(name):
                return self._refuse(f"{name} is required")
        service = next((s for s in GHN_SERVICES if s["service_id"] == body.get("service_id")
                        or s["service_type_id"] == body.get("service_type_id")), None)
        if service is None:
            return self._refuse("route has no such service", "ROUTE_NOT_FOUND_SERVICE")
        insurance = int(body.get("insurance_value") or 0)
        service_fee = self.price(int(body["weight"]), int(service["service_type_id"]))
        total = service_fee + insurance // 200
        return self._ok({"total": total, "service_fee": service_fee,
                         "insurance_fee": insurance // 200, "pick_station_fee": 0,
                         "coupon_value": 0, "r2s_fee": 0, "cod_fee": 0})

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        missing = [name for name in GHN_REQUIRED if name not in body or body[name] in ("", None)]
        if missing:
            return self._refuse(f"missing {', '.join(missing)}")
        if body["required_note"] not in ("CHOTHUHANG", "CHOXEMHANGKHONGTHU", "KHONGCHOXEMHANG"):
            return self._refuse("required_note is invalid")
        if int(body["cod_amount"]) > 50_000_000:
            return self._refuse("cod_amount is over 50,000,000")
        if any("name" not in i or "quantity" not in i for i in body["items"]):
            return self._refuse("items need name and quantity")
        code = body.get("client_order_code")
        if code and self.orders_for(code):
            return self._refuse("client_order_code already exists")
        order_code = f"LB{next(self._numbers):04d}VN"
        total = self.price(int(body["weight"]), int(body["service_type_id"]),
                           int(body.get("insurance_value") or 0))
        self.orders[order_code] = {**body, "order_code": order_code,
                                   "client_order_code": code or "", "status": "ready_to_pick",
                                   "log": [], "total_fee": total}
        expected = (self.clock.now() + timedelta(days=3)).isoformat()
        return self._ok({"order_code": order_code, "sort_code": "190-G-01-A2",
                         "trans_type": "truck", "total_fee": total,
                         "expected_delivery_time": expected,
                         "fee": {"main_service": total, "insurance": 0}})

    def _detail_of(self, order: dict[str, Any] | None) -> httpx.Response:
        if order is None:
            return self._refuse("Order not found", "ORDER_NOT_FOUND")
        return self._ok({"order_code": order["order_code"],
                         "client_order_code": order["client_order_code"],
                         "status": order["status"], "total_fee": order["total_fee"],
                         "cod_amount": order["cod_amount"], "log": list(order["log"]),
                         "leadtime": (self.clock.now() + timedelta(days=3)).isoformat()})

    def _detail(self, body: dict[str, Any]) -> httpx.Response:
        return self._detail_of(self.orders.get(str(body.get("order_code"))))

    def _detail_by_client_code(self, body: dict[str, Any]) -> httpx.Response:
        found = self.orders_for(str(body.get("client_order_code")))
        return self._detail_of(found[0] if found else None)

    def _cancel(self, body: dict[str, Any]) -> httpx.Response:
        results = []
        for code in body.get("order_codes") or []:
            order = self.orders.get(code)
            if order is None:
                results.append({"order_code": code, "result": False,
                                "message": "Order not found"})
            elif order["status"] in GHN_CANCELLABLE:
                self.advance(code, "cancel")
                results.append({"order_code": code, "result": True, "message": "OK"})
            else:
                results.append({"order_code": code, "result": False,
                                "message": "Don hang khong the huy"})
        return self._ok(results)

    def _gen_token(self, body: dict[str, Any]) -> httpx.Response:
        codes = body.get("order_codes") or []
        if not codes or any(code not in self.orders for code in codes):
            return self._refuse("order_codes are unknown")
        token = str(uuid.uuid4())
        self.label_tokens[token] = list(codes)
        return self._ok({"token": token})


# -- Grab -----------------------------------------------------------------------------------


GRAB_CANCELLABLE = frozenset({"QUEUEING", "ALLOCATING", "PENDING_PICKUP", "PICKING_UP"})
GRAB_LIVE = frozenset({*GRAB_CANCELLABLE, "PENDING_DROP_OFF", "IN_DELIVERY", "IN_RETURN"})


class GrabDouble:
    """GrabExpress for one partner: OAuth2 tokens, quotes per service, deliveries with a status,
    cancellation while no driver has the parcel, and by merchant order id."""

    client_id = "grab-client-7c1"
    client_secret = "grab-secret-55e"
    base = SANDBOX_URL

    def __init__(self, clock: FrozenClock, *, currency: tuple[str, str, int] = ("VND", "₫", 0),
                 amounts: dict[str, Any] | None = None) -> None:
        self.clock = clock
        self.currency = currency
        self.amounts = amounts or {"INSTANT": 32_000, "SAME_DAY": 22_000}
        self.deliveries: dict[str, dict[str, Any]] = {}
        self.tokens: set[str] = set()
        self.tokens_issued = 0
        self.requests: list[httpx.Request] = []
        self.failures = _Failures()
        self._numbers = itertools.count(1)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle))

    def fail_next(self, kind: str, path: str | None = None) -> None:
        self.failures.add(kind, path)

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    # -- the carrier's side ----------------------------------------------------------------
    def advance(self, delivery_id: str, status: str, *,
                failed_reason: str | None = None) -> dict[str, Any]:
        delivery = self.deliveries[delivery_id]
        self.clock.advance(timedelta(minutes=5))
        delivery["status"] = status
        delivery["timeline"][status.lower()] = self.clock.now().isoformat()
        if status in ("PENDING_PICKUP", "PICKING_UP") and delivery["courier"] is None:
            delivery["courier"] = {"name": "Tran Van B", "phone": "84909000111",
                                   "vehicle": {"licensePlate": "59X1-12345"}}
        body: dict[str, Any] = {
            "deliveryID": delivery_id, "merchantOrderID": delivery["merchantOrderID"],
            "timestamp": int(self.clock.now().timestamp()), "status": status,
            "trackURL": delivery["trackingURL"], "sender": delivery["sender"],
            "recipient": delivery["recipient"], "distance": 4200,
        }
        if delivery["courier"] is not None:
            courier = delivery["courier"]
            body["driver"] = {"name": courier["name"], "phone": courier["phone"],
                              "licensePlate": courier["vehicle"]["licensePlate"],
                              "photoURL": "https://grab.test/driver.jpg",
                              "currentLat": 10.776889, "currentLng": 106.700806}
        if status == "FAILED":
            body["failedReason"] = failed_reason or "6|Could not find driver"
        return body

    def live(self, merchant_order_id: str) -> list[dict[str, Any]]:
        return [d for d in self.deliveries.values()
                if d["merchantOrderID"] == merchant_order_id and d["status"] in GRAB_LIVE]

    # -- HTTP --------------------------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        failure = self.failures.take(path)
        if failure == "timeout":
            raise httpx.ReadTimeout("scripted", request=request)
        if failure == "500":
            return _json(503, {"message": "service unavailable"})
        if str(request.url) == TOKEN_URL:
            response = self._token(request)
        else:
            response = self._api(request, path.removeprefix("/grab-express-sandbox"))
        response.headers["X-Grabkit-Grab-Requestid"] = str(uuid.uuid4())
        if failure == "timeout_after":
            raise httpx.ReadTimeout("scripted after acting", request=request)
        return response

    def _token(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content or b"{}")
        if (request.method != "POST" or body.get("client_id") != self.client_id
                or body.get("client_secret") != self.client_secret
                or body.get("grant_type") != "client_credentials"
                or body.get("scope") != "grab_express.partner_deliveries"):
            return _json(401, {"error": "invalid_client"})
        token = f"grab-token-{uuid.uuid4().hex[:12]}"
        self.tokens.add(token)
        self.tokens_issued += 1
        return _json(200, {"access_token": token, "token_type": "Bearer",
                           "expires_in": 604_799})

    def _api(self, request: httpx.Request, path: str) -> httpx.Response:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth.removeprefix("Bearer ") not in self.tokens:
            return _json(401, {"message": "unauthorized"})
        body = json.loads(request.content) if request.content else {}
        if request.method == "POST" and path == "/v1/deliveries/quotes":
            return self._quotes(body)
        if request.method == "POST" and path == "/v1/deliveries":
            return self._create(body)
        if path.startswith("/v1/merchant/deliveries/") and request.method == "DELETE":
            return self._cancel_merchant(path.rsplit("/", 1)[1])
        if path.startswith("/v1/deliveries/"):
            delivery = self.deliveries.get(path.rsplit("/", 1)[1])
            if delivery is None:
                return _json(404, {"message": "delivery not found"})
            if request.method == "GET":
                return _json(200, self._details(delivery))
            if request.method == "DELETE":
                if delivery["status"] not in GRAB_CANCELLABLE:
                    return _json(409, {"message": "delivery cannot be cancelled"})
                self.advance(delivery["deliveryID"], "CANCELED")
                return httpx.Response(204)
        return _json(404, {"message": "not found"})

    def _route_problem(self, body: dict[str, Any]) -> str | None:
        for end in ("origin", "destination"):
            if not (body.get(end) or {}).get("address"):
                return f"{end}.address is required"
        packages = body.get("packages") or []
        if not packages or any("dimensions" not in p for p in packages):
            return "packages with dimensions are required"
        service = body.get("serviceType")
        if service is not None and service not in self.amounts:
            return f"serviceType {service} is not offered"
        return None

    def _quote(self, service: str) -> dict[str, Any]:
        code, symbol, exponent = self.currency
        now = self.clock.now()
        return {"service": {"id": 0 if service == "INSTANT" else 1, "type": service,
                            "name": "Instant" if service == "INSTANT" else "Same day"},
                "currency": {"code": code, "symbol": symbol, "exponent": exponent},
                "amount": self.amounts[service],
                "estimatedTimeline": {"pickup": (now + timedelta(minutes=20)).isoformat(),
                                      "dropoff": (now + timedelta(hours=1)).isoformat()},
                "distance": 4200}

    def _quotes(self, body: dict[str, Any]) -> httpx.Response:
        problem = self._route_problem(body)
        if problem:
            return _json(400, {"message": problem})
        services = [body["serviceType"]] if body.get("serviceType") else list(self.amounts)
        return _json(200, {"quotes": [self._quote(s) for s in services],
                           "origin": body["origin"], "destination": body["destination"],
                           "packages": body["packages"]})

    def _create(self, body: dict[str, Any]) -> httpx.Response:
        problem = self._route_problem(body)
        if not problem and not body.get("merchantOrderID"):
            problem = "merchantOrderID is required"
        if not problem and body.get("serviceType") not in self.amounts:
            problem = "serviceType is required"
        if not problem and body.get("paymentMethod") == "CASHLESS" \
                and body.get("payer") == "RECIPIENT":
            problem = "payer RECIPIENT needs paymentMethod CASH"
        for role in ("sender", "recipient"):
            phone = str((body.get(role) or {}).get("phone", ""))
            if not problem and (not phone.isdigit()):
                problem = f"{role}.phone must be E.164 digits without +"
        if problem:
            return _json(400, {"message": problem})
        delivery_id = f"IN-2-{next(self._numbers):06d}"
        self.deliveries[delivery_id] = {
            "deliveryID": delivery_id, "merchantOrderID": body["merchantOrderID"],
            "status": "ALLOCATING", "serviceType": body["serviceType"],
            "trackingURL": f"https://express.grab.com/track/{delivery_id}",
            "sender": body["sender"], "recipient": body["recipient"], "courier": None,
            "cashOnDelivery": body.get("cashOnDelivery"),
            "timeline": {"create": self.clock.now().isoformat()},
            "quote": self._quote(body["serviceType"]),
        }
        return _json(200, self._details(self.deliveries[delivery_id]))

    @staticmethod
    def _details(delivery: dict[str, Any]) -> dict[str, Any]:
        out = {k: delivery[k] for k in ("deliveryID", "merchantOrderID", "status",
                                        "trackingURL", "sender", "recipient", "quote")}
        out["timeline"] = dict(delivery["timeline"])
        if delivery["courier"] is not None:
            out["courier"] = {**delivery["courier"],
                              "coordinates": {"latitude": 10.776889, "longitude": 106.700806}}
        return out

    def _cancel_merchant(self, merchant_order_id: str) -> httpx.Response:
        live = self.live(merchant_order_id)
        if not live:
            return _json(404, {"message": "no delivery for this merchant order"})
        if any(d["status"] not in GRAB_CANCELLABLE for d in live):
            return _json(409, {"message": "a delivery is already picked up"})
        for delivery in live:
            self.advance(delivery["deliveryID"], "CANCELED")
        return httpx.Response(204)


# -- harnesses for the contract suite -------------------------------------------------------

WAREHOUSE = PostalAddress(
    name="Kho Cau Giay", phone="+84241234567", line1="18 Duy Tan", ward="Dich Vong Hau",
    district="Cau Giay", province="Ha Noi", country_code="VN", ward_code="1A0807",
    district_code="1485", province_code="201")
SHOPPER = PostalAddress(
    name="Nguyễn Thị Lan", phone="0912345678", line1="25 Hàng Bài", ward="Hàng Bài",
    district="Hoàn Kiếm", province="Hà Nội", country_code="VN", ward_code="1A0101",
    district_code="1489", province_code="201", email="lan@example.test")


def rate_request(service: str | None = None, currency: str = "VND") -> RateRequest:
    return RateRequest(WAREHOUSE, SHOPPER, (Parcel(1_200, 30, 20, 10, Money(450_000, "VND")),),
                       currency, Money(450_000, "VND"), 2, service=service)


def booking_request(reference: str, service: str, *, cod: int | None = None) -> BookingRequest:
    return BookingRequest(
        reference=reference, order_id=f"order-{reference}", service=service,
        origin=WAREHOUSE, destination=SHOPPER,
        parcel=Parcel(1_200, 30, 20, 10, Money(450_000, "VND")),
        items=(ParcelItem("TEE-M", "Áo thun", 2, Money(150_000, "VND"), 400),
               ParcelItem("CAP-1", "Mũ", 1, Money(150_000, "VND"), 400)),
        currency="VND", cod_amount=Money(cod, "VND") if cod is not None else None,
        note="Goi truoc khi giao")


class Harness:
    """One carrier under contract: its adapter, how the carrier moves a parcel and says so,
    and what the carrier holds."""

    name: str
    carrier: Carrier
    service: str  # a service the carrier offers
    finds_after_timeout: bool  # whether find_booking sees a booking whose answer was lost

    def move(self, tracking_number: str, status: ShipmentStatus) -> Webhook:
        """The carrier moves the parcel to `status`; the webhook it sends about it."""
        raise NotImplementedError

    def forge(self, webhook: Webhook) -> Webhook:
        raise NotImplementedError

    def fail_next(self, kind: str, call: str) -> None:
        """`kind`: timeout, timeout_after, 500; `call`: quote or book."""
        raise NotImplementedError

    def live_bookings(self, reference: str) -> int:
        raise NotImplementedError


class FakeHarness(Harness):
    name, service, finds_after_timeout = "fake", "standard", True

    def __init__(self, clock: FrozenClock) -> None:
        self.fake = FakeCarrier(clock=clock, secret="contract-secret")
        self.carrier = self.fake

    def move(self, tracking_number: str, status: ShipmentStatus) -> Webhook:
        headers, body = self.fake.webhook(tracking_number, status)
        return headers, body, None

    def forge(self, webhook: Webhook) -> Webhook:
        headers, body, token = webhook
        tampered = body.replace(b'"status": "', b'"status": "x')
        return headers, tampered, token

    def fail_next(self, kind: str, call: str) -> None:
        if kind == "500":
            from commerce_core.shipping.ports import CarrierUnavailable

            self.fake.fail_next(error=CarrierUnavailable("fake answered 503"))
        else:
            self.fake.fail_next(after_booking=kind == "timeout_after")

    def live_bookings(self, reference: str) -> int:
        booking = self.fake.find_booking(reference)
        live = booking is not None and self.fake.status_of(booking.tracking_number) is not (
            _S.CANCELLED)
        return 1 if live else 0


GHN_MOVES = {
    _S.ASSIGNED: "picking", _S.PICKED_UP: "picked", _S.IN_TRANSIT: "transporting",
    _S.OUT_FOR_DELIVERY: "delivering", _S.DELIVERED: "delivered",
    _S.DELIVERY_FAILED: "delivery_fail", _S.RETURNING: "return",
    _S.RETURNED_TO_SENDER: "returned", _S.CANCELLED: "cancel",
}
GHN_PATHS = {"quote": "/v2/shipping-order/available-services",
             "book": "/v2/shipping-order/create"}


class GhnHarness(Harness):
    name, service, finds_after_timeout = "ghn", "standard", True
    webhook_token = "hook-6d1f0c"

    def __init__(self, clock: FrozenClock) -> None:
        self.double = GhnDouble(clock)
        self.carrier = GhnCarrier(
            GhnDouble.token, GhnDouble.shop_id, base_url=GhnDouble.base,
            from_district_id=1485, from_ward_code="1A0807", webhook_token=self.webhook_token,
            http=self.double.client(), timeout=5, clock=clock)

    def move(self, tracking_number: str, status: ShipmentStatus) -> Webhook:
        body = self.double.advance(tracking_number, GHN_MOVES[status])
        return {"Content-Type": "application/json"}, json.dumps(body).encode(), \
            self.webhook_token

    def forge(self, webhook: Webhook) -> Webhook:
        headers, body, _ = webhook
        return headers, body, "hook-guessed"

    def fail_next(self, kind: str, call: str) -> None:
        self.double.fail_next(kind, GHN_PATHS[call])

    def live_bookings(self, reference: str) -> int:
        return sum(1 for o in self.double.orders_for(reference) if o["status"] != "cancel")


GRAB_MOVES = {
    _S.ASSIGNED: "PENDING_PICKUP", _S.PICKED_UP: "PENDING_DROP_OFF",
    _S.IN_TRANSIT: "PENDING_DROP_OFF", _S.OUT_FOR_DELIVERY: "IN_DELIVERY",
    _S.DELIVERED: "COMPLETED", _S.RETURNING: "IN_RETURN", _S.RETURNED_TO_SENDER: "RETURNED",
    _S.CANCELLED: "CANCELLED",
}
GRAB_PATHS = {"quote": "/v1/deliveries/quotes", "book": "/v1/deliveries"}


class GrabHarness(Harness):
    name, service, finds_after_timeout = "grab", "instant", False
    webhook_secret = "grab-hook-2b8e"

    def __init__(self, clock: FrozenClock) -> None:
        self.double = GrabDouble(clock)
        self.carrier = GrabCarrier(
            GrabDouble.client_id, GrabDouble.client_secret, sandbox=True,
            webhook_secret=self.webhook_secret, http=self.double.client(), timeout=5,
            clock=clock)

    def move(self, tracking_number: str, status: ShipmentStatus) -> Webhook:
        body = self.double.advance(tracking_number, GRAB_MOVES[status])
        return ({"Content-Type": "application/json", "Authorization": self.webhook_secret},
                json.dumps(body).encode(), None)

    def forge(self, webhook: Webhook) -> Webhook:
        headers, body, token = webhook
        return {**headers, "Authorization": "grab-hook-guess"}, body, token

    def fail_next(self, kind: str, call: str) -> None:
        self.double.fail_next(kind, GRAB_PATHS[call])

    def live_bookings(self, reference: str) -> int:
        return len(self.double.live(reference))


HARNESSES: dict[str, Callable[[FrozenClock], Harness]] = {
    "fake": FakeHarness, "ghn": GhnHarness, "grab": GrabHarness,
}

