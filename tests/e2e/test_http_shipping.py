"""A parcel's journey over HTTP on SQLite: an order placed with a ship-to address, paid, picked,
packed and ready; its shipment booked with the fake carrier; the carrier's webhooks move it to
delivered, and the order with it. Plus the webhook's refusals and the public tracking page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import adapters.sql
from adapters.carriers.fake import FakeCarrier
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.app import Commerce
from commerce_core.inventory.warehouses import Address, WarehouseDetails
from entrypoints.http import create_app
from tests.e2e.conftest import ADMIN, Api, assert_problem, seed_shop, settings
from tests.e2e.tokens import keeping_tokens

SHIP_TO = {"name": "Tran Thi B", "phone": "0912345678", "line1": "5 Hang Bai",
           "province": "Ha Noi", "country_code": "VN", "ward": "Hang Bai"}


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[tuple[Api, FakeCarrier]]:
    ports = adapters.sql.bundle(f"sqlite:///{tmp_path / 'shop.db'}",
                                gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                                ids=SequentialIds())
    commerce = Commerce(ports)
    seed_shop(commerce)
    commerce.inventory.update_warehouse("HCM", "Ho Chi Minh City", WarehouseDetails(
        address=Address(line1="9 Nguyen Hue", city="Ho Chi Minh", state_province="Ho Chi Minh",
                        country_code="VN"), phone="0283333333"))
    assert ports.carriers is not None
    carrier = ports.carriers.get("fake")
    assert isinstance(carrier, FakeCarrier)
    with keeping_tokens(TestClient(create_app(commerce, settings()))) as client:
        yield Api(client, commerce), carrier


def _ready_order(api: Api) -> tuple[str, str]:
    placed = api.place_order(api.filled_cart(("LINEN-SHIRT-M", 1)), key="ship-1",
                             ship_to=SHIP_TO)
    assert placed.status_code == 201, placed.text
    order_id = placed.json()["order_id"]
    captured = api.client.post(f"/admin/orders/{order_id}/capture", headers=ADMIN)
    assert captured.status_code == 200, captured.text
    (fulfillment,) = api.client.get(f"/admin/orders/{order_id}/fulfillments",
                                    headers=ADMIN).json()
    fid = fulfillment["id"]
    picklist = api.client.post("/admin/picklists", headers=ADMIN, json={"warehouse": "HCM"})
    api.client.post(f"/admin/picklists/{picklist.json()['id']}/complete", headers=ADMIN,
                    json={})
    api.client.post(f"/admin/fulfillments/{fid}/start-packing", headers=ADMIN)
    packed = api.client.post(f"/admin/fulfillments/{fid}/packages", headers=ADMIN, json={
        "packages": [{"weight_grams": 500, "length_cm": 30, "width_cm": 20, "height_cm": 5}]})
    assert packed.status_code == 200, packed.text
    ready = api.client.post(f"/admin/fulfillments/{fid}/ready", headers=ADMIN)
    assert ready.json()["status"] == "ready", ready.text
    return order_id, fid


def _webhook(api: Api, carrier: FakeCarrier, tracking_number: str, status: str,
             **kwargs: Any) -> Any:
    headers, body = carrier.webhook(tracking_number, status, **kwargs)
    return api.client.post("/webhooks/carriers/fake", content=body, headers=headers)


def test_a_parcel_goes_from_ready_to_delivered_and_the_order_follows(
        shop: tuple[Api, FakeCarrier]) -> None:
    api, carrier = shop
    order_id, fid = _ready_order(api)
    assert api.order(order_id)["status"] == "processing"

    created = api.client.post("/admin/shipments", headers=ADMIN,
                              json={"fulfillment_id": fid})
    assert created.status_code == 201, created.text
    (shipment,) = created.json()
    tn = shipment["tracking_number"]
    assert (shipment["status"], shipment["carrier"]) == ("booked", "fake")
    assert shipment["cost"]["currency"] == "VND"

    for status in ("picked_up", "in_transit", "delivered"):
        answer = _webhook(api, carrier, tn, status)
        assert answer.status_code == 200, answer.text
        assert answer.json()["applied"] == 1
        if status == "picked_up":
            assert api.order(order_id)["status"] == "shipped"

    assert api.order(order_id)["status"] == "delivered"
    mine = api.client.get(f"/orders/{order_id}/shipments")
    assert mine.status_code == 200, mine.text
    assert [s["status"] for s in mine.json()] == ["delivered"]
    tracked = api.client.get(f"/track/{tn}")
    assert tracked.status_code == 200
    assert [e["status"] for e in tracked.json()["events"]] == [
        "picked_up", "in_transit", "delivered"]
    assert "Tran" not in tracked.text
    label = api.client.get(f"/admin/shipments/{shipment['id']}/label", headers=ADMIN)
    assert label.status_code == 200
    assert label.headers["content-type"] == "application/pdf"
    assert label.content.startswith(b"%PDF")


def test_a_bad_signature_is_401_an_unknown_carrier_404_a_duplicate_200(
        shop: tuple[Api, FakeCarrier]) -> None:
    api, carrier = shop
    _, fid = _ready_order(api)
    (shipment,) = api.client.post("/admin/shipments", headers=ADMIN,
                                  json={"fulfillment_id": fid}).json()
    headers, body = carrier.webhook(shipment["tracking_number"], "picked_up")

    forged = api.client.post("/webhooks/carriers/fake", content=body,
                             headers={**headers, "X-Fake-Signature": "0" * 64})
    unknown = api.client.post("/webhooks/carriers/nobody", content=body, headers=headers)
    first = api.client.post("/webhooks/carriers/fake", content=body, headers=headers)
    again = api.client.post("/webhooks/carriers/fake", content=body, headers=headers)

    assert_problem(forged, 401, "shipping.webhook_rejected")
    assert_problem(unknown, 404, "shipping.unknown_carrier")
    assert (first.json()["applied"], again.status_code, again.json()["duplicates"]) == (
        1, 200, 1)
    events = api.client.get(f"/admin/shipments/{shipment['id']}", headers=ADMIN).json()["events"]
    assert len(events) == 1


def test_another_shopper_cannot_see_an_orders_shipments(
        shop: tuple[Api, FakeCarrier]) -> None:
    api, _ = shop
    order_id, _ = _ready_order(api)
    stranger = TestClient(api.client.app)

    assert_problem(stranger.get(f"/orders/{order_id}/shipments"), 404, "ordering.order_not_found")
