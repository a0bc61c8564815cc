"""The review context's published read language: a review as shown, a product's rating."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from attrs import frozen


class ReviewSort(StrEnum):
    NEWEST = "newest"
    HELPFUL = "helpful"
    RATING_DESC = "rating_desc"
    RATING_ASC = "rating_asc"


@frozen
class ProductRating:
    """A product's rating: `average` in hundredths of a star (450 = 4.5), `distribution` the
    approved reviews per star (index 0: one star)."""

    product_id: str
    average: int
    total: int
    distribution: tuple[int, int, int, int, int]
    verified_count: int
    last_calculated_at: datetime | None = None

    @classmethod
    def empty(cls, product_id: str) -> ProductRating:
        return cls(product_id, 0, 0, (0, 0, 0, 0, 0), 0)


@frozen
class ReviewView:
    """A review as shoppers see it: an anonymous review shows no customer id."""

    id: str
    product_id: str
    customer_id: str | None
    rating: int
    title: str
    content: str
    images: tuple[str, ...]
    pros: str
    cons: str
    recommended: bool | None
    is_anonymous: bool
    is_verified: bool
    status: str
    helpful_count: int
    not_helpful_count: int
    reply: str | None
    replied_at: datetime | None
    created_at: datetime
    updated_at: datetime


@frozen
class ModerationView:
    """A review as staff see it in the queue: who wrote it, its score and why."""

    review: ReviewView
    customer_id: str
    order_id: str
    risk_score: int | None
    moderation_reason: str | None
    report_count: int


@frozen
class ReviewPage:
    items: tuple[ReviewView, ...]
    total: int
    limit: int
    offset: int
