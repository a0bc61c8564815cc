"""Outbox contract: rows staged in the transaction, relayed oldest first, retried with backoff."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.shared.bus import backoff
from tests.contract.builders import envelope
from tests.contract.conftest import Store


def test_committed_envelopes_read_back_exactly(store: Store) -> None:
    sent = [envelope(store, event_type="order.created"),
            envelope(store, correlation_id=None)]

    with store.uow() as uow:
        uow.outbox.add(sent)
        uow.commit()
    with store.uow() as uow:
        pending = uow.outbox.pending(10)

    assert pending == sent
    assert pending[0].occurred_at.utcoffset() == timedelta(0)


def test_a_rolled_back_transaction_leaves_no_row(store: Store) -> None:
    with store.uow() as uow:
        uow.outbox.add([envelope(store)])

    with store.uow() as uow:
        assert uow.outbox.pending(10) == []
        assert uow.outbox.stats() == {"pending": 0, "published": 0, "failed": 0}


def test_pending_rows_come_in_commit_order_up_to_the_limit(store: Store) -> None:
    batches = [[envelope(store), envelope(store)], [envelope(store)], [envelope(store)]]
    for batch in batches:
        with store.uow() as uow:
            uow.outbox.add(batch)
            uow.commit()

    with store.uow() as uow:
        three = uow.outbox.pending(3)

    assert [e.id for e in three] == [e.id for e in batches[0] + batches[1]]


def test_published_rows_are_no_longer_pending(store: Store) -> None:
    first, second = envelope(store), envelope(store)
    with store.uow() as uow:
        uow.outbox.add([first, second])
        uow.commit()

    with store.uow() as uow:
        uow.outbox.mark_published([first.id])
        uow.outbox.mark_published([first.id])
        uow.outbox.mark_published([])
        uow.commit()
    with store.uow() as uow:
        pending = uow.outbox.pending(10)
        stats = uow.outbox.stats()

    assert pending == [second]
    assert stats == {"pending": 1, "published": 1, "failed": 0}


def test_a_failed_row_is_due_again_after_its_backoff(store: Store) -> None:
    sent = envelope(store)
    with store.uow() as uow:
        uow.outbox.add([sent])
        uow.commit()
    now = store.clock.now()

    with store.uow() as uow:
        uow.outbox.mark_failed(sent.id, "broker down", now, max_attempts=5)
        uow.commit()
    with store.uow() as uow:
        while_waiting = uow.outbox.pending(10)
    store.clock.advance(backoff(1))
    with store.uow() as uow:
        once_due = uow.outbox.pending(10)

    assert while_waiting == []
    assert once_due == [sent]


def test_a_row_that_keeps_failing_ends_failed(store: Store) -> None:
    sent, other = envelope(store), envelope(store)
    with store.uow() as uow:
        uow.outbox.add([sent, other])
        uow.commit()

    for _ in range(3):
        with store.uow() as uow:
            uow.outbox.mark_failed(sent.id, "still down", store.clock.now(), max_attempts=3)
            uow.commit()
        store.clock.advance(timedelta(minutes=10))
    with store.uow() as uow:
        uow.outbox.mark_failed(sent.id, "ignored", store.clock.now(), max_attempts=3)
        uow.outbox.mark_failed("no-such-event", "ignored", store.clock.now(), max_attempts=3)
        uow.commit()
    with store.uow() as uow:
        pending = uow.outbox.pending(10)
        stats = uow.outbox.stats()

    assert pending == [other]
    assert stats == {"pending": 1, "published": 0, "failed": 1}


def test_a_published_row_is_not_failed_afterwards(store: Store) -> None:
    sent = envelope(store)
    with store.uow() as uow:
        uow.outbox.add([sent])
        uow.commit()

    with store.uow() as uow:
        uow.outbox.mark_published([sent.id])
        uow.outbox.mark_failed(sent.id, "late failure", store.clock.now(), max_attempts=1)
        uow.commit()
    with store.uow() as uow:
        assert uow.outbox.stats() == {"pending": 0, "published": 1, "failed": 0}


def test_marking_rolls_back_with_its_transaction(store: Store) -> None:
    sent = envelope(store)
    with store.uow() as uow:
        uow.outbox.add([sent])
        uow.commit()

    with store.uow() as uow:
        uow.outbox.mark_published([sent.id])
    with store.uow() as uow:
        uow.outbox.mark_failed(sent.id, "boom", store.clock.now(), max_attempts=1)
    with store.uow() as uow:
        assert uow.outbox.pending(10) == [sent]
