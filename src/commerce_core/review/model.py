"""The review aggregate and its state machine (spec B3), its votes, reports and moderation
records, and the per-product rating summary.

A review is written only by a customer who received the product (the handler checks the
order before the review exists), so it starts verified; a completed return of the item takes
the badge away. `live_key` (product and customer) is unique in storage while the review is not
deleted: one review per customer and product.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.review.errors import (
    AlreadyReported,
    InvalidReview,
    OwnReviewReport,
    OwnReviewVote,
    ReviewEditClosed,
    ReviewNotModeratable,
    ReviewNotPublished,
)
from commerce_core.review.events import (
    RatingUpdated,
    ReviewApproved,
    ReviewDeleted,
    ReviewFlagged,
    ReviewRejected,
    ReviewReplied,
    ReviewSubmitted,
    ReviewUpdated,
    ReviewVerificationRevoked,
)
from commerce_core.review.moderation import Assessment, words
from commerce_core.shared.events import DomainEvent


class ReviewStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    FLAGGED = "flagged"
    REJECTED = "rejected"
    DELETED = "deleted"


S = ReviewStatus
MODERATABLE = frozenset({S.PENDING, S.FLAGGED})


@frozen
class ReviewPolicy:
    """The shop's review rules (spec B2); thresholds on the 0-100 risk score."""

    window_days: int = 90  # after delivery
    edit_days: int = 30  # after writing
    auto_approve_below: int = 30
    auto_reject_above: int = 70
    report_threshold: int = 3  # reports that send a published review back to staff
    burst: int = 5  # reviews in a day that make the next one suspicious
    banned_words: frozenset[str] = frozenset()
    title_length: tuple[int, int] = (5, 200)
    content_length: tuple[int, int] = (10, 2000)
    max_images: int = 5
    max_text: int = 2000  # pros, cons, a reply, a reason

    def check(self, rating: int, title: str, content: str, images: Sequence[str]) -> None:
        """Raise `InvalidReview` for what input alone rules out (spec B2.4)."""
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise InvalidReview("rating must be a whole number from 1 to 5", field="rating")
        for name, value, (low, high) in (("title", title, self.title_length),
                                         ("content", content, self.content_length)):
            if not low <= len(value) <= high or not value.strip():
                raise InvalidReview(f"{name} must be {low} to {high} characters, not all blank",
                                    field=name)
        if len(images) > self.max_images:
            raise InvalidReview(f"at most {self.max_images} images", field="images")


@frozen
class Vote:
    user_id: str
    is_helpful: bool
    voted_at: datetime


@frozen
class Report:
    reporter_id: str
    reason: str
    description: str
    created_at: datetime


@frozen
class ModerationRecord:
    """One decision on a review: `action` approve, reject or flag; `is_auto` when the
    automatic checks took it (`score` then holds their score)."""

    id: str
    action: str
    reason: str
    moderator_id: str | None
    is_auto: bool
    score: int | None
    decided_at: datetime


def live_key(product_id: str, customer_id: str) -> str:
    return f"{product_id}:{customer_id}"


