"""Identity over HTTP: sign-up and sign-in, MFA for staff, refresh rotation, sessions, the
JWKS, and staff users and roles under /admin with their own permission checks."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters import memory
from adapters.memory import FrozenClock, SequentialIds
from adapters.memory.identity import RecordingTokenDelivery
from commerce_core.app import Commerce
from entrypoints.http.app import create_app
from tests.e2e.conftest import OPERATOR_TOKEN, assert_problem, settings
from tests.identity_support import PASSWORD, code_at, memory_shop, with_identity


@pytest.fixture
def shop() -> tuple[Commerce, FrozenClock]:
    return memory_shop()


@pytest.fixture
def client(shop: tuple[Commerce, FrozenClock]) -> Iterator[TestClient]:
    with TestClient(create_app(shop[0], settings())) as test_client:
        yield test_client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


OPERATOR = bearer(OPERATOR_TOKEN)


def login(client: TestClient, identifier: str, user_type: str = "customer",
          password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/auth/login", json={"identifier": identifier, "password": password,
                                                "user_type": user_type})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def staff(client: TestClient, clock: FrozenClock, username: str,
          roles: list[str]) -> tuple[str, dict[str, Any]]:
    """A staff user created by the operator, enrolled and verified: (id, tokens)."""
    created = client.post("/admin/users", headers=OPERATOR, json={
        "username": username, "email": f"{username}@shop.test", "password": PASSWORD,
        "roles": roles})
    assert created.status_code == 201, created.text
    first = login(client, username, "staff")
    enrolment = client.post("/auth/mfa/enroll", headers=bearer(first["access_token"])).json()
    confirmed = client.post("/auth/mfa/confirm", headers=bearer(first["access_token"]),
                            json={"code": code_at(enrolment["secret"], clock.now())})
    assert confirmed.status_code == 200, confirmed.text
    return created.json()["id"], confirmed.json()


def test_a_customer_registers_signs_in_refreshes_and_signs_out(client: TestClient) -> None:
    registered = client.post("/auth/register", json={"email": "lan@example.com",
                                                     "password": PASSWORD, "name": "Lan"})
    assert registered.status_code == 201
    assert registered.json()["customer_id"]
    assert "password" not in registered.text

    tokens = login(client, "lan@example.com")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert not tokens["mfa_required"]
    sessions = client.get("/auth/sessions", headers=bearer(tokens["access_token"])).json()
    assert [(s["id"], s["current"]) for s in sessions] == [(tokens["session_id"], True)]

    fresh = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert fresh.status_code == 200
    reused = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert_problem(reused, 401, "identity.invalid_token")

    out = client.post("/auth/logout", headers=bearer(fresh.json()["access_token"]))
    assert out.status_code == 204
    after = client.get("/auth/sessions", headers=bearer(fresh.json()["access_token"]))
    assert_problem(after, 401, "identity.invalid_token")


def test_bad_input_is_a_clear_problem(client: TestClient) -> None:
    short = client.post("/auth/register", json={"email": "lan@example.com", "password": "weak"})
    weak = client.post("/auth/register",
                       json={"email": "lan@example.com", "password": "longbutweak"})
    assert_problem(short, 422, "request.invalid")  # the schema states the length
    assert_problem(weak, 422, "identity.weak_password")
    client.post("/auth/register", json={"email": "lan@example.com", "password": PASSWORD})
    taken = client.post("/auth/register", json={"email": "lan@example.com",
                                                 "password": PASSWORD})
    assert_problem(taken, 409, "identity.email_taken")
    wrong = client.post("/auth/login", json={"identifier": "lan@example.com",
                                             "password": "Wrong-Pass-1"})
    assert_problem(wrong, 401, "identity.invalid_credentials")
    assert_problem(client.get("/auth/sessions"), 401, "auth.unauthenticated")
    assert_problem(client.get("/auth/sessions", headers=bearer("a.b.c")), 401,
                   "identity.invalid_token")


def test_the_sixth_attempt_is_locked_out(client: TestClient) -> None:
    client.post("/auth/register", json={"email": "lan@example.com", "password": PASSWORD})
    for _ in range(5):
        client.post("/auth/login", json={"identifier": "lan@example.com",
                                         "password": "Wrong-Pass-1"})
    locked = client.post("/auth/login", json={"identifier": "lan@example.com",
                                              "password": PASSWORD})
    body = assert_problem(locked, 401, "identity.account_locked")
    assert body["locked_until"]


def test_staff_must_enrol_mfa_before_any_admin_action(
        client: TestClient, shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 8."""
    _, clock = shop
    client.post("/admin/users", headers=OPERATOR, json={
        "username": "an", "email": "an@shop.test", "password": PASSWORD,
        "roles": ["SUPER_ADMIN"]})
    first = login(client, "an", "staff")
    assert first["mfa_required"]
    assert not first["mfa_enrolled"]
    assert not first["mfa_verified"]
    assert_problem(client.get("/admin/users", headers=bearer(first["access_token"])), 403,
                   "auth.mfa_required")

    enrolment = client.post("/auth/mfa/enroll", headers=bearer(first["access_token"])).json()
    assert enrolment["provisioning_uri"].startswith("otpauth://totp/")
    wrong = client.post("/auth/mfa/confirm", headers=bearer(first["access_token"]),
                        json={"code": "000000"})
    assert_problem(wrong, 401, "identity.invalid_mfa_code")
    confirmed = client.post("/auth/mfa/confirm", headers=bearer(first["access_token"]),
                            json={"code": code_at(enrolment["secret"], clock.now())}).json()
    assert len(confirmed["recovery_codes"]) == 10
    users = client.get("/admin/users", headers=bearer(confirmed["access_token"]))
    assert users.status_code == 200
    assert [u["username"] for u in users.json()] == ["an"]

    # The next sign-in owes the code again; a recovery code pays it.
    second = login(client, "an", "staff")
    assert second["mfa_required"]
    assert second["mfa_enrolled"]
    verified = client.post("/auth/mfa/verify", headers=bearer(second["access_token"]),
                           json={"code": confirmed["recovery_codes"][0]})
    assert verified.json()["mfa_verified"]


