"""200 concurrent sign-ins against a real server (uvicorn on a free port) whose rate limits
live in Redis and whose accounts live in PostgreSQL (spec identity §1 rule 5, issue
acceptance): the login limit lets exactly its count through per address, every other attempt
gets 429 with `Retry-After` and `RateLimit-*` headers, the failures that do get through lock the
account after exactly five, and nothing answers 500."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
import uvicorn

from adapters import sql
from adapters.memory import ScriptedPaymentGateway
from commerce_core.app import Commerce
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.ids import Uuid7Generator
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.identity_support import PASSWORD, with_identity
from tests.smtp_server import free_port

LIMIT = 10  # the spec's 10 login attempts a minute per address
ATTEMPTS = 200


@pytest.fixture
def prefix(redis_url: str) -> Iterator[str]:
    name = f"test-logins-{uuid.uuid4().hex[:12]}"
    yield name
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(f"{name}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def server(postgres_url: str, redis_url: str, prefix: str) -> Iterator[tuple[str, Commerce]]:
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(),
                       pool_size=10)
    commerce = Commerce(with_identity(ports))
    commerce.identity.register("an@example.vn", PASSWORD)
    settings = Settings(
        database_url=postgres_url, rate_limit_store="redis", redis_url=redis_url,
        redis_prefix=prefix, rate_limit_login=f"{LIMIT}/min",
        rate_limit_api="100000/min burst 100000", client_ip_header="X-Forwarded-For")
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(commerce, settings), host="127.0.0.1",
                                       port=port, log_level="warning", limit_concurrency=1000))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", commerce
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


def fire(base: str, attempts: list[tuple[str, str]]) -> list[httpx.Response]:
    """All attempts at once: (client address, password) each."""

    async def run() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=len(attempts))
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
            async def one(address: str, password: str) -> httpx.Response:
                return await client.post(
                    "/auth/login", headers={"X-Forwarded-For": address},
                    json={"identifier": "an@example.vn", "password": password})

            return list(await asyncio.gather(*(one(a, p) for a, p in attempts)))

    return asyncio.run(run())


def codes(responses: list[httpx.Response]) -> Counter[Any]:
    return Counter(r.status_code if r.status_code != 401 else r.json()["code"]
                   for r in responses)


def test_200_concurrent_sign_ins_from_one_address_let_exactly_the_limit_through(
        server: tuple[str, Commerce]) -> None:
    base, commerce = server

    responses = fire(base, [("198.51.100.7", PASSWORD)] * ATTEMPTS)

    assert codes(responses) == Counter({200: LIMIT, 429: ATTEMPTS - LIMIT})
    for refused in (r for r in responses if r.status_code == 429):
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert f'"login";q={LIMIT};w=60' in refused.headers["ratelimit-policy"]
        assert '"login";r=0;' in refused.headers["ratelimit"]
    account = commerce.identity.authenticate(
        next(r for r in responses if r.status_code == 200).json()["access_token"])
    assert account.subject is not None
    sessions = commerce.identity.sessions(str(account.subject))
    assert len(sessions) == LIMIT  # every sign-in let through made exactly one session


def test_wrong_passwords_from_four_addresses_lock_the_account_after_exactly_five(
        server: tuple[str, Commerce]) -> None:
    base, _ = server
    addresses = [f"203.0.113.{n}" for n in range(1, 5)]

    responses = fire(base, [(addresses[i % 4], "Wrong-Password-1") for i in range(ATTEMPTS)])

    through = 4 * LIMIT  # each address has its own count
    assert codes(responses) == Counter({
        "identity.invalid_credentials": 5, "identity.account_locked": through - 5,
        429: ATTEMPTS - through})
    locked = fire(base, [("192.0.2.1", PASSWORD)])  # the right password, a fresh address
    assert codes(locked) == Counter({"identity.account_locked": 1})
