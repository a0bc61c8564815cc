"""`commerce reviews`: staff list the moderation queue, approve and reject (a reason is
required), show a review with its decisions, and read and recount a product's rating, on a
SQLite shop whose banned words come from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from commerce_core import Commerce
from commerce_core.ordering import services as ordering
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, refused, succeeded

TEXT = "The linen is soft and the {word} collar sits well, I wear it every week."


def delivered(commerce: Commerce, customer_id: str) -> tuple[str, str]:
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    order_id = commerce.checkout.place_order(cart_id, email=f"{customer_id}@example.vn",
                                             customer_id=customer_id).order_id
    commerce.payments.capture(order_id)
    with commerce.ports.uow() as uow:
        for step in ("processing", "shipped", "delivered"):
            ordering.advance(uow, order_id, step, "test", by="test",
                             now=commerce.ports.clock.now())
        uow.commit()
    (line,) = commerce.orders.get(order_id).lines
    return order_id, line.product_id


def test_staff_moderate_the_queue_from_the_cli(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMMERCE_REVIEWS_BANNED_WORDS", "darn, heck")
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    cli = ("--database-url", url)
    succeeded(commerce_cli(*cli, "seed"))
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    written = []
    for customer in ("c-1", "c-2"):
        order_id, product_id = delivered(commerce, customer)
        written.append(commerce.reviews.submit(customer, product_id, order_id, 4,
                                               "Nice shirt", TEXT.format(word="darn")))
    first, second = (w.id for w in written)
    assert [w.status for w in written] == ["flagged", "flagged"]

    listed = succeeded(commerce_cli(*cli, "reviews", "moderate", "list"))
    approved = succeeded(commerce_cli(*cli, "reviews", "moderate", "approve", first,
                                      "--by", "lan", "--reason", "mild"))
    no_reason = commerce_cli(*cli, "reviews", "moderate", "reject", second, "--reason", " ")
    rejected = succeeded(commerce_cli(*cli, "reviews", "moderate", "reject", second,
                                      "--reason", "language"))
    again = commerce_cli(*cli, "reviews", "moderate", "approve", second)
    shown = succeeded(commerce_cli(*cli, "reviews", "show", first))
    rating = succeeded(commerce_cli(*cli, "reviews", "rating", product_id))
    recounted = succeeded(commerce_cli(*cli, "reviews", "recount", product_id))
    empty = succeeded(commerce_cli(*cli, "reviews", "moderate", "list"))

    assert first in listed
    assert second in listed
    assert "banned word" in listed
    assert "is approved" in approved
    refused(no_reason, "review.invalid")
    assert "is rejected" in rejected
    refused(again, "review.not_moderatable")
    assert "flag by auto score 40" in shown
    assert "approve by lan: mild" in shown
    assert "4.00 from 1 reviews (1 verified)" in rating
    assert rating == recounted
    assert "queue is empty" in empty
