"""ReservationRepository contract."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.inventory.errors import ReservationNotFound
from commerce_core.inventory.model import Reservation, ReservationStatus
from tests.contract.builders import MUG, SHIRT, reservation, state
from tests.contract.conftest import Store


def add(store: Store, *reservations: Reservation) -> None:
    with store.uow() as uow:
        for item in reservations:
            uow.reservations.add(item)
        uow.commit()


def test_a_reservation_reads_back_exactly_as_it_was_added(store: Store) -> None:
    held = reservation(store)
    add(store, held)

    with store.uow() as uow:
        loaded = uow.reservations.get(held.id)

    assert state(loaded) == state(held)


def test_an_unknown_reservation_is_not_found(store: Store) -> None:
    with store.uow() as uow, pytest.raises(ReservationNotFound):
        uow.reservations.get("no-such-reservation")


def test_a_confirmed_reservation_is_saved_and_found_for_its_order(store: Store) -> None:
    held, other = reservation(store), reservation(store)
    add(store, held, other)

    with store.uow() as uow:
        uow.reservations.get(held.id).confirm("order-7", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        for_order = uow.reservations.for_order("order-7")

    assert [(r.id, r.status, r.order_id, r.version) for r in for_order] == [
        (held.id, ReservationStatus.CONFIRMED, "order-7", 1)
    ]


def test_reservations_for_a_reference_come_oldest_first(store: Store) -> None:
    later = reservation(store, reference="checkout-1")
    store.clock.advance(timedelta(seconds=-5))
    earlier = reservation(store, reference="checkout-1")
    elsewhere = reservation(store, reference="checkout-2")
    add(store, later, elsewhere, earlier)

    with store.uow() as uow:
        found = [r.id for r in uow.reservations.for_reference("checkout-1")]

    assert found == [earlier.id, later.id]


def test_due_reservations_are_active_and_expired_soonest_first(store: Store) -> None:
    soon = reservation(store, ttl=timedelta(minutes=5))
    sooner = reservation(store, ttl=timedelta(minutes=1))
    later = reservation(store, ttl=timedelta(hours=2))
    confirmed = reservation(store, ttl=timedelta(minutes=1))
    confirmed.confirm("order-1", now=store.clock.now())
    add(store, soon, later, confirmed, sooner)
    now = store.clock.now() + timedelta(minutes=10)

    with store.uow() as uow:
        due = uow.reservations.due_to_expire(now, limit=10)
        first = uow.reservations.due_to_expire(now, limit=1)
        exactly_at_expiry = uow.reservations.due_to_expire(sooner.expires_at, limit=10)

    assert due == [sooner.id, soon.id]
    assert first == [sooner.id]
    assert exactly_at_expiry == [sooner.id]


def test_live_reservations_are_active_or_confirmed(store: Store) -> None:
    active, confirmed, released = (reservation(store), reservation(store),
                                   reservation(store, sku=MUG))
    confirmed.confirm("order-1", now=store.clock.now())
    released.release("changed mind", now=store.clock.now())
    mug = reservation(store, sku=MUG)
    add(store, active, confirmed, released, mug)

    with store.uow() as uow:
        units = (uow.reservations.live_units(SHIRT, active.warehouse_id),
                 uow.reservations.live_units(MUG, mug.warehouse_id),
                 uow.reservations.live_units("NOPE", active.warehouse_id))

    assert units == (active.quantity + confirmed.quantity, mug.quantity, 0)


def test_reservations_list_newest_first_by_status(store: Store) -> None:
    made = []
    for _ in range(4):
        made.append(reservation(store))
        store.clock.advance(timedelta(seconds=1))
    made[1].release("test", now=store.clock.now())
    add(store, *made)

    with store.uow() as uow:
        newest = [r.id for r in uow.reservations.list()]
        two = [r.id for r in uow.reservations.list(limit=2)]
        active = [r.id for r in uow.reservations.list(statuses=["active"])]
        either = [r.id for r in uow.reservations.list(statuses=["released", "expired"])]
        none = uow.reservations.list(statuses=[])

    assert newest == [made[3].id, made[2].id, made[1].id, made[0].id]
    assert two == [made[3].id, made[2].id]
    assert active == [made[3].id, made[2].id, made[0].id]
    assert either == [made[1].id]
    assert none == []


def test_the_lifecycle_of_a_reservation_reads_back(store: Store) -> None:
    held = reservation(store, quantity=5)
    now = store.clock.now()
    held.extend(held.expires_at + timedelta(minutes=10), now=now)
    held.confirm("order-3", now=now)
    held.fulfil(2, now=now)
    held.release("order_cancelled", now=now)
    add(store, held)

    with store.uow() as uow:
        loaded = uow.reservations.get(held.id)

    assert state(loaded) == state(held)
    assert (loaded.ttl, loaded.release_reason, loaded.confirmed_at) == (
        timedelta(minutes=30), "order_cancelled", now)


def test_live_units_are_the_unfulfilled_units_of_active_and_confirmed_reservations(
    store: Store,
) -> None:
    active, confirmed, released = (reservation(store, quantity=2), reservation(store, quantity=5),
                                   reservation(store, quantity=7))
    confirmed.confirm("order-1", now=store.clock.now())
    confirmed.fulfil(3, now=store.clock.now())
    released.release("test", now=store.clock.now())
    elsewhere = reservation(store, warehouse_id="warehouse-2", quantity=4)
    add(store, active, confirmed, released, elsewhere)

    with store.uow() as uow:
        units = (uow.reservations.live_units(SHIRT, "warehouse-1"),
                 uow.reservations.live_units(SHIRT, "warehouse-2"),
                 uow.reservations.live_units(MUG, "warehouse-1"))

    assert units == (4, 4, 0)


def test_leaked_reservations_are_active_old_and_not_reported_yet(store: Store) -> None:
    old, reported, confirmed = reservation(store), reservation(store), reservation(store)
    reported.report_leak(now=store.clock.now())
    confirmed.confirm("order-1", now=store.clock.now())
    store.clock.advance(timedelta(hours=2))
    young = reservation(store)
    add(store, old, reported, confirmed, young)
    cutoff = store.clock.now() - timedelta(hours=1)

    with store.uow() as uow:
        leaked = [r.id for r in uow.reservations.leaked(cutoff, limit=10)]
        counted = uow.reservations.count_active_before(cutoff)

    assert (leaked, counted) == ([old.id], 2)
