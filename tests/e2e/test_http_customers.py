"""`/me` as a signed-in customer (profile, preferences, address book, export, deletion), the
customer admin under `/admin/customers`, and the public `/locations` hierarchy."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from fastapi.testclient import TestClient

from adapters.locations import load_directory, sample_path
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core import Commerce
from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.principal import Principal
from entrypoints.http import create_app
from tests.e2e.conftest import ADMIN, assert_problem, settings
from tests.shop import SHIRT, cart_with, stock_shop


class BearerBook:
    """Test bearers mapped to principals, as the identity context's authenticator would."""

    def __init__(self) -> None:
        self.principals: dict[str, Principal] = {}

    def authenticate(self, credential: str) -> Principal | None:
        if credential == "expired":
            raise InvalidInput("the token expired")
        return self.principals.get(credential)


@attrs.define
class Shop:
    commerce: Commerce
    client: TestClient
    bearers: BearerBook

    def customer(self, email: str, bearer: str) -> dict[str, str]:
        customer = self.commerce.customers.register(email, "Lan", "Nguyễn")
        self.bearers.principals[bearer] = Principal(kind="customer", subject=customer.id,
                                                    customer_id=customer.id)
        return {"Authorization": f"Bearer {bearer}"}


@pytest.fixture
def shop() -> Iterator[Shop]:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    commerce = Commerce(attrs.evolve(ports, locations=load_directory(sample_path())))
    bearers = BearerBook()
    app = create_app(commerce, settings(), authenticators=[bearers])
    with TestClient(app) as client:
        yield Shop(commerce, client, bearers)


ADDRESS = {"first_name": "Lan", "last_name": "Nguyễn", "phone": "0901234567",
           "line1": "12 Lê Lợi", "location_id": "vn-hcm-ben-thanh"}


def test_me_routes_need_a_customer_bearer(shop: Shop) -> None:
    shop.bearers.principals["staff"] = Principal(kind="staff", subject="u-1")

    missing = shop.client.get("/me/profile")
    unknown = shop.client.get("/me/profile", headers={"Authorization": "Bearer nope"})
    expired = shop.client.get("/me/profile", headers={"Authorization": "Bearer expired"})
    staff = shop.client.get("/me/profile", headers={"Authorization": "Bearer staff"})

    assert_problem(missing, 401, "auth.unauthenticated")
    assert_problem(unknown, 401, "auth.invalid_token")
    assert_problem(expired, 401, "commerce.invalid_input")  # a refused credential: 401
    assert_problem(staff, 403, "auth.forbidden")


def test_a_customer_reads_and_changes_their_profile_and_preferences(shop: Shop) -> None:
    me = shop.customer("lan@example.vn", "lan")

    profile = shop.client.get("/me/profile", headers=me).json()
    changed = shop.client.patch("/me/profile", headers=me, json={
        "first_name": "Mai", "date_of_birth": "1992-03-08", "version": profile["version"]})
    stale = shop.client.patch("/me/profile", headers=me, json={
        "first_name": "Hoa", "version": profile["version"]})
    bad = shop.client.patch("/me/profile", headers=me, json={"email": "x@example.vn"})
    prefs = shop.client.patch("/me/preferences", headers=me,
                              json={"sms_marketing": True, "language": "en"})

    assert profile["email"] == "lan@example.vn"
    assert profile["group"] == "regular"
    assert changed.status_code == 200, changed.text
    assert changed.json()["first_name"] == "Mai"
    assert changed.json()["date_of_birth"] == "1992-03-08"
    assert_problem(stale, 409, "customer.stale_version")
    assert_problem(bad, 422, "request.invalid")
    assert prefs.json()["sms_marketing"] is True
    assert shop.client.get("/me/preferences", headers=me).json()["language"] == "en"


def test_the_address_book_keeps_one_default_and_is_private(shop: Shop) -> None:
    lan = shop.customer("lan@example.vn", "lan")
    minh = shop.customer("minh@example.vn", "minh")

    first = shop.client.post("/me/addresses", headers=lan, json=ADDRESS)
    second = shop.client.post("/me/addresses", headers=lan,
                              json={**ADDRESS, "line1": "1 Tràng Tiền",
                                    "location_id": "vn-hn-hoan-kiem", "make_default": True})
    first_id, second_id = first.json()["id"], second.json()["id"]
    listed = shop.client.get("/me/addresses", headers=lan).json()
    theirs = shop.client.get(f"/me/addresses/{first_id}", headers=minh)
    their_delete = shop.client.delete(f"/me/addresses/{first_id}", headers=minh)
    their_default = shop.client.post(f"/me/addresses/{first_id}/default", headers=minh)
    made_default = shop.client.post(f"/me/addresses/{first_id}/default", headers=lan)
    deleted = shop.client.delete(f"/me/addresses/{first_id}", headers=lan)
    after = shop.client.get("/me/addresses", headers=lan).json()

    assert first.status_code == 201, first.text
    assert first.json()["is_default"] is True
    assert first.json()["formatted"] == (
        "12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh, Việt Nam")
    assert [(a["id"], a["is_default"]) for a in listed] == [(second_id, True),
                                                            (first_id, False)]
    assert_problem(theirs, 404, "customer.address_not_found")
    assert_problem(their_delete, 404, "customer.address_not_found")
    assert_problem(their_default, 404, "customer.address_not_found")
    assert made_default.json()["is_default"] is True
    assert deleted.status_code == 204
    assert [(a["id"], a["is_default"]) for a in after] == [(second_id, True)]
    assert shop.client.get("/me/addresses", headers=minh).json() == []


