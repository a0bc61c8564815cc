"""`commerce events` against a real Redis: status, tail, and the dead letters as an operator
drives them; every refusal is one line on stderr and exit code 1."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from typer.testing import CliRunner, Result

from adapters.memory import bundle
from adapters.redis import (
    ConsumerSettings,
    DeadLetters,
    RedisStreamsPublisher,
    StreamConsumer,
    StreamLayout,
)
from commerce_core import Commerce
from commerce_core.shared.bus import Subscriber
from commerce_core.shared.events import EventEnvelope
from entrypoints.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
RECORDER = "test.recorder"
NOTED = "order.noted"


class Recorder:
    """The test subscriber: applies payload numbers, or fails while `broken`."""

    def __init__(self) -> None:
        self.applied: list[int] = []
        self.broken = False

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        if self.broken:
            raise RuntimeError("the recorder has a bug")
        self.applied.append(int(envelope.payload["n"]))


recorder = Recorder()


def register(commerce: Commerce) -> None:
    """`COMMERCE_EXTRA_SUBSCRIBERS=tests.integration.test_events_cli:register`"""
    commerce.bus.subscribe(Subscriber(RECORDER, NOTED, recorder))


@pytest.fixture
def layout(redis_url: str) -> Iterator[StreamLayout]:
    layout = StreamLayout(prefix=f"t{uuid.uuid4().hex[:10]}")
    yield layout
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{layout.prefix}:*"):
        client.delete(key)
    client.close()


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture(autouse=True)
def fresh_recorder() -> None:
    recorder.applied.clear()
    recorder.broken = False


def settings_env(redis_url: str, layout: StreamLayout) -> dict[str, str]:
    return {
        "COLUMNS": "200",
        "COMMERCE_DATABASE_URL": "memory://",
        "COMMERCE_BUS": "redis",
        "COMMERCE_REDIS_URL": redis_url,
        "COMMERCE_REDIS_PREFIX": layout.prefix,
        "COMMERCE_EXTRA_SUBSCRIBERS": "tests.integration.test_events_cli:register",
    }


def events_cli(redis_url: str, layout: StreamLayout, *args: str) -> Result:
    return CliRunner().invoke(app, ["events", *args], env=settings_env(redis_url, layout))


def succeeded(result: Result) -> str:
    assert result.exit_code == 0, f"{result.output}\n{result.exception!r}"
    return result.stdout


def refused(result: Result, code: str) -> str:
    assert result.exit_code == 1, f"{result.output}\n{result.exception!r}"
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert result.stderr.rstrip().endswith(f"[{code}]"), result.stderr
    return result.stderr


def noted(n: int) -> EventEnvelope:
    return EventEnvelope(id=str(uuid.uuid4()), type=NOTED, version=1,
                         occurred_at=datetime.now(UTC), aggregate_id="o-1", payload={"n": n})


def dead_letter(client: redis.Redis, layout: StreamLayout, n: int = 7) -> str:
    """Publish one event and let a broken recorder give up on it; the dead letter's id."""
    commerce = Commerce(bundle(), dispatch_in_process=False)
    register(commerce)
    recorder.broken = True
    RedisStreamsPublisher(client, layout).publish([noted(n)])
    consumer = StreamConsumer(
        client, commerce.bus, RECORDER, [NOTED], "c1", layout=layout,
        settings=ConsumerSettings(block_ms=10, max_attempts=2, backoff_base=0.001),
    )
    while consumer.poll(block_ms=10):
        pass
    recorder.broken = False
    [letter] = DeadLetters(client, layout).list(RECORDER)
    return letter.id


def test_status_shows_streams_groups_dead_letters_and_the_outbox(
    redis_url: str, client: redis.Redis, layout: StreamLayout,
) -> None:
    dead_letter(client, layout)

    output = succeeded(events_cli(redis_url, layout, "status"))

    assert layout.stream(NOTED) in output
    row = next(line for line in output.splitlines() if RECORDER in line)
    assert [cell for cell in row.split() if cell.isdigit()] == ["0", "0", "0", "1"]
    assert "Outbox" in output


