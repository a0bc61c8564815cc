"""Cart merge on sign-in over HTTP, on a SQLite file: a guest fills a cart, signs in with its
id and token, and the lines join the customer's cart (a line past 99 units is capped and
reported); the guest cart is closed. A wrong token signs nobody in and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.app import Commerce
from entrypoints.http.app import create_app
from tests.e2e.conftest import assert_problem, settings
from tests.identity_support import PASSWORD, with_identity
from tests.shop import MUG, SHIRT, stock_shop


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    ports = sql.bundle(f"sqlite:///{tmp_path / 'shop.db'}", gateway=ScriptedPaymentGateway(),
                       clock=FrozenClock(), ids=SequentialIds(), pool_size=2)
    commerce = Commerce(with_identity(ports))
    stock_shop(commerce, shirts=200)
    with TestClient(create_app(commerce, settings())) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def sign_in(client: TestClient, **extra: Any) -> Any:
    headers = extra.pop("headers", {})
    return client.post("/auth/login", headers=headers, json={
        "identifier": "an@example.vn", "password": PASSWORD, **extra})


def guest_cart(client: TestClient, *lines: tuple[str, int]) -> tuple[str, str]:
    opened = client.post("/carts", json={})
    assert opened.status_code == 201, opened.text
    cart_id, token = opened.json()["id"], opened.json()["access_token"]
    for sku, quantity in lines:
        added = client.post(f"/carts/{cart_id}/items", headers={"X-Cart-Token": token},
                            json={"sku": sku, "quantity": quantity})
        assert added.status_code == 201, added.text
    return cart_id, token


def test_signing_in_with_a_guest_cart_merges_it_into_the_customers_cart(
        client: TestClient) -> None:
    assert client.post("/auth/register", json={"email": "an@example.vn",
                                               "password": PASSWORD}).status_code == 201
    first = sign_in(client).json()
    mine = client.post("/carts", headers=bearer(first["access_token"]), json={}).json()["id"]
    client.post(f"/carts/{mine}/items", headers=bearer(first["access_token"]),
                json={"sku": SHIRT, "quantity": 2})
    guest, token = guest_cart(client, (SHIRT, 98), (MUG, 1))

    wrong = sign_in(client, cart_id=guest, headers={"X-Cart-Token": "not-the-token"})
    assert_problem(wrong, 404, "cart.not_found")
    assert client.get(f"/carts/{guest}", headers={"X-Cart-Token": token}).json()[
        "status"] == "active"

    signed_in = sign_in(client, cart_id=guest, headers={"X-Cart-Token": token})
    assert signed_in.status_code == 200, signed_in.text
    merge = signed_in.json()["cart"]
    assert merge["merged_from"] == guest
    assert merge["cart"]["id"] == mine
    assert {ln["sku"]: ln["quantity"] for ln in merge["cart"]["lines"]} == {SHIRT: 99, MUG: 1}
    assert [(c["sku"], c["requested"], c["kept"]) for c in merge["capped"]] == [(SHIRT, 98, 97)]
    assert client.get(f"/carts/{guest}", headers={"X-Cart-Token": token}).json()[
        "status"] == "merged"
    again = client.post(f"/carts/{guest}/merge", headers={
        "X-Cart-Token": token, **bearer(signed_in.json()["access_token"])})
    assert_problem(again, 409, "cart.not_editable")


def test_the_merge_route_needs_the_customer_and_the_carts_token(client: TestClient) -> None:
    client.post("/auth/register", json={"email": "an@example.vn", "password": PASSWORD})
    access = sign_in(client).json()["access_token"]
    guest, token = guest_cart(client, (MUG, 2))

    assert_problem(client.post(f"/carts/{guest}/merge", headers={"X-Cart-Token": token}),
                   401, "auth.unauthenticated")
    assert_problem(client.post(f"/carts/{guest}/merge", headers=bearer(access)),
                   404, "cart.not_found")

    merged = client.post(f"/carts/{guest}/merge",
                         headers={"X-Cart-Token": token, **bearer(access)})

    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["cart"]["id"] == guest  # no cart of their own: the guest cart became theirs
    assert body["cart"]["customer_id"] is not None
    assert client.get(f"/carts/{guest}", headers=bearer(access)).status_code == 200
