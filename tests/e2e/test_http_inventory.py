"""Inventory over HTTP: shoppers see availability; operators count stock and read reservations."""

from __future__ import annotations

from tests.e2e.conftest import ADMIN, Api, Seeded, assert_problem


def test_shoppers_see_how_many_units_they_can_buy(api: Api) -> None:
    api.place_order(api.filled_cart(("LINEN-SHIRT-L", 2)), key="stock-1")

    response = api.client.get("/stock/linen-shirt-l")

    assert response.status_code == 200
    assert response.json() == {"sku": "LINEN-SHIRT-L", "available": 3, "in_stock": True}
    assert_problem(api.client.get("/stock/NO-SUCH-SKU"), 404, "catalog.sku_not_found")


def test_an_operator_adds_a_warehouse_and_counts_stock_there(api: Api) -> None:
    created = api.client.post("/admin/warehouses", json={"code": "hn", "name": "Ha Noi"},
                              headers=ADMIN)
    counted = api.client.put("/admin/stock/CANVAS-TOTE/HN", json={"on_hand": 7}, headers=ADMIN)

    assert created.status_code == 201, created.text
    assert (created.json()["code"], created.json()["is_default"]) == ("HN", False)
    assert [w["code"] for w in api.client.get("/admin/warehouses", headers=ADMIN).json()] == [
        "HCM", "HN"]
    assert counted.status_code == 200, counted.text
    assert sorted((s["warehouse_id"] == created.json()["id"], s["on_hand"])
                  for s in counted.json()) == [(False, 3), (True, 7)]
    assert api.client.get("/stock/CANVAS-TOTE").json()["available"] == 10


def test_a_warehouse_code_is_taken_once(api: Api) -> None:
    response = api.client.post("/admin/warehouses", json={"code": "HCM"}, headers=ADMIN)

    problem = assert_problem(response, 409, "inventory.duplicate_warehouse")
    assert problem["resource_code"] == "HCM"


def test_on_hand_can_neither_be_negative_nor_drop_below_what_is_reserved(api: Api) -> None:
    api.place_order(api.filled_cart(("LINEN-SHIRT-M", 4)), key="stock-2")
    before = api.stock()

    negative = api.client.put("/admin/stock/LINEN-SHIRT-M/HCM", json={"on_hand": -1},
                              headers=ADMIN)
    below = api.client.put("/admin/stock/LINEN-SHIRT-M/HCM", json={"on_hand": 3}, headers=ADMIN)

    assert_problem(negative, 422, "request.invalid")
    problem = assert_problem(below, 409, "inventory.stock_below_reserved")
    assert problem["reserved"] == 4
    assert api.stock() == before


def test_operators_read_reservations_by_status(api: Api, seeded: Seeded) -> None:
    order = api.place_order(api.filled_cart(("LINEN-SHIRT-M", 1), ("CANVAS-TOTE", 2)),
                            key="stock-3").json()

    confirmed = api.client.get("/admin/reservations", params={"status": "confirmed"},
                               headers=ADMIN)
    released = api.client.get("/admin/reservations", params={"status": "released"},
                              headers=ADMIN)

    assert sorted((r["sku"], r["quantity"], r["order_id"], r["warehouse_id"])
                  for r in confirmed.json()) == [
        ("CANVAS-TOTE", 2, order["order_id"], seeded.warehouse_id),
        ("LINEN-SHIRT-M", 1, order["order_id"], seeded.warehouse_id)]
    assert released.json() == []
