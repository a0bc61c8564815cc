"""The acceptance journey over HTTP, on the in-memory adapters."""

from __future__ import annotations

from tests.e2e.conftest import Api, first_order_journey


def test_a_shopper_browses_fills_a_cart_and_places_exactly_one_order(api: Api) -> None:
    first_order_journey(api)


def test_placing_an_order_twice_without_a_key_returns_the_first_order(api: Api) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-L", 1))

    first = api.place_order(cart_id)
    again = api.place_order(cart_id)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert api.reserved("LINEN-SHIRT-L") == 1
