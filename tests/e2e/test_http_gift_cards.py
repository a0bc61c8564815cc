"""Gift cards, store credit and paying with them over HTTP: the code appears once (in the
issue's answer), balance lookups by code are rate limited, a customer binds a card and pays
with it and their store credit, the card pays the rest; who may call what."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from fastapi.testclient import TestClient

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core.app import Commerce
from commerce_core.shared.principal import Principal
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, assert_problem, seed_shop, vnd
from tests.ledger_support import books


@attrs.define
class Bearers:
    principals: dict[str, Principal] = attrs.field(factory=dict)

    def authenticate(self, credential: str) -> Principal | None:
        return self.principals.get(credential)


@attrs.define
class Shop:
    commerce: Commerce
    client: TestClient
    bearers: Bearers

    def customer(self, bearer: str) -> dict[str, str]:
        customer = self.commerce.customers.register(f"{bearer}@example.vn", "Lan", "Nguyễn")
        self.bearers.principals[bearer] = Principal(kind="customer", subject=customer.id,
                                                    customer_id=customer.id)
        return {"Authorization": f"Bearer {bearer}"}


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    monkeypatch.setenv("COMMERCE_RATE_LIMIT_GIFTCARD_LOOKUP", "3/min")
    commerce = Commerce(bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                               ids=SequentialIds()))
    books.watch(commerce.ports.uow)
    seed_shop(commerce)
    bearers = Bearers()
    app = create_app(commerce, Settings(database_url="memory://",
                                        operator_token=OPERATOR_TOKEN), authenticators=[bearers])
    with TestClient(app) as client:
        yield Shop(commerce, client, bearers)


def issued(shop: Shop, amount: int, **body: object) -> dict[str, object]:
    response = shop.client.post("/admin/gift-cards", headers=ADMIN,
                                json={"amount": amount, **body})
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data


def test_the_code_is_shown_once_and_staff_find_a_card_by_its_last_four(shop: Shop) -> None:
    card = issued(shop, 500_000, note="birthday")

    shown = shop.client.get(f"/admin/gift-cards/{card['id']}", headers=ADMIN)
    found = shop.client.get("/admin/gift-cards", headers=ADMIN,
                            params={"last4": str(card["last4"])})

    assert len(str(card["code"])) == 19
    assert card["balance"] == {"amount": 500_000, "currency": "VND", "display": "500,000 VND"}
    assert "code" not in shown.json()
    assert shown.json()["last4"] == card["last4"]
    assert [c["id"] for c in found.json()] == [card["id"]]


def test_a_balance_by_code_is_rate_limited_per_address(shop: Shop) -> None:
    card = issued(shop, 100_000)

    answers = [shop.client.post("/gift-cards/balance", json={"code": card["code"]})
               for _ in range(3)]
    refused = shop.client.post("/gift-cards/balance", json={"code": card["code"]})

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].json()["available"]["amount"] == 100_000
    assert "customer_id" not in answers[0].json()
    assert_problem(refused, 429, "rate_limited")


def test_an_unknown_code_is_404_and_a_malformed_one_422(shop: Shop) -> None:
    unknown = shop.client.post("/gift-cards/balance", json={"code": "ABCD-EFGH-JKMN-PQRS"})
    malformed = shop.client.post("/gift-cards/balance", json={"code": "nope"})

    assert_problem(unknown, 404, "giftcard.not_found")
    assert_problem(malformed, 422, "request.invalid")


def test_a_customer_binds_a_card_and_pays_with_it_and_store_credit(shop: Shop) -> None:
    me = shop.customer("lan")
    customer_id = shop.bearers.principals["lan"].customer_id
    assert customer_id is not None
    card = issued(shop, 200_000)
    shop.commerce.giftcards.grant_store_credit(customer_id, vnd(50_000), "welcome")

    bound = shop.client.post("/me/gift-cards", headers=me, json={"code": card["code"]})
    cart = shop.client.post("/carts", headers=me, json={}).json()["id"]
    shop.client.post(f"/carts/{cart}/items", headers=me,
                     json={"sku": "LINEN-SHIRT-M", "quantity": 1})
    placed = shop.client.post("/orders", headers=me, json={
        "cart_id": cart, "gift_card_code": card["code"], "store_credit_amount": 50_000})

    assert bound.status_code == 200, bound.text
    assert [c["id"] for c in shop.client.get("/me/gift-cards", headers=me).json()] == [
        card["id"]]
    assert placed.status_code == 201, placed.text
    assert placed.json()["status"] == "confirmed"
    credit = shop.client.get("/me/store-credit", headers=me).json()
    assert credit["balance"]["amount"] == 0
    after = shop.client.get(f"/admin/gift-cards/{card['id']}", headers=ADMIN).json()
    assert after["balance"]["amount"] == 0
    entries = shop.client.get(f"/admin/ledger/accounts/{after['account_id']}/entries",
                              headers=ADMIN).json()
    assert [e["kind"] for e in entries] == ["capture", "credit"]


def test_more_points_than_the_customer_has_is_409_and_changes_nothing(shop: Shop) -> None:
    me = shop.customer("lan")
    cart = shop.client.post("/carts", headers=me, json={}).json()["id"]
    shop.client.post(f"/carts/{cart}/items", headers=me,
                     json={"sku": "LINEN-SHIRT-M", "quantity": 1})

    # A new customer holds the loyalty program's 500-point welcome bonus.
    refused = shop.client.post("/orders", headers=me, json={"cart_id": cart, "points": 501})

    assert_problem(refused, 409, "ledger.insufficient_value")
    assert shop.client.get(f"/carts/{cart}", headers=me).json()["status"] == "active"


def test_who_may_call_the_gift_card_routes(shop: Shop) -> None:
    shop.bearers.principals["viewer"] = Principal(
        kind="staff", subject="u-1", permissions=frozenset({"giftcards.read"}))
    viewer = {"Authorization": "Bearer viewer"}

    assert_problem(shop.client.get("/me/gift-cards"), 401, "auth.unauthenticated")
    assert_problem(shop.client.post("/admin/gift-cards", headers=viewer, json={"amount": 1}),
                   403, "auth.forbidden")
    assert_problem(shop.client.get("/admin/gift-cards/x", headers=viewer), 404,
                   "giftcard.not_found")


def test_an_expiry_without_a_zone_is_utc_and_one_in_the_past_is_422(shop: Shop) -> None:
    card = issued(shop, 1_000, expires_at="2999-01-01T00:00:00")
    past = shop.client.post("/admin/gift-cards", headers=ADMIN,
                            json={"amount": 1_000, "expires_at": "2000-01-01T00:00:00Z"})

    assert card["expires_at"] == "2999-01-01T00:00:00Z"
    assert_problem(past, 422, "giftcard.invalid")


def test_a_gift_card_amount_without_its_code_is_422_and_changes_nothing(shop: Shop) -> None:
    me = shop.customer("lan")
    cart = shop.client.post("/carts", headers=me, json={}).json()["id"]
    shop.client.post(f"/carts/{cart}/items", headers=me,
                     json={"sku": "LINEN-SHIRT-M", "quantity": 1})

    refused = shop.client.post("/orders", headers=me,
                               json={"cart_id": cart, "gift_card_amount": 10_000})

    assert_problem(refused, 422, "checkout.invalid_tenders")
    assert "gift_card_code" in refused.json()["detail"]
    assert shop.client.get(f"/carts/{cart}", headers=me).json()["status"] == "active"


@pytest.mark.parametrize("code", [
    "0000-0000-0000-0000", "ABCD-EFGH-JKMN-PQR", "ABCD--EFGH-JKMN-PQRS"])
def test_a_code_no_card_can_have_is_refused_by_its_shape(shop: Shop, code: str) -> None:
    answer = shop.client.post("/gift-cards/balance", json={"code": code})

    assert_problem(answer, 422, "request.invalid")
