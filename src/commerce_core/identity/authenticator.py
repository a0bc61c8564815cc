"""Access tokens to principals: the identity half of the entry points' authenticator chain."""

from __future__ import annotations

from datetime import timedelta

from commerce_core.identity.errors import (
    AppNotFound,
    InvalidToken,
    SessionNotFound,
    StalePermissions,
    UserNotFound,
)
from commerce_core.identity.model import AccountKind, AccountStatus
from commerce_core.identity.ports import AccessTokens, IdentityUnitOfWork
from commerce_core.identity.roles import permissions_of, refund_limit_of
from commerce_core.shared.clock import Clock
from commerce_core.shared.principal import Principal
from commerce_core.shared.uow import UnitOfWorkFactory


def _looks_like_jwt(credential: str) -> bool:
    parts = credential.split(".")
    return len(parts) == 3 and all(parts[:2])


class IdentityAuthenticator:
    """Verifies an access token (signature, audience, issuer, lifetime), then checks against
    storage that its session is still open, its account active and its `permissions_version`
    current: a revoked session or a role change takes effect on the next request.

    A staff token without a verified second factor yields a principal with no permissions
    (it may enrol and verify MFA only); likewise a customer owing a second factor owns
    nothing until it is verified.
    """

    def __init__(self, read: UnitOfWorkFactory[IdentityUnitOfWork], tokens: AccessTokens,
                 clock: Clock, step_up_window: timedelta = timedelta(minutes=15)) -> None:
        self._read, self._tokens, self._clock = read, tokens, clock
        self._step_up = step_up_window

    def authenticate(self, credential: str) -> Principal | None:
        if not _looks_like_jwt(credential):
            return None  # not an access token: another authenticator's kind
        now = self._clock.now()
        claims = self._tokens.verify(credential, now)
        if claims.user_type is AccountKind.APP:
            return self._app(claims.subject, claims.scopes)
        with self._read() as uow:
            try:
                session = uow.sessions.get(claims.session_id)
                account = uow.accounts.get(claims.subject)
            except (SessionNotFound, UserNotFound):
                raise InvalidToken("the token's session or account does not exist") from None
        if session.account_id != account.id or not session.active(now):
            raise InvalidToken("the session has ended")
        if account.status is not AccountStatus.ACTIVE:
            raise InvalidToken("the account cannot sign in")
        if claims.permissions_version != account.permissions_version:
            raise StalePermissions("the user's roles changed since this token was issued; "
                                   "refresh it")
        verified = claims.mfa_verified
        recent = session.recently_authenticated(now, self._step_up)
        if account.kind is AccountKind.STAFF:
            roles = frozenset(account.roles)
            return Principal(kind="staff", subject=account.id,
                             permissions=permissions_of(roles) if verified else frozenset(),
                             roles=roles, session_id=session.id, mfa_verified=verified,
                             refund_limit=refund_limit_of(roles), recently_authenticated=recent)
        return Principal(kind="customer", subject=account.id,
                         customer_id=account.customer_id if verified else None,
                         session_id=session.id, mfa_verified=verified,
                         recently_authenticated=recent)

    def _app(self, client_id: str, scopes: tuple[str, ...]) -> Principal:
        with self._read() as uow:
            try:
                app = uow.app_clients.get(client_id)
            except AppNotFound:
                raise InvalidToken("the token's client does not exist") from None
        if not app.active:
            raise InvalidToken("the client was revoked")
        # Scopes taken from the client since the token was issued are gone at once.
        return Principal(kind="app", subject=app.id,
                         permissions=frozenset(scopes) & frozenset(app.scopes))
