"""Accounts (staff users and customers) and their sessions.

An `Account` holds the credential (an argon2id hash, never the password), the lockout
counter, the sealed TOTP secret with the last code step used and the hashed recovery codes,
and, for staff, the roles with `permissions_version`, which every role change moves on so
older tokens are refused. A `Session` is one sign-in: the family of its refresh tokens, of
which only the current one's hash is valid and the rotated ones' hashes are kept to notice a
reuse.
"""

from __future__ import annotations

import enum
import hmac
from datetime import datetime, timedelta

from attrs import define, field

from commerce_core.identity.errors import (
    AccountInactive,
    AccountLocked,
    InvalidMfaCode,
    MfaState,
    OneTimeTokenExpired,
    OneTimeTokenInvalid,
    SelfAssignment,
)
from commerce_core.identity.events import (
    AccountLinked,
    AccountLockedOut,
    CustomerRegistered,
    EmailVerified,
    MfaEnabled,
    PasswordChanged,
    RoleAssigned,
    RoleRevoked,
    SessionRevoked,
    SessionStarted,
    StaffUserCreated,
    UserStatusChanged,
)
from commerce_core.identity.roles import check_role
from commerce_core.shared.events import DomainEvent

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)


class AccountKind(enum.StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"
    APP = "app"  # an OAuth2 client acting for itself (client credentials); never an account


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    SUSPENDED = "suspended"
    DELETED = "deleted"


@define(eq=False)
class Account:
    id: str
    kind: AccountKind
    email: str
    username: str | None
    name: str
    locale: str
    customer_id: str | None
    password_hash: str
    status: AccountStatus
    roles: tuple[str, ...]
    permissions_version: int
    failed_attempts: int
    locked_until: datetime | None
    totp_secret: str | None  # sealed by the `SecretSealer` port, never the plain secret
    mfa_enabled: bool
    last_totp_step: int | None
    recovery_codes: tuple[str, ...]  # SHA-256 of each unused code
    created_at: datetime
    updated_at: datetime
    email_verified: bool = False
    # SHA-256 of the one pending token of each kind, with its end; a new request replaces it.
    verification_hash: str | None = None
    verification_expires_at: datetime | None = None
    reset_hash: str | None = None
    reset_expires_at: datetime | None = None
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def customer(cls, account_id: str, customer_id: str, email: str, name: str, locale: str,
                 password_hash: str, *, now: datetime) -> Account:
        account = cls(account_id, AccountKind.CUSTOMER, email, None, name, locale, customer_id,
                      password_hash, AccountStatus.ACTIVE, (), 1, 0, None, None, False, None,
                      (), now, now)
        account.events.append(CustomerRegistered(account_id, customer_id, email, name, locale,
                                                 now))
        return account

    @classmethod
    def staff(cls, account_id: str, username: str, email: str, name: str,
              password_hash: str, roles: tuple[str, ...], *, created_by: str,
              now: datetime) -> Account:
        checked = tuple(sorted({check_role(r) for r in roles}))
        account = cls(account_id, AccountKind.STAFF, email, username, name, "en", None,
                      password_hash, AccountStatus.ACTIVE, checked, 1, 0, None, None, False,
                      None, (), now, now)
        account.events.append(StaffUserCreated(account_id, username, email, checked,
                                               created_by, now))
        return account

    @property
    def is_staff(self) -> bool:
        return self.kind is AccountKind.STAFF

    @property
    def needs_mfa(self) -> bool:
        """Staff always; a customer once they turned it on."""
        return self.is_staff or self.mfa_enabled

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def ensure_may_sign_in(self, now: datetime) -> None:
        if self.status is not AccountStatus.ACTIVE:
            raise AccountInactive("this account cannot sign in", status=self.status.value)
        if self.locked(now):
            assert self.locked_until is not None
            raise AccountLocked("too many failed sign-ins; try again later",
                                locked_until=self.locked_until.isoformat())

    def password_failed(self, now: datetime) -> None:
        """A wrong password; the fifth in a row locks the account for 15 minutes."""
        if self.locked_until is not None and now >= self.locked_until:
            self.failed_attempts, self.locked_until = 0, None
        self.failed_attempts += 1
        if self.failed_attempts >= MAX_FAILED_ATTEMPTS:
            self.failed_attempts = 0
            self.locked_until = now + LOCKOUT
            self.events.append(AccountLockedOut(self.id, self.locked_until, now))
        self.updated_at = now

    def password_passed(self, now: datetime, rehashed: str | None = None) -> None:
        if self.failed_attempts or self.locked_until is not None:
            self.failed_attempts, self.locked_until = 0, None
            self.updated_at = now
        if rehashed is not None:
            self.password_hash, self.updated_at = rehashed, now

    def assign_role(self, role: str, *, by: str, now: datetime) -> None:
        check_role(role)
        if by == self.id:
            raise SelfAssignment("nobody changes their own roles")
        if role in self.roles:
            return
        self.roles = tuple(sorted({*self.roles, role}))
        self.permissions_version += 1
        self.updated_at = now
        self.events.append(RoleAssigned(self.id, role, by, self.permissions_version, now))

    def revoke_role(self, role: str, *, by: str, now: datetime) -> None:
        check_role(role)
        if by == self.id:
            raise SelfAssignment("nobody changes their own roles")
        if role not in self.roles:
            return
        self.roles = tuple(r for r in self.roles if r != role)
        self.permissions_version += 1
        self.updated_at = now
        self.events.append(RoleRevoked(self.id, role, by, self.permissions_version, now))

    def change_status(self, status: AccountStatus, *, by: str, sessions_revoked: int,
                      now: datetime) -> None:
        if by == self.id:
            raise SelfAssignment("nobody changes their own status")
        if status is self.status:
            return
        previous, self.status, self.updated_at = self.status, status, now
        self.events.append(UserStatusChanged(self.id, previous.value, status.value, by,
                                             sessions_revoked, now))

    def begin_mfa(self, sealed_secret: str, now: datetime) -> None:
        if self.mfa_enabled:
            raise MfaState("a second factor is already enrolled")
        self.totp_secret, self.updated_at = sealed_secret, now

    def confirm_mfa(self, step: int, recovery_hashes: tuple[str, ...], now: datetime) -> None:
        if self.mfa_enabled or self.totp_secret is None:
            raise MfaState("no enrolment is waiting for confirmation")
        self.use_totp_step(step)
        self.mfa_enabled, self.recovery_codes, self.updated_at = True, recovery_hashes, now
        self.events.append(MfaEnabled(self.id, now))

    def use_totp_step(self, step: int) -> None:
        """A code is good once: a step at or before the last one used is a replay."""
        if self.last_totp_step is not None and step <= self.last_totp_step:
            raise InvalidMfaCode("the code was already used")
        self.last_totp_step = step

    def start_verification(self, token_hash: str, expires_at: datetime) -> None:
        self.verification_hash, self.verification_expires_at = token_hash, expires_at

    def verify_email(self, token_hash: str, now: datetime) -> None:
        _spend(self.verification_hash, self.verification_expires_at, token_hash, now)
        self.verification_hash, self.verification_expires_at = None, None
        if not self.email_verified:
            self.email_verified, self.updated_at = True, now
            self.events.append(EmailVerified(self.id, self.customer_id, self.email, now))

    def start_reset(self, token_hash: str, expires_at: datetime) -> None:
        self.reset_hash, self.reset_expires_at = token_hash, expires_at

    def reset_password(self, token_hash: str, new_hash: str, sessions_revoked: int,
                       now: datetime) -> None:
        _spend(self.reset_hash, self.reset_expires_at, token_hash, now)
        self.reset_hash, self.reset_expires_at = None, None
        self.password_hash, self.failed_attempts, self.locked_until = new_hash, 0, None
        self.updated_at = now
        # The mailbox was proven: a reset link reached it.
        self.email_verified = True
        self.events.append(PasswordChanged(self.id, "reset", sessions_revoked, now))

    def use_recovery_code(self, digest: str, now: datetime) -> bool:
        if digest not in self.recovery_codes:
            return False
        self.recovery_codes = tuple(c for c in self.recovery_codes if c != digest)
        self.updated_at = now
        return True


@define(eq=False)
class OAuthLink:
    """An external identity (provider, subject) tied to an account; its id is both, so the
    database refuses a second link of one identity."""

    id: str  # f"{provider}|{subject}"
    account_id: str
    provider: str
    subject: str
    email: str
    created_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @staticmethod
    def key(provider: str, subject: str) -> str:
        return f"{provider}|{subject}"

    @classmethod
    def link(cls, account: Account, provider: str, subject: str, email: str,
             now: datetime) -> OAuthLink:
        link = cls(cls.key(provider, subject), account.id, provider, subject, email, now)
        link.events.append(AccountLinked(account.id, provider, email, now))
        return link


class AppStatus(enum.StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"


@define(eq=False)
class AppClient:
    """An application calling the API for itself (OAuth2 client credentials). Its secret is
    kept as a SHA-256 digest (it is 256 random bits: nothing to guess); its scopes are names
    from the permission catalogue, and a token grants at most the scopes the client holds
    when the token is used."""

    id: str  # the client_id
    name: str
    secret_hash: str
    scopes: tuple[str, ...]
    status: AppStatus
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def register(cls, client_id: str, name: str, secret_hash: str, scopes: tuple[str, ...], *,
                 created_by: str, now: datetime) -> AppClient:
        return cls(client_id, name, secret_hash, scopes, AppStatus.ACTIVE, created_by, now, now)

    @property
    def active(self) -> bool:
        return self.status is AppStatus.ACTIVE

    def revoke(self, now: datetime) -> None:
        self.status, self.updated_at = AppStatus.REVOKED, now


def _spend(pending: str | None, expires_at: datetime | None, presented: str,
           now: datetime) -> None:
    """A one-time token is good once, before its end; spending it clears it."""
    if pending is None or not hmac.compare_digest(pending, presented):
        raise OneTimeTokenInvalid("the link is not valid (already used, or replaced by a newer "
                                  "one)")
    if expires_at is None or now >= expires_at:
        raise OneTimeTokenExpired("the link expired; ask for a new one")


@define(eq=False)
class Session:
    id: str
    account_id: str
    user_type: AccountKind
    refresh_hash: str
    rotated_hashes: tuple[str, ...]
    mfa_verified: bool
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    user_agent: str
    ip: str
    version: int = 0
    # When the account last proved itself in this session (password, second factor, or a
    # step-up); None for sessions older than migration 0020 (their start counts).
    authenticated_at: datetime | None = None
    events: list[DomainEvent] = field(factory=list, init=False, repr=False)

    @classmethod
    def start(cls, session_id: str, account: Account, refresh_hash: str, *, lifetime: timedelta,
              user_agent: str, ip: str, now: datetime) -> Session:
        session = cls(session_id, account.id, account.kind, refresh_hash, (), False, now, now,
                      now + lifetime, None, None, user_agent[:300], ip[:64],
                      authenticated_at=now)
        session.events.append(SessionStarted(session_id, account.id, account.kind.value, now))
        return session

    def active(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def rotate(self, new_hash: str, now: datetime) -> None:
        self.rotated_hashes = (*self.rotated_hashes, self.refresh_hash)
        self.refresh_hash, self.last_used_at = new_hash, now

    def mark_mfa_verified(self, new_hash: str, now: datetime) -> None:
        self.mfa_verified = True
        self.authenticated_at = now
        self.rotate(new_hash, now)

    def reauthenticated(self, now: datetime) -> None:
        """The account proved itself again (step-up before a sensitive action)."""
        self.authenticated_at = now

    def recently_authenticated(self, now: datetime, window: timedelta) -> bool:
        return now - (self.authenticated_at or self.created_at) <= window

    def revoke(self, reason: str, now: datetime) -> None:
        if self.revoked_at is not None:
            return
        self.revoked_at, self.revocation_reason = now, reason
        self.events.append(SessionRevoked(self.id, self.account_id, reason, now))