def test_roles_are_assigned_by_holders_of_roles_assign_never_to_themselves(
        client: TestClient, shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenarios 5 and 6 over HTTP."""
    _, clock = shop
    boss_id, boss = staff(client, clock, "boss", ["USER_ADMIN"])
    agent_id, agent = staff(client, clock, "agent", ["CS_AGENT"])

    own = client.post(f"/admin/users/{boss_id}/roles", headers=bearer(boss["access_token"]),
                      json={"role": "SUPER_ADMIN"})
    assert_problem(own, 403, "identity.self_assignment")
    not_allowed = client.post(f"/admin/users/{boss_id}/roles",
                              headers=bearer(agent["access_token"]), json={"role": "CS_AGENT"})
    assert_problem(not_allowed, 403, "auth.forbidden")

    given = client.post(f"/admin/users/{agent_id}/roles", headers=bearer(boss["access_token"]),
                        json={"role": "FINANCE_ADMIN"})
    assert given.status_code == 200
    assert given.json()["roles"] == ["CS_AGENT", "FINANCE_ADMIN"]
    stale = client.get("/auth/sessions", headers=bearer(agent["access_token"]))
    assert_problem(stale, 401, "identity.stale_permissions")

    taken = client.delete(f"/admin/users/{agent_id}/roles/FINANCE_ADMIN", headers=OPERATOR)
    assert taken.json()["roles"] == ["CS_AGENT"]
    unknown = client.post(f"/admin/users/{agent_id}/roles", headers=OPERATOR,
                          json={"role": "KING"})
    assert_problem(unknown, 422, "request.invalid")  # the schema lists the roles
    roles = client.get("/admin/roles", headers=OPERATOR).json()
    assert {"SUPER_ADMIN", "ORDER_ADMIN", "FINANCE_ADMIN", "CS_AGENT", "PRODUCT_ADMIN",
            "CONTENT_ADMIN", "ANALYTICS_VIEWER"} <= {r["name"] for r in roles}


def test_customers_and_strangers_stay_out_of_admin(client: TestClient) -> None:
    client.post("/auth/register", json={"email": "lan@example.com", "password": PASSWORD})
    customer = login(client, "lan@example.com")
    assert_problem(client.get("/admin/users", headers=bearer(customer["access_token"])), 403,
                   "auth.forbidden")
    assert_problem(client.get("/admin/users"), 401, "auth.unauthenticated")
    assert_problem(client.get("/admin/users", headers=bearer("not-the-operator")), 401,
                   "auth.invalid_token")


def test_sessions_can_be_ended_one_by_one(client: TestClient) -> None:
    client.post("/auth/register", json={"email": "lan@example.com", "password": PASSWORD})
    phone, laptop = login(client, "lan@example.com"), login(client, "lan@example.com")
    ended = client.delete(f"/auth/sessions/{phone['session_id']}",
                          headers=bearer(laptop["access_token"]))
    assert ended.status_code == 204
    left = client.get("/auth/sessions", headers=bearer(laptop["access_token"])).json()
    assert [s["id"] for s in left] == [laptop["session_id"]]
    missing = client.delete("/auth/sessions/nope", headers=bearer(laptop["access_token"]))
    assert_problem(missing, 404, "identity.session_not_found")


def test_the_jwks_is_public(client: TestClient) -> None:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    [key] = response.json()["keys"]
    assert key["alg"] == "EdDSA"
    assert "d" not in key


def test_password_reset_and_email_verification_over_http() -> None:
    clock, delivery = FrozenClock(), RecordingTokenDelivery()
    commerce = Commerce(with_identity(memory.bundle(clock=clock, ids=SequentialIds()),
                                      delivery=delivery))
    with TestClient(create_app(commerce, settings())) as client:
        client.post("/auth/register", json={"email": "lan@example.com", "password": PASSWORD})
        verify = delivery.last("email_verification", "lan@example.com")
        assert client.post("/auth/email/verify", json={"token": verify}).json()["email_verified"]
        assert_problem(client.post("/auth/email/verify", json={"token": verify}), 404,
                       "identity.token_invalid")

        session = login(client, "lan@example.com")
        assert client.post("/auth/password/forgot",
                           json={"email": "nobody@example.com"}).status_code == 202
        assert client.post("/auth/password/forgot",
                           json={"email": "lan@example.com"}).status_code == 202
        token = delivery.last("password_reset", "lan@example.com")
        clock.advance(timedelta(hours=1))
        expired = client.post("/auth/password/reset",
                              json={"token": token, "password": "Brand-New-Pass-2"})
        assert_problem(expired, 404, "identity.token_expired")
        client.post("/auth/password/forgot", json={"email": "lan@example.com"})
        token = delivery.last("password_reset", "lan@example.com")
        done = client.post("/auth/password/reset",
                           json={"token": token, "password": "Brand-New-Pass-2"})
        assert done.status_code == 204
        assert_problem(client.get("/auth/sessions", headers=bearer(session["access_token"])),
                       401, "identity.invalid_token")
        assert login(client, "lan@example.com", password="Brand-New-Pass-2")["access_token"]


def test_an_app_signs_in_with_client_credentials(client: TestClient) -> None:
    created = client.post("/admin/apps", headers=OPERATOR,
                          json={"name": "warehouse sync", "scopes": ["inventory.read"]})
    assert created.status_code == 201, created.text
    app = created.json()
    form = {"grant_type": "client_credentials", "client_id": app["client_id"],
            "client_secret": app["client_secret"]}
    token = client.post("/auth/token", data=form)
    assert token.status_code == 200, token.text
    assert token.json()["scope"] == "inventory.read"
    basic = client.post("/auth/token", data={"grant_type": "client_credentials"},
                        auth=(app["client_id"], app["client_secret"]))
    assert basic.status_code == 200

    wrong = client.post("/auth/token", data={**form, "client_secret": "guess"})
    assert_problem(wrong, 401, "identity.invalid_client")
    foreign = client.post("/auth/token", data={**form, "scope": "orders.read"})
    assert_problem(foreign, 422, "identity.invalid_scope")
    grant = client.post("/auth/token", data={**form, "grant_type": "password"})
    assert_problem(grant, 422, "identity.invalid_input")
    listed = client.get("/admin/apps", headers=OPERATOR).json()
    assert "client_secret" not in listed[0]

    client.delete(f"/admin/apps/{app['client_id']}", headers=OPERATOR)
    assert_problem(client.get("/auth/sessions", headers=bearer(token.json()["access_token"])),
                   401, "identity.invalid_token")


def test_no_secret_reaches_the_http_logs(client: TestClient, shop: tuple[Commerce, FrozenClock],
                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    _, clock = shop
    client.post("/auth/register", json={"email": "lan@example.com", "password": PASSWORD})
    tokens = login(client, "lan@example.com")
    fresh = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json()
    client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})  # refused
    client.post("/auth/login", json={"identifier": "lan@example.com",
                                     "password": "Wrong-Pass-1"})
    _, staff_tokens = staff(client, clock, "an", ["SUPER_ADMIN"])
    secrets = [PASSWORD, "Wrong-Pass-1", tokens["access_token"], tokens["refresh_token"],
               fresh["access_token"], fresh["refresh_token"], staff_tokens["access_token"],
               staff_tokens["refresh_token"], *staff_tokens["recovery_codes"]]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records)
    assert "/auth/login" in logged  # the access log was captured
    for secret in secrets:
        assert secret not in logged


def test_a_suspended_user_is_out_at_once(client: TestClient,
                                         shop: tuple[Commerce, FrozenClock]) -> None:
    _, clock = shop
    agent_id, agent = staff(client, clock, "agent", ["CS_AGENT"])
    bad = client.put(f"/admin/users/{agent_id}/status", headers=OPERATOR,
                     json={"status": "asleep"})
    assert bad.status_code == 422
    done = client.put(f"/admin/users/{agent_id}/status", headers=OPERATOR,
                      json={"status": "suspended"})
    assert done.json()["status"] == "suspended"
    assert_problem(client.get("/auth/sessions", headers=bearer(agent["access_token"])), 401,
                   "identity.invalid_token")
