"""Identity errors. `AuthenticationFailed` and its kinds are answered 401 over HTTP."""

from commerce_core.shared.errors import (
    BusinessRuleViolation,
    CommerceError,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
)


class AuthenticationFailed(CommerceError):
    """The credentials do not prove who the caller is. Deliberately vague: the message never
    says whether the email exists or which part was wrong."""

    code = "identity.invalid_credentials"


class AccountLocked(AuthenticationFailed):
    """Too many failed passwords: sign-in is refused until `locked_until`."""

    code = "identity.account_locked"


class InvalidToken(AuthenticationFailed):
    """An access or refresh token that is forged, expired, revoked or malformed."""

    code = "identity.invalid_token"


class StalePermissions(InvalidToken):
    """The token predates a change of the user's roles: refresh it to get the current ones."""

    code = "identity.stale_permissions"


class RefreshTokenReused(InvalidToken):
    """A refresh token was presented after it had been rotated: the whole session is revoked,
    since either the holder or a thief now has a copy."""

    code = "identity.refresh_reused"


class InvalidMfaCode(AuthenticationFailed):
    code = "identity.invalid_mfa_code"


class EmailTaken(Conflict):
    code = "identity.email_taken"


class UsernameTaken(Conflict):
    code = "identity.username_taken"


class WeakPassword(InvalidInput):
    """The password breaks the policy: at least 8 characters with an upper-case letter, a
    lower-case letter, a digit and a special character."""

    code = "identity.weak_password"


class InvalidIdentityInput(InvalidInput):
    code = "identity.invalid_input"


class NotStaff(Conflict):
    """Roles and the staff status are for staff accounts; the account is a customer's."""

    code = "identity.not_staff"


class UnknownRole(InvalidInput):
    code = "identity.unknown_role"


class UserNotFound(NotFound):
    code = "identity.user_not_found"


class SessionNotFound(NotFound):
    code = "identity.session_not_found"


class PermissionDenied(Forbidden):
    code = "identity.permission_denied"


class SelfAssignment(Forbidden):
    """Nobody changes their own roles, whatever they may do to others."""

    code = "identity.self_assignment"


class MfaRequired(Forbidden):
    """Staff act only after a second factor; this token allows MFA enrolment and verification
    only."""

    code = "identity.mfa_required"


class MfaState(BusinessRuleViolation):
    """Enrolment, confirmation or verification asked in the wrong state (already enrolled,
    nothing to confirm, not enrolled)."""

    code = "identity.mfa_state"


class AccountInactive(AuthenticationFailed):
    code = "identity.account_inactive"


class OneTimeTokenInvalid(NotFound):
    """A password-reset or email-verification token that is unknown, spent or malformed."""

    code = "identity.token_invalid"


class OneTimeTokenExpired(NotFound):
    """The token's time ran out (1 h for a password reset, 24 h for email verification): ask
    for a new one."""

    code = "identity.token_expired"


class AppNotFound(NotFound):
    code = "identity.app_not_found"


class InvalidClient(AuthenticationFailed):
    """Unknown client, wrong secret or revoked client (one answer for all three)."""

    code = "identity.invalid_client"


class InvalidScope(InvalidInput):
    """A scope that is not a permission name, or one the client does not hold."""

    code = "identity.invalid_scope"


class OidcStateMismatch(AuthenticationFailed):
    """The callback's `state` is not the one this browser started with (a forged or replayed
    callback, or another browser's): sign-in refused."""

    code = "identity.oidc_state_mismatch"


class OidcFailed(AuthenticationFailed):
    """The provider refused, or its answer did not verify (signature, issuer, audience, nonce,
    lifetime), or it gave no verified email."""

    code = "identity.oidc_failed"


class UnknownProvider(NotFound):
    code = "identity.unknown_provider"
