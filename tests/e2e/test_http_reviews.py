"""Reviews over HTTP: a customer reviews what was delivered to them, another customer's order
is refused, a client's `is_verified` is refused as an unknown field, readers vote and report,
staff moderate under `/admin/reviews`, and the product page and search show the rating."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from commerce_core.checkout.commands import PlaceOrder
from commerce_core.ordering import services as ordering
from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import Principal
from entrypoints.http import create_app
from tests.e2e.conftest import Seeded, assert_problem, settings
from tests.e2e.test_http_authorization import TestBearers, bearer
from tests.shop import cart_with

PRINCIPALS = {
    "alice": Principal(kind="customer", subject="u-alice", customer_id="cus-alice"),
    "bob": Principal(kind="customer", subject="u-bob", customer_id="cus-bob"),
    "moderator": Principal(kind="staff", subject="u-mod",
                           permissions=frozenset({Permission.REVIEWS_MODERATE.value,
                                                  Permission.REVIEWS_REPLY.value}),
                           roles=frozenset({"CONTENT_ADMIN"})),
    "viewer": Principal(kind="staff", subject="u-view",
                        permissions=frozenset({Permission.CATALOG_READ.value})),
}
TEXT = "Breathes well in the heat, the linen softens with every wash."


@pytest.fixture
def shop(commerce: Commerce, seeded: Seeded) -> Iterator[TestClient]:
    app = create_app(commerce, settings(), authenticators=[TestBearers(PRINCIPALS)])
    with TestClient(app) as client:
        yield client


def delivered(commerce: Commerce, customer_id: str, sku: str = "LINEN-SHIRT-M") -> str:
    placed = commerce.handle(PlaceOrder(cart_with(commerce, (sku, 1)), "card",
                                        email=f"{customer_id}@example.vn",
                                        customer_id=customer_id))
    commerce.payments.capture(placed.order_id)
    with commerce.ports.uow() as uow:
        for step in ("processing", "shipped", "delivered"):
            ordering.advance(uow, placed.order_id, step, "test", by="test",
                             now=commerce.ports.clock.now())
        uow.commit()
    return str(placed.order_id)


def body(order_id: str, **changes: Any) -> dict[str, Any]:
    return {"order_id": order_id, "rating": 5, "title": "Lovely shirt", "content": TEXT,
            **changes}


def test_a_verified_buyer_reviews_and_the_product_shows_the_rating(
        shop: TestClient, commerce: Commerce, seeded: Seeded) -> None:
    shirt = seeded.product_ids["linen-shirt"]
    order_id = delivered(commerce, "cus-alice")
    url = f"/products/{shirt}/reviews"

    assert shop.post(url, json=body(order_id)).status_code == 401
    assert_problem(shop.post(url, json=body(order_id), headers=bearer("bob")), 409,
                   "review.not_verified_purchase")
    assert_problem(shop.post(url, json=body(order_id, is_verified=True), headers=bearer("bob")),
                   422, "request.invalid")
    assert_problem(shop.post(url, json=body(order_id, content="Too short"),
                             headers=bearer("alice")), 422, "request.invalid")
    assert shop.get(url).json()["total"] == 0

    created = shop.post(url, json=body(order_id), headers=bearer("alice"))
    assert created.status_code == 201, created.text
    review = created.json()
    assert (review["status"], review["is_verified"]) == ("approved", True)
    assert_problem(shop.post(url, json=body(order_id), headers=bearer("alice")), 409,
                   "review.duplicate")

    page = shop.get(url, params={"sort": "helpful"}).json()
    assert [r["id"] for r in page["items"]] == [review["id"]]
    assert page["rating"] == {"average": 5.0, "count": 1,
                              "distribution": {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1},
                              "verified_count": 1}
    product = shop.get(f"/products/{shirt}").json()
    assert product["rating"]["average"] == 5.0
    hits = shop.get("/search", params={"rating_min": 5, "sort": "rating"}).json()["hits"]
    assert [(h["product_id"], h["rating"], h["review_count"]) for h in hits] == [(shirt, 5.0, 1)]


def test_readers_vote_and_report_owners_edit_and_staff_moderate(
        shop: TestClient, commerce: Commerce, seeded: Seeded) -> None:
    shirt = seeded.product_ids["linen-shirt"]
    review = shop.post(f"/products/{shirt}/reviews", headers=bearer("alice"),
                       json=body(delivered(commerce, "cus-alice"))).json()
    rid = review["id"]

    vote = shop.post(f"/reviews/{rid}/votes", json={"helpful": True}, headers=bearer("bob"))
    assert vote.json() == {"vote": True, "helpful_count": 1, "not_helpful_count": 0}
    assert_problem(shop.post(f"/reviews/{rid}/votes", json={"helpful": True},
                             headers=bearer("alice")), 409, "review.own_vote")
    assert_problem(shop.put(f"/reviews/{rid}", headers=bearer("bob"), json={
        "rating": 1, "title": "Not mine", "content": "I rewrote somebody else's review."}),
        404, "review.not_found")
    assert shop.post(f"/reviews/{rid}/reports", json={"reason": "spam"},
                     headers=bearer("bob")).json() == {"status": "approved"}

    edited = shop.put(f"/reviews/{rid}", headers=bearer("alice"), json={
        "rating": 2, "title": "Faded fast",
        "content": "Faded after two washes; ask me at alice@example.vn for photos."})
    assert edited.json()["status"] == "flagged", edited.text
    assert "alice@example.vn" not in edited.json()["content"]
    assert_problem(shop.get(f"/reviews/{rid}"), 404, "review.not_found")
    assert shop.get(f"/reviews/{rid}", headers=bearer("alice")).json()["status"] == "flagged"

    assert shop.get("/admin/reviews", headers=bearer("viewer")).status_code == 403
    queue = shop.get("/admin/reviews", headers=bearer("moderator")).json()
    assert [(q["review"]["id"], q["customer_id"]) for q in queue] == [(rid, "cus-alice")]
    assert_problem(shop.post(f"/admin/reviews/{rid}/reject", json={"reason": " "},
                             headers=bearer("moderator")), 422, "request.invalid")
    approved = shop.post(f"/admin/reviews/{rid}/approve", json={"reason": "fair"},
                         headers=bearer("moderator"))
    assert approved.json()["review"]["status"] == "approved", approved.text
    assert_problem(shop.post(f"/admin/reviews/{rid}/approve", headers=bearer("moderator")),
                   409, "review.not_moderatable")
    reply = shop.put(f"/admin/reviews/{rid}/reply", json={"text": "Sorry, write to us!"},
                     headers=bearer("moderator"))
    assert reply.json()["reply"] == "Sorry, write to us!"
    assert shop.get(f"/products/{shirt}/rating").json()["average"] == 2.0

    assert shop.delete(f"/reviews/{rid}", headers=bearer("alice")).status_code == 204
    assert shop.get(f"/products/{shirt}/rating").json()["count"] == 0