@define(eq=False)
class Review:
    id: str
    product_id: str
    customer_id: str
    order_id: str
    rating: int
    title: str
    content: str
    images: list[str]
    pros: str
    cons: str
    recommended: bool | None
    is_anonymous: bool
    is_verified: bool
    status: ReviewStatus
    delivered_at: datetime
    created_at: datetime
    updated_at: datetime
    live_key: str | None
    helpful_count: int = 0
    not_helpful_count: int = 0
    report_count: int = 0
    risk_score: int | None = None
    moderation_reason: str | None = None
    moderated_by: str | None = None
    moderated_at: datetime | None = None
    reply: str | None = None
    replied_by: str | None = None
    replied_at: datetime | None = None
    deleted_at: datetime | None = None
    votes: list[Vote] = field(factory=list)
    reports: list[Report] = field(factory=list)
    moderation: list[ModerationRecord] = field(factory=list)
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def submit(cls, *, review_id: str, product_id: str, customer_id: str, order_id: str,
               rating: int, title: str, content: str, images: Sequence[str], pros: str,
               cons: str, recommended: bool | None, is_anonymous: bool,
               delivered_at: datetime, now: datetime) -> Review:
        """A new review, pending moderation; verified, since only a customer whose order
        delivered the product gets here."""
        review = cls(review_id, product_id, customer_id, order_id, rating, title, content,
                     list(images), pros, cons, recommended, is_anonymous, True, S.PENDING,
                     delivered_at, now, now, live_key(product_id, customer_id))
        review.events.append(ReviewSubmitted(review_id, product_id, customer_id, order_id,
                                             rating, now))
        return review

    @property
    def counted(self) -> bool:
        """Whether the review counts in its product's rating."""
        return self.status is S.APPROVED

    # -- moderation -----------------------------------------------------------------------------
    def moderate_automatically(self, assessment: Assessment, policy: ReviewPolicy,
                               record_id: str, now: datetime) -> None:
        """Decide a pending review by its score: publish, queue for staff, or reject."""
        if self.status is not S.PENDING:
            raise ReviewNotModeratable(f"review {self.id} is {self.status.value}",
                                       status=self.status.value)
        reason = assessment.describe()
        self.risk_score = assessment.score
        if assessment.score < policy.auto_approve_below:
            self._decide(S.APPROVED, "approve", reason, None, assessment.score, record_id, now)
        elif assessment.score <= policy.auto_reject_above:
            self._decide(S.FLAGGED, "flag", reason, None, assessment.score, record_id, now)
        else:
            self._decide(S.REJECTED, "reject", reason, None, assessment.score, record_id, now)

    def approve(self, moderator_id: str, reason: str, record_id: str, now: datetime) -> None:
        self._staff_decision(S.APPROVED, "approve", reason, moderator_id, record_id, now)

    def reject(self, moderator_id: str, reason: str, record_id: str, now: datetime) -> None:
        if not reason.strip():
            raise InvalidReview("a rejection needs a reason", field="reason")
        self._staff_decision(S.REJECTED, "reject", reason, moderator_id, record_id, now)

    def _staff_decision(self, to: ReviewStatus, action: str, reason: str, moderator_id: str,
                        record_id: str, now: datetime) -> None:
        if self.status not in MODERATABLE:
            raise ReviewNotModeratable(
                f"review {self.id} is {self.status.value}: only pending or flagged reviews "
                "are moderated", status=self.status.value)
        self._decide(to, action, reason, moderator_id, None, record_id, now)

    def _decide(self, to: ReviewStatus, action: str, reason: str, moderator_id: str | None,
                score: int | None, record_id: str, now: datetime) -> None:
        self.status = to
        self.moderation_reason = reason
        self.moderated_by = moderator_id
        self.moderated_at = now
        self.updated_at = now
        self.moderation.append(ModerationRecord(record_id, action, reason, moderator_id,
                                                moderator_id is None, score, now))
        if to is S.APPROVED:
            self.events.append(ReviewApproved(self.id, self.product_id, self.rating,
                                              moderator_id, score, now))
        elif to is S.FLAGGED:
            self.events.append(ReviewFlagged(self.id, self.product_id, reason, score, now))
        else:
            self.events.append(ReviewRejected(self.id, self.product_id, reason, moderator_id,
                                              score, now))

    # -- the owner ------------------------------------------------------------------------------
    def edit(self, *, rating: int, title: str, content: str, images: Sequence[str], pros: str,
             cons: str, recommended: bool | None, policy: ReviewPolicy, now: datetime) -> bool:
        """Change the review; returns whether the change is significant (the rating, or more
        than a few words of the title and text), which sends it back to moderation."""
        if self.status is S.DELETED or now - self.created_at > timedelta(days=policy.edit_days):
            raise ReviewEditClosed(
                f"review {self.id} can no longer be edited (within {policy.edit_days} days of "
                "writing it, unless deleted)", review_id=self.id)
        before = set(words(f"{self.title} {self.content}"))
        after = set(words(f"{title} {content}"))
        significant = rating != self.rating or len(before ^ after) > 3
        self.rating, self.title, self.content = rating, title, content
        self.images, self.pros, self.cons = list(images), pros, cons
        self.recommended = recommended
        self.updated_at = now
        if significant:
            self.status = S.PENDING
        self.events.append(ReviewUpdated(self.id, self.product_id, rating, significant, now))
        return significant

    def delete(self, deleted_by: str, now: datetime) -> None:
        """Soft delete (idempotent); frees the customer to review the product again."""
        if self.status is S.DELETED:
            return
        self.status = S.DELETED
        self.deleted_at = self.updated_at = now
        self.live_key = None
        self.events.append(ReviewDeleted(self.id, self.product_id, deleted_by, now))

    # -- readers --------------------------------------------------------------------------------
    def vote(self, user_id: str, is_helpful: bool, now: datetime) -> bool | None:
        """The same vote again removes it, the opposite one switches it (spec B2.9); returns
        the reader's vote now (None: none)."""
        self._require_published()
        if user_id == self.customer_id:
            raise OwnReviewVote("nobody votes on their own review", review_id=self.id)
        current = next((v for v in self.votes if v.user_id == user_id), None)
        self.votes = [v for v in self.votes if v.user_id != user_id]
        now_voting: bool | None = None
        if current is None or current.is_helpful != is_helpful:
            self.votes.append(Vote(user_id, is_helpful, now))
            now_voting = is_helpful
        self.helpful_count = sum(v.is_helpful for v in self.votes)
        self.not_helpful_count = len(self.votes) - self.helpful_count
        return now_voting

    def report(self, reporter_id: str, reason: str, description: str, policy: ReviewPolicy,
               record_id: str, now: datetime) -> None:
        """One report per reader; at the threshold a published review goes back to staff."""
        self._require_published()
        if reporter_id == self.customer_id:
            raise OwnReviewReport("nobody reports their own review", review_id=self.id)
        if any(r.reporter_id == reporter_id for r in self.reports):
            raise AlreadyReported("this review was already reported by this reader",
                                  review_id=self.id)
        self.reports.append(Report(reporter_id, reason, description, now))
        self.report_count = len(self.reports)
        if self.report_count >= policy.report_threshold:
            self._decide(S.FLAGGED, "flag", f"{self.report_count} reports", None, None,
                         record_id, now)

    def answer(self, staff_id: str, text: str, now: datetime) -> None:
        """The merchant's public reply: one per review, which may be changed."""
        self._require_published()
        self.reply, self.replied_by, self.replied_at = text, staff_id, now
        self.updated_at = now
        self.events.append(ReviewReplied(self.id, self.product_id, staff_id, now))

    def revoke_verification(self, return_id: str, now: datetime) -> bool:
        if not self.is_verified:
            return False
        self.is_verified = False
        self.updated_at = now
        self.events.append(ReviewVerificationRevoked(self.id, self.product_id, return_id, now))
        return True

    def _require_published(self) -> None:
        if self.status is not S.APPROVED:
            raise ReviewNotPublished(f"review {self.id} is not published",
                                     status=self.status.value)


