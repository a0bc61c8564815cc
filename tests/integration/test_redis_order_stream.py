"""The order event stream in service mode, against a real Redis: what another process commits
and relays to Redis Streams reaches a stream served by this one, once, in order."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from adapters.memory import FrozenClock, ScriptedPaymentGateway
from adapters.redis import ConsumerSettings, RedisStreamsPublisher, StreamConsumer, StreamLayout
from adapters.redis.feed import RedisEventFeed
from commerce_core import Commerce
from commerce_core.shared.ids import Uuid7Generator
from commerce_core.shared.relay import OutboxRelay
from entrypoints.consumer.service import relay_streams
from entrypoints.http import create_app
from entrypoints.http.order_events import streams_of
from entrypoints.settings import Settings
from tests.e2e.conftest import seed_shop
from tests.sse_support import EventStream, serving, wait_for

MARK_PAID = "ordering.mark_order_paid_on_payment_captured"


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture
def layout(client: redis.Redis) -> Iterator[StreamLayout]:
    layout = StreamLayout(prefix=f"t{uuid.uuid4().hex[:8]}")
    yield layout
    for key in client.scan_iter(match=f"{layout.prefix}:*"):
        client.delete(key)


def test_what_another_process_commits_and_relays_reaches_the_stream(
    tmp_path: Path, redis_url: str, client: redis.Redis, layout: StreamLayout,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from adapters import sql

    monkeypatch.setenv("COMMERCE_RATE_LIMITS_ENABLED", "false")
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    # The payment provider both processes talk to.
    provider = ScriptedPaymentGateway()

    def process() -> Commerce:
        return Commerce(sql.bundle(url, gateway=provider, clock=FrozenClock(),
                                   ids=Uuid7Generator()), dispatch_in_process=False)

    api, worker = process(), process()
    seed_shop(api)
    settings = Settings(database_url=url, bus="redis", redis_url=redis_url,
                        redis_prefix=layout.prefix, order_stream_heartbeat_seconds=0.2)
    app = create_app(api, settings)
    feed = streams_of(app).feed
    assert isinstance(feed, RedisEventFeed)
    relay = OutboxRelay(worker.ports.uow, RedisStreamsPublisher(client, layout),
                        relay_streams(worker))
    mark_paid = StreamConsumer(client, worker.bus, MARK_PAID, {"payment.captured"}, "worker-1",
                               settings=ConsumerSettings(block_ms=50), layout=layout)
    mark_paid.ensure_groups()
    rules = streams_of(app).rules

    def timeline(order_id: str) -> list[str]:
        assert api.ports.timeline is not None
        return [e.id for e in api.ports.timeline.events(order_id, after=None, limit=1000)
                if rules.admits(e, order_id)]

    with serving(app) as base, httpx.Client(base_url=base, timeout=10) as http:
        cart = http.post("/carts", json={}).json()
        reach = {"X-Cart-Token": cart["access_token"]}
        added = http.post(f"/carts/{cart['id']}/items",
                          json={"sku": "LINEN-SHIRT-M", "quantity": 1}, headers=reach)
        assert added.status_code == 201, added.text
        placed = http.post("/orders", json={"cart_id": cart["id"]}, headers=reach)
        assert placed.status_code == 201, placed.text
        order_id = placed.json()["order_id"]
        placed_events = timeline(order_id)

        with EventStream(f"{base}/orders/{order_id}/events", reach) as stream:
            history = stream.take(len(placed_events))
            assert feed.reading
            # The placement's events reach Redis only now: the stream sent them already.
            assert relay.run_once() > 0
            # The worker process captures the payment and relays it; then its consumer marks
            # the order paid, and that is relayed too.
            worker.payments.capture(order_id)
            relay.run_once()
            captured = stream.until(lambda m: m.type == "payment.captured")
            wait_for(lambda: mark_paid.poll(block_ms=50) > 0 or "paid" in _status(worker,
                                                                                  order_id))
            relay.run_once()
            paid = stream.until(lambda m: m.type == "order.paid")
            rest = stream.quiet(0.5)

        received = [str(m.id) for m in history + captured + paid + rest]
        assert [str(m.id) for m in history] == placed_events
        assert received == timeline(order_id)  # in order, none twice, none missing
        assert [m.type for m in captured] == ["payment.captured"]
        assert {"order.status_changed", "order.paid"} <= {m.type for m in paid}
        wait_for(lambda: not feed.reading)  # the last follower left: the reader stops
    feed.close()


def _status(commerce: Commerce, order_id: str) -> str:
    return str(commerce.orders.get(order_id).status.value)
