"""Facts about reviews and about a product's rating. Every review event names its product, so
the rating summary (and anything else keyed by product) can follow it by type and payload."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class ReviewSubmitted(DomainEvent):
    """A verified purchaser wrote a review; a moderation event follows in the same commit."""

    type = "review.submitted"
    review_id: str
    product_id: str
    customer_id: str
    order_id: str
    rating: int
    occurred_at: datetime


@frozen
class ReviewApproved(DomainEvent):
    """The review is published: it counts in the product's rating. `moderator_id` None: the
    automatic checks approved it."""

    type = "review.approved"
    review_id: str
    product_id: str
    rating: int
    moderator_id: str | None
    score: int | None
    occurred_at: datetime


@frozen
class ReviewFlagged(DomainEvent):
    """The review waits for staff (its automatic score was in the manual band, or readers
    reported it); a published review leaves the rating until decided."""

    type = "review.flagged"
    review_id: str
    product_id: str
    reason: str
    score: int | None
    occurred_at: datetime


@frozen
class ReviewRejected(DomainEvent):
    type = "review.rejected"
    review_id: str
    product_id: str
    reason: str
    moderator_id: str | None
    score: int | None
    occurred_at: datetime


@frozen
class ReviewUpdated(DomainEvent):
    """The owner changed the review; `significant`: it went back to moderation."""

    type = "review.updated"
    review_id: str
    product_id: str
    rating: int
    significant: bool
    occurred_at: datetime


@frozen
class ReviewDeleted(DomainEvent):
    type = "review.deleted"
    review_id: str
    product_id: str
    deleted_by: str
    occurred_at: datetime


@frozen
class ReviewVerificationRevoked(DomainEvent):
    """The reviewed item came back in a completed return: the review keeps its text, not its
    verified-purchase badge."""

    type = "review.verification_revoked"
    review_id: str
    product_id: str
    return_id: str
    occurred_at: datetime


@frozen
class ReviewReplied(DomainEvent):
    """The merchant answered the review publicly (or changed the answer)."""

    type = "review.replied"
    review_id: str
    product_id: str
    replied_by: str
    occurred_at: datetime


@frozen
class RatingUpdated(DomainEvent):
    """A product's rating summary changed. `average_rating` is the mean of approved reviews'
    stars in hundredths (450 = 4.5 stars; 0 without reviews); `distribution` counts approved
    reviews per star, keys "1" to "5"."""

    type = "review.rating_updated"
    product_id: str
    average_rating: int
    total_reviews: int
    distribution: dict[str, int]
    verified_count: int
    occurred_at: datetime
