"""Review commands. Who acts is part of each command: the owner's id for the owner's verbs, the
staff member's id for moderation (entry points fill them from the caller, never from a body)."""

from __future__ import annotations

from collections.abc import Iterable

from attrs import field, frozen


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@frozen
class SubmitReview:
    """`order_id`: the reviewer's delivered order holding the product; no `is_verified`: the
    shop decides that."""

    customer_id: str
    product_id: str
    order_id: str
    rating: int
    title: str
    content: str
    images: tuple[str, ...] = field(default=(), converter=_strings)
    pros: str = ""
    cons: str = ""
    recommended: bool | None = None
    is_anonymous: bool = False


@frozen
class EditReview:
    review_id: str
    customer_id: str
    rating: int
    title: str
    content: str
    images: tuple[str, ...] = field(default=(), converter=_strings)
    pros: str = ""
    cons: str = ""
    recommended: bool | None = None


@frozen
class DeleteReview:
    """By its owner (`customer_id`), or by staff (`staff_id`) whoever wrote it."""

    review_id: str
    customer_id: str | None = None
    staff_id: str | None = None


@frozen
class VoteReview:
    review_id: str
    voter_id: str
    helpful: bool = True


@frozen
class ReportReview:
    review_id: str
    reporter_id: str
    reason: str
    description: str = ""


@frozen
class ApproveReview:
    review_id: str
    moderator_id: str
    reason: str = ""


@frozen
class RejectReview:
    review_id: str
    moderator_id: str
    reason: str


@frozen
class ReplyToReview:
    review_id: str
    staff_id: str
    text: str


@frozen
class RecountRating:
    """Recount a product's rating from its reviews (repairs; events do it otherwise)."""

    product_id: str
