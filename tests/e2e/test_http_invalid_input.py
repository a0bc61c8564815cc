"""Invalid requests answer a 4xx problem and change nothing: not the cart, stock or outbox."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import ADMIN, Api, assert_problem


def snapshot(api: Api, cart_id: str) -> tuple[Any, ...]:
    return api.cart(cart_id), api.stock(), api.outbox_rows()


@pytest.fixture
def cart_id(api: Api) -> str:
    return api.filled_cart(("LINEN-SHIRT-M", 2))


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param({"sku": "NO-SUCH-SKU", "quantity": 1}, 404, "cart.sku_not_found",
                     id="unknown-sku"),
        pytest.param({"sku": "not a sku!", "quantity": 1}, 422, "request.invalid",
                     id="malformed-sku"),
        pytest.param({"sku": "RETRO-CLOCK", "quantity": 1}, 409, "cart.item_not_for_sale",
                     id="draft-product"),
        pytest.param({"sku": "LINEN-SHIRT-M", "quantity": 0}, 422, "request.invalid",
                     id="quantity-0"),
        pytest.param({"sku": "LINEN-SHIRT-M", "quantity": -1}, 422, "request.invalid",
                     id="quantity-negative"),
        pytest.param({"sku": "LINEN-SHIRT-M", "quantity": 100}, 422, "request.invalid",
                     id="quantity-100"),
        pytest.param({"sku": "LINEN-SHIRT-M", "quantity": "2"}, 422, "request.invalid",
                     id="quantity-string"),
        pytest.param({"sku": "LINEN-SHIRT-M", "quantity": 1.5}, 422, "request.invalid",
                     id="quantity-fraction"),
        pytest.param({"sku": "LINEN-SHIRT-M", "quantity": 98}, 409, "cart.limit_reached",
                     id="line-total-over-99"),
        pytest.param({"sku": "LINEN-SHIRT-M"}, 422, "request.invalid", id="missing-quantity"),
        pytest.param({}, 422, "request.invalid", id="missing-everything"),
        pytest.param({"sku": "LINEN-SHIRT-M", "quantity": 1, "price": {"amount": 1}}, 422,
                     "request.invalid", id="client-price"),
        pytest.param([{"sku": "LINEN-SHIRT-M", "quantity": 1}], 422, "request.invalid",
                     id="array-body"),
    ],
)
def test_an_invalid_item_is_refused_and_changes_nothing(
    api: Api, cart_id: str, body: Any, status: int, code: str
) -> None:
    before = snapshot(api, cart_id)

    response = api.client.post(f"/carts/{cart_id}/items", json=body)

    assert_problem(response, status, code)
    assert snapshot(api, cart_id) == before


def test_malformed_json_is_a_400_problem_and_changes_nothing(api: Api, cart_id: str) -> None:
    before = snapshot(api, cart_id)

    response = api.client.post(f"/carts/{cart_id}/items", content=b'{"sku": "LINEN-SHIRT-M", ',
                               headers={"content-type": "application/json"})

    assert_problem(response, 400, "request.malformed_json")
    assert snapshot(api, cart_id) == before


def test_a_price_sent_by_the_client_is_refused_by_name(api: Api, cart_id: str) -> None:
    response = api.client.post(f"/carts/{cart_id}/items",
                               json={"sku": "CANVAS-TOTE", "quantity": 1, "unit_price": 1})

    problem = assert_problem(response, 422, "request.invalid")
    assert problem["errors"] == [{"location": "body", "pointer": "#/unit_price",
                                  "type": "extra_forbidden",
                                  "detail": "Extra inputs are not permitted"}]


def test_a_validation_problem_lists_every_error(api: Api, cart_id: str) -> None:
    response = api.client.post(f"/carts/{cart_id}/items", json={"quantity": 0})

    problem = assert_problem(response, 422, "request.invalid")
    assert sorted((e["pointer"], e["type"]) for e in problem["errors"]) == [
        ("#/quantity", "greater_than_equal"), ("#/sku", "missing")]


@pytest.mark.parametrize("quantity", [-1, 100, "3"])
def test_an_invalid_quantity_change_is_refused_and_changes_nothing(
    api: Api, cart_id: str, quantity: Any
) -> None:
    line_id = api.cart(cart_id)["lines"][0]["id"]
    before = snapshot(api, cart_id)

    response = api.client.patch(f"/carts/{cart_id}/items/{line_id}", json={"quantity": quantity})

    assert_problem(response, 422, "request.invalid")
    assert snapshot(api, cart_id) == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        pytest.param({}, 422, "request.invalid", id="missing-cart"),
        pytest.param({"cart_id": "no-such-cart"}, 404, "cart.not_found", id="unknown-cart"),
        pytest.param({"cart_id": "{cart}", "email": "not-an-email"}, 422, "request.invalid",
                     id="bad-email"),
        pytest.param({"cart_id": "{cart}", "payment_method": "Card!"}, 422, "request.invalid",
                     id="bad-method"),
        pytest.param({"cart_id": "{cart}", "total": {"amount": 1}}, 422, "request.invalid",
                     id="client-total"),
        pytest.param({"cart_id": "{empty}"}, 409, "checkout.not_possible", id="empty-cart"),
    ],
)
def test_an_invalid_order_is_refused_and_reserves_nothing(
    api: Api, cart_id: str, body: dict[str, Any], status: int, code: str
) -> None:
    empty_id = api.new_cart()
    body = {k: v.format(cart=cart_id, empty=empty_id) if isinstance(v, str) else v
            for k, v in body.items()}
    before = snapshot(api, cart_id), api.cart(empty_id)

    response = api.client.post("/orders", json=body, headers={"Idempotency-Key": "bad-1"})

    assert_problem(response, status, code)
    assert (snapshot(api, cart_id), api.cart(empty_id)) == before


def test_an_unknown_cart_is_a_404_problem(api: Api) -> None:
    assert_problem(api.client.get("/carts/no-such-cart"), 404, "cart.not_found")


def test_unknown_routes_and_methods_are_problems_too(api: Api) -> None:
    assert_problem(api.client.get("/no-such-route"), 404, "http.not_found")
    wrong_method = api.client.delete("/products")
    assert_problem(wrong_method, 405, "http.method_not_allowed")
    assert wrong_method.headers["allow"] == "GET"


def test_a_405_allows_every_method_of_the_path_whichever_route_answered(api: Api) -> None:
    """Paths served by several routes (one per method) list all of them in `Allow`."""
    document = api.client.get("/openapi.json").json()
    shared = {path: sorted(m.upper() for m in item) for path, item in document["paths"].items()
              if len(item) > 1}
    assert "/admin/adjustments" in shared

    for path, methods in shared.items():
        concrete = path.replace("{", "x-").replace("}", "")
        response = api.client.options(concrete, headers=ADMIN)
        assert_problem(response, 405, "http.method_not_allowed")
        assert response.headers["allow"].split(", ") == [
            m for m in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") if m in methods], path
