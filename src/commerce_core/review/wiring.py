"""The review context's handlers and subscribers, built from what the composition root gives."""

from __future__ import annotations

from commerce_core.review import commands as rc
from commerce_core.review import handlers as rh
from commerce_core.review.model import ReviewPolicy
from commerce_core.review.ports import ReturnedProducts, ReviewUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class ReviewWiring:
    def __init__(self, uow: UnitOfWorkFactory[ReviewUnitOfWork], clock: Clock,
                 ids: IdGenerator, policy: ReviewPolicy,
                 returned: ReturnedProducts | None = None) -> None:
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy
        self._returned = returned

    def handlers(self) -> Handlers:
        args = (self._uow, self._clock, self._ids, self._policy)
        return {
            rc.SubmitReview: rh.SubmitReviewHandler(*args, self._returned),
            rc.EditReview: rh.EditReviewHandler(*args),
            rc.DeleteReview: rh.DeleteReviewHandler(*args),
            rc.VoteReview: rh.VoteReviewHandler(*args),
            rc.ReportReview: rh.ReportReviewHandler(*args),
            rc.ApproveReview: rh.ApproveReviewHandler(*args),
            rc.RejectReview: rh.RejectReviewHandler(*args),
            rc.ReplyToReview: rh.ReplyToReviewHandler(*args),
            rc.RecountRating: rh.RecountRatingHandler(*args),
        }

    def subscribers(self) -> list[Subscriber]:
        reactions = [rh.RecountRatingOn(t, self._clock) for t in rh.RATING_EVENTS]
        return [*(Subscriber.of(r) for r in reactions),
                Subscriber.of(rh.RevokeVerifiedOnReturnCompleted(self._clock))]
