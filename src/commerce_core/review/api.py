"""`commerce.reviews`: writing, moderating and reading product reviews, and product ratings,
as plain methods."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from commerce_core.review.commands import (
    ApproveReview,
    DeleteReview,
    EditReview,
    RecountRating,
    RejectReview,
    ReplyToReview,
    ReportReview,
    SubmitReview,
    VoteReview,
)
from commerce_core.review.errors import InvalidReview, ReviewNotFound
from commerce_core.review.model import RatingSummary, Review, ReviewStatus
from commerce_core.review.ports import ReviewUnitOfWork
from commerce_core.review.queries import (
    ModerationView,
    ProductRating,
    ReviewPage,
    ReviewSort,
    ReviewView,
)
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory

MAX_PAGE = 100


def view_of(review: Review) -> ReviewView:
    return ReviewView(
        review.id, review.product_id, None if review.is_anonymous else review.customer_id,
        review.rating, review.title, review.content, tuple(review.images), review.pros,
        review.cons, review.recommended, review.is_anonymous, review.is_verified,
        review.status.value, review.helpful_count, review.not_helpful_count, review.reply,
        review.replied_at, review.created_at, review.updated_at)


def rating_of(product_id: str, summary: RatingSummary | None) -> ProductRating:
    if summary is None:
        return ProductRating.empty(product_id)
    tally = summary.tally
    return ProductRating(product_id, tally.average, tally.total, tally.counts,
                         tally.verified, summary.last_calculated_at)


def _page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InvalidReview(f"limit must be 1 to {MAX_PAGE} and offset not negative")


class ReviewsApi:
    def __init__(self, handle: Handle, read: UnitOfWorkFactory[ReviewUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    # -- shoppers -------------------------------------------------------------------------------
    def submit(self, customer_id: str, product_id: str, order_id: str, rating: int, title: str,
               content: str, *, images: Sequence[str] = (), pros: str = "", cons: str = "",
               recommended: bool | None = None, is_anonymous: bool = False) -> ReviewView:
        """The new review as moderated on arrival (approved, flagged or rejected)."""
        review_id: str = self._handle(SubmitReview(
            customer_id, product_id, order_id, rating, title, content, tuple(images), pros,
            cons, recommended, is_anonymous))
        return self.get(review_id)

    def edit(self, review_id: str, customer_id: str, rating: int, title: str, content: str, *,
             images: Sequence[str] = (), pros: str = "", cons: str = "",
             recommended: bool | None = None) -> ReviewView:
        self._handle(EditReview(review_id, customer_id, rating, title, content, tuple(images),
                                pros, cons, recommended))
        return self.get(review_id)

    def delete(self, review_id: str, *, customer_id: str | None = None,
               staff_id: str | None = None) -> None:
        self._handle(DeleteReview(review_id, customer_id, staff_id))

    def vote(self, review_id: str, voter_id: str, helpful: bool = True) -> bool | None:
        """The reader's vote after this one (None: voting the same again removed it)."""
        vote: bool | None = self._handle(VoteReview(review_id, voter_id, helpful))
        return vote

    def report(self, review_id: str, reporter_id: str, reason: str,
               description: str = "") -> str:
        """The review's status after the report (`flagged` once reports reach the
        threshold)."""
        status: str = self._handle(ReportReview(review_id, reporter_id, reason, description))
        return status

    # -- staff ----------------------------------------------------------------------------------
    def approve(self, review_id: str, moderator_id: str, reason: str = "") -> ReviewView:
        self._handle(ApproveReview(review_id, moderator_id, reason))
        return self.get(review_id)

    def reject(self, review_id: str, moderator_id: str, reason: str) -> ReviewView:
        self._handle(RejectReview(review_id, moderator_id, reason))
        return self.get(review_id)

    def reply(self, review_id: str, staff_id: str, text: str) -> ReviewView:
        self._handle(ReplyToReview(review_id, staff_id, text))
        return self.get(review_id)

    def recount(self, product_id: str) -> ProductRating:
        self._handle(RecountRating(product_id))
        return self.rating(product_id)

    def queue(self, *, limit: int = 50, offset: int = 0) -> list[ModerationView]:
        """Pending and flagged reviews, oldest first."""
        _page(limit, offset)
        with self._read() as uow:
            return [self._moderation_view(r) for r in uow.reviews.queue(limit=limit,
                                                                         offset=offset)]

    def moderation(self, review_id: str) -> ModerationView:
        """One review as staff see it, whatever its status."""
        with self._read() as uow:
            return self._moderation_view(uow.reviews.get(review_id))

    def history(self, review_id: str) -> Review:
        """The review with its moderation records, votes and reports (staff)."""
        with self._read() as uow:
            return uow.reviews.get(review_id)

    @staticmethod
    def _moderation_view(review: Review) -> ModerationView:
        return ModerationView(view_of(review), review.customer_id, review.order_id,
                              review.risk_score, review.moderation_reason, review.report_count)

    # -- reading --------------------------------------------------------------------------------
    def get(self, review_id: str) -> ReviewView:
        """A review by id, whatever its status (staff, and the answer to the owner's own
        commands); shoppers read through `visible`."""
        with self._read() as uow:
            review = uow.reviews.get(review_id)
        return view_of(review)

    def visible(self, review_id: str, customer_id: str | None) -> ReviewView:
        """A published review, or the caller's own in any state but deleted; anything else is
        the unknown review's `ReviewNotFound`."""
        with self._read() as uow:
            review = uow.reviews.get(review_id)
        mine = customer_id is not None and review.customer_id == customer_id
        if review.status is ReviewStatus.APPROVED or (mine and review.status is not
                                                      ReviewStatus.DELETED):
            return view_of(review)
        raise ReviewNotFound(f"review {review_id} not found", id=review_id)

    def of_product(self, product_id: str, *, sort: str = "newest", limit: int = 20,
                   offset: int = 0) -> ReviewPage:
        """Approved reviews of a product, one page; `total` from the product's rating."""
        _page(limit, offset)
        try:
            order = ReviewSort(sort)
        except ValueError:
            raise InvalidReview(f"unknown sort {sort!r}", sort=sort) from None
        with self._read() as uow:
            items = uow.reviews.published(product_id, sort=order, limit=limit, offset=offset)
            summary = uow.rating_summaries.find(product_id)
        return ReviewPage(tuple(items), summary.tally.total if summary else 0, limit, offset)

    def rating(self, product_id: str) -> ProductRating:
        """The product's average, count and distribution of approved reviews."""
        with self._read() as uow:
            return rating_of(product_id, uow.rating_summaries.find(product_id))

    def ratings(self, product_ids: Collection[str]) -> dict[str, ProductRating]:
        with self._read() as uow:
            found = uow.rating_summaries.of_products(product_ids)
        return {p: rating_of(p, found.get(p)) for p in product_ids}
