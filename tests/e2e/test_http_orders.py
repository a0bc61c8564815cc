"""Orders over HTTP: reading one, cancelling it, and what operators do with them."""

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


def test_cancelling_an_order_releases_its_stock_and_voids_its_payment(
    api: Api, order: dict[str, Any]
) -> None:
    response = api.client.post(f"/orders/{order['order_id']}/cancel",
                               json={"reason": "changed_mind"})

    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == "changed_mind"
    assert cancelled["history"][-1]["to_status"] == "cancelled"
    assert cancelled["payment_status"] == "voided"
    assert api.reserved("LINEN-SHIRT-M") == api.reserved("CANVAS-TOTE") == 0


def test_cancelling_needs_no_body_and_twice_is_harmless(api: Api, order: dict[str, Any]) -> None:
    first = api.client.post(f"/orders/{order['order_id']}/cancel")
    second = api.client.post(f"/orders/{order['order_id']}/cancel")

    assert first.status_code == second.status_code == 200
    assert second.json()["cancel_reason"] == "customer_request"
    assert len([h for h in second.json()["history"] if h["to_status"] == "cancelled"]) == 1


def test_an_operator_captures_the_payment_and_the_order_is_paid(
    api: Api, order: dict[str, Any]
) -> None:
    response = api.client.post(f"/admin/orders/{order['order_id']}/capture", headers=ADMIN)

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "paid"
    assert response.json()["payment_status"] == "captured"


def test_a_cancelled_order_cannot_be_captured(api: Api, order: dict[str, Any]) -> None:
    api.client.post(f"/orders/{order['order_id']}/cancel")

    response = api.client.post(f"/admin/orders/{order['order_id']}/capture", headers=ADMIN)

    assert_problem(response, 409, "payment.invalid_state")


def test_operators_list_orders_by_status(api: Api, order: dict[str, Any]) -> None:
    other = api.place_order(api.filled_cart(("LINEN-SHIRT-L", 1)), key="order-2").json()
    api.client.post(f"/orders/{other['order_id']}/cancel")

    confirmed = api.client.get("/admin/orders", params={"status": "confirmed"}, headers=ADMIN)
    everything = api.client.get("/admin/orders", headers=ADMIN)

    assert [(o["number"], o["email"], o["item_count"], o["total"]["amount"])
            for o in confirmed.json()] == [(order["order_number"], "an@example.vn", 3, 820_000)]
    assert {o["status"] for o in everything.json()} == {"confirmed", "cancelled"}
    assert_problem(api.client.get("/admin/orders", params={"status": "lost"}, headers=ADMIN),
                   422, "request.invalid")


def test_an_unknown_order_is_a_404_problem(api: Api) -> None:
    assert_problem(api.client.get("/orders/no-such-order"), 404, "ordering.order_not_found")
    assert_problem(api.client.post("/orders/no-such-order/cancel"), 404,
                   "ordering.order_not_found")


def test_an_operator_refunds_a_captured_order_in_parts_and_a_retry_refunds_nothing_more(
    api: Api, order: dict[str, Any]
) -> None:
    path = f"/admin/orders/{order['order_id']}/refunds"
    api.client.post(f"/admin/orders/{order['order_id']}/capture", headers=ADMIN)
    part = {"amount": {"amount": 100_000, "currency": "VND"}, "reason": "damaged tote"}

    first = api.client.post(path, json=part, headers={**ADMIN, "Idempotency-Key": "r-1"})
    retried = api.client.post(path, json=part, headers={**ADMIN, "Idempotency-Key": "r-1"})
    rest = api.client.post(path, json={}, headers={**ADMIN, "Idempotency-Key": "r-2"})
    more = api.client.post(path, json=part, headers={**ADMIN, "Idempotency-Key": "r-3"})
    listed = api.client.get(path, headers=ADMIN)

    assert first.status_code == 201, first.text
    assert first.json()["status"] == "completed"
    assert retried.json()["id"] == first.json()["id"]
    assert rest.status_code == 201, rest.text
    assert rest.json()["amount"]["amount"] == order["total"]["amount"] - 100_000
    assert_problem(more, 409, "payment.refund_not_possible")
    assert [r["id"] for r in listed.json()] == [first.json()["id"], rest.json()["id"]]
    assert api.order(order["order_id"])["payment_status"] == "refunded"


def test_a_refund_needs_a_key_the_operator_and_a_captured_payment(
    api: Api, order: dict[str, Any]
) -> None:
    path = f"/admin/orders/{order['order_id']}/refunds"

    assert_problem(api.client.post(path, json={}, headers=ADMIN), 422, "request.invalid")
    assert_problem(api.client.post(path, json={}, headers={"Idempotency-Key": "k"}), 401,
                   "auth.unauthenticated")
    assert_problem(api.client.post(path, json={}, headers={**ADMIN, "Idempotency-Key": "k"}),
                   409, "payment.invalid_state")
    assert_problem(api.client.get("/admin/orders/nope/refunds", headers=ADMIN), 404,
                   "ordering.order_not_found")
