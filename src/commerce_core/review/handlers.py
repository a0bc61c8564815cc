"""Review use cases: one handler per command, and the reactions that keep ratings and
verified badges in step with reviews and returns."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from commerce_core.ordering import services as ordering
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.ordering.queries import ReturnableOrder
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
from commerce_core.review.errors import (
    DuplicateReview,
    InvalidReview,
    NotVerifiedPurchase,
    ReviewNotFound,
    ReviewWindowClosed,
)
from commerce_core.review.model import RatingSummary, Review, ReviewPolicy
from commerce_core.review.moderation import Facts, assess, redact
from commerce_core.review.ports import ReturnedProducts, ReviewUnitOfWork
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

# An order whose goods reached the customer (a partial return leaves the other lines theirs).
RECEIVED = frozenset({"delivered", "completed", "partially_returned"})


class _Base:
    def __init__(self, uow: UnitOfWorkFactory[ReviewUnitOfWork], clock: Clock,
                 ids: IdGenerator, policy: ReviewPolicy) -> None:
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy

    def _text(self, value: str, name: str) -> str:
        if len(value) > self._policy.max_text:
            raise InvalidReview(f"{name} must be at most {self._policy.max_text} characters",
                                field=name)
        return redact(value)

    def _moderate(self, review: Review, facts: Facts, title: str, content: str) -> None:
        assessment = assess(title, content, review.rating, facts,
                            banned_words=self._policy.banned_words, burst=self._policy.burst)
        review.moderate_automatically(assessment, self._policy, self._ids.new_id(),
                                      self._clock.now())


def _purchase(order: ReturnableOrder | None, customer_id: str, product_id: str) -> datetime:
    """Refuse unless the order is the customer's, delivered, and holds the product; the same
    refusal whatever is missing, so another customer's order id tells nothing."""
    if (order is None or order.customer_id != customer_id or order.status not in RECEIVED
            or order.delivered_at is None
            or not any(line.product_id == product_id for line in order.lines)):
        raise NotVerifiedPurchase(
            "only a customer whose delivered order holds the product may review it",
            product_id=product_id)
    return order.delivered_at


class SubmitReviewHandler(_Base):
    """Check the purchase and the reviewer's history first, in a read of their own (spec
    B2.5: nothing outside the review's transaction happens inside it), then write the review,
    its automatic moderation and their events in one transaction."""

    def __init__(self, uow: UnitOfWorkFactory[ReviewUnitOfWork], clock: Clock,
                 ids: IdGenerator, policy: ReviewPolicy,
                 returned: ReturnedProducts | None = None) -> None:
        super().__init__(uow, clock, ids, policy)
        self._returned = returned

    def __call__(self, cmd: SubmitReview) -> str:
        policy, now = self._policy, self._clock.now()
        policy.check(cmd.rating, cmd.title, cmd.content, cmd.images)
        pros, cons = self._text(cmd.pros, "pros"), self._text(cmd.cons, "cons")
        with self._uow() as uow:
            try:
                order: ReturnableOrder | None = ordering.returnable(uow, cmd.order_id)
            except OrderNotFound:
                order = None
            delivered_at = _purchase(order, cmd.customer_id, cmd.product_id)
            if self._returned is not None and cmd.product_id in self._returned(uow,
                                                                               cmd.order_id):
                raise NotVerifiedPurchase("the product came back in a completed return",
                                          product_id=cmd.product_id)
            if now - delivered_at > timedelta(days=policy.window_days):
                raise ReviewWindowClosed(
                    f"the product was delivered more than {policy.window_days} days ago",
                    delivered_at=delivered_at.isoformat())
            if uow.reviews.live(cmd.product_id, cmd.customer_id) is not None:
                raise DuplicateReview("the customer already reviewed this product",
                                      product_id=cmd.product_id)
            total, recent = uow.reviews.activity(cmd.customer_id, now - timedelta(days=1))
        review = Review.submit(
            review_id=self._ids.new_id(), product_id=cmd.product_id,
            customer_id=cmd.customer_id, order_id=cmd.order_id, rating=cmd.rating,
            title=redact(cmd.title), content=redact(cmd.content), images=cmd.images,
            pros=pros, cons=cons, recommended=cmd.recommended,
            is_anonymous=cmd.is_anonymous, delivered_at=delivered_at, now=now)
        with self._uow() as uow:
            self._moderate(review, Facts(total == 0, recent), cmd.title, cmd.content)
            uow.reviews.add(review)
            uow.commit()
        return review.id


def _owned(uow: ReviewUnitOfWork, review_id: str, customer_id: str) -> Review:
    review = uow.reviews.get(review_id)
    if review.customer_id != customer_id:
        raise ReviewNotFound(f"review {review_id} not found", id=review_id)
    return review


