"""Admin routes need a bearer token an authenticator accepts (the operator token first); without
an operator token configured, it names nobody."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from entrypoints.http import create_app
from tests.e2e.conftest import ADMIN, assert_problem, settings

INVALID = 'Bearer realm="commerce", error="invalid_token"'


@pytest.mark.parametrize(
    ("headers", "code", "challenge"),
    [
        pytest.param({}, "auth.unauthenticated", 'Bearer realm="commerce"', id="no-header"),
        pytest.param({"Authorization": "Basic dGVzdC10b2tlbg=="}, "auth.invalid_token",
                     INVALID, id="basic-scheme"),
        pytest.param({"Authorization": "Bearer test-token-but-longer"}, "auth.invalid_token",
                     INVALID, id="wrong-token"),
        pytest.param({"Authorization": "Bearer "}, "auth.invalid_token", INVALID,
                     id="empty-bearer"),
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


def test_without_a_configured_operator_token_no_bearer_is_the_operator(
    commerce: Commerce,
) -> None:
    with TestClient(create_app(commerce, settings(operator_token=None))) as client:
        anonymous = client.get("/admin/warehouses")
        with_token = client.get("/admin/warehouses", headers=ADMIN)

    assert_problem(anonymous, 401, "auth.unauthenticated")
    assert_problem(with_token, 401, "auth.invalid_token")
