"""Identity use cases on the memory adapter: registration, lockout, MFA, refresh rotation,
sessions and roles (spec §1-2 scenarios 1, 2, 3, 5, 6, 8, 26)."""

from __future__ import annotations

from datetime import timedelta
from types import TracebackType
from typing import Any, Self

import pytest

from adapters import memory
from adapters.identity import Argon2Hasher
from adapters.memory import FrozenClock, SequentialIds
from commerce_core.app import Commerce
from commerce_core.identity.errors import (
    AccountLocked,
    AuthenticationFailed,
    EmailTaken,
    InvalidMfaCode,
    InvalidToken,
    PermissionDenied,
    RefreshTokenReused,
    SelfAssignment,
    SessionNotFound,
    StalePermissions,
    UnknownRole,
    WeakPassword,
)
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.permissions import Permission
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.identity_support import (
    PASSWORD,
    code_at,
    memory_shop,
    staff_with_mfa,
    with_identity,
)


@pytest.fixture
def shop() -> tuple[Commerce, FrozenClock]:
    return memory_shop()


def test_registration_announces_the_customer_with_an_id_of_its_own() -> None:
    # Relayed by the worker, so the event waits in the outbox for this test to read.
    commerce = Commerce(with_identity(memory.bundle(clock=FrozenClock(), ids=SequentialIds())),
                        dispatch_in_process=False)
    account = commerce.identity.register(" Lan@Example.COM ", PASSWORD, name="Lan",
                                         locale="vi")

    assert account.email == "lan@example.com"
    assert account.customer_id
    assert account.customer_id != account.id
    with commerce.ports.uow() as uow:
        [event] = [e for e in uow.outbox.pending(100)
                   if e.type == "identity.customer_registered"]
    assert event.payload == {"account_id": account.id, "customer_id": account.customer_id,
                             "email": "lan@example.com", "name": "Lan", "locale": "vi",
                             "occurred_at": event.payload["occurred_at"]}
    assert account.password_hash.startswith("$argon2id$")


def test_an_email_registers_once(shop: tuple[Commerce, FrozenClock]) -> None:
    commerce, _ = shop
    commerce.identity.register("lan@example.com", PASSWORD)
    with pytest.raises(EmailTaken):
        commerce.identity.register("LAN@example.com", PASSWORD)


@pytest.mark.parametrize("password", ["Sh0rt!", "nouppercase1!", "NOLOWERCASE1!",
                                      "NoDigits!!", "NoSpecial123"])
def test_the_password_policy_refuses_weak_passwords(
        shop: tuple[Commerce, FrozenClock], password: str) -> None:
    with pytest.raises(WeakPassword):
        shop[0].identity.register("lan@example.com", password)


