"""CheckoutSagaRepository contract."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.checkout.errors import CheckoutNotFound
from commerce_core.checkout.model import CheckoutSaga, SagaStatus, Step
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.builders import saga, state
from tests.contract.conftest import Store


def add(store: Store, *sagas: CheckoutSaga) -> None:
    with store.uow() as uow:
        for item in sagas:
            uow.checkouts.add(item)
        uow.commit()


def test_a_saga_reads_back_exactly_as_it_was_added(store: Store) -> None:
    started = saga(store)
    add(store, started)

    with store.uow() as uow:
        loaded = uow.checkouts.get(started.id)
        by_key = uow.checkouts.by_key(started.idempotency_key)

    assert state(loaded) == state(started)
    assert by_key is loaded


def test_an_unknown_saga_is_not_found(store: Store) -> None:
    with store.uow() as uow:
        with pytest.raises(CheckoutNotFound):
            uow.checkouts.get("no-such-checkout")
        assert uow.checkouts.by_key("no-such-key") is None


def test_the_progress_of_a_saga_is_saved(store: Store) -> None:
    started = saga(store)
    add(store, started)
    lease = timedelta(seconds=30)

    store.clock.advance(lease)
    with store.uow() as uow:
        uow.checkouts.get(started.id).claim(now=store.clock.now(), lease=lease)
        uow.commit()
    with store.uow() as uow:
        uow.checkouts.get(started.id).confirmed(now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        loaded = uow.checkouts.get(started.id)

    assert (loaded.step, loaded.status, loaded.reservation_ids, loaded.order_id,
            loaded.payment_id) == (Step.CONFIRMED, SagaStatus.COMPLETED, ["r-2", "r-1"],
                                   "order-1", "payment-1")
    assert loaded.version == 2
    assert [line.sku for line in loaded.lines] == [line.sku for line in started.lines]


def test_a_second_saga_with_a_taken_key_is_a_concurrency_conflict(store: Store) -> None:
    add(store, saga(store, key="same-key"))

    with store.uow() as uow:
        uow.checkouts.add(saga(store, key="same-key", cart_id="cart-2"))
        with pytest.raises(ConcurrencyConflict):
            uow.commit()


def test_stale_sagas_are_unfinished_with_an_expired_lease_oldest_first(store: Store) -> None:
    lease = timedelta(seconds=30)
    oldest = saga(store, key="k1", lease=lease)
    store.clock.advance(timedelta(seconds=1))
    compensating = saga(store, key="k2", lease=lease)
    compensating.compensating("x", "failed", now=store.clock.now(), lease=lease)
    store.clock.advance(timedelta(seconds=1))
    finished = saga(store, key="k3", lease=lease)
    finished.compensating("x", "failed", now=store.clock.now(), lease=lease)
    finished.failed(now=store.clock.now())
    fresh = saga(store, key="k4", lease=timedelta(hours=1))
    add(store, fresh, finished, compensating, oldest)
    now = store.clock.now() + timedelta(minutes=1)

    with store.uow() as uow:
        stale = uow.checkouts.stale(now, limit=10)
        first = uow.checkouts.stale(now, limit=1)
        none_yet = uow.checkouts.stale(store.clock.now(), limit=10)

    assert stale == [oldest.id, compensating.id]
    assert first == [oldest.id]
    assert none_yet == []
    assert finished.status is SagaStatus.FAILED


def test_keys_to_release_are_those_of_finished_sagas_created_by_the_time(
    store: Store,
) -> None:
    done, failed, running = (saga(store, key=f"key-{n}", cart_id=f"cart-{n}") for n in range(3))
    done.confirmed(now=store.clock.now())
    failed.compensating("payment.declined", "declined", now=store.clock.now(),
                        lease=timedelta(seconds=30))
    failed.failed(now=store.clock.now())
    add(store, done, failed, running)
    store.clock.advance(timedelta(hours=1))
    later = saga(store, key="key-later", cart_id="cart-later")
    later.confirmed(now=store.clock.now())
    add(store, later)

    before_later = store.clock.now() - timedelta(seconds=1)
    with store.uow() as uow:
        due = uow.checkouts.keys_to_release(before_later, limit=10)
        first = uow.checkouts.keys_to_release(before_later, limit=1)
        uow.checkouts.get(done.id).release_key(now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        after = uow.checkouts.keys_to_release(before_later, limit=10)
        released = uow.checkouts.get(done.id)
        freed = uow.checkouts.by_key("key-0")

    assert sorted(due) == sorted([done.id, failed.id])
    assert len(first) == 1
    assert first[0] in due
    assert after == [failed.id]
    assert released.idempotency_key == f"released:{done.id}"
    assert freed is None
