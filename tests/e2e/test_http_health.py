"""Liveness and readiness probes."""

from __future__ import annotations

import socket

import pytest
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import Api, assert_problem
from tests.e2e.tokens import shopper_client


def test_liveness_always_answers(client: TestClient) -> None:
    response = client.get("/health/live")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_readiness_reads_the_outbox(api: Api) -> None:
    response = api.client.get("/health/ready")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["outbox"]["pending"] == 0
    assert sum(body["outbox"].values()) == api.outbox_rows()


def test_readiness_is_a_503_problem_when_the_database_fails(
    client: TestClient, commerce: Commerce, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> None:
        raise OSError("connection refused by db.internal:5432")

    monkeypatch.setattr(commerce.ports, "uow", unreachable)

    response = client.get("/health/ready")

    assert_problem(response, 503, "health.not_ready")
    assert "db.internal" not in response.text
    assert client.get("/health/live").status_code == 200


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_readiness_with_the_redis_bus_is_a_503_when_redis_is_down(commerce: Commerce) -> None:
    down = Settings(database_url="memory://", operator_token="t" * 16, bus="redis",
                    redis_url=f"redis://127.0.0.1:{_closed_port()}/0")

    with shopper_client(create_app(commerce, down)) as client:
        response = client.get("/health/ready")

        assert_problem(response, 503, "health.redis_down")
        assert "127.0.0.1" not in response.text
        assert client.get("/health/live").status_code == 200


def test_readiness_without_the_redis_bus_never_asks_redis(client: TestClient) -> None:
    assert client.app.state.redis is None  # type: ignore[attr-defined]
    assert client.get("/health/ready").status_code == 200


def test_readiness_with_the_redis_bus_is_ok_when_redis_answers(
    commerce: Commerce, redis_url: str
) -> None:
    up = Settings(database_url="memory://", operator_token="t" * 16, bus="redis",
                  redis_url=redis_url)

    with shopper_client(create_app(commerce, up)) as client:
        response = client.get("/health/ready")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ok"
