"""Inbox contract: which events each consumer applied, written with the consumer's effects."""

from __future__ import annotations

import pytest

from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.conftest import Store

CONSUMER = "ordering.mark_order_paid_on_payment_captured"


def test_a_recorded_event_is_seen_by_its_consumer_only(store: Store) -> None:
    with store.uow() as uow:
        unseen = uow.inbox.seen(CONSUMER, "event-1")
        uow.inbox.record(CONSUMER, "event-1")
        seen_inside = uow.inbox.seen(CONSUMER, "event-1")
        uow.commit()

    with store.uow() as uow:
        assert (unseen, seen_inside) == (False, True)
        assert uow.inbox.seen(CONSUMER, "event-1")
        assert not uow.inbox.seen("another.consumer", "event-1")
        assert not uow.inbox.seen(CONSUMER, "event-2")


def test_a_rolled_back_record_is_forgotten(store: Store) -> None:
    with store.uow() as uow:
        uow.inbox.record(CONSUMER, "event-1")

    with store.uow() as uow:
        assert not uow.inbox.seen(CONSUMER, "event-1")


def test_recording_an_event_twice_for_one_consumer_is_a_conflict(store: Store) -> None:
    with store.uow() as uow:
        uow.inbox.record(CONSUMER, "event-1")
        uow.commit()

    with store.uow() as uow, pytest.raises(ConcurrencyConflict):
        uow.inbox.record(CONSUMER, "event-1")

    with store.uow() as uow:
        uow.inbox.record("another.consumer", "event-1")
        uow.commit()


def test_a_batch_is_read_and_recorded_at_once(store: Store) -> None:
    with store.uow() as uow:
        uow.inbox.record(CONSUMER, "event-1")
        uow.commit()

    with store.uow() as uow:
        assert uow.inbox.seen_among(CONSUMER, []) == set()
        assert uow.inbox.seen_among(CONSUMER, ["event-1", "event-2", "event-3"]) == {"event-1"}
        uow.inbox.record_all(CONSUMER, ["event-2", "event-3"])
        uow.inbox.record_all(CONSUMER, [])
        uow.commit()

    with store.uow() as uow:
        assert uow.inbox.seen_among(CONSUMER, ["event-1", "event-2", "event-3", "event-4"]) == {
            "event-1", "event-2", "event-3"}
        assert uow.inbox.seen_among("another.consumer", ["event-2"]) == set()
    with store.uow() as uow, pytest.raises(ConcurrencyConflict):
        uow.inbox.record_all(CONSUMER, ["event-4", "event-3"])
    with store.uow() as uow:
        assert uow.inbox.seen_among(CONSUMER, ["event-4"]) == set()  # all or nothing