@frozen
class Tally:
    """Approved reviews of one product counted by stars (index 0: one star), and how many of
    them are verified: what one aggregate query over the reviews gives."""

    counts: tuple[int, int, int, int, int] = (0, 0, 0, 0, 0)
    verified: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> int:
        """The mean in hundredths of a star, rounded half up; 0 without reviews."""
        if not self.total:
            return 0
        stars = sum((i + 1) * n for i, n in enumerate(self.counts))
        return (stars * 200 + self.total) // (2 * self.total)


@define(eq=False)
class RatingSummary:
    """A product's rating (spec B1 `RatingSummary`): a read model kept by the review context,
    recounted from the reviews on every change that can move it."""

    id: str  # the product's id
    rating1: int = 0
    rating2: int = 0
    rating3: int = 0
    rating4: int = 0
    rating5: int = 0
    verified_count: int = 0
    last_calculated_at: datetime | None = None
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @property
    def tally(self) -> Tally:
        return Tally((self.rating1, self.rating2, self.rating3, self.rating4, self.rating5),
                     self.verified_count)

    def recount(self, tally: Tally, now: datetime) -> bool:
        """Take the fresh count; announces `review.rating_updated` only when it changed."""
        if tally == self.tally:
            return False
        (self.rating1, self.rating2, self.rating3, self.rating4,
         self.rating5) = tally.counts
        self.verified_count = tally.verified
        self.last_calculated_at = now
        self.events.append(RatingUpdated(
            self.id, tally.average, tally.total,
            {str(i + 1): n for i, n in enumerate(tally.counts)}, tally.verified, now))
        return True


def any_of(values: Collection[str]) -> frozenset[str]:
    return frozenset(v.strip().casefold() for v in values if v.strip())
