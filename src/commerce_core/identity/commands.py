"""Identity commands. Passwords and codes travel in them only as far as the handler; their
`repr` hides them so a logged command leaks nothing."""

from __future__ import annotations

from attrs import field, frozen

from commerce_core.identity.model import AccountKind


def _hidden() -> str:
    return field(repr=False)  # type: ignore[no-any-return]


@frozen
class RegisterCustomer:
    email: str
    password: str = _hidden()
    name: str = ""
    locale: str = "vi"


@frozen
class CreateStaffUser:
    username: str
    email: str
    password: str = _hidden()
    name: str = ""
    roles: tuple[str, ...] = ()
    created_by: str = "operator"


@frozen
class Login:
    """`identifier` is the email, or for staff the username too."""

    user_type: AccountKind
    identifier: str
    password: str = _hidden()
    user_agent: str = ""
    ip: str = ""


@frozen
class RefreshTokens:
    refresh_token: str = _hidden()


@frozen
class EnrollMfa:
    account_id: str


@frozen
class ConfirmMfa:
    """Confirms enrolment with a first code; the session becomes MFA-verified."""

    account_id: str
    session_id: str
    code: str = _hidden()


@frozen
class VerifyMfa:
    """A TOTP code or one of the recovery codes."""

    account_id: str
    session_id: str
    code: str = _hidden()


@frozen
class Logout:
    session_id: str


@frozen
class RevokeSession:
    """An account ends one of its own sessions."""

    account_id: str
    session_id: str
    reason: str = "revoked"


@frozen
class AssignRole:
    """`assigned_by` is the acting staff account id, or `operator` for the bootstrap token."""

    account_id: str
    role: str
    assigned_by: str


@frozen
class RevokeRole:
    account_id: str
    role: str
    revoked_by: str


@frozen
class RequestPasswordReset:
    """Sends a reset link if the email names an account; says nothing either way."""

    email: str
    user_type: AccountKind = AccountKind.CUSTOMER


@frozen
class ResetPassword:
    token: str = _hidden()
    new_password: str = _hidden()


@frozen
class RequestEmailVerification:
    email: str


@frozen
class VerifyEmail:
    token: str = _hidden()


@frozen
class RegisterApp:
    """A client for OAuth2 client credentials; its secret is shown once."""

    name: str
    scopes: tuple[str, ...]
    created_by: str = "operator"


@frozen
class RevokeApp:
    client_id: str


@frozen
class IssueAppToken:
    """`scopes` empty: every scope the client holds."""

    client_id: str
    client_secret: str = _hidden()
    scopes: tuple[str, ...] = ()


@frozen
class CompleteOidcLogin:
    """The provider's callback: `binding` is what `oidc_begin` gave this browser."""

    provider: str
    code: str = _hidden()
    state: str = _hidden()
    binding: str = _hidden()
    user_agent: str = ""
    ip: str = ""


@frozen
class ChangeUserStatus:
    """`status`: active, inactive, suspended or deleted; anything but active ends every
    session of the user at once."""

    account_id: str
    status: str
    changed_by: str


@frozen
class Reauthenticate:
    """Step-up: the signed-in account proves itself again (its password, and a TOTP or recovery
    code when a second factor is enrolled) before a sensitive action."""

    account_id: str
    session_id: str
    password: str = _hidden()
    code: str | None = field(default=None, repr=False)