def test_five_failures_lock_the_account_for_fifteen_minutes_after_the_fifth(
        shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 1."""
    commerce, clock = shop
    commerce.identity.register("lan@example.com", PASSWORD)
    for _ in range(5):
        clock.advance(timedelta(seconds=10))
        with pytest.raises(AuthenticationFailed) as wrong:
            commerce.identity.login("lan@example.com", "Wrong-Pass-1")
        assert type(wrong.value) is AuthenticationFailed
    fifth = clock.now()

    clock.advance(timedelta(seconds=1))
    with pytest.raises(AccountLocked):
        commerce.identity.login("lan@example.com", PASSWORD)
    clock.set(fifth + timedelta(minutes=15) - timedelta(microseconds=1))
    with pytest.raises(AccountLocked):
        commerce.identity.login("lan@example.com", PASSWORD)
    clock.set(fifth + timedelta(minutes=15))
    assert commerce.identity.login("lan@example.com", PASSWORD).tokens.access_token



def test_an_unknown_email_fails_like_a_wrong_password(
        shop: tuple[Commerce, FrozenClock]) -> None:
    with pytest.raises(AuthenticationFailed) as refused:
        shop[0].identity.login("nobody@example.com", PASSWORD)
    assert type(refused.value) is AuthenticationFailed
    assert refused.value.code == "identity.invalid_credentials"


def test_a_hash_made_with_older_parameters_is_replaced_at_the_next_sign_in() -> None:
    clock, ids = FrozenClock(), SequentialIds()
    db = memory.InMemoryDatabase()
    old = Commerce(with_identity(memory.bundle(clock=clock, ids=ids, db=db),
                                 hasher=Argon2Hasher(memory_cost=8, time_cost=1)))
    account = old.identity.register("lan@example.com", PASSWORD)
    new = Commerce(with_identity(memory.bundle(clock=clock, ids=ids, db=db),
                                 hasher=Argon2Hasher(memory_cost=16, time_cost=2)))

    new.identity.login("lan@example.com", PASSWORD)

    stored = new.identity.user(account.id).password_hash
    assert stored != account.password_hash
    assert "m=16,t=2" in stored
    assert new.identity.login("lan@example.com", PASSWORD)


def test_owasp_parameters_are_the_default() -> None:
    hashed = Argon2Hasher().hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert Argon2Hasher().verify(hashed, PASSWORD)
    assert not Argon2Hasher().verify(hashed, "Correct-Horse-8")
    assert not Argon2Hasher().verify("not a hash", PASSWORD)


def test_a_customer_token_names_the_customer(shop: tuple[Commerce, FrozenClock]) -> None:
    commerce, _ = shop
    account = commerce.identity.register("lan@example.com", PASSWORD)
    login = commerce.identity.login("lan@example.com", PASSWORD)

    assert not login.mfa_required
    principal = commerce.identity.authenticate(login.tokens.access_token)
    assert principal.kind == "customer"
    assert principal.subject == account.id
    assert principal.customer_id == account.customer_id
    assert principal.session_id == login.tokens.session_id
    assert principal.mfa_verified
    assert principal.permissions == frozenset()


def test_staff_without_mfa_may_only_enrol(shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 8: the first sign-in of a staff user grants nothing until TOTP is enrolled."""
    commerce, clock = shop
    user = commerce.identity.create_staff_user("an", "an@shop.test", PASSWORD,
                                               roles=("ORDER_ADMIN",))
    login = commerce.identity.login("an", PASSWORD, staff=True)

    assert login.mfa_required
    assert not login.mfa_enrolled
    before = commerce.identity.authenticate(login.tokens.access_token)
    assert before.kind == "staff"
    assert not before.mfa_verified
    assert before.permissions == frozenset()
    assert before.roles == {"ORDER_ADMIN"}

    enrolment = commerce.identity.enroll_mfa(user.id)
    assert enrolment.provisioning_uri.startswith("otpauth://totp/")
    confirmed = commerce.identity.confirm_mfa(user.id, login.tokens.session_id,
                                              code_at(enrolment.secret, clock.now()))
    after = commerce.identity.authenticate(confirmed.tokens.access_token)
    assert after.mfa_verified
    assert after.can(Permission.ORDERS_CANCEL)
    assert len(set(confirmed.recovery_codes)) == 10
    # The token from before the second factor still grants nothing.
    assert commerce.identity.authenticate(login.tokens.access_token).permissions == frozenset()


def test_totp_accepts_one_step_of_drift_refuses_two_and_refuses_a_replay(
        shop: tuple[Commerce, FrozenClock]) -> None:
    commerce, clock = shop
    user_id, _, secret = staff_with_mfa(commerce, clock, "an")

    def sign_in() -> str:
        return commerce.identity.login("an", PASSWORD, staff=True).tokens.session_id

    clock.advance(timedelta(minutes=5))
    now = clock.now()
    for drift in (timedelta(seconds=-60), timedelta(seconds=60)):
        with pytest.raises(InvalidMfaCode):
            commerce.identity.verify_mfa(user_id, sign_in(), code_at(secret, now + drift))
    late = code_at(secret, now - timedelta(seconds=30))
    assert commerce.identity.verify_mfa(user_id, sign_in(), late).mfa_verified
    early = code_at(secret, now + timedelta(seconds=30))
    verified = commerce.identity.verify_mfa(user_id, sign_in(), early)
    assert commerce.identity.authenticate(verified.access_token).mfa_verified
    with pytest.raises(InvalidMfaCode):
        commerce.identity.verify_mfa(user_id, sign_in(), early)  # replayed


def test_recovery_codes_work_once_each(shop: tuple[Commerce, FrozenClock]) -> None:
    commerce, clock = shop
    user = commerce.identity.create_staff_user("an", "an@shop.test", PASSWORD)
    login = commerce.identity.login("an", PASSWORD, staff=True)
    secret = commerce.identity.enroll_mfa(user.id).secret
    codes = commerce.identity.confirm_mfa(user.id, login.tokens.session_id,
                                          code_at(secret, clock.now())).recovery_codes

    session = commerce.identity.login("an", PASSWORD, staff=True).tokens.session_id
    assert commerce.identity.verify_mfa(user.id, session, codes[3].upper()).mfa_verified
    session = commerce.identity.login("an", PASSWORD, staff=True).tokens.session_id
    with pytest.raises(InvalidMfaCode):
        commerce.identity.verify_mfa(user.id, session, codes[3])
    assert all(c not in str(commerce.identity.user(user.id)) for c in codes)


def test_a_refresh_token_rotates_and_its_reuse_revokes_the_family(
        shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 2: the old token is refused afterwards; reusing it ends the session."""
    commerce, clock = shop
    commerce.identity.register("lan@example.com", PASSWORD)
    first = commerce.identity.login("lan@example.com", PASSWORD).tokens
    second = commerce.identity.refresh(first.refresh_token)
    assert second.refresh_token != first.refresh_token
    assert second.session_id == first.session_id

    clock.advance(timedelta(seconds=5))
    with pytest.raises(RefreshTokenReused):
        commerce.identity.refresh(first.refresh_token)
    with pytest.raises(InvalidToken):
        commerce.identity.refresh(second.refresh_token)
    with pytest.raises(InvalidToken):
        commerce.identity.authenticate(second.access_token)


def test_a_duplicate_refresh_racing_the_rotation_is_refused_without_ending_the_session(
        shop: tuple[Commerce, FrozenClock]) -> None:
    commerce, clock = shop
    commerce.identity.register("lan@example.com", PASSWORD)
    first = commerce.identity.login("lan@example.com", PASSWORD).tokens
    second = commerce.identity.refresh(first.refresh_token)

    clock.advance(timedelta(seconds=4))
    with pytest.raises(InvalidToken) as refused:
        commerce.identity.refresh(first.refresh_token)
    assert type(refused.value) is InvalidToken
    assert commerce.identity.refresh(second.refresh_token).access_token
    # An older token of the family is a reuse whenever it comes.
    with pytest.raises(RefreshTokenReused):
        commerce.identity.refresh(first.refresh_token)


@pytest.mark.parametrize("token", ["", "no-dot", "00000000-0000-0000-0000-000000000099.x",
                                   ".secret"])
def test_a_made_up_refresh_token_is_refused(shop: tuple[Commerce, FrozenClock],
                                            token: str) -> None:
    with pytest.raises(InvalidToken):
        shop[0].identity.refresh(token)


class _FailingCommits:
    """A unit of work whose commit fails while `failing` is set: the store is down."""

    failing = False

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __enter__(self) -> Self:
        self._inner.__enter__()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._inner.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        if _FailingCommits.failing:
            raise ServiceUnavailable("the store is down")
        self._inner.commit()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_rotation_is_fail_closed() -> None:
    """Scenario 3: when the rotation cannot be written, no new tokens are issued."""
    clock = FrozenClock()
    ports = with_identity(memory.bundle(clock=clock, ids=SequentialIds()))
    inner = ports.uow
    ports.uow = lambda: _FailingCommits(inner())
    commerce = Commerce(ports)
    commerce.identity.register("lan@example.com", PASSWORD)
    tokens = commerce.identity.login("lan@example.com", PASSWORD).tokens

    _FailingCommits.failing = True
    try:
        with pytest.raises(ServiceUnavailable):
            commerce.identity.refresh(tokens.refresh_token)
    finally:
        _FailingCommits.failing = False
    # Nothing was rotated: the token still works, once.
    assert commerce.identity.refresh(tokens.refresh_token).access_token


def test_the_eleventh_session_ends_the_oldest(shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 26."""
    commerce, clock = shop
    account = commerce.identity.register("lan@example.com", PASSWORD)
    logins = []
    for _ in range(11):
        clock.advance(timedelta(seconds=1))
        logins.append(commerce.identity.login("lan@example.com", PASSWORD).tokens)

    sessions = commerce.identity.sessions(account.id)
    assert len(sessions) == 10
    assert [s.id for s in sessions] == [t.session_id for t in logins[1:]]
    with pytest.raises(InvalidToken):
        commerce.identity.authenticate(logins[0].access_token)
    with pytest.raises(InvalidToken):
        commerce.identity.refresh(logins[0].refresh_token)


def test_logout_and_revocation_end_sessions(shop: tuple[Commerce, FrozenClock]) -> None:
    commerce, _ = shop
    lan = commerce.identity.register("lan@example.com", PASSWORD)
    commerce.identity.register("minh@example.com", PASSWORD)
    one = commerce.identity.login("lan@example.com", PASSWORD).tokens
    two = commerce.identity.login("lan@example.com", PASSWORD).tokens
    other = commerce.identity.login("minh@example.com", PASSWORD).tokens

    with pytest.raises(SessionNotFound):
        commerce.identity.revoke_session(lan.id, other.session_id)
    commerce.identity.revoke_session(lan.id, two.session_id)
    commerce.identity.logout(one.session_id)

    for tokens in (one, two):
        with pytest.raises(InvalidToken):
            commerce.identity.authenticate(tokens.access_token)
    assert commerce.identity.sessions(lan.id) == []
    assert commerce.identity.authenticate(other.access_token).is_authenticated


def test_a_role_change_bumps_the_version_and_refuses_older_tokens(
        shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 5."""
    commerce, clock = shop
    admin_id, _, _ = staff_with_mfa(commerce, clock, "boss", ("USER_ADMIN",))
    agent_id, agent_login, _ = staff_with_mfa(commerce, clock, "agent", ("CS_AGENT",))
    before = commerce.identity.user(agent_id).permissions_version

    after = commerce.identity.assign_role(agent_id, "FINANCE_ADMIN", by=admin_id)

    assert after.permissions_version == before + 1
    assert after.roles == ("CS_AGENT", "FINANCE_ADMIN")
    with pytest.raises(StalePermissions):
        commerce.identity.authenticate(agent_login.tokens.access_token)
    fresh = commerce.identity.refresh(agent_login.tokens.refresh_token)
    principal = commerce.identity.authenticate(fresh.access_token)
    assert principal.can(Permission.PAYMENTS_CAPTURE)
    assert principal.mfa_verified

    revoked = commerce.identity.revoke_role(agent_id, "FINANCE_ADMIN", by=admin_id)
    assert revoked.permissions_version == before + 2
    with pytest.raises(StalePermissions):
        commerce.identity.authenticate(fresh.access_token)


def test_nobody_assigns_roles_to_themself_and_assigning_needs_the_permission(
        shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 6."""
    commerce, clock = shop
    admin_id, _, _ = staff_with_mfa(commerce, clock, "boss", ("USER_ADMIN",))
    agent_id, _, _ = staff_with_mfa(commerce, clock, "agent", ("CS_AGENT",))

    with pytest.raises(SelfAssignment):
        commerce.identity.assign_role(admin_id, "SUPER_ADMIN", by=admin_id)
    with pytest.raises(PermissionDenied):
        commerce.identity.assign_role(admin_id, "CS_AGENT", by=agent_id)
    with pytest.raises(UnknownRole):
        commerce.identity.assign_role(agent_id, "KING", by=admin_id)
    assert commerce.identity.user(admin_id).roles == ("USER_ADMIN",)
    # The bootstrap operator may.
    assert "CS_AGENT" in commerce.identity.assign_role(admin_id, "CS_AGENT",
                                                       by="operator").roles


def test_identity_without_its_adapters_says_so() -> None:
    with pytest.raises(ServiceUnavailable):
        _ = Commerce(memory.bundle()).identity


def test_the_container_offers_the_authenticator_for_the_chain() -> None:
    container = make_container(Settings(database_url="memory://"))
    commerce = container.commerce()
    commerce.identity.register("lan@example.com", PASSWORD)
    token = commerce.identity.login("lan@example.com", PASSWORD).tokens.access_token
    principal = container.identity_authenticator().authenticate(token)
    assert principal is not None
    assert principal.kind == "customer"


def test_suspending_a_user_ends_their_sessions_and_deleted_users_are_not_listed(
        shop: tuple[Commerce, FrozenClock]) -> None:
    commerce, clock = shop
    boss_id, _, _ = staff_with_mfa(commerce, clock, "boss", ("USER_ADMIN",))
    agent_id, agent, _ = staff_with_mfa(commerce, clock, "agent", ("CS_AGENT",))

    with pytest.raises(SelfAssignment):
        commerce.identity.change_status(boss_id, "suspended", by=boss_id)
    commerce.identity.change_status(agent_id, "suspended", by=boss_id)
    with pytest.raises(InvalidToken):
        commerce.identity.authenticate(agent.tokens.access_token)
    with pytest.raises(AuthenticationFailed):
        commerce.identity.login("agent", PASSWORD, staff=True)
    assert commerce.identity.sessions(agent_id) == []

    commerce.identity.change_status(agent_id, "active", by=boss_id)
    assert commerce.identity.login("agent", PASSWORD, staff=True).mfa_required
    commerce.identity.change_status(agent_id, "deleted", by="operator")
    assert [u.username for u in commerce.identity.users()] == ["boss"]
