"""What the review context needs from storage: its reviews, the rating summaries, and the
orders it checks purchases against (ordering's face, read before the review's transaction)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, Protocol

from commerce_core.ordering.ports import OrderingUnitOfWork
from commerce_core.review.model import (
    ModerationRecord,
    RatingSummary,
    Report,
    Review,
    ReviewPolicy,
    ReviewStatus,
    Tally,
    Vote,
)
from commerce_core.review.queries import ReviewSort, ReviewView

__all__ = [
    "ModerationRecord", "RatingSummary", "RatingSummaryRepository", "Report", "ReturnedProducts",
    "Review",
    "ReviewPolicy", "ReviewRepository", "ReviewStatus", "ReviewUnitOfWork", "Tally", "Vote",
]


class ReviewRepository(Protocol):
    def add(self, review: Review) -> None:
        """A second live review of the same product by the same customer (`live_key`) raises
        `DuplicateReview` (or `ConcurrencyConflict`) at the latest on commit."""
        ...

    def get(self, review_id: str) -> Review:
        """The review (deleted ones too), or `ReviewNotFound`."""
        ...

    def live(self, product_id: str, customer_id: str) -> Review | None:
        """The customer's review of the product that is not deleted."""
        ...

    def of_order(self, order_id: str) -> list[Review]:
        """Every review written with the order, oldest first."""
        ...

    def published(self, product_id: str, *, sort: ReviewSort, limit: int,
                  offset: int) -> list[ReviewView]:
        """Approved reviews of the product as shown, in `sort` (ties: newest, then id), without
        loading their votes or reports: one query whatever the page holds."""
        ...

    def queue(self, *, limit: int, offset: int) -> list[Review]:
        """Pending and flagged reviews, oldest first: the moderation queue."""
        ...

    def activity(self, customer_id: str, since: datetime) -> tuple[int, int]:
        """How many reviews the customer wrote ever, and since `since` (deleted ones too)."""
        ...

    def tally(self, product_id: str) -> Tally:
        """The product's approved reviews counted by stars, and the verified ones among them:
        one aggregate query, no review loaded."""
        ...


class RatingSummaryRepository(Protocol):
    def add(self, summary: RatingSummary) -> None: ...

    def find(self, product_id: str) -> RatingSummary | None: ...

    def of_products(self, product_ids: Collection[str]) -> dict[str, RatingSummary]:
        """The summaries that exist among `product_ids`, by product."""
        ...


class ReviewUnitOfWork(OrderingUnitOfWork, Protocol):
    @property
    def reviews(self) -> ReviewRepository: ...

    @property
    def rating_summaries(self) -> RatingSummaryRepository: ...


class ReturnedProducts(Protocol):
    """The products of an order that came back in a completed return (units accepted), read in
    the caller's unit of work. Returns sit above reviews, so the composition root answers it;
    a review of such a product is refused as not a verified purchase."""

    def __call__(self, uow: Any, order_id: str) -> Collection[str]: ...
