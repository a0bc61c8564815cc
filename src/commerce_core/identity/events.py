"""Facts about accounts and sessions. None carries a password, token, secret or code."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class CustomerRegistered(DomainEvent):
    """A shopper created an account: the customer context creates the profile under
    `customer_id` (the account id is identity's own)."""

    type = "identity.customer_registered"
    account_id: str
    customer_id: str
    email: str
    name: str
    locale: str
    occurred_at: datetime


@frozen
class StaffUserCreated(DomainEvent):
    type = "identity.user_created"
    account_id: str
    username: str
    email: str
    roles: tuple[str, ...]
    created_by: str
    occurred_at: datetime


@frozen
class RoleAssigned(DomainEvent):
    """A role was given; `permissions_version` is the user's version after the change (tokens
    issued before it are refused)."""

    type = "identity.role_assigned"
    account_id: str
    role: str
    assigned_by: str
    permissions_version: int
    occurred_at: datetime


@frozen
class RoleRevoked(DomainEvent):
    type = "identity.role_revoked"
    account_id: str
    role: str
    revoked_by: str
    permissions_version: int
    occurred_at: datetime


@frozen
class AccountLockedOut(DomainEvent):
    """Five wrong passwords in a row: sign-in is refused until `locked_until`."""

    type = "identity.account_locked"
    account_id: str
    locked_until: datetime
    occurred_at: datetime


@frozen
class SessionStarted(DomainEvent):
    type = "identity.session_started"
    session_id: str
    account_id: str
    user_type: str
    occurred_at: datetime


@frozen
class SessionRevoked(DomainEvent):
    """A session ended before its time: `reason` is logout, revoked, session_limit,
    refresh_reuse or password_reset."""

    type = "identity.session_revoked"
    session_id: str
    account_id: str
    reason: str
    occurred_at: datetime


@frozen
class MfaEnabled(DomainEvent):
    type = "identity.mfa_enabled"
    account_id: str
    occurred_at: datetime


@frozen
class PasswordChanged(DomainEvent):
    """The password was replaced (`how`: reset); every open session was ended with it."""

    type = "identity.password_changed"
    account_id: str
    how: str
    sessions_revoked: int
    occurred_at: datetime


@frozen
class EmailVerified(DomainEvent):
    type = "identity.email_verified"
    account_id: str
    customer_id: str | None
    email: str
    occurred_at: datetime


@frozen
class AccountLinked(DomainEvent):
    """An external identity (`provider`) now signs in to the account."""

    type = "identity.account_linked"
    account_id: str
    provider: str
    email: str
    occurred_at: datetime


@frozen
class UserStatusChanged(DomainEvent):
    """A staff user was suspended, deactivated, deleted or reactivated; leaving `active`
    ended every open session in the same transaction."""

    type = "identity.user_status_changed"
    account_id: str
    previous: str
    status: str
    changed_by: str
    sessions_revoked: int
    occurred_at: datetime
