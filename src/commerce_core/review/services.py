"""What the review context offers others inside their own transaction: products' ratings."""

from __future__ import annotations

from collections.abc import Collection

from commerce_core.review.api import rating_of
from commerce_core.review.ports import ReviewUnitOfWork
from commerce_core.review.queries import ProductRating

__all__ = ["ratings"]


def ratings(uow: ReviewUnitOfWork, product_ids: Collection[str]) -> dict[str, ProductRating]:
    """The rating of each product (an empty one for a product without approved reviews), from
    the summaries: one query whatever the number of products."""
    found = uow.rating_summaries.of_products(product_ids)
    return {p: rating_of(p, found.get(p)) for p in product_ids}
