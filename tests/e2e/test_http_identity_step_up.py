"""Step-up re-authentication (spec §1 rule 1): sensitive staff actions (users.manage,
roles.assign, system.admin) need a proof of the account from the last 15 minutes; after that
they answer 401 `auth.reauthentication_required` until `POST /auth/reauthenticate` (password
and, with MFA, a code). Other actions and the operator token are not affected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from adapters.memory import FrozenClock
from commerce_core.app import Commerce
from entrypoints.http.app import create_app
from tests.e2e.conftest import assert_problem, settings
from tests.e2e.test_http_identity import OPERATOR, bearer, staff
from tests.identity_support import PASSWORD, code_at, memory_shop


@pytest.fixture
def shop() -> tuple[Commerce, FrozenClock]:
    return memory_shop()


@pytest.fixture
def client(shop: tuple[Commerce, FrozenClock]) -> Iterator[TestClient]:
    with TestClient(create_app(shop[0], settings())) as test_client:
        yield test_client


def test_a_sensitive_action_needs_a_recent_proof_of_the_account(
        client: TestClient, shop: tuple[Commerce, FrozenClock]) -> None:
    commerce, clock = shop
    _, boss = staff(client, clock, "boss", ["USER_ADMIN"])
    agent_id, _ = staff(client, clock, "agent", ["CS_AGENT"])
    headers = bearer(boss["access_token"])
    role = {"role": "FINANCE_ADMIN"}

    clock.advance(timedelta(minutes=14))
    assert client.post(f"/admin/users/{agent_id}/roles", headers=headers,
                       json=role).status_code == 200

    clock.advance(timedelta(minutes=2))  # 16 minutes after the second factor was verified
    stale = client.delete(f"/admin/users/{agent_id}/roles/FINANCE_ADMIN", headers=headers)
    assert_problem(stale, 401, "auth.reauthentication_required")
    assert commerce.identity.user(agent_id).roles == ("CS_AGENT", "FINANCE_ADMIN")
    assert client.get("/admin/users", headers=headers).status_code == 200  # not sensitive
    assert client.delete(f"/admin/users/{agent_id}/roles/FINANCE_ADMIN",
                         headers=OPERATOR).status_code == 200  # the bootstrap token: no session

    no_code = client.post("/auth/reauthenticate", headers=headers, json={"password": PASSWORD})
    assert_problem(no_code, 401, "identity.invalid_mfa_code")
    wrong = client.post("/auth/reauthenticate", headers=headers,
                        json={"password": "Wrong-Password-1", "code": "000000"})
    assert_problem(wrong, 401, "identity.invalid_credentials")
    assert client.post(f"/admin/users/{agent_id}/roles", headers=headers,
                       json=role).status_code == 401

    secret = boss_secret(commerce)
    clock.advance(timedelta(seconds=30))  # a fresh TOTP step: each code works once
    done = client.post("/auth/reauthenticate", headers=headers,
                       json={"password": PASSWORD, "code": code_at(secret, clock.now())})
    assert done.status_code == 204, done.text
    assert client.post(f"/admin/users/{agent_id}/roles", headers=headers,
                       json=role).status_code == 200


def boss_secret(commerce: Commerce) -> str:
    account = next(a for a in commerce.identity.users() if a.username == "boss")
    assert account.totp_secret is not None
    return commerce.ports.identity.sealer.open(account.totp_secret)  # type: ignore[union-attr]


def test_a_customer_proves_with_the_password_alone(client: TestClient) -> None:
    client.post("/auth/register", json={"email": "lan@example.com", "password": PASSWORD})
    session = client.post("/auth/login", json={"identifier": "lan@example.com",
                                               "password": PASSWORD}).json()

    done = client.post("/auth/reauthenticate", headers=bearer(session["access_token"]),
                       json={"password": PASSWORD})

    assert done.status_code == 204
    assert_problem(client.post("/auth/reauthenticate", json={"password": PASSWORD}),
                   401, "auth.unauthenticated")
