"""Acceptance: a real receiver (an HTTP server on a free local port) gets every subscribed event
from the worker's webhook job, checks each signature with its own implementation of the recipe,
and answers 500 twice: each delivery succeeds on the third try and the log shows 500, 500, 200.
A target on 127.0.0.1 is refused unless the setting allows it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest

from adapters import sql
from adapters import webhooks as webhook_adapters
from adapters.identity import FernetSealer
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from commerce_core.app import Commerce
from commerce_core.catalog.commands import VariantSpec
from commerce_core.shared.money import Money
from commerce_core.webhooks.errors import InvalidWebhook
from entrypoints.consumer.scheduled import ScheduledJobs
from entrypoints.settings import Settings

KEY = FernetSealer.generate_key()


def verified(secret: str, headers: Any, body: bytes) -> bool:
    """Standard Webhooks, written apart from the shop's code: HMAC-SHA256 over
    `id.timestamp.body`, keyed by the base64 after `whsec_`, any `v1,` entry matching."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(entry, "v1," + expected)
               for entry in headers["webhook-signature"].split())


@attrs.define
class Receiver:
    """Answers 500 to the first two tries of each message, then 200; keeps what it saw."""

    secret: str = ""
    seen: list[tuple[str, str, bool, int]] = attrs.field(factory=list)  # id, type, ok, answer
    tries: dict[str, int] = attrs.field(factory=dict)
    lock: threading.Lock = attrs.field(factory=threading.Lock)

    def take(self, headers: Any, body: bytes) -> int:
        with self.lock:
            message = headers["webhook-id"]
            self.tries[message] = self.tries.get(message, 0) + 1
            answer = 500 if self.tries[message] <= 2 else 200
            self.seen.append((message, json.loads(body)["type"],
                              verified(self.secret, headers, body), answer))
            return answer


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            answer = state.take(self.headers, body)
            self.send_response(answer)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok" if answer == 200 else b"no")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/hooks"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/shop.db"
    return str(request.getfixturevalue("postgres_url"))


def shop(url: str, clock: FrozenClock, *, allow_private: bool) -> Commerce:
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=clock, ids=SequentialIds(),
                       pool_size=2)
    return Commerce(attrs.evolve(ports, webhooks=webhook_adapters.kit(
        FernetSealer(KEY), allow_private=allow_private, connect_timeout=2, read_timeout=5,
        rng=random.Random(11))))


def test_every_subscribed_event_arrives_signed_and_succeeds_on_the_third_try(
        receiver: tuple[Receiver, str], database_url: str) -> None:
    state, target = receiver
    clock = FrozenClock()
    commerce = shop(database_url, clock, allow_private=True)
    created = commerce.webhooks.create(
        target, ["catalog.product_created", "catalog.product_published"], "the receiver")
    state.secret = created.secret
    product = commerce.catalog.create_product(
        "Shirt", "shirt", [VariantSpec("SHIRT-1", Money(100_000, "VND"))], publish=True)
    commerce.catalog.unpublish(product)  # not subscribed: never sent
    monotonic = [0.0]
    jobs = ScheduledJobs(commerce, Settings(database_url=database_url),
                         monotonic=lambda: monotonic[0])

    for wait in (timedelta(0), timedelta(seconds=5), timedelta(minutes=5)):
        clock.advance(wait)
        monotonic[0] += max(wait.total_seconds(), 5.0)
        jobs.run_due()
    monotonic[0] += 3600
    clock.advance(timedelta(hours=10))
    assert jobs.run_due()["webhooks_sent"] == 0  # nothing left to send

    log = commerce.webhooks.deliveries(created.subscription.id)
    assert sorted(d.event_type for d in log) == ["catalog.product_created",
                                                 "catalog.product_published"]
    for delivery in log:
        assert delivery.status.value == "succeeded"
        assert [a.status_code for a in delivery.attempts] == [500, 500, 200]
        assert [a.response for a in delivery.attempts] == ["no", "no", "ok"]
    assert all(ok for _, _, ok, _ in state.seen)
    assert sorted((kind, answer) for _, kind, _, answer in state.seen) == sorted(
        [(kind, answer) for kind in ("catalog.product_created", "catalog.product_published")
         for answer in (500, 500, 200)])
    assert {message for message, *_ in state.seen} == {d.event_id for d in log}


def test_a_target_on_127_0_0_1_is_refused_unless_allowed(
        receiver: tuple[Receiver, str], database_url: str) -> None:
    state, target = receiver
    clock = FrozenClock()
    allowed = shop(database_url, clock, allow_private=True)
    refusing = shop(database_url, clock, allow_private=False)

    with pytest.raises(InvalidWebhook, match="COMMERCE_WEBHOOKS_ALLOW_PRIVATE_TARGETS"):
        refusing.webhooks.create(target, ["catalog.*"])
    # Allowed when it was created, refused once the shop no longer allows it: nothing is sent.
    created = allowed.webhooks.create(target, ["catalog.product_created"])
    allowed.catalog.create_product("Hat", "hat", [VariantSpec("HAT-1", Money(5, "VND"))])
    report = refusing.webhooks.send_due()

    assert (report.sent, report.failed) == (0, 1)
    (delivery,) = refusing.webhooks.deliveries(created.subscription.id)
    assert delivery.last_error is not None
    assert delivery.last_error.startswith("target refused")
    assert state.seen == []
