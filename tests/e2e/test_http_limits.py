"""Request bodies above the limit are refused with 413 before they are read whole; slow bodies
answer 408."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, MutableMapping
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from entrypoints.http import create_app
from tests.e2e.conftest import OPERATOR_TOKEN, Seeded, assert_problem

MIB = 1024 * 1024
CHUNK = 64 * 1024


def _app(commerce: Commerce, **overrides: Any) -> FastAPI:
    from entrypoints.settings import Settings

    return create_app(commerce, Settings(database_url="memory://", operator_token=OPERATOR_TOKEN,
                                         **overrides))


def _drive(app: FastAPI, path: str, body_size: int, *, declare_length: bool,
           delay: float = 0.0) -> tuple[int, dict[str, str], dict[str, Any], int]:
    """Sends `body_size` bytes in 64 KiB chunks straight through ASGI; answers the status,
    headers, JSON body, and how many body bytes the app pulled from the connection."""
    headers = [(b"content-type", b"application/json"), (b"host", b"shop.test")]
    headers.append((b"content-length", str(body_size).encode()) if declare_length
                   else (b"transfer-encoding", b"chunked"))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "headers": headers,
             "client": ("127.0.0.1", 5000), "server": ("shop.test", 80)}
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        if pulled >= body_size:
            await asyncio.sleep(3600)  # the client waits for the answer
        if delay:
            await asyncio.sleep(delay)
        size = min(CHUNK, body_size - pulled)
        pulled += size
        return {"type": "http.request", "body": b" " * size, "more_body": pulled < body_size}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(dict(message))

    async def run() -> None:
        await asyncio.wait_for(app(scope, receive, send), timeout=30)

    asyncio.run(run())
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    response_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], response_headers, json.loads(body), pulled


def test_a_declared_length_above_the_limit_is_refused_before_a_byte_is_read(
    commerce: Commerce, seeded: Seeded
) -> None:
    status, headers, body, pulled = _drive(_app(commerce), "/carts", 2 * MIB,
                                           declare_length=True)

    assert (status, body["code"]) == (413, "request.body_too_large")
    assert headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close"
    assert body["request_id"] == headers["x-request-id"]
    assert pulled == 0


def test_a_chunked_body_is_cut_off_once_it_crosses_the_limit(
    commerce: Commerce, seeded: Seeded
) -> None:
    status, _, body, pulled = _drive(_app(commerce), "/carts", 2 * MIB, declare_length=False)

    assert (status, body["code"]) == (413, "request.body_too_large")
    # The chunk that crossed the limit was the last one read: never the whole 2 MiB.
    assert MIB < pulled <= MIB + CHUNK


def test_the_limit_is_a_setting(commerce: Commerce, seeded: Seeded) -> None:
    app = _app(commerce, max_body_bytes=1000)

    status, _, _, pulled = _drive(app, "/carts", 5000, declare_length=False)

    assert (status, pulled) == (413, 5000)  # one 5000-byte chunk crossed 1000
    small = TestClient(app).post("/carts", json={"currency": "VND"})
    assert small.status_code == 201


def test_a_body_that_arrives_too_slowly_is_a_408(commerce: Commerce, seeded: Seeded) -> None:
    app = _app(commerce, body_read_timeout_seconds=0.2)

    status, headers, body, pulled = _drive(app, "/carts", 10 * CHUNK, declare_length=True,
                                           delay=0.1)

    assert (status, body["code"]) == (408, "request.body_timeout")
    assert headers["connection"] == "close"
    assert pulled < 10 * CHUNK


def test_over_http_both_framings_get_the_problem(client: TestClient) -> None:
    payload = b" " * (2 * MIB)

    def chunks() -> Iterator[bytes]:
        for offset in range(0, len(payload), CHUNK):
            yield payload[offset:offset + CHUNK]

    with_length = client.post("/carts", content=payload,
                              headers={"content-type": "application/json"})
    chunked = client.post("/carts", content=chunks(),
                          headers={"content-type": "application/json"})

    assert_problem(with_length, 413, "request.body_too_large")
    assert_problem(chunked, 413, "request.body_too_large")
    assert client.post("/carts", json={}).status_code == 201


def test_a_length_that_is_not_a_number_is_a_400(commerce: Commerce, seeded: Seeded) -> None:
    app = _app(commerce)
    response = TestClient(app).post("/carts", content=b"{}",
                                    headers={"content-type": "application/json",
                                             "content-length": "lots"})

    assert response.status_code == 400