def test_dead_letters_are_listed_and_shown(
    redis_url: str, client: redis.Redis, layout: StreamLayout,
) -> None:
    letter_id = dead_letter(client, layout, n=42)

    listed = succeeded(events_cli(redis_url, layout, "dlq", "list"))
    shown = succeeded(events_cli(redis_url, layout, "dlq", "show", letter_id))

    assert letter_id in listed
    assert RECORDER in listed
    assert "RuntimeError: the recorder has a bug" in listed
    assert '"n": 42' in shown
    assert "Attempts" in shown


def test_an_unknown_dead_letter_is_refused(redis_url: str, layout: StreamLayout) -> None:
    for unknown in ("1-1", "not-an-id"):
        refused(events_cli(redis_url, layout, "dlq", "show", unknown),
                "events.dead_letter_not_found")


def test_a_replay_that_fails_again_keeps_the_dead_letter_and_exits_1(
    redis_url: str, client: redis.Redis, layout: StreamLayout,
) -> None:
    letter_id = dead_letter(client, layout)
    recorder.broken = True

    stderr = refused(events_cli(redis_url, layout, "dlq", "replay", letter_id),
                     "events.replay_failed")

    assert "the recorder has a bug" in stderr
    assert [d.id for d in DeadLetters(client, layout).list()] == [letter_id]


def test_a_replay_after_the_fix_applies_the_event_once(
    redis_url: str, client: redis.Redis, layout: StreamLayout,
) -> None:
    letter_id = dead_letter(client, layout, n=5)

    output = succeeded(events_cli(redis_url, layout, "dlq", "replay", letter_id))

    assert f"replayed {letter_id}" in output
    assert recorder.applied == [5]
    assert DeadLetters(client, layout).list() == []


def test_purging_needs_confirmation_and_removes_the_groups_dead_letters(
    redis_url: str, client: redis.Redis, layout: StreamLayout,
) -> None:
    dead_letter(client, layout)

    declined = CliRunner().invoke(app, ["events", "dlq", "purge"], input="n\n",
                                  env=settings_env(redis_url, layout))
    purged = succeeded(events_cli(redis_url, layout, "dlq", "purge", "--group", RECORDER,
                                  "--yes"))

    assert declined.exit_code == 1
    assert "purged 1 dead letters" in purged
    assert DeadLetters(client, layout).list() == []


def test_an_unreachable_redis_is_one_line(layout: StreamLayout) -> None:
    closed = "redis://127.0.0.1:1/0"

    refused(events_cli(closed, layout, "status"), "events.broker_unavailable")
    refused(events_cli(closed, layout, "dlq", "list"), "events.broker_unavailable")


def test_the_worker_refuses_a_context_without_subscribers(
    redis_url: str, layout: StreamLayout,
) -> None:
    result = CliRunner().invoke(app, ["worker", "--only", "inventory,nosuch"],
                                env=settings_env(redis_url, layout))

    stderr = refused(result, "commerce.invalid_input")
    assert "nosuch" in stderr


def test_tail_prints_events_published_after_it_started(
    redis_url: str, client: redis.Redis, layout: StreamLayout,
) -> None:
    publisher = RedisStreamsPublisher(client, layout)
    publisher.publish([noted(1)])
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMERCE_")}
    env |= settings_env(redis_url, layout) | {"COMMERCE_EXTRA_SUBSCRIBERS": ""}
    env |= {"COMMERCE_OPERATOR_TOKEN": "events-operator", "COMMERCE_TOKEN": "events-operator"}
    process = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "events", "tail", "--count", "2"],
        cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in process.stdout or []:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    try:
        first = lines.get(timeout=30)
        later = [noted(2), noted(3), noted(4)]
        publisher.publish(later)
        returncode = process.wait(timeout=30)
    finally:
        process.kill()
    time.sleep(0.1)
    printed = [lines.get_nowait() for _ in range(lines.qsize())]

    assert first.startswith("following"), first
    assert returncode == 0
    assert [later[0].id in printed[0], later[1].id in printed[1]] == [True, True], printed
    assert len(printed) == 2
