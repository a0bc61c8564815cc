"""Acceptance of shipping and returns: one guest order's whole journey over real HTTP on
PostgreSQL, with GHN played by its HTTP double.

The shopper quotes the cart with GHN and orders with that quote; staff capture, pick, pack and
hand the parcel to GHN; GHN's webhooks carry it to delivered. The shopper returns the shirt,
a GHN return label is booked, staff receive, inspect and complete the return; the refund is
paid once (even when the completion is delivered again) and the shirt is back in the ledger of
the warehouse it left. An order stream opened right after checkout sees every step, in order,
each once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import httpx
import pytest
from fastapi import FastAPI

from adapters import sql
from adapters.carriers.ghn import GhnCarrier
from adapters.carriers.registry import CarrierRegistry
from adapters.memory import FrozenClock, ScriptedPaymentGateway
from commerce_core.app import Commerce
from commerce_core.fulfillment.model import FulfillmentPolicy
from commerce_core.inventory.warehouses import Address, WarehouseDetails
from commerce_core.returns.model import ReturnPolicy
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import Uuid7Generator
from entrypoints.http import create_app
from entrypoints.http.order_events import streams_of
from entrypoints.settings import Settings
from tests.carrier_doubles import GhnDouble
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, seed_shop
from tests.shop import assert_nothing_leaked, every_event
from tests.sse_support import EventStream, Message, serving

HOOK = "hook-5c2e91"  # the secret in GHN's webhook URL
SHOP_DISTRICT, SHOP_WARD = 1442, "20109"  # the shop's GHN pickup district and ward
SHIP_TO = {"name": "Tran Thi B", "phone": "0912345678", "line1": "5 Hang Bai",
           "ward": "Hang Bai", "district": "Hoan Kiem", "province": "Ha Noi",
           "country_code": "VN", "province_code": "201", "district_code": "1489",
           "ward_code": "1A0104"}
RETURNS_DESK = PostalAddress("Returns desk", "0281234567", "9 Nguyen Hue", "Ho Chi Minh", "VN",
                             ward="Ben Nghe", district="Quan 1", ward_code=SHOP_WARD,
                             district_code=str(SHOP_DISTRICT))
SHIRT, SHIRT_PRICE = "LINEN-SHIRT-M", 350_000
# GHN standard (service type 2) for a 500 g parcel (a unit without a weight), insured at value.
GHN_STANDARD = GhnDouble.price(500, 2, insurance=SHIRT_PRICE)

# The steps the order's stream must tell, in this order (other events may come between): an
# event's type, or for a status change `<what>:<new status>`.
STORY = [
    "order:confirmed", "order.confirmed", "payment.captured", "order:paid",
    "fulfillment:picking", "order:processing", "fulfillment:picked", "fulfillment:packed",
    "fulfillment:ready", "shipping.shipment_created", "shipping.shipment_booked",
    "shipment:booked", "fulfillment:shipped",
    "shipment:picked_up", "order:shipped", "shipment:in_transit", "shipment:delivered",
    "shipping.shipment_delivered", "order:delivered",
    "returns.return_requested", "returns.return_approved", "returns.return_completed",
    "payment.refunded", "order:returned",
]
STATUS_CHANGES = {"order.status_changed": "order", "fulfillment.status_changed": "fulfillment",
                  "shipping.shipment_status_changed": "shipment"}


class Journey:
    """The shop over HTTP, as the shopper (with the cart's token) and staff call it."""

    def __init__(self, commerce: Commerce, app: FastAPI, ghn: GhnDouble, base: str,
                 http: httpx.Client) -> None:
        self.commerce, self.app, self.ghn, self.base, self.http = commerce, app, ghn, base, http
        self.reach: dict[str, str] = {}

    def call(self, method: str, path: str, status: int = 200, *, staff: bool = False,
             **kwargs: Any) -> Any:
        headers = ADMIN if staff else self.reach
        response = self.http.request(method, path, headers=headers, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.text}"
        return response.json()

    def staff(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        return self.call(method, path, status, staff=True, **kwargs)

    def ghn_posts(self, body: dict[str, Any]) -> dict[str, Any]:
        """GHN posts a webhook to the shop's secret URL."""
        answer = self.http.post(f"/webhooks/carriers/ghn/{HOOK}", json=body)
        assert answer.status_code == 200, answer.text
        found: dict[str, Any] = answer.json()
        return found

    def timeline(self, order_id: str) -> list[EventEnvelope]:
        """The order's events its stream admits, from the outbox, oldest first."""
        timeline = self.commerce.ports.timeline
        assert timeline is not None
        rules = streams_of(self.app).rules
        return [e for e in timeline.events(order_id, after=None, limit=1000)
                if rules.admits(e, order_id)]

    def stock_on_hand(self) -> int:
        (level,) = self.staff("GET", "/admin/stock", params={"sku": SHIRT})
        return int(level["on_hand"])


@pytest.fixture
def journey(postgres_url: str) -> Iterator[Journey]:
    clock = FrozenClock()
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=clock,
                       ids=Uuid7Generator(), pool_size=4)
    ghn = GhnDouble(clock)
    ports.carriers = CarrierRegistry([GhnCarrier(
        GhnDouble.token, GhnDouble.shop_id, base_url=GhnDouble.base,
        from_district_id=SHOP_DISTRICT, from_ward_code=SHOP_WARD, webhook_token=HOOK,
        http=ghn.client(), timeout=5, clock=clock)])
    commerce = Commerce(ports, fulfillment_policy=FulfillmentPolicy(qc_sample_percent=0),
                        return_policy=ReturnPolicy(return_carrier="ghn",
                                                   return_address=RETURNS_DESK))
    seed_shop(commerce)
    commerce.inventory.update_warehouse("HCM", "Ho Chi Minh City", WarehouseDetails(
        address=Address(line1="9 Nguyen Hue", city="Ho Chi Minh", state_province="Ho Chi Minh",
                        country_code="VN"), phone="0283333333"))
    settings = Settings(database_url=postgres_url, operator_token=OPERATOR_TOKEN,
                        order_stream_heartbeat_seconds=0.2)
    app = create_app(commerce, settings)
    with serving(app) as base, httpx.Client(base_url=base, timeout=10) as http:
        yield Journey(commerce, app, ghn, base, http)


def ordered_subsequence(wanted: list[str], types: list[str]) -> bool:
    remaining = iter(types)
    return all(any(t == step for t in remaining) for step in wanted)


def test_an_order_ships_with_ghn_is_delivered_comes_back_and_is_refunded_once(
        journey: Journey) -> None:
    j, ghn = journey, journey.ghn

    # Staff offer GHN's standard service at its live price.
    j.staff("POST", "/admin/shipping-methods", 201, json={
        "code": "ghn-standard", "name": "GHN Standard", "type": "carrier", "carrier": "ghn",
        "service": "standard", "markup_percent": 0, "estimated_days_max": 3})

    # A guest fills a cart, quotes it to a Ha Noi address and orders with GHN's quote.
    cart = j.call("POST", "/carts", 201, json={})
    j.reach = {"X-Cart-Token": cart["access_token"]}
    j.call("POST", f"/carts/{cart['id']}/items", 201, json={"sku": SHIRT, "quantity": 1})
    (option,) = j.call("POST", f"/carts/{cart['id']}/shipping-rates", json=SHIP_TO)["options"]
    assert (option["method_code"], option["amount"]["amount"]) == ("ghn-standard", GHN_STANDARD)
    placed = j.call("POST", "/orders", 201, json={
        "cart_id": cart["id"], "email": "b@example.vn", "shipping_quote_id": option["quote_id"]})
    order_id = placed["order_id"]
    order = j.call("GET", f"/orders/{order_id}")
    assert order["totals"]["shipping"]["amount"] == GHN_STANDARD
    assert order["totals"]["total"]["amount"] == SHIRT_PRICE + GHN_STANDARD
    assert j.commerce.orders.get(order_id).shipping_method == "ghn:standard"

    # The shopper follows the order from here on.
    with EventStream(f"{j.base}/orders/{order_id}/events", j.reach) as stream:
        assert stream.status == 200

        # Staff take the payment, pick, pack and hand the parcel to GHN.
        j.staff("POST", f"/admin/orders/{order_id}/capture")
        (fulfillment,) = j.staff("GET", f"/admin/orders/{order_id}/fulfillments")
        pick_and_pack(j, fulfillment["id"])
        (shipment,) = j.staff("POST", "/admin/shipments", 201,
                              json={"fulfillment_id": fulfillment["id"]})
        tn = shipment["tracking_number"]
        assert (shipment["carrier"], shipment["status"]) == ("ghn", "booked")
        (booked,) = ghn.orders_for(shipment["id"])
        assert (booked["order_code"], booked["to_district_id"], booked["to_ward_code"]) == (
            tn, 1489, "1A0104")

        # GHN picks the parcel up, carries it and delivers it; each webhook moves it once.
        for ghn_status, order_status in (("picked", "shipped"), ("transporting", "shipped"),
                                         ("delivered", "delivered")):
            report = ghn.advance(tn, ghn_status)
            assert j.ghn_posts(report)["applied"] == 1
            assert j.call("GET", f"/orders/{order_id}")["status"] == order_status
        assert j.ghn_posts(report)["duplicates"] == 1  # GHN retries: nothing moves twice
        assert [s["status"] for s in j.call("GET", f"/orders/{order_id}/shipments")] == [
            "delivered"]
        assert j.stock_on_hand() == 9

        # The shopper returns the shirt as defective: approved at once, with a GHN label from
        # the shopper's address to the returns desk.
        (line,) = order["lines"]
        ret = j.call("POST", f"/orders/{order_id}/returns", 201, json={
            "lines": [{"order_item_id": line["id"], "quantity": 1}], "reason": "defective"})
        assert ret["status"] == "approved"
        refund_due = ret["refund"]["total"]["amount"]
        assert refund_due == SHIRT_PRICE + GHN_STANDARD  # the seller's fault: shipping too
        label = ghn.orders[ret["tracking_number"]]
        assert (label["to_district_id"], label["to_ward_code"]) == (SHOP_DISTRICT, SHOP_WARD)
        assert label["from_address"].startswith("5 Hang Bai")

        # The warehouse receives it, finds it as new, and completes the return.
        received = j.staff("POST", f"/admin/returns/{ret['id']}/receive")
        (item,) = received["items"]
        j.staff("POST", f"/admin/returns/{ret['id']}/inspect", json={"results": [
            {"item_id": item["id"], "accepted": 1, "condition": "new",
             "disposition": "restock"}]})
        done = j.staff("POST", f"/admin/returns/{ret['id']}/complete")
        assert (done["status"], done["refund_state"]) == ("completed", "done")

        stream.until(lambda m: step(m) == "order:returned")
        stream.quiet(0.3)  # and nothing twice

    # The stream told the whole story once, in order.
    received_ids = [m.id for m in stream.received]
    assert len(received_ids) == len(set(received_ids))
    types = [m.type for m in stream.received]
    assert ordered_subsequence(STORY, [step(m) for m in stream.received]), types
    assert received_ids == [e.id for e in j.timeline(order_id)]  # every step of the order

    # Refunded exactly once, even when the completion is delivered twice more (the inbox
    # knows it), and once as if it were another event (the refund's key is the return's).
    commerce = j.commerce
    with commerce.ports.uow() as uow:
        (completed,) = [e for e in every_event(uow) if e.type == "returns.return_completed"]
    for again in (completed, completed, attrs.evolve(completed, id=Uuid7Generator().new_id())):
        assert commerce.bus.deliver(again) == {}
    (refund,) = commerce.payments.refunds(order_id)
    assert (refund.amount.amount, refund.idempotency_key) == (refund_due, f"{ret['id']}:refund")
    gateway = commerce.ports.gateway
    assert isinstance(gateway, ScriptedPaymentGateway)
    assert len({key for call, key in gateway.calls if call == "refund"}) == 1
    assert sum(a.refunded for a in gateway.authorizations.values()) == refund_due
    assert j.call("GET", f"/orders/{order_id}")["status"] == "returned"

    # The shirt is back on the shelf it left, through the ledger.
    movements = j.staff("GET", "/admin/stock-movements",
                        params={"sku": SHIRT, "reference": ret["id"]})
    assert [(m["type"], m["on_hand_change"], m["on_hand_after"], m["warehouse_id"])
            for m in movements] == [("return", 1, 10, line["warehouse_id"])]
    assert j.stock_on_hand() == 10
    assert_nothing_leaked(commerce)  # holds released, every ledger sums to its counters


def pick_and_pack(j: Journey, fulfillment_id: str) -> None:
    picklist = j.staff("POST", "/admin/picklists", 201, json={"warehouse": "HCM"})
    j.staff("POST", f"/admin/picklists/{picklist['id']}/complete", json={})
    j.staff("POST", f"/admin/fulfillments/{fulfillment_id}/start-packing")
    j.staff("POST", f"/admin/fulfillments/{fulfillment_id}/packages", json={"packages": [
        {"weight_grams": 500, "length_cm": 30, "width_cm": 20, "height_cm": 5}]})
    assert j.staff("POST", f"/admin/fulfillments/{fulfillment_id}/ready")["status"] == "ready"


def step(message: Message) -> str:
    what = STATUS_CHANGES.get(message.type)
    return f"{what}:{message.json()['data']['new_status']}" if what else message.type
