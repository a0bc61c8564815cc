"""Statement budgets of the review hot paths on SQLite and PostgreSQL: a product's page of
reviews and a submission (with what it sets off in process: the rating recount and the search
document's refresh) cost the same whether the product has 2 reviews or 40. Counted, never
timed; lowering a figure is progress, raising one needs a reason in its commit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.sql import SqlUnitOfWorkFactory, bundle
from commerce_core import Commerce, Money, VariantSpec
from commerce_core.ordering import services as ordering
from commerce_core.review.commands import SubmitReview
from commerce_core.review.model import Review, ReviewStatus, Vote
from tests.integration.test_statement_budgets import Shop

# (statements, transactions). The page: the reviews as views (no votes or reports loaded),
# then the rating summary for its total (SQLite adds its BEGIN). Submit: the order with its
# lines, the order's returns (a product that came back is not reviewed), the live review and
# the reviewer's activity in one read transaction; the review with
# its moderation record and events in the write; then in process the recount (one grouped
# query, the summary, its event), the search document rewritten with its rating (the index
# replaces a document whole), and the outbox marks. The writes of each commit are one statement
# (ADR 0037).
BUDGETS = {
    "sqlite": {"list reviews": (3, 1), "submit review": (33, 6)},
    "postgresql": {"list reviews": (2, 1), "submit review": (25, 6)},
}
SIZES = pytest.mark.parametrize("reviews", [2, 40])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    url = (f"sqlite:///{tmp_path}/shop.db" if request.param == "sqlite"
           else str(request.getfixturevalue("postgres_url")))
    ports = bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                   ids=SequentialIds(), pool_size=2)
    assert isinstance(ports.uow, SqlUnitOfWorkFactory)
    commerce = Commerce(ports)
    commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
    commerce.catalog.create_product("Linen shirt", "linen-shirt",
                                    [VariantSpec("LINEN-SHIRT-M", Money(350_000, "VND"))],
                                    publish=True)
    commerce.inventory.set_stock("LINEN-SHIRT-M", "HCM", 100)
    try:
        yield Shop(commerce, ports.uow.engine, request.param)
    finally:
        ports.uow.dispose()


def delivered(commerce: Commerce, customer_id: str) -> tuple[str, str]:
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    order_id = commerce.checkout.place_order(cart_id, customer_id=customer_id).order_id
    commerce.payments.capture(order_id)
    with commerce.ports.uow() as uow:
        for step in ("processing", "shipped", "delivered"):
            ordering.advance(uow, order_id, step, "test", by="test",
                             now=commerce.ports.clock.now())
        uow.commit()
    (line,) = commerce.orders.get(order_id).lines
    return order_id, line.product_id


def reviewed(shop: Shop, product_id: str, count: int) -> None:
    """`count` published reviews with a vote each, written straight to storage."""
    now = shop.commerce.ports.clock.now()
    with shop.commerce.ports.uow() as uow:
        for n in range(count):
            review = Review.submit(
                review_id=f"r-{n}", product_id=product_id, customer_id=f"c-{n}",
                order_id=f"o-{n}", rating=1 + n % 5, title="Lovely shirt",
                content="Soft linen, true to size.", images=(), pros="", cons="",
                recommended=None, is_anonymous=False, delivered_at=now - timedelta(days=1),
                now=now - timedelta(minutes=n))
            review.status = ReviewStatus.APPROVED
            review.votes = [Vote("reader", True, now)]
            uow.reviews.add(review)
        uow.commit()
    shop.commerce.reviews.recount(product_id)


@SIZES
def test_a_page_of_reviews(shop: Shop, reviews: int) -> None:
    _, product_id = delivered(shop.commerce, "buyer")
    reviewed(shop, product_id, reviews)

    with shop.counting() as counted:
        page = shop.commerce.reviews.of_product(product_id, sort="helpful", limit=20)

    assert len(page.items) == min(reviews, 20)
    assert page.total == reviews
    assert counted.figures == BUDGETS[shop.dialect]["list reviews"]


@SIZES
def test_submitting_a_review(shop: Shop, reviews: int) -> None:
    order_id, product_id = delivered(shop.commerce, "buyer")
    reviewed(shop, product_id, reviews)

    with shop.counting() as counted:
        review_id = shop.commerce.handle(SubmitReview(
            "buyer", product_id, order_id, 5, "Lovely shirt",
            "Soft linen, true to size and it keeps its shape."))

    assert shop.commerce.reviews.get(review_id).status == "approved"
    assert shop.commerce.reviews.rating(product_id).total == reviews + 1
    assert counted.figures == BUDGETS[shop.dialect]["submit review"]
