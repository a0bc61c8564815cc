"""Carts over HTTP: open one, change its lines, and read it back re-priced."""

from __future__ import annotations

from tests.e2e.conftest import ADMIN, Api, assert_problem


def test_a_cart_opens_in_the_shop_currency_by_default(api: Api) -> None:
    response = api.client.post("/carts")

    assert response.status_code == 201
    cart = response.json()
    assert (cart["currency"], cart["status"], cart["lines"]) == ("VND", "active", [])
    assert response.headers["location"] == f"/carts/{cart['id']}"


def test_staff_may_open_a_cart_for_a_customer_but_not_in_an_unknown_currency(api: Api) -> None:
    named = api.client.post("/carts", json={"customer_id": "cus-42", "currency": "vnd"},
                            headers=ADMIN)
    by_a_guest = api.client.post("/carts", json={"customer_id": "cus-42"})
    unknown = api.client.post("/carts", json={"currency": "ZZZ"})

    assert named.status_code == 201
    assert (named.json()["customer_id"], named.json()["currency"]) == ("cus-42", "VND")
    # Naming an owner is not a guest's to do: a shopper is only ever themself.
    assert_problem(by_a_guest, 403, "auth.forbidden")
    # The schema names the currencies, so an unknown one never reaches the core.
    assert_problem(unknown, 422, "request.invalid")


def test_adding_a_sku_again_adds_to_its_line(api: Api) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 1))

    cart = api.add_item(cart_id, "linen-shirt-m", 2)

    assert [(ln["sku"], ln["quantity"]) for ln in cart["lines"]] == [("LINEN-SHIRT-M", 3)]
    assert cart["lines"][0]["unit_price"]["amount"] == 350_000
    assert cart["total"]["amount"] == 1_050_000


def test_a_line_is_changed_removed_by_zero_or_deleted(api: Api) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 1), ("CANVAS-TOTE", 1), ("LINEN-SHIRT-L", 1))
    shirt_m, tote, shirt_l = (ln["id"] for ln in api.cart(cart_id)["lines"])

    changed = api.client.patch(f"/carts/{cart_id}/items/{shirt_m}", json={"quantity": 4})
    zeroed = api.client.patch(f"/carts/{cart_id}/items/{tote}", json={"quantity": 0})
    deleted = api.client.delete(f"/carts/{cart_id}/items/{shirt_l}")

    assert changed.json()["item_count"] == 6
    assert [ln["sku"] for ln in zeroed.json()["lines"]] == ["LINEN-SHIRT-M", "LINEN-SHIRT-L"]
    assert [(ln["sku"], ln["quantity"]) for ln in deleted.json()["lines"]] == [
        ("LINEN-SHIRT-M", 4)]
    assert_problem(api.client.delete(f"/carts/{cart_id}/items/{shirt_l}"), 404,
                   "cart.line_not_found")


def test_a_cart_that_became_an_order_cannot_change(api: Api) -> None:
    cart_id = api.filled_cart(("CANVAS-TOTE", 1))
    api.place_order(cart_id, key="frozen-1")

    response = api.client.post(f"/carts/{cart_id}/items", json={"sku": "CANVAS-TOTE",
                                                                 "quantity": 1})

    problem = assert_problem(response, 409, "cart.not_editable")
    assert problem["resource_status"] == "completed"


def test_a_whole_number_written_as_a_float_is_an_integer_as_json_schema_says(api: Api) -> None:
    cart_id = api.new_cart()

    whole = api.client.post(f"/carts/{cart_id}/items", json={"sku": "CANVAS-TOTE", "quantity": 2.0})
    fraction = api.client.post(f"/carts/{cart_id}/items",
                               json={"sku": "CANVAS-TOTE", "quantity": 2.5})

    assert whole.status_code == 201, whole.text
    assert whole.json()["lines"][0]["quantity"] == 2
    assert_problem(fraction, 422, "request.invalid")
