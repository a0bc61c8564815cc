"""The analytics store's contract: idempotent batched recording, reads by period, type and
order, dead letters, rollups, watermarks and alerts, all in the unit of work's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from commerce_core.analytics.errors import DeadLetterNotFound
from commerce_core.analytics.ports import (
    CHUNK,
    DeadLetter,
    Fact,
    MetricValue,
    ReconciliationAlert,
)
from tests.contract.conftest import Store

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)


def fact(n: int, *, kind: str = "order.created", at: datetime = T0, order: str | None = None,
         key: str | None = None, amount: int | None = None) -> Fact:
    return Fact(event_id=f"ev-{n:05d}", event_type=kind, occurred_at=at, recorded_at=at,
                dedupe_key=key or f"event:ev-{n:05d}", subject_id=order or f"o-{n}",
                order_id=order or f"o-{n}", customer_key="c0ffee", status="pending",
                amount=amount, currency="VND" if amount is not None else None)


def record(store: Store, facts: list[Fact]) -> list[Fact]:
    with store.uow() as uow:
        stored = uow.analytics.record(facts)
        uow.commit()
    return stored


def test_a_fact_is_recorded_once_by_event_id_and_by_business_key(store: Store) -> None:
    first = fact(1, kind="payment.captured", key="capture:p1:100", amount=100)
    same_id = attrs.evolve(first, dedupe_key="capture:p1:other")
    same_key = attrs.evolve(first, event_id="ev-other")

    assert record(store, [first, same_id, same_key]) == [first]
    assert record(store, [first, same_key, fact(2)]) == [fact(2)]

    with store.uow() as uow:
        assert uow.analytics.facts(T0, T0 + timedelta(hours=1)) == [first, fact(2)]


def test_every_field_of_a_fact_reads_back_as_written(store: Store) -> None:
    full = Fact(event_id="ev-1", event_type="cart.item_added", occurred_at=T0,
                recorded_at=T0 + timedelta(seconds=3), dedupe_key="event:ev-1",
                subject_id="cart-1", order_id="o-1", customer_key="k", session_key="cart-1",
                status="s", amount=-5, currency="USD", carrier="ghn", reason="r",
                product_id="p-1", quantity=2, client_ip="203.0.113.0", user_agent_hash="ab" * 8)

    record(store, [full])

    with store.uow() as uow:
        assert uow.analytics.facts(T0, T0 + timedelta(seconds=1)) == [full]


def test_a_rolled_back_batch_leaves_nothing(store: Store) -> None:
    with store.uow() as uow:
        uow.analytics.record([fact(1)])

    assert record(store, [fact(1)]) == [fact(1)]


def test_batches_larger_than_a_chunk_are_stored_whole(store: Store) -> None:
    many = [fact(n, at=T0 + timedelta(seconds=n)) for n in range(CHUNK * 2 + 7)]

    assert len(record(store, many)) == len(many)
    assert record(store, many) == []

    with store.uow() as uow:
        assert uow.analytics.facts(T0, T0 + timedelta(days=1)) == many


def test_facts_are_read_by_period_type_and_order_oldest_first(store: Store) -> None:
    later = fact(1, at=T0 + timedelta(hours=2), order="o-a")
    earlier = fact(2, kind="order.cancelled", at=T0, order="o-a")
    other = fact(3, at=T0 + timedelta(hours=1), order="o-b")
    record(store, [later, earlier, other])

    with store.uow() as uow:
        s = uow.analytics
        assert s.facts(T0, T0 + timedelta(hours=2)) == [earlier, other]
        assert s.facts(T0, T0 + timedelta(days=1), ["order.created"]) == [other, later]
        assert s.facts_of_orders(["o-a"]) == [earlier, later]
        assert s.facts_of_orders(["o-a", "o-b"], ["order.created"]) == [other, later]
        assert s.facts_of_orders([]) == []
        assert s.earliest() == T0


def test_late_arrivals_are_found_by_when_they_were_recorded(store: Store) -> None:
    old = attrs.evolve(fact(1, at=T0), recorded_at=T0 + timedelta(days=2))
    record(store, [fact(2, at=T0 + timedelta(days=1)), old])

    with store.uow() as uow:
        assert uow.analytics.earliest_recorded_since(T0 + timedelta(days=2)) == T0
        assert uow.analytics.earliest_recorded_since(T0 + timedelta(days=3)) is None


def test_dead_letters_are_parked_listed_and_discarded(store: Store) -> None:
    letter = DeadLetter("dl-1", "ev-9", "payment.refunded", 1, T0, "p-1",
                        {"payment_id": "p-1", "nested": {"amount": "x"}}, "amount is missing",
                        T0 + timedelta(minutes=1))

    with store.uow() as uow:
        uow.analytics.park(letter)
        uow.commit()
    with store.uow() as uow:
        assert uow.analytics.dead_letters() == [letter]
        assert uow.analytics.dead_letter("dl-1") == letter
        uow.analytics.discard_dead_letter("dl-1")
        uow.commit()

    with store.uow() as uow, pytest.raises(DeadLetterNotFound):
        uow.analytics.dead_letter("dl-1")


def test_rollups_of_a_range_are_replaced_and_read_by_metric(store: Store) -> None:
    def value(hour: int, metric: str, v: int) -> MetricValue:
        return MetricValue("hour", T0 + timedelta(hours=hour), metric, "VND", v)

    with store.uow() as uow:
        uow.analytics.replace_rollups("hour", T0, T0 + timedelta(hours=3),
                                      [value(0, "revenue", 1), value(1, "revenue", 2),
                                       value(2, "orders", 3)])
        uow.analytics.replace_rollups("hour", T0 + timedelta(hours=1), T0 + timedelta(hours=2),
                                      [value(1, "revenue", 20)])
        uow.commit()

    with store.uow() as uow:
        s = uow.analytics
        assert s.rollups("hour", T0, T0 + timedelta(hours=3)) == [
            value(0, "revenue", 1), value(1, "revenue", 20), value(2, "orders", 3)]
        assert s.rollups("hour", T0, T0 + timedelta(hours=3), ["orders"]) == [
            value(2, "orders", 3)]
        assert s.rollups("day", T0, T0 + timedelta(hours=3)) == []


def test_watermarks_and_alerts_round_trip(store: Store) -> None:
    alert = ReconciliationAlert(T0, "order.created", 3, 70, T0 + timedelta(days=1))

    with store.uow() as uow:
        assert uow.analytics.watermark("day") is None
        uow.analytics.set_watermark("day", T0, T0 + timedelta(minutes=5))
        uow.analytics.set_watermark("day", T0 + timedelta(days=1), T0 + timedelta(days=1))
        uow.analytics.replace_alerts(T0, T0 + timedelta(days=1), [alert])
        uow.commit()

    with store.uow() as uow:
        assert uow.analytics.watermark("day") == (T0 + timedelta(days=1),
                                                  T0 + timedelta(days=1))
        assert uow.analytics.alerts(T0, T0 + timedelta(days=1)) == [alert]
        uow.analytics.replace_alerts(T0, T0 + timedelta(days=1), [])
        uow.commit()
    with store.uow() as uow:
        assert uow.analytics.alerts(T0 - timedelta(days=9), T0 + timedelta(days=9)) == []
