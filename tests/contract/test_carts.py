"""CartRepository contract: the cart and its lines, replaced as a whole when they change."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.cart.errors import CartNotFound
from commerce_core.cart.model import Cart, CartStatus
from tests.contract.builders import MUG, SHIRT, cart, state, vnd
from tests.contract.conftest import Store


def add(store: Store, item: Cart) -> None:
    with store.uow() as uow:
        uow.carts.add(item)
        uow.commit()


def reloaded(store: Store, cart_id: str) -> Cart:
    with store.uow() as uow:
        return uow.carts.get(cart_id)


def test_a_cart_reads_back_exactly_as_it_was_added(store: Store) -> None:
    basket = cart(store, lines=((SHIRT, 2), (MUG, 1), ("BRASS-LAMP", 3)), customer_id="c-1")
    add(store, basket)

    assert state(reloaded(store, basket.id)) == state(basket)


def test_an_empty_cart_reads_back_empty(store: Store) -> None:
    basket = cart(store, lines=())
    add(store, basket)

    assert reloaded(store, basket.id).lines == []


def test_an_unknown_cart_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(CartNotFound):
        uow.carts.get("no-such-cart")


def test_added_updated_and_removed_lines_are_saved(store: Store) -> None:
    basket = cart(store, lines=((SHIRT, 2), (MUG, 1)))
    add(store, basket)
    store.clock.advance(timedelta(minutes=3))

    with store.uow() as uow:
        editing = uow.carts.get(basket.id)
        now = store.clock.now()
        editing.remove_item(editing.lines[0].id, now=now)
        editing.update_quantity(editing.lines[0].id, 5, now=now)
        editing.add_item(line_id="line-new", sku="BRASS-LAMP", product_id="p-lamp",
                         name="Brass lamp", unit_price=vnd(1_250_000), quantity=1,
                         warehouse_id=None, now=now)
        uow.commit()
    after = reloaded(store, basket.id)

    assert state(after) == state(editing)
    assert [(line.sku, line.quantity) for line in after.lines] == [(MUG, 5), ("BRASS-LAMP", 1)]
    assert after.version == 1


def test_a_status_change_keeps_the_lines(store: Store) -> None:
    basket = cart(store)
    add(store, basket)

    with store.uow() as uow:
        uow.carts.get(basket.id).begin_checkout(now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        uow.carts.get(basket.id).complete("order-1", vnd(200_000), now=store.clock.now())
        uow.commit()
    after = reloaded(store, basket.id)

    assert (after.status, after.order_id, after.version) == (CartStatus.COMPLETED, "order-1", 2)
    assert [(line.sku, line.quantity) for line in after.lines] == [(SHIRT, 2)]


def test_a_cart_changed_twice_in_one_unit_of_work_is_saved_twice(store: Store) -> None:
    basket = cart(store, lines=((SHIRT, 1),))
    add(store, basket)

    with store.uow() as uow:
        editing = uow.carts.get(basket.id)
        editing.update_quantity(editing.lines[0].id, 2, now=store.clock.now())
        uow.commit()
        editing.update_quantity(editing.lines[0].id, 3, now=store.clock.now())
        uow.commit()

    after = reloaded(store, basket.id)
    assert (after.lines[0].quantity, after.version) == (3, 2)


def test_a_guest_carts_token_hash_reads_back_and_a_cart_without_one_has_none(
    store: Store,
) -> None:
    digest = "9f" * 32
    guest = Cart.open(cart_id=store.ids.new_id(), currency="VND", customer_id=None,
                      now=store.clock.now(), access_token_hash=digest)
    add(store, guest)
    legacy = cart(store, lines=())
    add(store, legacy)

    assert reloaded(store, guest.id).access_token_hash == digest
    assert reloaded(store, legacy.id).access_token_hash is None


def test_a_customers_active_cart_is_their_latest_active_one(store: Store) -> None:
    older = cart(store, customer_id="c-1")
    add(store, older)
    store.clock.advance(timedelta(minutes=5))
    newer = cart(store, customer_id="c-1")
    add(store, newer)
    store.clock.advance(timedelta(minutes=5))
    done = cart(store, customer_id="c-1")
    done.begin_checkout(now=store.clock.now())
    add(store, done)
    add(store, cart(store, customer_id="c-2"))
    add(store, cart(store))

    with store.uow() as uow:
        found = uow.carts.active_for("c-1")
        nobody = uow.carts.active_for("c-3")

    assert found is not None
    assert found.id == newer.id
    assert nobody is None
