"""Reviews and rating summaries in memory."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.review.api import view_of
from commerce_core.review.errors import DuplicateReview, ReviewNotFound
from commerce_core.review.ports import RatingSummary, Review, ReviewStatus, Tally
from commerce_core.review.queries import ReviewSort, ReviewView
from commerce_core.shared.errors import NotFound

_QUEUED = (ReviewStatus.PENDING, ReviewStatus.FLAGGED)


def _sorted(rows: list[Review], sort: ReviewSort) -> list[Review]:
    # Ties by newest, then id (descending), as the SQL adapter orders them.
    rows = sorted(rows, key=lambda r: (r.created_at, r.id), reverse=True)
    if sort is ReviewSort.HELPFUL:
        rows.sort(key=lambda r: r.helpful_count, reverse=True)
    elif sort is ReviewSort.RATING_DESC:
        rows.sort(key=lambda r: r.rating, reverse=True)
    elif sort is ReviewSort.RATING_ASC:
        rows.sort(key=lambda r: r.rating)
    return rows


class InMemoryReviewRepository(_Repository):
    kind = "review"
    not_found = ReviewNotFound
    unique = (("live", lambda r: [r.live_key] if r.live_key else [], DuplicateReview),)
    indexed = (("product", lambda r: [r.product_id]), ("order", lambda r: [r.order_id]),
               ("customer", lambda r: [r.customer_id]))

    def live(self, product_id: str, customer_id: str) -> Review | None:
        rows = self._by("live", f"{product_id}:{customer_id}")
        found: Review | None = self._load(rows[0]) if rows else None
        return found

    def of_order(self, order_id: str) -> list[Review]:
        rows = sorted(self._by("order", order_id), key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows]

    def published(self, product_id: str, *, sort: ReviewSort, limit: int,
                  offset: int) -> list[ReviewView]:
        rows = [r for r in self._by("product", product_id) if r.status is ReviewStatus.APPROVED]
        return [view_of(r) for r in _sorted(rows, sort)[offset:offset + limit]]

    def queue(self, *, limit: int, offset: int) -> list[Review]:
        rows = sorted((r for r in self._all() if r.status in _QUEUED),
                      key=lambda r: (r.created_at, r.id))
        return [self._load(r) for r in rows[offset:offset + limit]]

    def activity(self, customer_id: str, since: datetime) -> tuple[int, int]:
        rows = self._by("customer", customer_id)
        return len(rows), sum(r.created_at >= since for r in rows)

    def tally(self, product_id: str) -> Tally:
        approved = [r for r in self._by("product", product_id)
                    if r.status is ReviewStatus.APPROVED]
        counts = tuple(sum(r.rating == stars for r in approved) for stars in range(1, 6))
        return Tally((counts[0], counts[1], counts[2], counts[3], counts[4]),
                     sum(r.is_verified for r in approved))


class InMemoryRatingSummaryRepository(_Repository):
    kind = "rating_summary"
    not_found = NotFound

    def find(self, product_id: str) -> RatingSummary | None:
        row = self._rows.get(product_id)
        found: RatingSummary | None = self._load(row) if row is not None else None
        return found

    def of_products(self, product_ids: Collection[str]) -> dict[str, RatingSummary]:
        rows = self._rows
        return {p: self._load(rows[p]) for p in product_ids if p in rows}
