"""Admin routes need the operator's bearer token; without one configured they are closed."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from entrypoints.http import create_app
from tests.e2e.conftest import ADMIN, assert_problem, settings


@pytest.mark.parametrize(
    ("headers", "code", "challenge"),
    [
        pytest.param({}, "auth.unauthenticated", "Bearer", id="no-header"),
        pytest.param({"Authorization": "Basic dGVzdC10b2tlbg=="}, "auth.unauthenticated",
                     "Bearer", id="basic-scheme"),
        pytest.param({"Authorization": "Bearer test-token-but-longer"}, "auth.invalid_token",
                     'Bearer error="invalid_token"', id="wrong-token"),
    ],
)
def test_an_admin_route_without_the_right_token_is_a_401(
    client: TestClient, headers: dict[str, str], code: str, challenge: str
) -> None:
    response = client.get("/admin/warehouses", headers=headers)

    assert_problem(response, 401, code)
    assert response.headers["www-authenticate"] == challenge


def test_an_admin_route_with_the_token_answers(client: TestClient) -> None:
    assert client.get("/admin/warehouses", headers=ADMIN).status_code == 200


def test_every_admin_operation_is_guarded(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    operations = [(method, path) for path, item in paths.items() if path.startswith("/admin")
                  for method in item]

    for method, path in operations:
        response = client.request(method, re.sub(r"\{[^}]+\}", "x", path), json={})
        assert response.status_code == 401, f"{method.upper()} {path} is not guarded"
    assert len(operations) >= 13


def test_without_a_configured_token_admin_routes_are_disabled(commerce: Commerce) -> None:
    with TestClient(create_app(commerce, settings(operator_token=None))) as client:
        response = client.get("/admin/warehouses", headers={"Authorization": "Bearer "})
        with_token = client.get("/admin/warehouses", headers=ADMIN)

    assert_problem(response, 403, "auth.admin_disabled")
    assert_problem(with_token, 403, "auth.admin_disabled")
