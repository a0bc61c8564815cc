"""What identity consumes: password hashing, token signing, TOTP, secret sealing, storage.

The cryptography lives in adapters (`adapters.identity`: argon2-cffi, PyJWT, pyotp,
cryptography); the core decides who may sign in and what a token says.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from attrs import frozen

from commerce_core.identity.model import Account, AccountKind, AppClient, OAuthLink, Session
from commerce_core.shared.uow import UnitOfWork

__all__ = [
    "AccessClaims",
    "AccessTokens",
    "Account",
    "AccountKind",
    "AccountRepository",
    "AppClient",
    "AppClientRepository",
    "ExternalIdentity",
    "IdentityKit",
    "IdentityUnitOfWork",
    "OAuthLink",
    "OAuthLinkRepository",
    "OidcProvider",
    "PasswordHasher",
    "SecretSealer",
    "Session",
    "SessionRepository",
    "TokenDelivery",
    "Totp",
]


@frozen
class AccessClaims:
    """What an access token says. `permissions_version` is the user's at issue time; a token
    older than the user's current version is refused."""

    subject: str  # the account id
    user_type: AccountKind
    session_id: str
    roles: tuple[str, ...]
    permissions_version: int
    mfa_verified: bool
    customer_id: str | None
    issued_at: datetime
    expires_at: datetime
    scopes: tuple[str, ...] = ()  # apps only: the permissions asked for and granted


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, hashed: str, password: str) -> bool:
        """False for a wrong password or a malformed hash; never raises for either."""
        ...

    def needs_rehash(self, hashed: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        ...


class AccessTokens(Protocol):
    """Signs and checks access tokens against a key set that can rotate."""

    def issue(self, claims: AccessClaims) -> str: ...

    def verify(self, token: str, now: datetime) -> AccessClaims:
        """The claims of a token this key set signed, valid at `now`; `InvalidToken`
        otherwise (forged, expired, not yet valid, another audience or issuer, unknown key)."""
        ...

    def jwks(self) -> dict[str, Any]:
        """The public keys that verify, as a JSON Web Key Set."""
        ...


class Totp(Protocol):
    def new_secret(self) -> str: ...

    def provisioning_uri(self, secret: str, account_name: str, issuer: str) -> str: ...

    def match(self, secret: str, code: str, at: datetime, window: int = 1) -> int | None:
        """The time step whose code `code` is, within `window` steps of `at`; None if none."""
        ...


class SecretSealer(Protocol):
    """Encrypts secrets the shop must read back (TOTP seeds) under a key kept out of the
    database."""

    def seal(self, plain: str) -> str: ...

    def open(self, sealed: str) -> str: ...


class TokenDelivery(Protocol):
    """Sends one-time links to the account's mailbox (the notification context, or the
    embedder's mailer). Called after the token's digest is committed; the token itself exists
    only in this call. `locale` is the account's language; `customer_id` names the customer
    the account is (None for staff). It must not raise for a delivery problem: the caller
    answers the same whether or not an account exists."""

    def password_reset(self, email: str, token: str, expires_at: datetime, *,
                       locale: str = "vi", customer_id: str | None = None) -> None: ...

    def email_verification(self, email: str, token: str, expires_at: datetime, *,
                           locale: str = "vi", customer_id: str | None = None) -> None: ...


@frozen
class ExternalIdentity:
    """Who an OpenID provider says signed in, from its verified ID token."""

    provider: str
    subject: str
    email: str | None
    email_verified: bool
    name: str = ""


class OidcProvider(Protocol):
    """One OpenID Connect provider (authorization code flow)."""

    @property
    def name(self) -> str: ...

    def authorization_url(self, *, state: str, nonce: str, redirect_uri: str) -> str: ...

    def exchange(self, *, code: str, nonce: str, redirect_uri: str) -> ExternalIdentity:
        """Trades the code for tokens and verifies the ID token (signature from the
        provider's JWKS, issuer, audience, nonce, lifetime); `OidcFailed` otherwise."""
        ...


@frozen
class IdentityKit:
    """The adapters identity needs, built by `adapters.identity.kit(...)`."""

    hasher: PasswordHasher
    tokens: AccessTokens
    totp: Totp
    sealer: SecretSealer
    issuer: str = "commerce-core"  # the name authenticator apps show next to the code
    delivery: TokenDelivery | None = None  # none: nobody can receive reset links
    oidc: tuple[OidcProvider, ...] = ()  # sign-in with these providers


class AccountRepository(Protocol):
    def add(self, account: Account) -> None: ...

    def get(self, account_id: str) -> Account:
        """The account, or `UserNotFound`."""
        ...

    def by_email(self, kind: AccountKind, email: str) -> Account | None: ...

    def by_username(self, username: str) -> Account | None: ...

    def staff(self, limit: int, offset: int = 0) -> list[Account]:
        """Staff users not deleted, by username."""
        ...


class SessionRepository(Protocol):
    def add(self, session: Session) -> None: ...

    def get(self, session_id: str) -> Session:
        """The session, or `SessionNotFound`."""
        ...

    def open_for(self, account_id: str, now: datetime) -> list[Session]:
        """The account's sessions neither revoked nor expired, oldest first."""
        ...


class AppClientRepository(Protocol):
    def add(self, app: AppClient) -> None: ...

    def get(self, client_id: str) -> AppClient:
        """The client, or `AppNotFound`."""
        ...

    def listed(self, limit: int, offset: int = 0) -> list[AppClient]:
        """Clients by name."""
        ...


class OAuthLinkRepository(Protocol):
    def add(self, link: OAuthLink) -> None: ...

    def get(self, link_id: str) -> OAuthLink:
        """The link (`OAuthLink.key(provider, subject)`), or `UserNotFound`."""
        ...


class IdentityUnitOfWork(UnitOfWork, Protocol):
    @property
    def accounts(self) -> AccountRepository: ...

    @property
    def app_clients(self) -> AppClientRepository: ...

    @property
    def oauth_links(self) -> OAuthLinkRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...
