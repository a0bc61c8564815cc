"""The worker's service-mode wiring without servers: which subscribers and streams a worker
takes on, how its loops ride out failures, and the extra-subscribers hook."""

from __future__ import annotations

import random
import threading

import pytest
import redis

from adapters.memory import bundle
from commerce_core import Commerce
from commerce_core.shared.bus import Subscriber
from commerce_core.shared.errors import InvalidInput
from entrypoints.consumer.loops import BackgroundLoop, Backoff
from entrypoints.consumer.service import relay_streams, select, subscriptions
from entrypoints.container import register_extra_subscribers

EXTRA = "crm.notify_on_order_confirmed"


def register(commerce: Commerce) -> None:
    commerce.bus.subscribe(Subscriber(EXTRA, "order.confirmed", lambda envelope, uow: None))
    commerce.bus.subscribe(Subscriber(EXTRA, "loyalty.points_earned", lambda e, u: None))


def test_only_selects_the_subscribers_of_the_named_contexts() -> None:
    names = subscriptions(Commerce(bundle()))

    chosen = select(names, ["inventory", "ordering"])

    assert chosen
    assert {name.split(".")[0] for name in chosen} == {"inventory", "ordering"}
    assert select(names, None) == list(names)


def test_a_context_without_subscribers_is_refused() -> None:
    with pytest.raises(InvalidInput, match="nosuch"):
        select(subscriptions(Commerce(bundle())), ["inventory", "nosuch"])


def test_an_extra_subscriber_joins_its_group_and_brings_its_stream() -> None:
    commerce = Commerce(bundle())

    register_extra_subscribers(commerce, " tests.unit.test_event_service:register ,")

    assert subscriptions(commerce)[EXTRA] == {"order.confirmed", "loyalty.points_earned"}
    assert {"order", "inventory", "loyalty"} <= set(relay_streams(commerce))


@pytest.mark.parametrize("hook", ["no.such.module:register", "tests.unit.test_event_service:nope",
                                  "tests.unit.test_event_service"])
def test_a_hook_that_cannot_be_loaded_is_refused(hook: str) -> None:
    with pytest.raises(InvalidInput, match="COMMERCE_EXTRA_SUBSCRIBERS"):
        register_extra_subscribers(Commerce(bundle()), hook)


def test_reconnect_delays_grow_jittered_up_to_the_cap() -> None:
    backoff, rng = Backoff(base=0.5, cap=30.0), random.Random(7)

    delays = [backoff.delay(n, rng) for n in range(1, 10)]

    for n, delay in enumerate(delays, start=1):
        ceiling = min(30.0, 0.5 * 2 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= 30.0


def test_a_loop_outlives_a_broker_outage_and_a_bug() -> None:
    failures = [redis.ConnectionError("refused"), RuntimeError("a bug")]
    calls: list[int] = []
    stop = threading.Event()

    def step() -> int:
        calls.append(1)
        if failures:
            raise failures.pop(0)
        stop.set()
        return 1

    BackgroundLoop("test", step, backoff=Backoff(base=0.001, cap=0.001)).run(stop.is_set)

    assert len(calls) == 3
