"""`commerce.identity`: accounts, sign-in, sessions, MFA and roles as plain methods."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from commerce_core.identity.authenticator import IdentityAuthenticator
from commerce_core.identity.commands import (
    AssignRole,
    ChangeUserStatus,
    CompleteOidcLogin,
    ConfirmMfa,
    CreateStaffUser,
    EnrollMfa,
    IssueAppToken,
    Login,
    Logout,
    Reauthenticate,
    RefreshTokens,
    RegisterApp,
    RegisterCustomer,
    RequestEmailVerification,
    RequestPasswordReset,
    ResetPassword,
    RevokeApp,
    RevokeRole,
    RevokeSession,
    VerifyEmail,
    VerifyMfa,
)
from commerce_core.identity.errors import InvalidToken
from commerce_core.identity.handlers import IdentityPolicy
from commerce_core.identity.model import Account, AccountKind, AccountStatus
from commerce_core.identity.ports import IdentityKit, IdentityUnitOfWork
from commerce_core.identity.queries import (
    AppClient,
    AppToken,
    Enrolment,
    LoginResult,
    MfaConfirmed,
    OidcStart,
    RegisteredApp,
    SessionView,
    TokenPair,
)
from commerce_core.identity.roles import BUILT_IN_ROLES, permissions_of
from commerce_core.shared.bus import Handle
from commerce_core.shared.clock import Clock
from commerce_core.shared.principal import Principal
from commerce_core.shared.uow import UnitOfWorkFactory


class OidcBegin(Protocol):
    def __call__(self, provider: str, redirect_uri: str) -> OidcStart: ...


class IdentityApi:
    def __init__(self, handle: Handle, read: UnitOfWorkFactory[IdentityUnitOfWork],
                 kit: IdentityKit, clock: Clock, oidc: OidcBegin,
                 policy: IdentityPolicy | None = None) -> None:
        self._handle, self._read, self._kit, self._clock = handle, read, kit, clock
        self._oidc_begin = oidc
        self.authenticator = IdentityAuthenticator(
            read, kit.tokens, clock, (policy or IdentityPolicy()).step_up_window)

    def _run(self, command: Any) -> Any:
        return self._handle(command)

    # accounts

    def register(self, email: str, password: str, *, name: str = "",
                 locale: str = "vi") -> Account:
        """A customer account; `identity.customer_registered` tells the customer context."""
        result: Account = self._run(RegisterCustomer(email, password, name, locale))
        return result

    def create_staff_user(self, username: str, email: str, password: str, *, name: str = "",
                          roles: tuple[str, ...] = (), created_by: str = "operator") -> Account:
        result: Account = self._run(
            CreateStaffUser(username, email, password, name, tuple(roles), created_by))
        return result

    def user(self, account_id: str) -> Account:
        with self._read() as uow:
            return uow.accounts.get(account_id)

    def users(self, *, limit: int = 50, offset: int = 0) -> list[Account]:
        """Staff users, deleted ones left out, by username."""
        with self._read() as uow:
            return [a for a in uow.accounts.staff(limit, offset)
                    if a.status is not AccountStatus.DELETED]

    def roles(self) -> Mapping[str, frozenset[str]]:
        return BUILT_IN_ROLES

    def permissions(self, account_id: str) -> frozenset[str]:
        return permissions_of(self.user(account_id).roles)

    def assign_role(self, account_id: str, role: str, *, by: str) -> Account:
        result: Account = self._run(AssignRole(account_id, role, by))
        return result

    def change_status(self, account_id: str, status: str, *, by: str) -> Account:
        """Suspending, deactivating or deleting ends the user's sessions at once."""
        result: Account = self._run(ChangeUserStatus(account_id, status, by))
        return result

    def revoke_role(self, account_id: str, role: str, *, by: str) -> Account:
        result: Account = self._run(RevokeRole(account_id, role, by))
        return result

    # sign-in and tokens

    def login(self, identifier: str, password: str, *, staff: bool = False,
              user_agent: str = "", ip: str = "") -> LoginResult:
        kind = AccountKind.STAFF if staff else AccountKind.CUSTOMER
        result: LoginResult = self._run(Login(kind, identifier, password, user_agent, ip))
        return result

    def refresh(self, refresh_token: str) -> TokenPair:
        result: TokenPair = self._run(RefreshTokens(refresh_token))
        return result

    def authenticate(self, access_token: str) -> Principal:
        """The caller an access token names, or an `InvalidToken` error."""
        principal = self.authenticator.authenticate(access_token)
        if principal is None:
            raise InvalidToken("not an access token")
        return principal

    def jwks(self) -> dict[str, Any]:
        return self._kit.tokens.jwks()

    def enroll_mfa(self, account_id: str) -> Enrolment:
        result: Enrolment = self._run(EnrollMfa(account_id))
        return result

    def confirm_mfa(self, account_id: str, session_id: str, code: str) -> MfaConfirmed:
        result: MfaConfirmed = self._run(ConfirmMfa(account_id, session_id, code))
        return result

    def verify_mfa(self, account_id: str, session_id: str, code: str) -> TokenPair:
        result: TokenPair = self._run(VerifyMfa(account_id, session_id, code))
        return result

    # sessions

    def sessions(self, account_id: str, *, current: str | None = None) -> list[SessionView]:
        now = self._clock.now()
        with self._read() as uow:
            open_ = uow.sessions.open_for(account_id, now)
        return [SessionView(s.id, s.created_at, s.last_used_at, s.expires_at, s.user_agent,
                            s.ip, s.mfa_verified, s.id == current) for s in open_]

    def reauthenticate(self, account_id: str, session_id: str, password: str,
                       code: str | None = None) -> None:
        """Step-up: proves the account again in this session, for the sensitive actions
        (`roles.STEP_UP`) of the next `IdentityPolicy.step_up_window`."""
        self._run(Reauthenticate(account_id, session_id, password, code))

    def revoke_session(self, account_id: str, session_id: str) -> None:
        self._run(RevokeSession(account_id, session_id))

    def logout(self, session_id: str) -> None:
        self._run(Logout(session_id))

    # one-time links (delivered through `IdentityKit.delivery`)

    def request_password_reset(self, email: str, *, staff: bool = False) -> None:
        kind = AccountKind.STAFF if staff else AccountKind.CUSTOMER
        self._run(RequestPasswordReset(email, kind))

    def reset_password(self, token: str, new_password: str) -> None:
        """Ends every session of the account."""
        self._run(ResetPassword(token, new_password))

    def request_email_verification(self, email: str) -> None:
        self._run(RequestEmailVerification(email))

    def verify_email(self, token: str) -> Account:
        result: Account = self._run(VerifyEmail(token))
        return result

    # apps

    def register_app(self, name: str, scopes: tuple[str, ...], *,
                     created_by: str = "operator") -> RegisteredApp:
        result: RegisteredApp = self._run(RegisterApp(name, tuple(scopes), created_by))
        return result

    def apps(self, *, limit: int = 50, offset: int = 0) -> list[AppClient]:
        with self._read() as uow:
            return uow.app_clients.listed(limit, offset)

    def revoke_app(self, client_id: str) -> AppClient:
        result: AppClient = self._run(RevokeApp(client_id))
        return result

    def app_token(self, client_id: str, client_secret: str,
                  scopes: tuple[str, ...] = ()) -> AppToken:
        result: AppToken = self._run(IssueAppToken(client_id, client_secret, tuple(scopes)))
        return result

    # OpenID Connect

    def oidc_providers(self) -> list[str]:
        return [p.name for p in self._kit.oidc]

    def oidc_begin(self, provider: str, redirect_uri: str) -> OidcStart:
        """Where to send the browser, and the binding to keep in its cookie."""
        return self._oidc_begin(provider, redirect_uri)

    def oidc_complete(self, provider: str, *, code: str, state: str, binding: str,
                      user_agent: str = "", ip: str = "") -> LoginResult:
        """Signs in the provider's user: their linked account, else the customer account with
        their verified email (linked now), else a new customer account."""
        result: LoginResult = self._run(
            CompleteOidcLogin(provider, code, state, binding, user_agent, ip))
        return result
