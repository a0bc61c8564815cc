"""Payments over HTTP for operators: an order's payments with their ledger, a capture in parts,
the release of the rest, and the refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ADMIN, Api, assert_problem


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
