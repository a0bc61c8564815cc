"""Payment gateways as operators see them: each breaker in `/health/ready` and as a gauge in
both metrics endpoints; an open breaker does not make the API unready."""

from __future__ import annotations

import contextlib

import redis
from prometheus_client import generate_latest

import adapters.memory
from adapters.memory import (
    FrozenClock,
    InMemoryBreakerStore,
    Outcome,
    ScriptedPaymentGateway,
    SequentialIds,
)
from adapters.redis import StreamLayout
from commerce_core import Commerce, Money
from commerce_core.payment.errors import GatewayUnavailable
from commerce_core.payment.ports import AuthorizationRequest
from commerce_core.payment.routing import GatewayProfile, GatewayRouter
from entrypoints.consumer.metrics import Metrics
from entrypoints.http import create_app
from tests.e2e.conftest import ADMIN, Api, assert_problem, seed_shop, settings
from tests.e2e.test_http_metrics import _sample
from tests.e2e.tokens import shopper_client


def _shop_with_stripe_down() -> Commerce:
    clock = FrozenClock()
    stripe = ScriptedPaymentGateway(default=Outcome.ERROR, name="stripe")
    paypal = ScriptedPaymentGateway(name="paypal")
    router = GatewayRouter([stripe, paypal], breakers=InMemoryBreakerStore(), clock=clock)
    for n in range(5):
        with contextlib.suppress(GatewayUnavailable):
            router.authorize("stripe", AuthorizationRequest(
                payment_id="p", order_id="o", amount=Money(1_000, "VND"), method="card",
                idempotency_key=f"k{n}"))
    ports = adapters.memory.bundle(gateway=stripe, clock=clock, ids=SequentialIds())
    ports.gateways = router
    return Commerce(ports)


def test_readiness_lists_each_breaker_and_stays_ready_with_one_open() -> None:
    with shopper_client(create_app(_shop_with_stripe_down(), settings())) as client:
        response = client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["gateways"] == {"stripe": "open", "paypal": "closed"}


def test_the_api_metrics_carry_a_breaker_gauge_per_gateway() -> None:
    with shopper_client(create_app(_shop_with_stripe_down(), settings())) as client:
        text = client.get("/metrics", headers=ADMIN).text

    assert _sample(text, "commerce_gateway_breaker_state", gateway="stripe") == 2
    assert _sample(text, "commerce_gateway_breaker_state", gateway="paypal") == 0


def test_the_worker_metrics_carry_the_same_gauge(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    try:
        metrics = Metrics(_shop_with_stripe_down(), client, StreamLayout(prefix="gauge-test"))
        text = generate_latest(metrics.registry).decode()
    finally:
        client.close()

    assert _sample(text, "commerce_gateway_breaker_state", gateway="stripe") == 2
    assert _sample(text, "commerce_gateway_breaker_state", gateway="paypal") == 0


def test_a_currency_no_gateway_takes_is_a_clear_409_before_anything_is_taken() -> None:
    paypal = ScriptedPaymentGateway(name="paypal")
    ports = adapters.memory.bundle(gateway=paypal, clock=FrozenClock(), ids=SequentialIds())
    ports.gateways = GatewayRouter(
        [paypal], profiles={"paypal": GatewayProfile(currencies=frozenset({"USD", "EUR"}))},
        breakers=InMemoryBreakerStore(), clock=ports.clock)
    commerce = Commerce(ports)
    seed_shop(commerce)
    with shopper_client(create_app(commerce, settings())) as client:
        api = Api(client, commerce)
        cart_id = api.filled_cart(("LINEN-SHIRT-M", 1))
        events = api.outbox_rows()

        response = api.place_order(cart_id, key="vnd-with-paypal")

        body = assert_problem(response, 409, "payment.no_eligible_gateway")
        assert "no payment gateway takes card payments in VND" in body["detail"]
        assert api.reserved("LINEN-SHIRT-M") == 0
        assert api.cart(cart_id)["status"] == "active"
        assert api.outbox_rows() == events
    assert paypal.calls == []
