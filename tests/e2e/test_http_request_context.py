"""Request ids, the access log, correlation of events, and failures nobody planned for."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from entrypoints import logs
from entrypoints.http import create_app
from tests.e2e.conftest import OPERATOR_TOKEN, Seeded, assert_problem, settings
from tests.e2e.tokens import shopper_client
from tests.shop import every_event


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    first = client.get("/health/live")
    second = client.get("/health/live")

    assert first.headers["x-request-id"]
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_a_plain_request_id_from_the_caller_is_kept_and_an_odd_one_replaced(
    client: TestClient,
) -> None:
    kept = client.get("/health/live", headers={"X-Request-ID": "edge-7f3a.01"})
    replaced = client.get("/health/live", headers={"X-Request-ID": "bad id\r\nforged: 1"})

    assert kept.headers["x-request-id"] == "edge-7f3a.01"
    assert replaced.headers["x-request-id"] not in ("", "bad id\r\nforged: 1")


def test_events_of_a_request_carry_its_id_as_correlation_id(
    client: TestClient, commerce: Commerce
) -> None:
    response = client.post("/carts", json={}, headers={"X-Request-ID": "req-cart-1"})

    with commerce.ports.uow() as uow:
        created = [e for e in every_event(uow) if e.type == "cart.created"
                   and e.aggregate_id == response.json()["id"]]
    assert [e.correlation_id for e in created] == ["req-cart-1"]


def test_each_request_writes_one_access_log_line(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="commerce.http.access"):
        client.get("/carts/no-such-cart", headers={"X-Request-ID": "req-log-1"})

    [record] = [r for r in caplog.records if r.name == "commerce.http.access"]
    fields: dict[str, Any] = record.http  # type: ignore[attr-defined]
    assert (fields["method"], fields["path"], fields["status"], fields["request_id"]) == (
        "GET", "/carts/no-such-cart", 404, "req-log-1")
    assert "status=404" in record.getMessage()


@pytest.fixture
def failing_client(
    commerce: Commerce, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    def broken(**_: Any) -> None:
        raise RuntimeError("password=hunter2 in a stack trace")

    monkeypatch.setattr(commerce.catalog, "list", broken)
    with shopper_client(create_app(commerce, settings()), raise_server_exceptions=False) as client:
        yield client


def test_an_unexpected_error_is_a_500_problem_that_leaks_nothing(
    failing_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO"):
        response = failing_client.get("/products", headers={"X-Request-ID": "req-boom-1"})

    problem = assert_problem(response, 500, "internal.error")
    assert problem["request_id"] == "req-boom-1"
    assert "hunter2" not in response.text
    assert any(r.name == "commerce.http.access" and r.http["status"] == 500  # type: ignore[attr-defined]
               for r in caplog.records)


def test_json_logs_carry_the_request_id_on_every_line_of_the_request(
    commerce: Commerce, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = commerce.catalog.list

    def logged(**kwargs: Any) -> Any:  # runs in the worker thread, like the core does
        logging.getLogger("commerce.catalog").info("listing with Bearer %s", OPERATOR_TOKEN)
        return listing(**kwargs)

    monkeypatch.setattr(commerce.catalog, "list", logged)
    stream = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    logs.configure("INFO", "json", secrets=(OPERATOR_TOKEN,), stream=stream)
    try:
        with shopper_client(create_app(commerce, settings())) as client:
            client.get("/products", headers={"X-Request-ID": "req-json-1"})
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    mine = [line for line in lines if line["logger"] in ("commerce.catalog",
                                                         "commerce.http.access")]
    assert [line["logger"] for line in mine] == ["commerce.catalog", "commerce.http.access"]
    assert {line["request_id"] for line in mine} == {"req-json-1"}
    assert mine[1]["http"]["route"] == "/products"
    assert OPERATOR_TOKEN not in stream.getvalue()
