"""Who may call what (OWASP API1, spec §2 and §6): every operation of the document, called as
the anonymous caller, as another customer and as staff roles made of permission sets, answers
401, 403 or 404 as its declaration says, and a refused call changes nothing.

Callers other than the operator come from a test authenticator on the app's chain, the same
extension point a token authenticator uses: it maps test bearers to principals.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from attrs import frozen
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.permissions import ALL_PERMISSIONS, Permission
from commerce_core.shared.principal import Principal
from entrypoints.http import create_app
from entrypoints.http.access import declared_access
from tests.e2e.conftest import ADMIN, Seeded, assert_problem, settings

READS = frozenset(p.value for p in Permission if p.value.endswith(".read"))
ORDER_ADMIN = frozenset({Permission.ORDERS_READ, Permission.ORDERS_UPDATE,
                         Permission.ORDERS_CANCEL, Permission.PAYMENTS_READ,
                         Permission.PAYMENTS_CAPTURE, Permission.PAYMENTS_REFUND,
                         Permission.FULFILLMENT_READ})


class TestBearers:
    """An authenticator mapping fixed bearers to principals."""

    __test__ = False  # a helper, not a test class

    def __init__(self, principals: dict[str, Principal]) -> None:
        self._principals = principals

    def authenticate(self, credential: str) -> Principal | None:
        return self._principals.get(credential)


PRINCIPALS = {
    "alice": Principal(kind="customer", subject="u-alice", customer_id="cus-alice"),
    "bob": Principal(kind="customer", subject="u-bob", customer_id="cus-bob"),
    "viewer": Principal(kind="staff", subject="u-viewer", permissions=READS,
                        roles=frozenset({"READ_ONLY"})),
    "order-admin": Principal(kind="staff", subject="u-orders",
                             permissions=frozenset(p.value for p in ORDER_ADMIN),
                             roles=frozenset({"ORDER_ADMIN"})),
    "super-admin": Principal(kind="staff", subject="u-root", permissions=ALL_PERMISSIONS,
                             roles=frozenset({"SUPER_ADMIN"})),
}


def bearer(name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {name}"}


@pytest.fixture
def shop(commerce: Commerce, seeded: Seeded) -> Iterator[TestClient]:
    app = create_app(commerce, settings(), authenticators=[TestBearers(PRINCIPALS)])
    with TestClient(app) as client:
        yield client


@frozen
class Alices:
    """What alice, a signed-in customer, owns: an open cart with a line, and an order placed
    from another cart (with its checkout)."""

    cart_id: str
    line_id: str
    order_id: str
    checkout_id: str
    ordered_cart_id: str


def _cart_of(client: TestClient, who: str, *lines: tuple[str, int]) -> tuple[str, str]:
    opened = client.post("/carts", json={}, headers=bearer(who))
    assert opened.status_code == 201, opened.text
    cart_id = opened.json()["id"]
    line_id = ""
    for sku, quantity in lines:
        added = client.post(f"/carts/{cart_id}/items", json={"sku": sku, "quantity": quantity},
                            headers=bearer(who))
        assert added.status_code == 201, added.text
        line_id = added.json()["lines"][0]["id"]
    return cart_id, line_id


@pytest.fixture
def alices(shop: TestClient) -> Alices:
    cart_id, line_id = _cart_of(shop, "alice", ("CANVAS-TOTE", 1))
    ordered_cart_id, _ = _cart_of(shop, "alice", ("LINEN-SHIRT-M", 1))
    placed = shop.post("/orders", json={"cart_id": ordered_cart_id}, headers=bearer("alice"))
    assert placed.status_code == 201, placed.text
    return Alices(cart_id, line_id, placed.json()["order_id"], placed.json()["checkout_id"],
                  ordered_cart_id)


def outbox_rows(commerce: Commerce) -> int:
    with commerce.ports.uow() as uow:
        return sum(uow.outbox.stats().values())


# -- every route declares who may call it ------------------------------------------------------

def test_every_route_of_the_app_declares_exactly_one_kind_of_access(shop: TestClient) -> None:
    undeclared = []
    for route in iter_route_contexts(shop.app.routes):  # type: ignore[attr-defined]
        if not getattr(route, "include_in_schema", False):
            continue  # FastAPI's own /docs and /openapi.json
        if len(declared_access(route)) != 1:
            undeclared.append(f"{sorted(route.methods or ())} {route.path}")
    assert undeclared == []


def test_every_operation_states_its_security_and_what_it_needs(shop: TestClient) -> None:
    document = shop.get("/openapi.json").json()
    operations = [(m, p, op) for p, item in document["paths"].items() for m, op in item.items()]

    assert len(operations) > 100
    for method, path, operation in operations:
        assert "security" in operation, f"{method} {path}"
        assert ("x-permission" in operation) != ("x-access" in operation), f"{method} {path}"
        if path.startswith("/admin") or path == "/metrics":
            assert operation["x-permission"] in {p.value for p in Permission}
        if "x-permission" in operation and method != "get":
            # A read-only role holds only `*.read`: no mutation may be open to it.
            assert not operation["x-permission"].endswith(".read"), f"{method} {path}"
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearer"]["description"]}


# -- the table: every operation, every kind of caller ------------------------------------------

SHOPPER_BODIES: dict[tuple[str, str], Any] = {
    ("post", "/carts/{cart_id}/items"): {"sku": "CANVAS-TOTE", "quantity": 1},
    ("patch", "/carts/{cart_id}/items/{line_id}"): {"quantity": 3},
    ("post", "/carts/{cart_id}/coupons"): {"code": "TET10"},
    ("post", "/orders/{order_id}/cancel"): {"reason": "not mine"},
    ("post", "/orders/{order_id}/returns"): {
        "lines": [{"order_item_id": "x", "quantity": 1}], "reason": "defective"},
    ("post", "/carts/{cart_id}/shipping-rates"): {
        "name": "Alice", "phone": "0901234567", "line1": "1 Le Loi", "province": "Ho Chi Minh",
        "country_code": "VN"},
    ("put", "/carts/{cart_id}/shipping"): {"quote_id": "unknown"},
}


def _path(path: str, alices: Alices) -> str:
    values = {"cart_id": alices.cart_id, "line_id": alices.line_id, "order_id": alices.order_id,
              "checkout_id": alices.checkout_id, "code": "TET10"}
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "x"), path)


def _body(method: str, path: str, alices: Alices) -> Any:
    if (method, path) == ("post", "/orders"):
        return {"cart_id": alices.cart_id}
    return SHOPPER_BODIES.get((method, path), {})


def _streams(operation: dict[str, Any]) -> bool:
    return "text/event-stream" in operation["responses"].get("200", {}).get("content", {})


CALLERS = {"anonymous": None, "another customer": "bob", "read-only viewer": "viewer",
           "order admin": "order-admin", "super admin": "super-admin"}


def _expected(operation: dict[str, Any], caller: str | None) -> int | None:
    """The refusal this caller gets, or None when the call is let through."""
    permission = operation.get("x-permission")
    if permission is not None:
        if caller is None:
            return 401
        return None if permission in PRINCIPALS[caller].permissions else 403
    if operation["x-access"] == "shopper":
        return None  # decided per object below
    if operation["x-access"] in ("account", "customer"):
        if caller is None:
            return 401
        if operation["x-access"] == "customer" and PRINCIPALS[caller].customer_id is None:
            return 403
        if operation["x-access"] == "account" and PRINCIPALS[caller].session_id is None:
            return 403  # identity's own routes act on a session signed in with /auth/login
    return None


@pytest.mark.parametrize("caller", list(CALLERS))
def test_every_operation_answers_each_caller_as_declared_and_refusals_change_nothing(
    shop: TestClient, commerce: Commerce, alices: Alices, caller: str,
) -> None:
    who = CALLERS[caller]
    headers = bearer(who) if who else {}
    document = shop.get("/openapi.json").json()
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method, path) == ("post", "/carts") or operation.get("x-access") == "public":
                continue  # open to all: covered below
            if (_expected(operation, who) is None and operation.get("x-access") != "shopper"
                    and _streams(operation)):
                continue  # an admitted stream never ends: test_http_order_stream.py reads it
            before = outbox_rows(commerce)
            cart_before = shop.get(f"/carts/{alices.cart_id}", headers=bearer("alice")).json()
            response = shop.request(method, _path(path, alices), headers=headers,
                                    json=_body(method, path, alices))
            expected = _expected(operation, who)
            where = f"{caller}: {method.upper()} {path} -> {response.status_code}"
            if operation.get("x-access") == "shopper":
                # Alice's objects are nobody else's: even a super admin, who reads orders
                # through /admin, gets the unknown id's 404 here.
                assert response.status_code == 404, where
                assert response.json()["code"].endswith("not_found"), where
            elif expected is None:
                assert response.status_code not in (401, 403), where
                continue
            else:
                assert response.status_code == expected, where
                code = "auth.unauthenticated" if expected == 401 else "auth.forbidden"
                assert_problem(response, expected, code)
                if expected == 401:
                    assert response.headers["www-authenticate"].startswith("Bearer")
            assert outbox_rows(commerce) == before, where
            assert shop.get(f"/carts/{alices.cart_id}",
                            headers=bearer("alice")).json() == cart_before, where
            checked += 1
    assert checked >= 10  # at least the shopper operations, refused to everyone here
    if who is None or not PRINCIPALS[who].permissions:
        order = shop.get(f"/orders/{alices.order_id}", headers=bearer("alice")).json()
        assert order["status"] == "confirmed"


@pytest.mark.parametrize("caller", list(CALLERS))
def test_public_operations_and_opening_a_cart_answer_everyone(
    shop: TestClient, caller: str,
) -> None:
    who = CALLERS[caller]
    headers = bearer(who) if who else {}
    for path in ("/products", "/categories", "/search?q=shirt", "/health/live",
                 "/stock/CANVAS-TOTE"):
        assert shop.get(path, headers=headers).status_code == 200, path
    assert shop.post("/carts", json={}, headers=headers).status_code == 201


# -- object-level access -------------------------------------------------------------------------

def test_a_customer_reaches_their_own_cart_and_order_without_a_token(
    shop: TestClient, alices: Alices,
) -> None:
    cart = shop.get(f"/carts/{alices.cart_id}", headers=bearer("alice"))
    order = shop.get(f"/orders/{alices.order_id}", headers=bearer("alice"))
    checkout = shop.get(f"/checkouts/{alices.checkout_id}", headers=bearer("alice"))
    cancelled = shop.post(f"/orders/{alices.order_id}/cancel", headers=bearer("alice"))

    assert cart.status_code == order.status_code == checkout.status_code == 200
    assert cart.json()["customer_id"] == "cus-alice"
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"


def test_a_guest_reaches_their_cart_checkout_and_order_only_with_the_carts_token(
    shop: TestClient,
) -> None:
    opened = shop.post("/carts", json={})
    cart_id, token = opened.json()["id"], opened.json()["access_token"]
    other = shop.post("/carts", json={}).json()["access_token"]
    mine = {"X-Cart-Token": token}
    added = shop.post(f"/carts/{cart_id}/items", json={"sku": "CANVAS-TOTE", "quantity": 1},
                      headers=mine)
    placed = shop.post("/orders", json={"cart_id": cart_id}, headers=mine).json()

    assert opened.headers["cache-control"] == "no-store"
    assert added.status_code == 201
    for path in (f"/carts/{cart_id}", f"/orders/{placed['order_id']}",
                 f"/checkouts/{placed['checkout_id']}"):
        assert shop.get(path, headers=mine).status_code == 200, path
        for wrong in ({}, {"X-Cart-Token": other}, {"X-Cart-Token": token[:-1]},
                      bearer("bob")):
            assert shop.get(path, headers=wrong).status_code == 404, (path, wrong)


def test_someone_elses_cart_looks_exactly_like_an_unknown_one(
    shop: TestClient, alices: Alices,
) -> None:
    theirs = shop.get(f"/carts/{alices.cart_id}", headers=bearer("bob"))
    unknown = shop.get("/carts/no-such-cart", headers=bearer("bob"))

    assert_problem(theirs, 404, "cart.not_found")
    assert_problem(unknown, 404, "cart.not_found")
    assert theirs.json()["detail"].replace(alices.cart_id, "?") == \
        unknown.json()["detail"].replace("no-such-cart", "?")


def test_the_shop_keeps_only_the_tokens_sha256(shop: TestClient, commerce: Commerce) -> None:
    opened = shop.post("/carts", json={}).json()

    access = commerce.cart.access(opened["id"])

    assert access.access_token_hash == hashlib.sha256(
        opened["access_token"].encode()).hexdigest()
    assert opened["access_token"] not in repr(commerce.cart.get(opened["id"]))
    assert "access_token" not in shop.get(f"/carts/{opened['id']}", headers={
        "X-Cart-Token": opened["access_token"]}).json()


def test_staff_read_and_cancel_any_order_through_admin(shop: TestClient, alices: Alices) -> None:
    read = shop.get(f"/admin/orders/{alices.order_id}", headers=bearer("order-admin"))
    viewer_cancel = shop.post(f"/admin/orders/{alices.order_id}/cancel",
                              headers=bearer("viewer"))
    cancelled = shop.post(f"/admin/orders/{alices.order_id}/cancel",
                          headers=bearer("order-admin"), json={"reason": "fraud_suspected"})

    assert read.status_code == 200
    assert read.json()["id"] == alices.order_id
    assert_problem(viewer_cancel, 403, "auth.forbidden")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["history"][-1]["changed_by"] == "u-orders"


def test_the_operator_token_is_a_super_admin(shop: TestClient, alices: Alices) -> None:
    assert shop.get(f"/admin/orders/{alices.order_id}", headers=ADMIN).status_code == 200
    assert shop.get("/metrics", headers=ADMIN).status_code == 200
    # but it is nobody's shopper: another's cart is still unknown to it
    assert shop.get(f"/carts/{alices.cart_id}", headers=ADMIN).status_code == 404


# -- identity comes from the bearer only (spec scenario 18) -------------------------------------

@pytest.mark.parametrize("spoofed", [
    {"X-User-ID": "u-alice"}, {"X-Customer-ID": "cus-alice"},
    {"X-Admin-ID": "u-root", "X-Admin-Roles": "super_admin"},
    {"X-Client-Type": "admin", "X-Forwarded-User": "u-root"},
])
def test_a_spoofed_identity_header_does_not_change_who_calls(
    shop: TestClient, alices: Alices, spoofed: dict[str, str],
) -> None:
    as_bob = shop.get(f"/carts/{alices.cart_id}", headers={**bearer("bob"), **spoofed})
    anonymous = shop.get("/admin/orders", headers=spoofed)
    viewer = shop.post(f"/admin/orders/{alices.order_id}/capture",
                       headers={**bearer("viewer"), **spoofed})

    assert_problem(as_bob, 404, "cart.not_found")
    assert_problem(anonymous, 401, "auth.unauthenticated")
    assert_problem(viewer, 403, "auth.forbidden")


class Expiring:
    """An authenticator refusing its own kind of token with an error of its own."""

    def authenticate(self, credential: str) -> Principal | None:
        if credential.startswith("jwt."):
            raise InvalidInput("the access token expired")
        return None


def test_an_authenticators_refusal_is_a_401(commerce: Commerce, seeded: Seeded) -> None:
    app = create_app(commerce, settings(), authenticators=[Expiring()])
    with TestClient(app) as client:
        refused = client.get("/admin/orders", headers=bearer("jwt.old"))
        opened = client.post("/carts", json={}, headers=bearer("jwt.old"))

    assert refused.status_code == opened.status_code == 401
    assert "expired" in refused.json()["detail"]
    assert refused.headers["www-authenticate"].startswith("Bearer")
