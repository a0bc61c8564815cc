"""Review storage: reviews with their votes, reports and moderation records, and the rating
summaries. A product's rating is counted by one grouped query; its page of reviews is read as
views in one query, without the votes and reports."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import IGNORED, RowCodec, by_value, children, column
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.review import rating_summaries as s
from adapters.sql.tables.review import review_moderation, review_reports, review_votes
from adapters.sql.tables.review import reviews as r
from commerce_core.review.errors import ReviewNotFound
from commerce_core.review.ports import (
    ModerationRecord,
    RatingSummary,
    Report,
    Review,
    ReviewStatus,
    Tally,
    Vote,
)
from commerce_core.review.queries import ReviewSort, ReviewView
from commerce_core.shared.errors import NotFound

REVIEWS = AggregateMap[Review](
    kind="review",
    not_found=ReviewNotFound,
    codec=RowCodec(Review, r, status=by_value(ReviewStatus),
                   images=column(store=list, load=list),
                   votes=children(review_votes, Vote),
                   reports=children(review_reports, Report),
                   moderation=children(review_moderation, ModerationRecord),
                   events=IGNORED),
)

RATING_SUMMARIES = AggregateMap[RatingSummary](
    kind="rating_summary",
    not_found=NotFound,
    codec=RowCodec(RatingSummary, s, events=IGNORED),
)

_APPROVED = ReviewStatus.APPROVED.value
_NEWEST = (r.c.created_at.desc(), CodePointOrder(r.c.id).desc())
_ORDERS = {
    ReviewSort.NEWEST: _NEWEST,
    ReviewSort.HELPFUL: (r.c.helpful_count.desc(), *_NEWEST),
    ReviewSort.RATING_DESC: (r.c.rating.desc(), *_NEWEST),
    ReviewSort.RATING_ASC: (r.c.rating.asc(), *_NEWEST),
}
_TIME = r.c.created_at.type
_LIVE = sa.select(r).where(r.c.live_key == sa.bindparam("key"))
_OF_ORDER = (sa.select(r).where(r.c.order_id == sa.bindparam("order_id"))
             .order_by(r.c.created_at, CodePointOrder(r.c.id)))
_QUEUE = (sa.select(r)
          .where(r.c.status.in_([ReviewStatus.PENDING.value, ReviewStatus.FLAGGED.value]))
          .order_by(r.c.created_at, CodePointOrder(r.c.id))
          .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
_ACTIVITY = sa.select(
    sa.func.count(),
    sa.func.coalesce(sa.func.sum(sa.case(
        (r.c.created_at >= sa.bindparam("since", type_=_TIME), 1), else_=0)), 0),
).where(r.c.customer_id == sa.bindparam("customer_id"))
_TALLY = (
    sa.select(r.c.rating, sa.func.count(),
              sa.func.sum(sa.case((r.c.is_verified, 1), else_=0)))
    .where(r.c.product_id == sa.bindparam("product_id"), r.c.status == _APPROVED)
    .group_by(r.c.rating)
)
_VIEW_COLUMNS = (r.c.id, r.c.product_id, r.c.customer_id, r.c.rating, r.c.title, r.c.content,
                 r.c.images, r.c.pros, r.c.cons, r.c.recommended, r.c.is_anonymous,
                 r.c.is_verified, r.c.status, r.c.helpful_count, r.c.not_helpful_count,
                 r.c.reply, r.c.replied_at, r.c.created_at, r.c.updated_at)


def _view(row: Any) -> ReviewView:
    return ReviewView(
        row.id, row.product_id, None if row.is_anonymous else row.customer_id, row.rating,
        row.title, row.content, tuple(row.images), row.pros, row.cons, row.recommended,
        row.is_anonymous, row.is_verified, row.status, row.helpful_count,
        row.not_helpful_count, row.reply, row.replied_at, row.created_at, row.updated_at)


class SqlReviewRepository(AggregateRepository[Review]):
    def live(self, product_id: str, customer_id: str) -> Review | None:
        return self._store.first(_LIVE, {"key": f"{product_id}:{customer_id}"})

    def of_order(self, order_id: str) -> list[Review]:
        return self._store.all(_OF_ORDER, {"order_id": order_id})

    def published(self, product_id: str, *, sort: ReviewSort, limit: int,
                  offset: int) -> list[ReviewView]:
        query = (sa.select(*_VIEW_COLUMNS)
                 .where(r.c.product_id == product_id, r.c.status == _APPROVED)
                 .order_by(*_ORDERS[sort]).limit(limit).offset(offset))
        return [_view(row) for row in self._store.db.execute(query)]

    def queue(self, *, limit: int, offset: int) -> list[Review]:
        return self._store.all(_QUEUE, {"limit": limit, "offset": offset})

    def activity(self, customer_id: str, since: datetime) -> tuple[int, int]:
        row: Any = self._store.db.execute(
            _ACTIVITY, {"customer_id": customer_id, "since": since}).one()
        return int(row[0]), int(row[1])

    def tally(self, product_id: str) -> Tally:
        counts = [0, 0, 0, 0, 0]
        verified = 0
        rows: Any = self._store.db.execute(_TALLY, {"product_id": product_id})
        for row in rows:
            counts[int(row[0]) - 1] = int(row[1])
            verified += int(row[2] or 0)
        return Tally((counts[0], counts[1], counts[2], counts[3], counts[4]), verified)


class SqlRatingSummaryRepository(AggregateRepository[RatingSummary]):
    def find(self, product_id: str) -> RatingSummary | None:
        found = self._store.cached(product_id)
        if found is not None:
            return found
        return self._store.first(sa.select(s).where(s.c.id == product_id))

    def of_products(self, product_ids: Collection[str]) -> dict[str, RatingSummary]:
        if not product_ids:
            return {}
        found = self._store.all(sa.select(s).where(s.c.id.in_(list(product_ids))))
        return {summary.id: summary for summary in found}
