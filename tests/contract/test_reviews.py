"""The review repositories' contract on memory, SQLite and PostgreSQL: a review reads back as
written (votes, reports, moderation records), one live review per customer and product, the
published page in each sort, the queue, a customer's activity, and a product's tally counted
by one query."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import attrs
import pytest

from commerce_core.review.errors import DuplicateReview, ReviewNotFound
from commerce_core.review.model import (
    ModerationRecord,
    RatingSummary,
    Report,
    Review,
    ReviewStatus,
    Tally,
    Vote,
)
from commerce_core.review.queries import ReviewSort
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.builders import state
from tests.contract.conftest import Store
from tests.shop import every_event

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def review(review_id: str, *, product_id: str = "p-1", customer_id: str = "c-1",
           rating: int = 5, status: ReviewStatus = ReviewStatus.APPROVED,
           at: datetime | None = None, verified: bool = True, **changes: Any) -> Review:
    made = Review.submit(review_id=review_id, product_id=product_id, customer_id=customer_id,
                         order_id=f"o-{customer_id}", rating=rating, title="Lovely shirt",
                         content="Soft linen, true to size.", images=["https://i/1.jpg"],
                         pros="soft", cons="", recommended=True, is_anonymous=False,
                         delivered_at=(at or T0) - timedelta(days=2), now=at or T0)
    made.status, made.is_verified = status, verified
    made.events.clear()
    return attrs.evolve(made, **changes) if changes else made


def add(store: Store, *reviews: Review) -> None:
    with store.uow() as uow:
        for r in reviews:
            uow.reviews.add(r)
        uow.commit()


def test_a_review_reads_back_as_written_with_its_children(store: Store) -> None:
    written = review("r-1", votes=[Vote("c-9", True, T0)],
                     reports=[Report("c-8", "spam", "ads", T0)],
                     moderation=[ModerationRecord("m-1", "approve", "first review", None,
                                                  True, 10, T0)],
                     helpful_count=1, report_count=1, risk_score=10, recommended=None)
    add(store, written)

    with store.uow() as uow:
        read = uow.reviews.get("r-1")

    assert state(read) == {**state(written), "version": read.version}
    with store.uow() as uow, pytest.raises(ReviewNotFound):
        uow.reviews.get("r-404")


def test_one_live_review_per_customer_and_product(store: Store) -> None:
    add(store, review("r-1"))

    with pytest.raises((DuplicateReview, ConcurrencyConflict)):
        add(store, review("r-2"))

    with store.uow() as uow:
        first = uow.reviews.get("r-1")
        first.delete("owner", T0)
        uow.commit()
    add(store, review("r-2"))
    with store.uow() as uow:
        live = uow.reviews.live("p-1", "c-1")
    assert live is not None
    assert live.id == "r-2"


def test_a_concurrent_change_loses(store: Store) -> None:
    with store.uow() as uow:
        uow.reviews.add(review("r-1"))
        uow.commit()
        held = uow.held()
    with store.uow() as other:
        other.reviews.get("r-1").vote("c-9", True, T0)
        other.commit()
    with store.uow() as uow:
        uow.adopt(held)
        uow.reviews.get("r-1").vote("c-8", False, T0)
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
    with store.uow() as uow:
        assert [v.user_id for v in uow.reviews.get("r-1").votes] == ["c-9"]


def test_the_published_page_in_each_sort(store: Store) -> None:
    add(store,
        review("r-1", customer_id="c-1", rating=3, at=T0, helpful_count=5),
        review("r-2", customer_id="c-2", rating=5, at=T0 + timedelta(hours=1)),
        review("r-3", customer_id="c-3", rating=1, at=T0 + timedelta(hours=2), helpful_count=2),
        review("r-4", customer_id="c-4", rating=4, at=T0 + timedelta(hours=3),
               status=ReviewStatus.PENDING),
        review("r-5", customer_id="c-5", rating=2, at=T0, product_id="p-2"),
        review("r-6", customer_id="c-6", rating=4, at=T0, is_anonymous=True))

    def ids(sort: ReviewSort, limit: int = 10, offset: int = 0) -> list[str]:
        with store.uow() as uow:
            return [v.id for v in uow.reviews.published("p-1", sort=sort, limit=limit,
                                                         offset=offset)]

    assert ids(ReviewSort.NEWEST) == ["r-3", "r-2", "r-6", "r-1"]
    assert ids(ReviewSort.HELPFUL) == ["r-1", "r-3", "r-2", "r-6"]
    assert ids(ReviewSort.RATING_DESC) == ["r-2", "r-6", "r-1", "r-3"]
    assert ids(ReviewSort.RATING_ASC) == ["r-3", "r-1", "r-6", "r-2"]
    assert ids(ReviewSort.NEWEST, limit=2, offset=1) == ["r-2", "r-6"]
    with store.uow() as uow:
        (anonymous,) = [v for v in uow.reviews.published("p-1", sort=ReviewSort.NEWEST,
                                                         limit=10, offset=0) if v.id == "r-6"]
    assert anonymous.customer_id is None
    assert anonymous.images == ("https://i/1.jpg",)


def test_the_queue_holds_pending_and_flagged_oldest_first(store: Store) -> None:
    add(store,
        review("r-1", customer_id="c-1", status=ReviewStatus.FLAGGED, at=T0 + timedelta(hours=1)),
        review("r-2", customer_id="c-2", status=ReviewStatus.PENDING, at=T0),
        review("r-3", customer_id="c-3", status=ReviewStatus.APPROVED, at=T0),
        review("r-4", customer_id="c-4", status=ReviewStatus.REJECTED, at=T0))

    with store.uow() as uow:
        assert [r.id for r in uow.reviews.queue(limit=10, offset=0)] == ["r-2", "r-1"]
        assert [r.id for r in uow.reviews.queue(limit=1, offset=1)] == ["r-1"]


def test_a_customers_activity_and_an_orders_reviews(store: Store) -> None:
    add(store,
        review("r-1", product_id="p-1", at=T0 - timedelta(days=3)),
        review("r-2", product_id="p-2", at=T0),
        review("r-3", product_id="p-3", customer_id="c-2", at=T0))

    with store.uow() as uow:
        assert uow.reviews.activity("c-1", T0 - timedelta(days=1)) == (2, 1)
        assert uow.reviews.activity("c-404", T0) == (0, 0)
        assert [r.id for r in uow.reviews.of_order("o-c-1")] == ["r-1", "r-2"]


def test_the_tally_counts_approved_reviews_by_stars_and_verified(store: Store) -> None:
    add(store,
        review("r-1", customer_id="c-1", rating=5),
        review("r-2", customer_id="c-2", rating=4, verified=False),
        review("r-3", customer_id="c-3", rating=5),
        review("r-4", customer_id="c-4", rating=1, status=ReviewStatus.PENDING),
        review("r-5", customer_id="c-5", rating=2, status=ReviewStatus.DELETED, live_key=None),
        review("r-6", customer_id="c-6", rating=3, product_id="p-2"))

    with store.uow() as uow:
        tally = uow.reviews.tally("p-1")
        empty = uow.reviews.tally("p-404")

    assert tally == Tally((0, 0, 0, 1, 2), 2)
    assert (tally.total, tally.average) == (3, 467)
    assert empty == Tally()


def test_summaries_read_back_and_by_products(store: Store) -> None:
    summary = RatingSummary("p-1")
    summary.recount(Tally((0, 0, 0, 1, 1), 2), T0)
    with store.uow() as uow:
        uow.rating_summaries.add(summary)
        uow.commit()

    with store.uow() as uow:
        read = uow.rating_summaries.find("p-1")
        assert read is not None
        assert read.tally == Tally((0, 0, 0, 1, 1), 2)
        assert read.last_calculated_at == T0
        assert uow.rating_summaries.find("p-2") is None
        assert set(uow.rating_summaries.of_products(["p-1", "p-2"])) == {"p-1"}
        read.recount(Tally((0, 0, 0, 1, 2), 3), T0 + timedelta(minutes=1))
        uow.commit()
    with store.uow() as uow:
        again = uow.rating_summaries.find("p-1")
    assert again is not None
    assert again.tally.total == 3


def test_the_review_journey_on_each_adapter(store: Store) -> None:
    # Submit, refuse a stranger and a duplicate, moderate, vote, and revoke the badge after a
    # completed return: the rating follows each step through the events, on every adapter.
    from adapters.carriers.fake import FakeCarrier
    from adapters.carriers.registry import CarrierRegistry
    from commerce_core.app import Commerce, Ports
    from commerce_core.review.errors import NotVerifiedPurchase
    from commerce_core.review.model import ReviewPolicy
    from tests.unit.returns.support import (
        MUG,
        POLICY,
        SHIRT_M,
        FixedRisk,
        RefundGateway,
        delivered_order,
        line_id,
        returns_shop,
    )
    from tests.unit.review.support import GOOD_TEXT, product_of

    ports = Ports(uow=cast(Any, store.uow), gateway=RefundGateway(), clock=store.clock,
                  ids=store.ids, carriers=CarrierRegistry([FakeCarrier(clock=store.clock)]))
    shop = returns_shop(commerce=Commerce(
        ports, return_policy=POLICY, return_risk=FixedRisk(0),
        review_policy=ReviewPolicy(banned_words=frozenset({"damn"}))))
    order_id = delivered_order(shop, (SHIRT_M, 1), (MUG, 1))
    shirt, mug = product_of(shop, order_id, SHIRT_M), product_of(shop, order_id, MUG)

    with pytest.raises(NotVerifiedPurchase):
        shop.reviews.submit("c-2", shirt, order_id, 5, "Not mine", GOOD_TEXT)
    first = shop.reviews.submit("c-1", shirt, order_id, 4, "Lovely shirt", GOOD_TEXT)
    with pytest.raises((DuplicateReview, ConcurrencyConflict)):
        shop.reviews.submit("c-1", shirt, order_id, 5, "Again", GOOD_TEXT)
    waiting = shop.reviews.submit("c-1", mug, order_id, 2, "Damn mug",
                                  "The damn handle came off in a week, sadly.")
    assert (first.status, waiting.status) == ("approved", "flagged")
    shop.reviews.approve(waiting.id, "staff-1", "fair")
    assert shop.reviews.vote(first.id, "c-9") is True

    return_id = shop.returns.request(order_id, [(line_id(shop, order_id, SHIRT_M), 1)],
                                     "defective", customer_id="c-1")
    shop.returns.receive(return_id)
    shop.returns.inspect(return_id)
    shop.returns.complete(return_id)

    shirt_rating, mug_rating = shop.reviews.rating(shirt), shop.reviews.rating(mug)
    assert (shirt_rating.average, shirt_rating.total, shirt_rating.verified_count) == (400, 1, 0)
    assert (mug_rating.average, mug_rating.total, mug_rating.verified_count) == (200, 1, 1)
    assert shop.reviews.get(first.id).helpful_count == 1
    with store.uow() as uow:
        types = [e.type for e in every_event(uow)]
    # the shirt's first review, the mug's approval, the shirt's lost badge
    assert types.count("review.rating_updated") == 3
    assert "review.verification_revoked" in types
