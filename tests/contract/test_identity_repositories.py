"""Account and session repositories: read back whole, one email per kind and one username,
staff listed by username, a user's open sessions oldest first."""

from __future__ import annotations

from datetime import timedelta

import pytest

from commerce_core.identity.errors import (
    AppNotFound,
    EmailTaken,
    SessionNotFound,
    UsernameTaken,
    UserNotFound,
)
from commerce_core.identity.model import (
    Account,
    AccountKind,
    AppClient,
    AppStatus,
    OAuthLink,
    Session,
)
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.conftest import Store


def customer(store: Store, email: str) -> Account:
    return Account.customer(store.ids.new_id(), store.ids.new_id(), email, "Lan", "vi",
                            "$argon2id$hash", now=store.clock.now())


def staff(store: Store, username: str, email: str | None = None) -> Account:
    return Account.staff(store.ids.new_id(), username, email or f"{username}@shop.test", "",
                         "$argon2id$hash", ("CS_AGENT",), created_by="operator",
                         now=store.clock.now())


def add(store: Store, *accounts: Account) -> None:
    with store.uow() as uow:
        for account in accounts:
            uow.accounts.add(account)
        uow.commit()


def test_an_account_reads_back_whole(store: Store) -> None:
    account = staff(store, "an")
    account.begin_mfa("sealed", store.clock.now())
    account.confirm_mfa(7, ("h1", "h2"), store.clock.now())
    account.password_failed(store.clock.now())
    account.start_reset("reset-digest", store.clock.now() + timedelta(hours=1))
    account.start_verification("verify-digest", store.clock.now() + timedelta(hours=24))
    add(store, account)

    with store.uow() as uow:
        read = uow.accounts.get(account.id)
        assert uow.accounts.by_username("an") is read
        assert uow.accounts.by_email(AccountKind.STAFF, "an@shop.test") is read
        assert uow.accounts.by_email(AccountKind.CUSTOMER, "an@shop.test") is None
    for name in ("id", "kind", "email", "username", "roles", "permissions_version",
                 "failed_attempts", "locked_until", "totp_secret", "mfa_enabled",
                 "last_totp_step", "recovery_codes", "created_at", "status", "email_verified",
                 "reset_hash", "reset_expires_at", "verification_hash",
                 "verification_expires_at"):
        assert getattr(read, name) == getattr(account, name), name
    assert "identity.user_created" in store.event_types()


def test_changes_are_written_under_the_version(store: Store) -> None:
    account = staff(store, "an")
    add(store, account)
    with store.uow() as uow:
        read = uow.accounts.get(account.id)
        read.assign_role("FINANCE_ADMIN", by="operator", now=store.clock.now())
        uow.commit()
    with store.uow() as uow:
        again = uow.accounts.get(account.id)
    assert again.roles == ("CS_AGENT", "FINANCE_ADMIN")
    assert again.permissions_version == 2


def test_one_email_per_kind_and_one_username(store: Store) -> None:
    add(store, customer(store, "lan@example.com"), staff(store, "an", "lan@example.com"))
    with pytest.raises(EmailTaken):
        add(store, customer(store, "lan@example.com"))
    with pytest.raises(UsernameTaken):
        add(store, staff(store, "an", "other@shop.test"))


def test_missing_rows_are_their_errors(store: Store) -> None:
    with store.uow() as uow:
        with pytest.raises(UserNotFound):
            uow.accounts.get("nope")
        with pytest.raises(SessionNotFound):
            uow.sessions.get("nope")


def test_staff_are_listed_by_username(store: Store) -> None:
    add(store, staff(store, "minh"), customer(store, "c@example.com"), staff(store, "an"),
        staff(store, "lan"))
    with store.uow() as uow:
        assert [a.username for a in uow.accounts.staff(10)] == ["an", "lan", "minh"]
        assert [a.username for a in uow.accounts.staff(1, 1)] == ["lan"]


def test_open_sessions_oldest_first_without_revoked_or_expired(store: Store) -> None:
    account = customer(store, "lan@example.com")
    add(store, account)
    sessions = []
    for n in range(4):
        store.clock.advance(timedelta(minutes=1))
        sessions.append(Session.start(store.ids.new_id(), account, f"hash-{n}",
                                      lifetime=timedelta(hours=1 + n), user_agent="ua",
                                      ip="203.0.113.9", now=store.clock.now()))
    sessions[1].revoke("logout", store.clock.now())
    sessions[3].rotate("hash-next", store.clock.now())
    with store.uow() as uow:
        for session in sessions:
            uow.sessions.add(session)
        uow.commit()

    store.clock.advance(timedelta(minutes=58))  # the first (one hour) has expired
    with store.uow() as uow:
        open_ = uow.sessions.open_for(account.id, store.clock.now())
        assert [s.id for s in open_] == [sessions[2].id, sessions[3].id]
        assert open_[1].refresh_hash == "hash-next"
        assert open_[1].rotated_hashes == ("hash-3",)
        assert uow.sessions.get(sessions[1].id).revocation_reason == "logout"


def test_app_clients_read_back_and_list_by_name(store: Store) -> None:
    now = store.clock.now()
    apps = [AppClient.register(store.ids.new_id(), name, f"digest-{name}", ("inventory.read",),
                               created_by="operator", now=now) for name in ("zeta", "alpha")]
    with store.uow() as uow:
        for app in apps:
            uow.app_clients.add(app)
        uow.commit()
    with store.uow() as uow:
        read = uow.app_clients.get(apps[0].id)
        read.revoke(now)
        uow.commit()
    with store.uow() as uow:
        listed = uow.app_clients.listed(10)
        assert [a.name for a in listed] == ["alpha", "zeta"]
        assert listed[1].status is AppStatus.REVOKED
        assert listed[1].scopes == ("inventory.read",)
        with pytest.raises(AppNotFound):
            uow.app_clients.get("nope")


def test_an_external_identity_links_one_account(store: Store) -> None:
    account = customer(store, "lan@example.com")
    add(store, account)
    link = OAuthLink.link(account, "idp", "sub-1", "lan@example.com", store.clock.now())
    with store.uow() as uow:
        uow.oauth_links.add(link)
        uow.commit()
    with store.uow() as uow:
        assert uow.oauth_links.get(OAuthLink.key("idp", "sub-1")).account_id == account.id
        with pytest.raises(UserNotFound):
            uow.oauth_links.get(OAuthLink.key("idp", "sub-2"))
    other = customer(store, "minh@example.com")
    add(store, other)
    with store.uow() as uow:
        uow.oauth_links.add(OAuthLink.link(other, "idp", "sub-1", "minh@example.com",
                                           store.clock.now()))
        with pytest.raises(ConcurrencyConflict):
            uow.commit()
    assert "identity.account_linked" in store.event_types()