def test_an_address_outside_the_hierarchy_is_a_problem(shop: Shop) -> None:
    me = shop.customer("lan@example.vn", "lan")

    province = shop.client.post("/me/addresses", headers=me,
                                json={**ADDRESS, "location_id": "vn-hcm"})
    unknown = shop.client.post("/me/addresses", headers=me,
                               json={**ADDRESS, "location_id": "vn-atlantis"})
    extra = shop.client.post("/me/addresses", headers=me, json={**ADDRESS, "planet": "Mars"})

    assert_problem(province, 422, "customer.invalid_address")
    assert_problem(unknown, 422, "customer.invalid_address")
    assert extra.status_code == 422
    assert shop.client.get("/me/addresses", headers=me).json() == []


def test_export_and_deletion_request_cancel_and_refusal(shop: Shop) -> None:
    me = shop.customer("lan@example.vn", "lan")
    customer_id = shop.bearers.principals["lan"].customer_id
    assert customer_id is not None
    shop.commerce.customers.verify(customer_id)
    stock_shop(shop.commerce)
    placed = shop.commerce.checkout.place_order(cart_with(shop.commerce, (SHIRT, 1)),
                                                customer_id=customer_id)

    exported = shop.client.get("/me/export", headers=me)
    refused = shop.client.post("/me/deletion", headers=me, json={"reason": "leaving"})
    shop.commerce.orders.cancel(placed.order_id)
    scheduled = shop.client.post("/me/deletion", headers=me, json={"reason": "leaving"})
    profile = shop.client.get("/me/profile", headers=me).json()
    cancelled = shop.client.delete("/me/deletion", headers=me)
    again = shop.client.delete("/me/deletion", headers=me)

    assert exported.json()["order_ids"] == [placed.order_id]
    assert exported.json()["email"] == "lan@example.vn"
    assert_problem(refused, 409, "customer.active_orders")
    assert scheduled.status_code == 202, scheduled.text
    assert scheduled.json()["scheduled_for"] == profile["deletion_scheduled_at"]
    assert cancelled.json() == {"scheduled_for": None}
    assert_problem(again, 409, "customer.deletion_not_scheduled")


def test_operators_list_suspend_activate_and_segment_customers(shop: Shop) -> None:
    shop.customer("lan@example.vn", "lan")
    customer_id = shop.bearers.principals["lan"].customer_id
    shop.commerce.customers.verify(str(customer_id))

    unguarded = shop.client.get("/admin/customers")
    listed = shop.client.get("/admin/customers", headers=ADMIN, params={"email": "lan"})
    suspended = shop.client.post(f"/admin/customers/{customer_id}/suspend", headers=ADMIN,
                                 json={"reason": "chargebacks"})
    activated = shop.client.post(f"/admin/customers/{customer_id}/activate", headers=ADMIN)
    grouped = shop.client.put(f"/admin/customers/{customer_id}/group", headers=ADMIN,
                              json={"group": "vip"})
    segment = shop.client.put("/admin/customers/segments/vn-mail", headers=ADMIN, json={
        "name": "Vietnamese mail", "rules": [{"field": "email", "operator": "contains",
                                             "value": ".vn"}]})
    evaluated = shop.client.post("/admin/segment-evaluations", headers=ADMIN)
    shown = shop.client.get(f"/admin/customers/{customer_id}", headers=ADMIN)
    missing = shop.client.get("/admin/customers/nobody", headers=ADMIN)

    assert unguarded.status_code == 401
    assert [c["id"] for c in listed.json()] == [customer_id]
    assert suspended.json()["status"] == "suspended"
    assert activated.json()["status"] == "active"
    assert grouped.json()["group"] == "vip"
    assert segment.json()["rules"][0]["operator"] == "contains"
    assert evaluated.json()["added"] == 1
    assert "vn-mail" in shown.json()["segments"]
    assert_problem(missing, 404, "customer.not_found")
    segments = shop.client.get("/admin/customers/segments", headers=ADMIN).json()
    assert [s["id"] for s in segments] == ["vn-mail"]


def test_locations_are_public(shop: Shop) -> None:
    roots = shop.client.get("/locations").json()
    provinces = shop.client.get("/locations/vn/children").json()
    ward = shop.client.get("/locations/vn-hcm-ben-thanh").json()
    valid = shop.client.get("/locations/vn-hcm-ben-thanh/validate",
                            params={"parent_id": "vn-hcm", "type": "ward"}).json()
    wrong = shop.client.get("/locations/vn-hcm-ben-thanh/validate",
                            params={"parent_id": "vn-hn"}).json()

    assert [r["id"] for r in roots] == ["vn"]
    assert "vn-hcm" in [p["id"] for p in provinces]
    assert [p["id"] for p in ward["path"]] == ["vn", "vn-hcm", "vn-hcm-ben-thanh"]
    assert valid["valid"] is True
    assert wrong["valid"] is False
    assert wrong["errors"]
    assert_problem(shop.client.get("/locations/vn-atlantis"), 404, "location.not_found")