class EditReviewHandler(_Base):
    def __call__(self, cmd: EditReview) -> str:
        self._policy.check(cmd.rating, cmd.title, cmd.content, cmd.images)
        pros, cons = self._text(cmd.pros, "pros"), self._text(cmd.cons, "cons")
        with self._uow() as uow:
            review = _owned(uow, cmd.review_id, cmd.customer_id)
            significant = review.edit(
                rating=cmd.rating, title=redact(cmd.title), content=redact(cmd.content),
                images=cmd.images, pros=pros, cons=cons, recommended=cmd.recommended,
                policy=self._policy, now=self._clock.now())
            if significant:
                self._moderate(review, Facts(), cmd.title, cmd.content)
            uow.commit()
            return review.status.value


class DeleteReviewHandler(_Base):
    def __call__(self, cmd: DeleteReview) -> None:
        with self._uow() as uow:
            if cmd.staff_id is not None:
                review, by = uow.reviews.get(cmd.review_id), f"staff:{cmd.staff_id}"
            elif cmd.customer_id is not None:
                review, by = _owned(uow, cmd.review_id, cmd.customer_id), "owner"
            else:
                raise InvalidReview("a deletion names the owner or a staff member")
            review.delete(by, self._clock.now())
            uow.commit()


class VoteReviewHandler(_Base):
    def __call__(self, cmd: VoteReview) -> bool | None:
        with self._uow() as uow:
            review = uow.reviews.get(cmd.review_id)
            vote = review.vote(cmd.voter_id, cmd.helpful, self._clock.now())
            uow.commit()
            return vote


class ReportReviewHandler(_Base):
    def __call__(self, cmd: ReportReview) -> str:
        reason = cmd.reason.strip()
        if not reason or len(reason) > 100:
            raise InvalidReview("a report needs a reason of at most 100 characters",
                                field="reason")
        description = self._text(cmd.description, "description")
        with self._uow() as uow:
            review = uow.reviews.get(cmd.review_id)
            review.report(cmd.reporter_id, reason, description, self._policy,
                          self._ids.new_id(), self._clock.now())
            uow.commit()
            return review.status.value


class ApproveReviewHandler(_Base):
    def __call__(self, cmd: ApproveReview) -> None:
        reason = self._text(cmd.reason, "reason")
        with self._uow() as uow:
            review = uow.reviews.get(cmd.review_id)
            review.approve(cmd.moderator_id, reason, self._ids.new_id(), self._clock.now())
            uow.commit()


class RejectReviewHandler(_Base):
    def __call__(self, cmd: RejectReview) -> None:
        reason = self._text(cmd.reason, "reason")
        with self._uow() as uow:
            review = uow.reviews.get(cmd.review_id)
            review.reject(cmd.moderator_id, reason, self._ids.new_id(), self._clock.now())
            uow.commit()


class ReplyToReviewHandler(_Base):
    def __call__(self, cmd: ReplyToReview) -> None:
        text = self._text(cmd.text, "text").strip()
        if not text:
            raise InvalidReview("a reply needs some text", field="text")
        with self._uow() as uow:
            review = uow.reviews.get(cmd.review_id)
            review.answer(cmd.staff_id, text, self._clock.now())
            uow.commit()


def recount(uow: ReviewUnitOfWork, product_id: str, clock: Clock) -> bool:
    """Recount the product's rating with one aggregate query; the summary records
    `review.rating_updated` when it moved."""
    tally = uow.reviews.tally(product_id)
    summary = uow.rating_summaries.find(product_id)
    if summary is None:
        summary = RatingSummary(product_id)
        if not summary.recount(tally, clock.now()):
            return False
        uow.rating_summaries.add(summary)
        return True
    return summary.recount(tally, clock.now())


class RecountRatingHandler(_Base):
    def __call__(self, cmd: RecountRating) -> bool:
        with self._uow() as uow:
            moved = recount(uow, cmd.product_id, self._clock)
            uow.commit()
            return moved


# The review events after which a product's count of approved reviews, their stars or their
# verified badges may differ.
RATING_EVENTS = ("review.approved", "review.flagged", "review.rejected", "review.updated",
                 "review.deleted", "review.verification_revoked")


class RecountRatingOn:
    """A review event → its product's rating recounted (in the subscriber's transaction, after
    the review's own commit, so the aggregate query sees it)."""

    def __init__(self, event_type: str, clock: Clock) -> None:
        self.event_type = event_type
        self.name = f"review.recount_rating_on_{event_type.split('.', 1)[1]}"
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        recount(uow, str(envelope.payload["product_id"]), self._clock)


class RevokeVerifiedOnReturnCompleted:
    """`returns.return_completed` → the reviews of the returned products written with that
    order lose their verified badge (spec B2.12); read by type and payload, since returns sit
    above reviews."""

    name = "review.revoke_verified_on_return_completed"
    event_type = "returns.return_completed"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        payload = envelope.payload
        returned = {str(item["product_id"]) for item in payload.get("items", ())
                    if int(item.get("quantity_returned", 0)) > 0}
        for review in uow.reviews.of_order(str(payload["order_id"])):
            if review.product_id in returned:
                review.revoke_verification(str(payload["return_id"]), self._clock.now())
