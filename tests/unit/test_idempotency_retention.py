"""Checkout idempotency keys are honoured for a retention window (24 hours by default, as payment
providers keep theirs), then released: a request bearing an old key is a new request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.checkout.errors import IdempotencyKeyReused, InvalidIdempotencyKey
from tests.shop import MUG, SHIRT, cart_with, clock_of, make_commerce, stock_shop

DAY = timedelta(hours=24)


def test_within_the_window_a_key_returns_the_first_outcome_and_refuses_another_request() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    first_cart = cart_with(commerce, (SHIRT, 1))
    placed = commerce.checkout.place_order(first_cart, idempotency_key="key-1")

    clock_of(commerce).advance(DAY - timedelta(seconds=1))

    assert commerce.checkout.place_order(first_cart, idempotency_key="key-1") == placed
    with pytest.raises(IdempotencyKeyReused):
        commerce.checkout.place_order(cart_with(commerce, (MUG, 1)), idempotency_key="key-1")


def test_after_the_window_the_same_key_is_a_new_request_even_before_the_worker_ran() -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    placed = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)),
                                           idempotency_key="key-1")

    clock_of(commerce).advance(DAY)
    again = commerce.checkout.place_order(cart_with(commerce, (MUG, 2)), idempotency_key="key-1")

    assert again.order_id != placed.order_id
    assert commerce.orders.get(placed.order_id).status.value == "confirmed"
    assert commerce.inventory.levels(MUG)[0].reserved == 2


def test_the_worker_job_releases_only_finished_checkouts_past_the_window() -> None:
    commerce = make_commerce(idempotency_retention=timedelta(hours=1))
    stock_shop(commerce)
    old = commerce.checkout.place_order(cart_with(commerce, (SHIRT, 1)), idempotency_key="old")
    clock_of(commerce).advance(timedelta(minutes=59))
    recent = commerce.checkout.place_order(cart_with(commerce, (MUG, 1)),
                                           idempotency_key="recent")
    clock_of(commerce).advance(timedelta(minutes=1))

    released = commerce.checkout.release_idempotency_keys()
    again = commerce.checkout.release_idempotency_keys()

    assert (released, again) == (1, 0)
    assert commerce.checkout.get(old.checkout_id).idempotency_key == f"released:{old.checkout_id}"
    assert commerce.checkout.get(recent.checkout_id).idempotency_key == "recent"
    # The checkout itself stays: its order still names it.
    assert commerce.orders.get(old.order_id).checkout_id == old.checkout_id


@pytest.mark.parametrize("key", ["released:anything", "cart:some-cart:v0"])
def test_a_client_key_may_not_look_like_the_shops_own(key: str) -> None:
    commerce = make_commerce()
    stock_shop(commerce)
    cart_id = cart_with(commerce, (SHIRT, 1))

    with pytest.raises(InvalidIdempotencyKey):
        commerce.checkout.place_order(cart_id, idempotency_key=key)
    assert commerce.inventory.levels(SHIRT)[0].reserved == 0
