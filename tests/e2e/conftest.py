"""A seeded shop behind the HTTP app, and the API as shoppers and operators drive it.

The shop (one warehouse, a shirt in two sizes, a tote, a clock still in draft) is created through
the facade, exactly as an embedding app would; everything after that goes through HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from attrs import frozen
from fastapi.testclient import TestClient

import adapters.memory
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.app import Commerce, VariantSpec
from commerce_core.shared.money import Money
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.tokens import keeping_tokens

OPERATOR_TOKEN = "test-token"
ADMIN = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}
PROBLEM_TYPE = "https://commerce-core.dev/problems/"


def vnd(amount: int) -> Money:
    return Money(amount, "VND")


@frozen
class Seeded:
    warehouse_id: str
    category_ids: dict[str, str]  # by slug
    product_ids: dict[str, str]  # by slug


def seed_shop(commerce: Commerce) -> Seeded:
    warehouse_id = commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    apparel = commerce.catalog.create_category("apparel", "Apparel")
    bags = commerce.catalog.create_category("bags", "Bags")
    shirt = commerce.catalog.create_product(
        "Linen shirt", "linen-shirt",
        [VariantSpec("LINEN-SHIRT-M", vnd(350_000), "M", {"size": "M"}),
         VariantSpec("LINEN-SHIRT-L", vnd(350_000), "L", {"size": "L"})],
        description="Breathes in Saigon heat.", category_ids=(apparel,), publish=True,
    )
    tote = commerce.catalog.create_product(
        "Canvas tote", "canvas-tote", [VariantSpec("CANVAS-TOTE", vnd(120_000))],
        category_ids=(bags,), publish=True,
    )
    clock = commerce.catalog.create_product(
        "Retro clock", "retro-clock", [VariantSpec("RETRO-CLOCK", vnd(890_000))]
    )
    for sku, on_hand in (("LINEN-SHIRT-M", 10), ("LINEN-SHIRT-L", 5), ("CANVAS-TOTE", 3),
                         ("RETRO-CLOCK", 2)):
        commerce.inventory.set_stock(sku, "HCM", on_hand)
    return Seeded(
        warehouse_id, {"apparel": apparel, "bags": bags},
        {"linen-shirt": shirt, "canvas-tote": tote, "retro-clock": clock},
    )


def settings(operator_token: str | None = OPERATOR_TOKEN) -> Settings:
    return Settings(database_url="memory://", operator_token=operator_token)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and code; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    assert body["type"] == PROBLEM_TYPE + code
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["instance"] == response.request.url.path
    assert body["request_id"] == response.headers["x-request-id"]
    return body


class Api:
    """The HTTP API with the calls tests repeat; each asserts its success status."""

    def __init__(self, client: TestClient, commerce: Commerce) -> None:
        self.client, self.commerce = client, commerce

    def new_cart(self) -> str:
        response = self.client.post("/carts", json={})
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def add_item(self, cart_id: str, sku: str, quantity: int) -> dict[str, Any]:
        response = self.client.post(f"/carts/{cart_id}/items",
                                    json={"sku": sku, "quantity": quantity})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def cart(self, cart_id: str) -> dict[str, Any]:
        response = self.client.get(f"/carts/{cart_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def filled_cart(self, *lines: tuple[str, int]) -> str:
        cart_id = self.new_cart()
        for sku, quantity in lines:
            self.add_item(cart_id, sku, quantity)
        return cart_id

    def place_order(self, cart_id: str, key: str | None = None, **fields: Any) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        response: httpx.Response = self.client.post(
            "/orders", json={"cart_id": cart_id, **fields}, headers=headers
        )
        return response

    def order(self, order_id: str) -> dict[str, Any]:
        response = self.client.get(f"/orders/{order_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def stock(self, sku: str | None = None) -> list[dict[str, Any]]:
        response = self.client.get("/admin/stock", params={"sku": sku} if sku else {},
                                   headers=ADMIN)
        assert response.status_code == 200, response.text
        return list(response.json())

    def reserved(self, sku: str) -> int:
        return sum(int(level["reserved"]) for level in self.stock(sku))

    def outbox_rows(self) -> int:
        """Events committed so far: a request that changed nothing adds none."""
        with self.commerce.ports.uow() as uow:
            return sum(uow.outbox.stats().values())


def first_order_journey(api: Api) -> None:
    """The acceptance journey: browse, fill a cart, place an order idempotently, look at it."""
    listed = api.client.get("/products")
    assert listed.status_code == 200
    assert [p["slug"] for p in listed.json()["items"]] == ["linen-shirt", "canvas-tote"]

    cart_id = api.new_cart()
    api.add_item(cart_id, "LINEN-SHIRT-M", 2)
    cart = api.add_item(cart_id, "canvas-tote", 1)
    assert [(ln["sku"], ln["quantity"]) for ln in cart["lines"]] == [
        ("LINEN-SHIRT-M", 2), ("CANVAS-TOTE", 1)]
    assert cart["total"]["amount"] == 820_000

    placed = api.place_order(cart_id, key="journey-1", email="an@example.vn")
    assert placed.status_code == 201, placed.text
    order = placed.json()
    assert order["status"] == "confirmed"
    assert order["total"] == {"amount": 820_000, "currency": "VND", "display": "820,000 VND"}
    assert placed.headers["location"] == f"/orders/{order['order_id']}"

    replay = api.place_order(cart_id, key="journey-1", email="an@example.vn")
    assert replay.status_code == 201
    assert replay.json() == order

    reused = api.place_order(cart_id, key="journey-1", email="someone@else.vn")
    assert_problem(reused, 422, "checkout.idempotency_key_reused")

    fetched = api.order(order["order_id"])
    assert fetched["status"] == "confirmed"
    assert fetched["number"] == order["order_number"]
    assert fetched["payment_status"] == "authorized"
    assert [(ln["sku"], ln["quantity"], ln["line_total"]["amount"]) for ln in fetched["lines"]] == [
        ("LINEN-SHIRT-M", 2, 700_000), ("CANVAS-TOTE", 1, 120_000)]
    assert all(ln["reservation_id"] and ln["warehouse_id"] for ln in fetched["lines"])
    assert fetched["totals"]["total"]["amount"] == 820_000

    assert [(s["on_hand"], s["reserved"], s["available"]) for s in api.stock("LINEN-SHIRT-M")] == [
        (10, 2, 8)]
    assert api.reserved("CANVAS-TOTE") == 1
    assert api.cart(cart_id)["status"] == "completed"


@pytest.fixture(autouse=True)
def generous_rate_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Journeys send many requests from one test client in no time; the limits themselves
    are tested in `test_http_rate_limits.py`, with settings that name them."""
    for name in ("API", "CHECKOUT", "CHECKOUT_CART", "SEARCH"):
        monkeypatch.setenv(f"COMMERCE_RATE_LIMIT_{name}", "100000/min")


@pytest.fixture
def gateway() -> ScriptedPaymentGateway:
    return ScriptedPaymentGateway()


@pytest.fixture
def commerce(gateway: ScriptedPaymentGateway) -> Commerce:
    return Commerce(adapters.memory.bundle(gateway=gateway, clock=FrozenClock(),
                                           ids=SequentialIds()))


@pytest.fixture
def seeded(commerce: Commerce) -> Seeded:
    return seed_shop(commerce)


@pytest.fixture
def client(commerce: Commerce, seeded: Seeded) -> Iterator[TestClient]:
    with keeping_tokens(TestClient(create_app(commerce, settings()))) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient, commerce: Commerce) -> Api:
    return Api(client, commerce)
