"""What identity's use cases answer. Token values appear here once, to be handed to the
caller; nothing stores them."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.identity.model import Account, AppClient, Session

__all__ = [
    "Account", "AppClient", "AppToken", "Enrolment", "LoginResult", "MfaConfirmed",
    "OidcStart", "RegisteredApp", "Session", "SessionView", "TokenPair",
]


@frozen
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int  # seconds the access token lives
    session_id: str
    mfa_verified: bool


@frozen
class LoginResult:
    """Tokens, and whether a second factor is still owed: until it is verified (or enrolled
    and confirmed, for staff without one) the access token allows only the MFA routes."""

    tokens: TokenPair
    mfa_required: bool
    mfa_enrolled: bool


@frozen
class Enrolment:
    """Shown once: the secret as an `otpauth://` URI for an authenticator app."""

    provisioning_uri: str
    secret: str


@frozen
class SessionView:
    id: str
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    user_agent: str
    ip: str
    mfa_verified: bool
    current: bool


@frozen
class MfaConfirmed:
    """Shown once: the recovery codes (single use each; only their hashes are kept)."""

    tokens: TokenPair
    recovery_codes: tuple[str, ...]


@frozen
class RegisteredApp:
    """Shown once: the client secret (only its digest is kept)."""

    app: AppClient
    client_secret: str


@frozen
class AppToken:
    access_token: str
    expires_in: int
    scopes: tuple[str, ...]


@frozen
class OidcStart:
    """Send the browser to `url`; keep `binding` in an HttpOnly cookie of that browser: the
    callback is accepted only with it (it seals the state and nonce, and expires)."""

    url: str
    binding: str
