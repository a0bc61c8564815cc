"""A product's rating reaches its search document within the event cycle of the command that
moved it, survives the document's other refreshes and a rebuild, and filters and sorts."""

from __future__ import annotations

import attrs

from commerce_core.review.model import ReviewPolicy
from tests.unit.returns.support import MUG, SHIRT_M
from tests.unit.review.support import delivered_order, product_of, review_shop, write


def test_an_approval_changes_the_search_document_within_one_event_cycle() -> None:
    shop = review_shop(review_policy=attrs.evolve(ReviewPolicy(), auto_approve_below=0))
    review = write(shop, delivered_order(shop, (SHIRT_M, 1)), rating=4)
    document = shop.search.document(review.product_id)
    assert document is not None
    assert (document.rating, document.review_count) == (0, 0)

    shop.reviews.approve(review.id, "staff-1")

    document = shop.search.document(review.product_id)
    assert document is not None
    assert (document.rating, document.review_count) == (400, 1)


def test_the_rating_survives_a_catalog_refresh_and_a_rebuild() -> None:
    shop = review_shop()
    review = write(shop, delivered_order(shop, (SHIRT_M, 1)), rating=5)
    shop.search.reindex_product(review.product_id)
    shop.catalog.update(review.product_id, name="Linen shirt, washed")

    shop.search.reindex()

    document = shop.search.document(review.product_id)
    assert document is not None
    assert document.name == "Linen shirt, washed"
    assert (document.rating, document.review_count) == (500, 1)


def test_search_filters_by_minimum_stars_and_sorts_by_rating() -> None:
    shop = review_shop()
    order_id = delivered_order(shop, (SHIRT_M, 1), (MUG, 1))
    write(shop, order_id, rating=3)
    write(shop, order_id, sku=MUG, rating=5)
    shirt, mug = product_of(shop, order_id, SHIRT_M), product_of(shop, order_id, MUG)

    assert shop.search.query(sort="rating", record=False).product_ids == [mug, shirt]
    assert shop.search.query(rating_min=4, record=False).product_ids == [mug]


def test_a_deleted_review_leaves_the_rating_and_the_document() -> None:
    shop = review_shop()
    review = write(shop, delivered_order(shop, (SHIRT_M, 1)), rating=5)

    shop.reviews.delete(review.id, customer_id="c-1")

    assert shop.reviews.rating(review.product_id).total == 0
    document = shop.search.document(review.product_id)
    assert document is not None
    assert (document.rating, document.review_count) == (0, 0)


def test_an_older_rating_announcement_than_the_document_holds_is_ignored() -> None:
    from datetime import timedelta

    from commerce_core.shared.events import EventEnvelope

    shop = review_shop()
    review = write(shop, delivered_order(shop, (SHIRT_M, 1)), rating=5)
    stale = EventEnvelope(
        "stale-1", "review.rating_updated", 1,
        shop.ports.clock.now() - timedelta(minutes=5), review.product_id,
        {"product_id": review.product_id, "average_rating": 100, "total_reviews": 9,
         "distribution": {"1": 9}, "verified_count": 9,
         "occurred_at": shop.ports.clock.now().isoformat()})

    failures = shop.bus.deliver(stale)

    assert failures == {}
    document = shop.search.document(review.product_id)
    assert document is not None
    assert (document.rating, document.review_count) == (500, 1)
