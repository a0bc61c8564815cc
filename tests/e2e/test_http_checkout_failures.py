"""Checkouts that fail over HTTP: each gives back what it took and says why, as a problem."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from adapters.memory import ScriptedPaymentGateway
from commerce_core.app import Commerce
from entrypoints.http import create_app
from tests.e2e.conftest import Api, Seeded, assert_problem, settings
from tests.e2e.tokens import shopper_client


def test_a_declined_payment_releases_the_stock_and_reopens_the_cart(
    api: Api, gateway: ScriptedPaymentGateway
) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 2), ("CANVAS-TOTE", 1))
    gateway.script("decline")

    response = api.place_order(cart_id, key="declined-1")

    problem = assert_problem(response, 409, "payment.declined")
    assert problem["decline_code"] == "card_declined"
    assert api.reserved("LINEN-SHIRT-M") == api.reserved("CANVAS-TOTE") == 0
    assert api.cart(cart_id)["status"] == "active"
    assert gateway.held() == []


def test_after_a_decline_the_cart_can_be_edited_and_ordered_with_a_new_key(
    api: Api, gateway: ScriptedPaymentGateway
) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 2))
    gateway.script("decline")
    api.place_order(cart_id, key="declined-2")
    line_id = api.cart(cart_id)["lines"][0]["id"]

    edited = api.client.patch(f"/carts/{cart_id}/items/{line_id}", json={"quantity": 1})
    retried = api.place_order(cart_id, key="declined-2-retry")

    assert edited.status_code == 200
    assert edited.json()["item_count"] == 1
    assert retried.status_code == 201, retried.text
    assert retried.json()["status"] == "confirmed"
    assert api.reserved("LINEN-SHIRT-M") == 1


def test_replaying_a_declined_request_repeats_the_failure(
    api: Api, gateway: ScriptedPaymentGateway
) -> None:
    cart_id = api.filled_cart(("CANVAS-TOTE", 1))
    gateway.script("decline")
    api.place_order(cart_id, key="declined-3")

    replay = api.place_order(cart_id, key="declined-3")

    problem = assert_problem(replay, 409, "checkout.failed")
    assert problem["failure_code"] == "payment.declined"
    assert api.reserved("CANVAS-TOTE") == 0


@pytest.mark.parametrize(("outcome", "code"), [("error", "payment.gateway_unavailable"),
                                                ("timeout", "payment.gateway_timeout")])
def test_a_gateway_outage_is_a_503_and_takes_nothing(
    api: Api, gateway: ScriptedPaymentGateway, outcome: str, code: str
) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-L", 3))
    gateway.script(outcome)

    response = api.place_order(cart_id, key=f"outage-{outcome}")

    assert_problem(response, 503, code)
    assert api.reserved("LINEN-SHIRT-L") == 0
    assert api.cart(cart_id)["status"] == "active"
    assert gateway.held() == []


def test_the_last_units_go_to_the_first_order_and_the_second_is_told_what_is_left(
    api: Api,
) -> None:
    first = api.filled_cart(("CANVAS-TOTE", 3))
    second = api.filled_cart(("CANVAS-TOTE", 1))
    assert api.place_order(first, key="tote-1").status_code == 201

    response = api.place_order(second, key="tote-2")

    problem = assert_problem(response, 409, "inventory.insufficient_stock")
    assert (problem["sku"], problem["requested"], problem["available"]) == ("CANVAS-TOTE", 1, 0)
    assert api.cart(second)["status"] == "active"
    assert api.client.get("/stock/CANVAS-TOTE").json() == {
        "sku": "CANVAS-TOTE", "available": 0, "in_stock": False}


@pytest.fixture
def crashing_client(commerce: Commerce, seeded: Seeded) -> Iterator[TestClient]:
    """A client that gets the 500 a crashed process would give, instead of the exception."""
    with shopper_client(create_app(commerce, settings()), raise_server_exceptions=False) as client:
        yield client


def test_a_duplicate_of_a_checkout_still_running_is_a_409_naming_the_checkout(
    commerce: Commerce, crashing_client: TestClient
) -> None:
    api = Api(crashing_client, commerce)
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 1))

    def crash(step: str) -> None:
        if step == "stock_reserved":
            raise RuntimeError("worker lost mid-checkout")

    commerce.checkout_runner.probe = crash
    crashed = api.place_order(cart_id, key="in-flight-1")
    commerce.checkout_runner.probe = lambda step: None

    duplicate = api.place_order(cart_id, key="in-flight-1")

    assert_problem(crashed, 500, "internal.error")
    assert "worker lost" not in crashed.text
    problem = assert_problem(duplicate, 409, "checkout.in_progress")
    checkout = crashing_client.get(f"/checkouts/{problem['checkout_id']}")
    assert checkout.status_code == 200
    assert (checkout.json()["status"], checkout.json()["step"]) == ("running", "order_created")
