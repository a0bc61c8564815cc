"""The risk check over HTTP: what `POST /orders` passes it (the client IP from the trusted
proxy's header, billing country, card fingerprint), the review queue and decisions under
`/admin/fraud`, an order's risk, and the refusals."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import pytest

import adapters.memory
from adapters.memory import FrozenClock, InMemoryGeoIp, ScriptedPaymentGateway, SequentialIds
from commerce_core.app import Commerce
from commerce_core.fraud.ports import Anonymity
from commerce_core.fraud.services import FraudPolicy
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, Api, assert_problem, seed_shop
from tests.e2e.tokens import shopper_client

VPN_IN_VN = "198.51.100.7"
GEO = InMemoryGeoIp({"198.51.100.0/24": "VN"},
                    {"198.51.100.0/25": Anonymity(vpn=True, network="198.51.100.0/25")})
PROXY = {"X-Forwarded-For": f"{VPN_IN_VN}, 10.0.0.1"}


@pytest.fixture
def shop() -> Iterator[Api]:
    ports = adapters.memory.bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                                   ids=SequentialIds())
    commerce = Commerce(attrs.evolve(ports, geoip=GEO),
                        fraud_policy=FraudPolicy(blocked_email_domains={"fraud.example"}))
    seed_shop(commerce)
    settings = Settings(database_url="memory://", operator_token=OPERATOR_TOKEN,
                        client_ip_header="X-Forwarded-For")
    with shopper_client(create_app(commerce, settings)) as client:
        yield Api(client, commerce)


def reviewed_order(api: Api) -> str:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 1))
    placed = api.client.post("/orders", json={"cart_id": cart_id, "billing_country": "GB"},
                             headers=PROXY)
    assert placed.status_code == 201, placed.text
    return str(placed.json()["order_id"])


def risk(api: Api, order_id: str) -> dict[str, Any]:
    response = api.client.get(f"/admin/orders/{order_id}/risk", headers=ADMIN)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_reviewed_order_waits_in_the_queue_and_is_captured_once_approved(shop: Api) -> None:
    order_id = reviewed_order(shop)

    queue = shop.client.get("/admin/fraud/reviews", headers=ADMIN)
    held = shop.client.post(f"/admin/orders/{order_id}/capture", headers=ADMIN)
    approved = shop.client.post(f"/admin/fraud/reviews/{order_id}/approve", headers=ADMIN,
                                json={"reviewed_by": "lan", "note": "called the buyer"})
    captured = shop.client.post(f"/admin/orders/{order_id}/capture", headers=ADMIN)

    assert [r["order_id"] for r in queue.json()] == [order_id]
    shown = risk(shop, order_id)
    assert (shown["score"], shown["decision"], shown["review"]) == (50, "review", "approved")
    by_name = {s["name"]: s for s in shown["signals"]}
    assert by_name["anonymous_ip"]["points"] == 30
    assert by_name["anonymous_ip"]["explanation"] == "the address is vpn (198.51.100.0/25)"
    assert by_name["ip_country_mismatch"]["points"] == 20
    assert shown["explanation"][0] == "score 50/100: review (review approved)"
    assert_problem(held, 409, "fraud.capture_held")
    assert approved.status_code == 200, approved.text
    assert (approved.json()["reviewed_by"], approved.json()["review_note"]) == (
        "lan", "called the buyer")
    assert captured.status_code == 200, captured.text
    assert shop.order(order_id)["status"] == "paid"


def test_a_rejected_order_is_cancelled_and_its_stock_released(shop: Api) -> None:
    order_id = reviewed_order(shop)
    assert shop.reserved("LINEN-SHIRT-M") == 1

    rejected = shop.client.post(f"/admin/fraud/reviews/{order_id}/reject", headers=ADMIN)
    again = shop.client.post(f"/admin/fraud/reviews/{order_id}/approve", headers=ADMIN)

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["review"] == "rejected"
    assert shop.order(order_id)["status"] == "cancelled"
    assert shop.reserved("LINEN-SHIRT-M") == 0
    assert_problem(again, 409, "fraud.not_under_review")


def test_a_blocked_order_is_refused_without_saying_why(shop: Api) -> None:
    cart_id = shop.filled_cart(("LINEN-SHIRT-M", 1))

    blocked = shop.place_order(cart_id, email="x@fraud.example")

    body = assert_problem(blocked, 409, "fraud.blocked")
    assert "blocklist" not in body["detail"]
    assert shop.reserved("LINEN-SHIRT-M") == 0
    assert shop.cart(cart_id)["status"] == "active"
    assert risk(shop, body["order_id"])["decision"] == "block"


def test_an_allowed_order_is_not_queued_and_shows_its_assessment(shop: Api) -> None:
    placed = shop.place_order(shop.filled_cart(("CANVAS-TOTE", 1)), email="an@example.vn",
                              card_fingerprint="fp_9Xk2")
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]

    assert shop.client.get("/admin/fraud/reviews", headers=ADMIN).json() == []
    shown = risk(shop, order_id)
    assert (shown["score"], shown["decision"], shown["review"]) == (10, "allow", "none")
    # The test client's own address is no IP: the GeoIP signals say so.
    assert {s["name"]: s["available"] for s in shown["signals"]}["anonymous_ip"] is False


@pytest.mark.parametrize(("fields", "status", "code"), [
    ({"billing_country": "Vietnam"}, 422, "request.invalid"),
    ({"card_fingerprint": "4111 1111"}, 422, "request.invalid"),
    ({"card_fingerprint": "4111111111111111"}, 422, "request.invalid"),
])
def test_bad_risk_fields_are_refused_and_change_nothing(
    shop: Api, fields: dict[str, str], status: int, code: str,
) -> None:
    cart_id = shop.filled_cart(("LINEN-SHIRT-M", 1))
    before = shop.outbox_rows()

    assert_problem(shop.place_order(cart_id, **fields), status, code)
    assert shop.outbox_rows() == before
    assert shop.cart(cart_id)["status"] == "active"


def test_fraud_admin_routes_need_the_operator_token(shop: Api) -> None:
    order_id = reviewed_order(shop)

    for method, path in (("GET", "/admin/fraud/reviews"),
                         ("POST", f"/admin/fraud/reviews/{order_id}/approve"),
                         ("POST", f"/admin/fraud/reviews/{order_id}/reject"),
                         ("GET", f"/admin/orders/{order_id}/risk")):
        assert_problem(shop.client.request(method, path), 401, "auth.unauthenticated")
    assert risk(shop, order_id)["review"] == "pending"


def test_an_order_never_assessed_has_no_risk(shop: Api) -> None:
    assert_problem(shop.client.get("/admin/orders/nope/risk", headers=ADMIN), 404,
                   "fraud.assessment_not_found")
