"""Rate limits over HTTP: the per-client burst (spec scenario 19), checkout per address and per
cart, search, per-route overrides that casing cannot dodge, the 429 problem and the ratelimit
headers, and what happens when the limiter's store is down (open or closed per policy)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from fastapi import Depends
from fastapi.testclient import TestClient
from redis.backoff import NoBackoff
from redis.retry import Retry

from adapters.memory import FrozenClock
from adapters.memory.ratelimit import InMemoryRateLimiter
from adapters.redis import RedisRateLimiter
from commerce_core.app import Commerce
from entrypoints.http import create_app
from entrypoints.http.ratelimit import build_rate_limits, rate_limited
from entrypoints.settings import Settings
from tests.e2e.conftest import OPERATOR_TOKEN, assert_problem

PRODUCT = "/products/linen-shirt"


def shop(commerce: Commerce, **limits: object) -> TestClient:
    settings = Settings(database_url="memory://", operator_token=OPERATOR_TOKEN,
                        client_ip_header="X-Forwarded-For", **limits)  # type: ignore[arg-type]
    frozen = build_rate_limits(settings, InMemoryRateLimiter(FrozenClock()))
    return TestClient(create_app(commerce, settings, frozen))


def from_ip(ip: str) -> dict[str, str]:
    return {"X-Forwarded-For": ip}


def assert_rate_limited(response: httpx.Response, policy: str) -> None:
    assert_problem(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["RateLimit-Policy"].startswith(f'"{policy}";')
    assert f'"{policy}";r=0;' in response.headers["RateLimit"]


@pytest.fixture
def client(commerce: Commerce, seeded: object) -> Iterator[TestClient]:
    with shop(commerce, rate_limit_api="100/min burst 20") as test_client:
        yield test_client


def test_the_21st_request_of_a_burst_of_21_is_refused(client: TestClient) -> None:
    answers = [client.get(PRODUCT, headers=from_ip("198.51.100.1")) for _ in range(21)]

    assert [r.status_code for r in answers[:20]] == [200] * 20
    assert_rate_limited(answers[20], "api")
    assert client.get(PRODUCT, headers=from_ip("198.51.100.2")).status_code == 200


def test_counted_responses_carry_the_policy_and_what_is_left(client: TestClient) -> None:
    response = client.get(PRODUCT, headers=from_ip("198.51.100.3"))

    assert response.headers["RateLimit-Policy"] == '"api";q=100;w=60;burst=20'
    assert response.headers["RateLimit"] == '"api";r=19;t=1'


def test_health_probes_are_never_limited(client: TestClient) -> None:
    answers = [client.get("/health/live").status_code for _ in range(25)]

    assert 429 not in answers


def test_checkout_is_limited_per_address(commerce: Commerce, seeded: object) -> None:
    with shop(commerce, rate_limit_checkout="10/min") as client:
        answers = [client.post("/orders", json={"cart_id": f"cart-{n}"},
                               headers=from_ip("203.0.113.9")) for n in range(11)]

    assert 429 not in [r.status_code for r in answers[:10]]
    assert_rate_limited(answers[10], "checkout")


def test_checkout_is_limited_per_cart_whatever_the_address(commerce: Commerce,
                                                             seeded: object) -> None:
    with shop(commerce, rate_limit_checkout_cart="3/min") as client:
        answers = [client.post("/orders", json={"cart_id": "Cart-1"},
                               headers=from_ip(f"203.0.113.{n}")) for n in range(3)]
        fourth = client.post("/orders", json={"cart_id": " cart-1 "},
                             headers=from_ip("203.0.113.200"))
        other_cart = client.post("/orders", json={"cart_id": "cart-2"},
                                 headers=from_ip("203.0.113.201"))

    assert 429 not in [r.status_code for r in answers]
    assert_rate_limited(fourth, "checkout_cart")
    assert other_cart.status_code != 429


def test_search_is_limited_per_address(commerce: Commerce, seeded: object) -> None:
    with shop(commerce, rate_limit_search="2/min") as client:
        answers = [client.get(path, params={"q": "linen"}, headers=from_ip("192.0.2.7"))
                   for path in ("/search", "/search/suggest", "/search")]

    assert [r.status_code for r in answers[:2]] == [200, 200]
    assert_rate_limited(answers[2], "search")


def test_a_route_override_counts_every_spelling_of_the_route_as_one(
    commerce: Commerce, seeded: object
) -> None:
    with shop(commerce, rate_limit_routes="GET /products/linen-shirt=3/min") as client:
        spellings = [client.get(path, headers=from_ip("192.0.2.9"))
                     for path in ("/products/linen-shirt", "/Products/Linen-Shirt",
                                  "/PRODUCTS/linen-shirt")]
        fourth = client.get(PRODUCT, headers=from_ip("192.0.2.9"))

    assert 429 not in [r.status_code for r in spellings]
    assert_problem(fourth, 429, "rate_limited")
    assert fourth.headers["RateLimit-Policy"].startswith('"route:GET /products/linen-shirt";')


def test_bad_rate_limit_settings_are_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="rate_limit_login"):
        Settings(rate_limit_login="ten a minute")
    with pytest.raises(ValueError, match="rate_limit_routes"):
        Settings(rate_limit_routes="/orders=10/min")


def test_provider_webhooks_are_not_counted(client: TestClient) -> None:
    answers = [client.post("/webhooks/payments/nope", content=b"{}",
                           headers=from_ip("198.51.100.50")).status_code for _ in range(25)]

    assert 429 not in answers


def test_with_redis_down_shopping_fails_open_and_login_fails_closed(
    commerce: Commerce, seeded: object
) -> None:
    settings = Settings(database_url="memory://", rate_limit_api="1/min")
    dead = RedisRateLimiter(redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2,
                       retry=Retry(NoBackoff(), 0)),
                            prefix="test-rl-dead")
    app = create_app(commerce, settings, build_rate_limits(settings, dead))

    @app.post("/probe/login", dependencies=[Depends(rate_limited("login"))])
    def login_probe() -> dict[str, bool]:
        return {"ok": True}

    with TestClient(app) as client:
        shopping = [client.get(PRODUCT) for _ in range(3)]
        login = client.post("/probe/login")

    assert [r.status_code for r in shopping] == [200, 200, 200]
    assert "RateLimit" not in shopping[0].headers
    assert_problem(login, 503, "rate_limit.unavailable")
    assert login.headers["Retry-After"] == "5"


def test_a_burst_over_http_is_limited_by_the_real_redis(
    commerce: Commerce, seeded: object, redis_url: str
) -> None:
    prefix = f"test-rl-{uuid.uuid4().hex[:12]}"
    # Refilling one request a minute keeps the outcome the same on a slow machine.
    settings = Settings(database_url="memory://", rate_limit_store="redis", redis_url=redis_url,
                        redis_prefix=prefix, rate_limit_api="60/hour burst 20")
    cleanup = redis.Redis.from_url(redis_url)
    try:
        with TestClient(create_app(commerce, settings)) as client:
            answers = [client.get(PRODUCT).status_code for _ in range(21)]
    finally:
        keys = list(cleanup.scan_iter(f"{prefix}:*"))
        if keys:
            cleanup.delete(*keys)
        cleanup.close()

    assert answers == [200] * 20 + [429]
