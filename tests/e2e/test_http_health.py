"""Liveness and readiness probes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from tests.e2e.conftest import Api, assert_problem


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
