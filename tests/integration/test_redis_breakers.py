"""The Redis breaker store across processes and when Redis is away."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from adapters.memory import FrozenClock, Outcome, ScriptedPaymentGateway
from adapters.redis import RedisBreakerStore
from commerce_core import Money
from commerce_core.payment.errors import CircuitOpen, GatewayUnavailable
from commerce_core.payment.ports import AuthorizationRequest, BreakerState
from commerce_core.payment.routing import GatewayRouter


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    prefix = f"test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()


def _request(key: str) -> AuthorizationRequest:
    return AuthorizationRequest(payment_id="p", order_id="o", amount=Money(1_000, "VND"),
                                method="card", idempotency_key=key)


def test_a_breaker_opened_by_one_process_is_open_for_another(redis_url: str,
                                                              prefix: str) -> None:
    clock = FrozenClock()
    down = ScriptedPaymentGateway(default=Outcome.ERROR, name="stripe")
    first = GatewayRouter([down], clock=clock, breakers=RedisBreakerStore(
        redis.Redis.from_url(redis_url), prefix=prefix))
    healthy = ScriptedPaymentGateway(name="stripe")
    second = GatewayRouter([healthy], clock=clock, breakers=RedisBreakerStore(
        redis.Redis.from_url(redis_url), prefix=prefix))

    for n in range(5):
        with pytest.raises(GatewayUnavailable):
            first.authorize("stripe", _request(f"k{n}"))

    with pytest.raises(CircuitOpen):
        second.authorize("stripe", _request("elsewhere"))
    assert healthy.calls == []
    clock.advance(timedelta(seconds=60))
    assert second.authorize("stripe", _request("probe")).approved
    assert first.breakers() == {"stripe": "half_open"}


def test_with_redis_away_breakers_read_closed_and_payments_go_on() -> None:
    away = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                       retry=Retry(NoBackoff(), 0))
    store = RedisBreakerStore(away, prefix="nowhere")

    assert store.read("stripe") == BreakerState()
    assert store.update("stripe", lambda state: (state, "kept going")) == "kept going"
