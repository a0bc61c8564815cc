"""Payments over HTTP for operators: an order's payments with their ledger, a capture in parts,
the release of the rest, and the refusals that change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import adapters.memory
from adapters.memory import (
    FrozenClock,
    InMemoryBreakerStore,
    ScriptedPaymentGateway,
    SequentialIds,
)
from adapters.payments import BankTransferGateway, CashOnDeliveryGateway
from commerce_core.app import Commerce
from commerce_core.payment.routing import GatewayProfile, GatewayRouter, RoutingTable
from entrypoints.http import create_app
from tests.e2e.conftest import ADMIN, Api, assert_problem, seed_shop, settings
from tests.e2e.tokens import keeping_tokens


@pytest.fixture
def order(api: Api) -> dict[str, Any]:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 2), ("CANVAS-TOTE", 1))
    response = api.place_order(cart_id, key="order-1", email="an@example.vn")
    assert response.status_code == 201, response.text
    return dict(response.json())


def payments(api: Api, order_id: str) -> list[dict[str, Any]]:
    response = api.client.get(f"/admin/orders/{order_id}/payments", headers=ADMIN)
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_capture_in_parts_then_the_release_of_the_rest_shows_in_the_ledger(
    api: Api, order: dict[str, Any]
) -> None:
    order_id = order["order_id"]
    (before,) = payments(api, order_id)
    total = before["authorized"]["amount"]
    part = {"amount": {"amount": total // 2, "currency": "VND"}, "final": False}

    captured = api.client.post(f"/admin/orders/{order_id}/payments/capture", json=part,
                               headers=ADMIN)
    released = api.client.post(f"/admin/orders/{order_id}/payments/void",
                               json={"reason": "the rest is out of stock"}, headers=ADMIN)

    assert captured.status_code == 200, captured.text
    assert captured.json()["status"] == "partially_captured"
    assert captured.json()["capturable"]["amount"] == total - total // 2
    assert released.status_code == 200, released.text
    detail = api.client.get(f"/admin/payments/{before['id']}", headers=ADMIN).json()
    assert detail["status"] == "captured"
    assert detail["captured"]["amount"] == detail["refundable"]["amount"] == total // 2
    assert [(t["kind"], t["status"], t["amount"]["amount"]) for t in detail["ledger"]] == [
        ("authorize", "succeeded", total), ("capture", "succeeded", total // 2),
        ("void", "succeeded", total - total // 2)]
    assert api.order(order_id)["status"] == "paid"


def test_a_capture_above_the_authorization_is_a_409_and_changes_nothing(
    api: Api, order: dict[str, Any]
) -> None:
    order_id = order["order_id"]
    (before,) = payments(api, order_id)
    too_much = {"amount": {"amount": before["authorized"]["amount"] + 1, "currency": "VND"}}

    response = api.client.post(f"/admin/orders/{order_id}/payments/capture", json=too_much,
                               headers=ADMIN)

    assert_problem(response, 409, "payment.capture_not_possible")
    assert payments(api, order_id) == [before]


@pytest.mark.parametrize("body", [{"amount": {"amount": 0, "currency": "VND"}},
                                  {"final": "sometimes"}, {"surprise": 1}])
def test_a_malformed_capture_is_a_422_and_changes_nothing(
    api: Api, order: dict[str, Any], body: dict[str, Any]
) -> None:
    (before,) = payments(api, order["order_id"])

    response = api.client.post(f"/admin/orders/{order['order_id']}/payments/capture", json=body,
                               headers=ADMIN)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert payments(api, order["order_id"]) == [before]


def test_payments_need_the_operator(api: Api, order: dict[str, Any]) -> None:
    for response in (api.client.get(f"/admin/orders/{order['order_id']}/payments"),
                     api.client.post(f"/admin/orders/{order['order_id']}/payments/void")):
        assert response.status_code == 401
    assert payments(api, order["order_id"])[0]["status"] == "authorized"


def test_an_unknown_order_or_payment_is_a_404(api: Api) -> None:
    assert_problem(api.client.get("/admin/orders/nope/payments", headers=ADMIN), 404,
                   "ordering.order_not_found")
    assert api.client.get("/admin/payments/nope", headers=ADMIN).status_code == 404


# -- cash on delivery and bank transfer ----------------------------------------------------------
INSTRUCTIONS = "https://shop.test/pay/transfer?ref={reference}&amount={amount}"


@pytest.fixture
def offline_api() -> Iterator[Api]:
    clock = FrozenClock()
    card = ScriptedPaymentGateway(name="fake")
    router = GatewayRouter(
        [card, CashOnDeliveryGateway(), BankTransferGateway(instructions_url=INSTRUCTIONS)],
        routes=RoutingTable.parse("cod=cod; bank_transfer=bank_transfer"),
        profiles={"cod": GatewayProfile(methods=frozenset({"cod"})),
                  "bank_transfer": GatewayProfile(methods=frozenset({"bank_transfer"}))},
        breakers=InMemoryBreakerStore(), clock=clock)
    ports = adapters.memory.bundle(gateway=card, clock=clock, ids=SequentialIds())
    ports.gateways = router
    commerce = Commerce(ports)
    seed_shop(commerce)
    with keeping_tokens(TestClient(create_app(commerce, settings()))) as client:
        yield Api(client, commerce)


def test_a_courier_collects_cash_on_delivery_and_a_short_collection_is_flagged(
    offline_api: Api,
) -> None:
    api = offline_api
    placed = api.place_order(api.filled_cart(("LINEN-SHIRT-M", 1)), key="cod-1",
                             payment_method="cod")
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    (before,) = payments(api, order_id)

    short = before["authorized"]["amount"] - 10_000
    collected = api.client.post(f"/admin/orders/{order_id}/payments/collection", headers=ADMIN,
                                json={"collected": {"amount": short, "currency": "VND"}})

    assert before["gateway"] == "cod"
    assert collected.status_code == 200, collected.text
    assert collected.json()["status"] == "captured"
    assert collected.json()["captured"]["amount"] == short
    assert api.order(order_id)["status"] == "paid"


def test_a_bank_transfer_waits_then_staff_confirm_it_once(offline_api: Api) -> None:
    api = offline_api
    placed = api.place_order(api.filled_cart(("LINEN-SHIRT-M", 1)), key="bt-1",
                             payment_method="bank_transfer")
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    (waiting,) = payments(api, order_id)
    reference = api.commerce.payments.get(waiting["id"]).reference
    owed = waiting["authorized"]
    wrong = {"amount": {"amount": owed["amount"] - 1, "currency": "VND"}}
    right = {"amount": {"amount": owed["amount"], "currency": "VND"}}

    mismatch = api.client.post(f"/admin/bank-transfers/{reference}/confirm", json=wrong,
                               headers=ADMIN)
    first = api.client.post(f"/admin/bank-transfers/{reference}/confirm", json=right,
                            headers=ADMIN)
    again = api.client.post(f"/admin/bank-transfers/{reference}/confirm", json=right,
                            headers=ADMIN)
    unknown = api.client.post("/admin/bank-transfers/BTNOPE/confirm", json=right, headers=ADMIN)

    assert waiting["status"] == "requires_action"
    assert placed.json()["payment_url"] == INSTRUCTIONS.format(reference=reference,
                                                               amount=owed["amount"])
    assert_problem(mismatch, 409, "checkout.transfer_amount_mismatch")
    assert first.json() == {"outcome": "confirmed"}
    assert again.json() == {"outcome": "already_settled"}
    assert unknown.status_code == 404
    assert api.order(order_id)["status"] == "confirmed"
