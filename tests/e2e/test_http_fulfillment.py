"""Warehouse operations over HTTP: stock items, receipts, adjustments, transfers, the ledger,
alerts, and a paid order picked from a batch list, packed and made ready to ship."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory import FrozenClock
from tests.e2e.conftest import ADMIN, Api, assert_problem


def test_an_operator_receives_configures_and_audits_stock(api: Api) -> None:
    settings = api.client.put("/admin/stock/CANVAS-TOTE/HCM/settings", headers=ADMIN,
                              json={"reorder_point": 5, "bin_location": "b-2-1"})
    received = api.client.post("/admin/stock/CANVAS-TOTE/HCM/receipts", headers=ADMIN,
                               json={"quantity": 4, "batch_number": "LOT-9",
                                     "expiry_date": "2030-01-31"})
    damaged = api.client.post("/admin/stock/CANVAS-TOTE/HCM/damage", headers=ADMIN,
                              json={"quantity": 5})

    assert settings.status_code == 200, settings.text
    assert settings.json()["bin_location"] == "B-02-01"
    assert received.status_code == 201, received.text
    assert (received.json()["on_hand"], damaged.json()["on_hand"]) == (7, 2)
    alerts = api.client.get("/admin/stock-alerts", headers=ADMIN).json()
    assert [(a["type"], a["priority"], a["sku"]) for a in alerts] == [
        ("low_stock", "medium", "CANVAS-TOTE")]
    movements = api.client.get("/admin/stock-movements", params={"sku": "CANVAS-TOTE"},
                               headers=ADMIN).json()
    assert [m["type"] for m in movements] == ["damage", "receipt", "count"]
    audit = api.client.get("/admin/stock-audit", headers=ADMIN).json()
    assert audit
    assert not any(row["drift"] for row in audit)


def test_adjustments_need_approval_and_run_once(api: Api) -> None:
    requested = api.client.post("/admin/adjustments", headers=ADMIN, json={
        "sku": "LINEN-SHIRT-L", "warehouse": "HCM", "quantity_change": 3, "reason": "found"})
    adjustment_id = requested.json()["id"]

    first = api.client.post(f"/admin/adjustments/{adjustment_id}/approve", headers=ADMIN,
                            json={"by": "lan"})
    again = api.client.post(f"/admin/adjustments/{adjustment_id}/approve", headers=ADMIN,
                            json={"by": "minh"})
    refused = api.client.post(f"/admin/adjustments/{adjustment_id}/reject", headers=ADMIN,
                              json={"reason": "too late"})

    assert requested.status_code == 201, requested.text
    assert (first.json()["status"], again.json()["decided_by"]) == ("completed", "lan")
    assert_problem(refused, 409, "inventory.adjustment_not_pending")
    assert [s["on_hand"] for s in api.stock("LINEN-SHIRT-L")] == [8]


def test_a_transfer_moves_stock_between_warehouses(api: Api) -> None:
    api.client.post("/admin/warehouses", json={"code": "HN"}, headers=ADMIN)
    transfer = api.client.post("/admin/transfers", headers=ADMIN, json={
        "sku": "LINEN-SHIRT-M", "from_warehouse": "HCM", "to_warehouse": "HN", "quantity": 4})
    transfer_id = transfer.json()["id"]

    for step in ("ship", "receive"):
        moved = api.client.post(f"/admin/transfers/{transfer_id}/{step}", headers=ADMIN)
        assert moved.status_code == 200, moved.text

    assert transfer.status_code == 201, transfer.text
    assert sorted(s["on_hand"] for s in api.stock("LINEN-SHIRT-M")) == [4, 6]


def test_a_paid_order_is_picked_packed_and_waits_for_a_carrier(api: Api) -> None:
    api.client.put("/admin/stock/LINEN-SHIRT-M/HCM/settings", headers=ADMIN,
                   json={"bin_location": "A-01-02"})
    order_ids = []
    for n in range(3):
        placed = api.place_order(api.filled_cart(("LINEN-SHIRT-M", 1), ("CANVAS-TOTE", 1)),
                                 key=f"ful-{n}").json()
        api.client.post(f"/admin/orders/{placed['order_id']}/capture", headers=ADMIN)
        order_ids.append(placed["order_id"])

    picklist = api.client.post("/admin/picklists", headers=ADMIN, json={"warehouse": "HCM"})
    body = picklist.json()
    done = api.client.post(f"/admin/picklists/{body['id']}/complete", headers=ADMIN, json={})

    assert picklist.status_code == 201, picklist.text
    assert [(ln["bin_location"], ln["sku"], ln["quantity"]) for ln in body["lines"]] == [
        ("A-01-02", "LINEN-SHIRT-M", 3), (None, "CANVAS-TOTE", 3)]
    assert done.json()["status"] == "completed"
    (fulfillment,) = api.client.get(f"/admin/orders/{order_ids[0]}/fulfillments",
                                    headers=ADMIN).json()
    fid = fulfillment["id"]
    assert fulfillment["status"] == "picked"
    api.client.post(f"/admin/fulfillments/{fid}/start-packing", headers=ADMIN)
    packed = api.client.post(f"/admin/fulfillments/{fid}/packages", headers=ADMIN, json={
        "packages": [{"weight_grams": 500, "length_cm": 30, "width_cm": 20, "height_cm": 5}]})
    ready = api.client.post(f"/admin/fulfillments/{fid}/ready", headers=ADMIN)
    shipped = api.client.post(f"/admin/fulfillments/{fid}/ship", headers=ADMIN)
    assert packed.status_code == 200, packed.text
    assert ready.json()["status"] == "ready"
    # The order has no ship-to address: shipping refuses and the fulfillment stays ready.
    assert_problem(shipped, 422, "shipping.shipment_refused")
    assert api.client.get(f"/admin/fulfillments/{fid}", headers=ADMIN).json()["status"] == "ready"
    assert [(s["on_hand"], s["reserved"]) for s in api.stock("LINEN-SHIRT-M")] == [(7, 0)]


def test_an_unknown_fulfillment_is_not_found(api: Api) -> None:
    assert_problem(api.client.get("/admin/fulfillments/nope", headers=ADMIN), 404,
                   "fulfillment.not_found")


def test_readiness_fails_when_more_than_a_hundred_reservations_leaked(api: Api) -> None:
    clock = api.commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    api.commerce.inventory.set_stock("RETRO-CLOCK", "HCM", 200)
    for n in range(101):
        api.commerce.inventory.reserve(f"hold-{n}", [("RETRO-CLOCK", 1)], payment_method="cod")
    clock.advance(timedelta(hours=23))
    young = api.client.get("/health/ready")
    clock.advance(timedelta(hours=2))

    leaking = api.client.get("/health/ready")

    assert young.status_code == 200
    assert_problem(leaking, 503, "health.reservation_leaks")
