"""Review errors: bad input (422), refusals the shop's state decides (409), and the review that
is not there (or not the caller's)."""

from __future__ import annotations

from commerce_core.shared.errors import Conflict, InvalidInput, NotFound


class ReviewNotFound(NotFound):
    """No such review, or not one the caller may change (the owner's reviews are found by
    id and owner together, so another customer's id tells nothing)."""

    code = "review.not_found"


class InvalidReview(InvalidInput):
    """A rating outside 1-5, a title or text too short or too long, more than five images, an
    unknown sort or status, a rejection without a reason."""

    code = "review.invalid"


class NotVerifiedPurchase(Conflict):
    """The reviewer has no delivered order line of the product: only customers who received
    the product may review it (a client's `is_verified` is never read)."""

    code = "review.not_verified_purchase"


class ReviewWindowClosed(Conflict):
    """The delivery is older than the review window (90 days by default)."""

    code = "review.window_closed"


class DuplicateReview(Conflict):
    """The customer already has a review of the product."""

    code = "review.duplicate"


class ReviewNotModeratable(Conflict):
    """Staff approve or reject pending and flagged reviews only."""

    code = "review.not_moderatable"


class ReviewEditClosed(Conflict):
    """The owner edits a review within 30 days of writing it, and never a deleted one."""

    code = "review.edit_closed"


class OwnReviewVote(Conflict):
    """Nobody votes on their own review."""

    code = "review.own_vote"


class OwnReviewReport(Conflict):
    """Nobody reports their own review."""

    code = "review.own_report"


class ReviewNotPublished(Conflict):
    """Votes, reports and replies are for approved (published) reviews."""

    code = "review.not_published"


class AlreadyReported(Conflict):
    code = "review.already_reported"
