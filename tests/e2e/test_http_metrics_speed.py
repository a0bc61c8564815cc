"""`GET /metrics` and speed: every command the bus runs in the command histogram, by outcome;
the age of the oldest event waiting in the outbox; consumer group lag with the bus on Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from adapters.memory import FrozenClock, ScriptedPaymentGateway
from adapters.redis import StreamLayout
from commerce_core.app import Commerce
from commerce_core.catalog.events import ProductArchived
from commerce_core.shared.ids import Uuid7Generator
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import ADMIN, OPERATOR_TOKEN, Api, settings
from tests.e2e.test_http_metrics import _sample
from tests.e2e.tokens import shopper_client


def test_a_checkout_shows_in_the_command_histogram(api: Api) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 1))
    assert api.place_order(cart_id, key="speed-1").status_code == 201
    assert api.place_order(api.new_cart(), key="speed-2").status_code == 409  # an empty cart

    text = api.client.get("/metrics", headers=ADMIN).text

    ok = {"command": "PlaceOrder", "outcome": "ok"}
    assert _sample(text, "commerce_command_duration_seconds_count", **ok) == 1
    assert _sample(text, "commerce_command_duration_seconds_bucket", **ok, le="+Inf") == 1
    assert _sample(text, "commerce_command_duration_seconds_sum", **ok) > 0
    assert _sample(text, "commerce_command_duration_seconds_count", command="PlaceOrder",
                   outcome="refused") == 1
    assert _sample(text, "commerce_command_duration_seconds_count", command="AddCartItem",
                   outcome="ok") == 1
    # The route histogram sits beside it: one request, one observation.
    assert _sample(text, "commerce_http_request_duration_seconds_count", route="/orders",
                   method="POST", status="201") == 1
    # Every event of the checkout was relayed in process: nothing waits.
    assert _sample(text, "commerce_outbox_lag_seconds") == 0


def _lag_after_two_waiting_events(commerce: Commerce) -> tuple[float, float]:
    """The outbox lag scraped with two events waiting (written 90 s apart, read 5 s after the
    second), then after a relay."""
    clock = commerce.ports.clock
    assert isinstance(clock, FrozenClock)
    http = shopper_client(create_app(commerce, settings()))
    # Written outside a command: no in-process dispatch, the rows wait for a relay.
    for n in (1, 2):
        with commerce.ports.uow() as uow:
            uow.record(ProductArchived(f"product-{n}", (f"SKU-{n}",), clock.now()))
            uow.commit()
        clock.advance(timedelta(seconds=90 if n == 1 else 5))
    waiting = _sample(http.get("/metrics", headers=ADMIN).text, "commerce_outbox_lag_seconds")
    commerce.relay_outbox()
    relayed = _sample(http.get("/metrics", headers=ADMIN).text, "commerce_outbox_lag_seconds")
    return waiting, relayed


def test_the_outbox_lag_is_the_age_of_the_oldest_waiting_event(commerce: Commerce) -> None:
    assert _lag_after_two_waiting_events(commerce) == (95, 0)


def test_the_outbox_lag_on_sqlite(tmp_path: Path) -> None:
    from adapters import sql

    ports = sql.bundle(f"sqlite:///{tmp_path / 'shop.db'}", gateway=ScriptedPaymentGateway(),
                       clock=FrozenClock(),
                       ids=Uuid7Generator())
    assert _lag_after_two_waiting_events(Commerce(ports)) == (95, 0)


def test_the_outbox_lag_on_postgres(postgres_url: str) -> None:
    from adapters import sql

    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=Uuid7Generator())
    assert _lag_after_two_waiting_events(Commerce(ports)) == (95, 0)


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    prefix = f"metrics-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


def test_with_the_bus_on_redis_each_group_shows_its_lag_and_pending(
        commerce: Commerce, redis_url: str, redis_prefix: str) -> None:
    layout = StreamLayout(prefix=redis_prefix)
    client = redis.Redis.from_url(redis_url)
    stream = layout.stream_named("orders")
    for n in range(3):
        client.xadd(stream, {"n": str(n)})
    client.xgroup_create(stream, "ordering.notify", id="0")
    client.xreadgroup("ordering.notify", "c-1", {stream: ">"}, count=1)  # one read, not acked
    app = create_app(commerce, Settings(database_url="memory://", operator_token=OPERATOR_TOKEN,
                                        bus="redis", redis_url=redis_url,
                                        redis_prefix=redis_prefix))
    http: TestClient = shopper_client(app)

    text = http.get("/metrics", headers=ADMIN).text

    assert _sample(text, "commerce_event_bus_up") == 1
    assert _sample(text, "commerce_consumer_group_lag", group="ordering.notify") == 2
    assert _sample(text, "commerce_consumer_group_pending", group="ordering.notify") == 1


def test_without_redis_there_are_no_group_gauges(client: TestClient) -> None:
    text = client.get("/metrics", headers=ADMIN).text
    assert "commerce_consumer_group_lag" not in text
    assert "commerce_event_bus_up" not in text
    assert _sample(text, "commerce_outbox_lag_seconds") == 0


def test_every_app_over_one_shop_times_its_commands(commerce: Commerce) -> None:
    first = shopper_client(create_app(commerce, settings()))
    second = shopper_client(create_app(commerce, settings()))
    first.post("/carts", json={})

    for http in (first, second):
        text = http.get("/metrics", headers=ADMIN).text
        assert _sample(text, "commerce_command_duration_seconds_count", command="CreateCart",
                       outcome="ok") == 1
