"""Review routes: anyone reads a product's published reviews and rating; a signed-in customer
writes, edits and deletes their own reviews, votes and reports; staff moderate under
`/admin/reviews` (`reviews.moderate`) and answer as the merchant (`reviews.reply`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from commerce_core.review.commands import (
    ApproveReview,
    DeleteReview,
    EditReview,
    RejectReview,
    ReplyToReview,
    ReportReview,
    SubmitReview,
    VoteReview,
)
from commerce_core.review.queries import ModerationView, ReviewView
from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import Principal
from entrypoints.http.access import PUBLIC, CustomerDep, PrincipalDep, permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas.catalog import RatingOut
from entrypoints.http.schemas.common import MAX_OFFSET, Integral, RequestBody

router = APIRouter(tags=["reviews"])
admin = APIRouter(prefix="/reviews", tags=["reviews admin"])

Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S+$")]
Stars = Annotated[int, Field(strict=True, ge=1, le=5), Integral]
Title = Annotated[str, Field(min_length=5, max_length=200, pattern=r"\S")]
Content = Annotated[str, Field(min_length=10, max_length=2000, pattern=r"\S")]
Image = Annotated[str, Field(min_length=9, max_length=500, pattern=r"^https://\S+$")]
Note = Annotated[str, Field(max_length=2000)]
Sort = Literal["newest", "helpful", "rating_desc", "rating_asc"]


class NewReview(RequestBody):
    """No `is_verified`: the shop decides it from the order (a body carrying one is refused
    as an unknown field)."""

    order_id: Id = Field(description="Your delivered order holding the product")
    rating: Stars
    title: Title
    content: Content
    images: list[Image] = Field(default_factory=list, max_length=5)
    pros: Note = ""
    cons: Note = ""
    recommended: bool | None = None
    is_anonymous: bool = False


class ReviewChanges(RequestBody):
    rating: Stars
    title: Title
    content: Content
    images: list[Image] = Field(default_factory=list, max_length=5)
    pros: Note = ""
    cons: Note = ""
    recommended: bool | None = None


class VoteIn(RequestBody):
    helpful: bool = True


class ReportIn(RequestBody):
    reason: Annotated[str, Field(min_length=1, max_length=100, pattern=r"\S")]
    description: Note = ""


class ApprovalIn(RequestBody):
    reason: Annotated[str, Field(max_length=500)] = ""


class RejectionIn(RequestBody):
    reason: Annotated[str, Field(min_length=1, max_length=500, pattern=r"\S")]


class ReplyIn(RequestBody):
    text: Annotated[str, Field(min_length=1, max_length=2000, pattern=r"\S")]


class ReviewOut(BaseModel):
    id: str
    product_id: str
    customer_id: str | None = Field(description="None for an anonymous review")
    rating: int
    title: str
    content: str
    images: list[str]
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

    @classmethod
    def of(cls, view: ReviewView) -> ReviewOut:
        return cls(
            id=view.id, product_id=view.product_id, customer_id=view.customer_id,
            rating=view.rating, title=view.title, content=view.content,
            images=list(view.images), pros=view.pros, cons=view.cons,
            recommended=view.recommended, is_anonymous=view.is_anonymous,
            is_verified=view.is_verified, status=view.status,
            helpful_count=view.helpful_count, not_helpful_count=view.not_helpful_count,
            reply=view.reply, replied_at=view.replied_at, created_at=view.created_at,
            updated_at=view.updated_at)


class ReviewPageOut(BaseModel):
    items: list[ReviewOut]
    total: int
    limit: int
    offset: int
    rating: RatingOut


class VoteOut(BaseModel):
    vote: bool | None = Field(description="Your vote now (None: the same vote again removed it)")
    helpful_count: int
    not_helpful_count: int


class ReportOut(BaseModel):
    status: str


class ModerationOut(BaseModel):
    review: ReviewOut
    customer_id: str
    order_id: str
    risk_score: int | None
    moderation_reason: str | None
    report_count: int

    @classmethod
    def of(cls, view: ModerationView) -> ModerationOut:
        return cls(review=ReviewOut.of(view.review), customer_id=view.customer_id,
                   order_id=view.order_id, risk_score=view.risk_score,
                   moderation_reason=view.moderation_reason, report_count=view.report_count)


def _customer(principal: Principal) -> str:
    assert principal.customer_id is not None  # CustomerDep admits customers only
    return principal.customer_id


# -- anyone ------------------------------------------------------------------------------------
@router.get("/products/{product_id}/reviews", dependencies=[PUBLIC],
            summary="A product's published reviews, one page, with its rating")
def product_reviews(
    product_id: str, commerce: CommerceDep, sort: Sort = "newest",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> ReviewPageOut:
    page = commerce.reviews.of_product(product_id, sort=sort, limit=limit, offset=offset)
    return ReviewPageOut(items=[ReviewOut.of(v) for v in page.items], total=page.total,
                         limit=limit, offset=offset,
                         rating=RatingOut.of(commerce.reviews.rating(product_id)))


@router.get("/products/{product_id}/rating", dependencies=[PUBLIC],
            summary="A product's average rating, count and distribution")
def product_rating(product_id: str, commerce: CommerceDep) -> RatingOut:
    return RatingOut.of(commerce.reviews.rating(product_id))


@router.get("/reviews/{review_id}", dependencies=[PUBLIC],
            summary="A published review, or your own in any state")
def get_review(review_id: str, commerce: CommerceDep, principal: PrincipalDep) -> ReviewOut:
    return ReviewOut.of(commerce.reviews.visible(review_id, principal.customer_id))


# -- the signed-in customer --------------------------------------------------------------------
@router.post("/products/{product_id}/reviews", status_code=status.HTTP_201_CREATED,
             summary="Review a product your delivered order holds (moderated on arrival)")
def submit_review(product_id: str, body: NewReview, commerce: CommerceDep,
                  customer: CustomerDep, request_id: RequestIdDep) -> ReviewOut:
    review_id = commerce.handle(SubmitReview(
        _customer(customer), product_id, body.order_id, body.rating, body.title, body.content,
        tuple(body.images), body.pros, body.cons, body.recommended, body.is_anonymous),
        correlation_id=request_id)
    return ReviewOut.of(commerce.reviews.get(str(review_id)))


@router.put("/reviews/{review_id}", summary="Edit your review (within 30 days); a significant "
            "change goes back to moderation")
def edit_review(review_id: str, body: ReviewChanges, commerce: CommerceDep,
                customer: CustomerDep, request_id: RequestIdDep) -> ReviewOut:
    commerce.handle(EditReview(review_id, _customer(customer), body.rating, body.title,
                               body.content, tuple(body.images), body.pros, body.cons,
                               body.recommended), correlation_id=request_id)
    return ReviewOut.of(commerce.reviews.get(review_id))


@router.delete("/reviews/{review_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="Delete your review")
def delete_review(review_id: str, commerce: CommerceDep, customer: CustomerDep,
                  request_id: RequestIdDep) -> Response:
    commerce.handle(DeleteReview(review_id, customer_id=_customer(customer)),
                    correlation_id=request_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/reviews/{review_id}/votes",
             summary="Vote a published review helpful or not; the same vote again removes it")
def vote_review(review_id: str, body: VoteIn, commerce: CommerceDep, customer: CustomerDep,
                request_id: RequestIdDep) -> VoteOut:
    vote = commerce.handle(VoteReview(review_id, _customer(customer), body.helpful),
                           correlation_id=request_id)
    view = commerce.reviews.get(review_id)
    return VoteOut(vote=vote, helpful_count=view.helpful_count,
                   not_helpful_count=view.not_helpful_count)


@router.post("/reviews/{review_id}/reports", status_code=status.HTTP_201_CREATED,
             summary="Report a published review to staff")
def report_review(review_id: str, body: ReportIn, commerce: CommerceDep,
                  customer: CustomerDep, request_id: RequestIdDep) -> ReportOut:
    found = commerce.handle(ReportReview(review_id, _customer(customer), body.reason,
                                         body.description), correlation_id=request_id)
    return ReportOut(status=str(found))


# -- staff -------------------------------------------------------------------------------------
def _staff(principal: Principal) -> str:
    return principal.subject or "staff"


@admin.get("", summary="The moderation queue: pending and flagged reviews, oldest first",
           dependencies=[permit(Permission.REVIEWS_MODERATE)])
def review_queue(
    commerce: CommerceDep, limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[ModerationOut]:
    return [ModerationOut.of(v) for v in commerce.reviews.queue(limit=limit, offset=offset)]


@admin.get("/{review_id}", summary="Any review, as staff see it",
           dependencies=[permit(Permission.REVIEWS_MODERATE)])
def admin_get_review(review_id: str, commerce: CommerceDep) -> ModerationOut:
    return ModerationOut.of(commerce.reviews.moderation(review_id))


@admin.post("/{review_id}/approve", summary="Publish a pending or flagged review",
            dependencies=[permit(Permission.REVIEWS_MODERATE)])
def approve_review(review_id: str, commerce: CommerceDep, staff: PrincipalDep,
                   request_id: RequestIdDep, body: ApprovalIn | None = None) -> ModerationOut:
    commerce.handle(ApproveReview(review_id, _staff(staff), (body or ApprovalIn()).reason),
                    correlation_id=request_id)
    return ModerationOut.of(commerce.reviews.moderation(review_id))


@admin.post("/{review_id}/reject", summary="Reject a pending or flagged review, with a reason",
            dependencies=[permit(Permission.REVIEWS_MODERATE)])
def reject_review(review_id: str, body: RejectionIn, commerce: CommerceDep,
                  staff: PrincipalDep, request_id: RequestIdDep) -> ModerationOut:
    commerce.handle(RejectReview(review_id, _staff(staff), body.reason),
                    correlation_id=request_id)
    return ModerationOut.of(commerce.reviews.moderation(review_id))


@admin.put("/{review_id}/reply", summary="The merchant's public answer (set or changed)",
           dependencies=[permit(Permission.REVIEWS_REPLY)])
def reply_to_review(review_id: str, body: ReplyIn, commerce: CommerceDep,
                    staff: PrincipalDep, request_id: RequestIdDep) -> ReviewOut:
    commerce.handle(ReplyToReview(review_id, _staff(staff), body.text),
                    correlation_id=request_id)
    return ReviewOut.of(commerce.reviews.get(review_id))


@admin.delete("/{review_id}", status_code=status.HTTP_204_NO_CONTENT,
              summary="Delete any review", dependencies=[permit(Permission.REVIEWS_MODERATE)])
def admin_delete_review(review_id: str, commerce: CommerceDep, staff: PrincipalDep,
                        request_id: RequestIdDep) -> Response:
    commerce.handle(DeleteReview(review_id, staff_id=_staff(staff)), correlation_id=request_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
