"""A shop whose customers review what was delivered to them: the returns test shop (a linen
shirt, a mug, delivered orders on a frozen clock) with the review policy's banned words."""

from __future__ import annotations

from typing import Any

from commerce_core import Commerce
from commerce_core.ordering import services as ordering
from commerce_core.review.model import ReviewPolicy
from tests.unit.returns.support import MUG, SHIRT_M, clock, delivered_order, returns_shop

__all__ = ["MUG", "SHIRT_M", "clock", "delivered_order", "product_of", "review_shop", "write"]

POLICY = ReviewPolicy(banned_words=frozenset({"crap", "damn"}))
GOOD_TEXT = "Soft linen, true to size and it keeps its shape after many washes."


def review_shop(*, commerce: Commerce | None = None, **kwargs: Any) -> Commerce:
    kwargs.setdefault("review_policy", POLICY)
    return returns_shop(commerce=commerce, **kwargs)


def product_of(commerce: Commerce, order_id: str, sku: str) -> str:
    with commerce.ports.uow() as uow:
        order = ordering.returnable(uow, order_id)
    return next(line.product_id for line in order.lines if line.sku == sku)


def write(commerce: Commerce, order_id: str, *, sku: str = SHIRT_M, customer: str = "c-1",
          rating: int = 5, title: str = "Lovely shirt", content: str = GOOD_TEXT,
          **kwargs: Any) -> Any:
    return commerce.reviews.submit(customer, product_of(commerce, order_id, sku), order_id,
                                   rating, title, content, **kwargs)
