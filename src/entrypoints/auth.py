"""How an entry point turns a bearer credential into a `Principal`: a chain of authenticators.

The chain is asked in order; the first authenticator that recognises the credential answers.
The bootstrap operator token is always first: it names the shop's operator, who holds every
permission. Other authenticators (signed access tokens, app credentials) join the chain through
`create_app(..., authenticators=...)` or `Container.authenticators`; the HTTP API and the CLI
ask the same chain, so one token means the same caller in both.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Sequence

from commerce_core.identity.roles import STEP_UP
from commerce_core.shared.errors import CommerceError, Forbidden
from commerce_core.shared.permissions import ALL_PERMISSIONS
from commerce_core.shared.principal import ANONYMOUS, Authenticator, Principal

OPERATOR = Principal(kind="staff", subject="operator", permissions=ALL_PERMISSIONS,
                     roles=frozenset({"operator"}))


class Unauthenticated(CommerceError):
    """The action needs a known caller and none was named (HTTP 401)."""

    code = "auth.unauthenticated"


class InvalidToken(Unauthenticated):
    """A credential was presented and no authenticator accepts it (HTTP 401)."""

    code = "auth.invalid_token"


class ReauthenticationRequired(Unauthenticated):
    """A sensitive action and a session that has not proved its account recently (HTTP 401):
    step-up re-authentication first."""

    code = "auth.reauthentication_required"


class Denied(Forbidden):
    """The caller is known but lacks the permission the action declares (HTTP 403)."""

    code = "auth.forbidden"


class MfaRequired(Denied):
    """A staff member whose second factor is not verified yet: no permission counts until it
    is (`POST /auth/mfa/verify`, or enrolment first)."""

    code = "auth.mfa_required"


class OperatorTokenAuthenticator:
    """The bootstrap credential: `COMMERCE_OPERATOR_TOKEN`, compared in constant time. Its
    holder is the shop's operator, with every permission; it exists so a fresh shop can be
    run before any staff account does."""

    def __init__(self, token: str) -> None:
        self._digest = hashlib.sha256(token.encode()).digest()

    def authenticate(self, credential: str) -> Principal | None:
        # Digests of equal length, so the comparison time says nothing about the token's length.
        given = hashlib.sha256(credential.encode()).digest()
        return OPERATOR if hmac.compare_digest(given, self._digest) else None


class AuthenticatorChain:
    """The authenticators of one app, asked in order."""

    def __init__(self, authenticators: Iterable[Authenticator] = ()) -> None:
        self.authenticators: list[Authenticator] = list(authenticators)

    def add(self, authenticator: Authenticator) -> None:
        self.authenticators.append(authenticator)

    def principal(self, credential: str | None) -> Principal:
        """Who `credential` names: `ANONYMOUS` without one, `InvalidToken` when none of the
        chain accepts it (an authenticator's own refusal, e.g. an expired token, passes up)."""
        if credential is None:
            return ANONYMOUS
        for authenticator in self.authenticators:
            found = authenticator.authenticate(credential)
            if found is not None:
                return found
        raise InvalidToken("the bearer token is not valid")


def chain_for(operator_token: str | None,
              extra: Sequence[Authenticator] = ()) -> AuthenticatorChain:
    """The operator token first (when configured), then `extra` in order."""
    first = [OperatorTokenAuthenticator(operator_token)] if operator_token else []
    return AuthenticatorChain([*first, *extra])


def require_permission(principal: Principal, permission: str, action: str) -> None:
    """`Unauthenticated` for the anonymous caller, `Denied` when `permission` is missing."""
    if not principal.is_authenticated:
        raise Unauthenticated(f"{action} needs a bearer token with {permission}",
                              permission=permission)
    if not principal.can(permission):
        if principal.kind == "staff" and not principal.mfa_verified and not principal.permissions:
            raise MfaRequired(f"{action} needs a verified second factor first",
                              permission=permission)
        raise Denied(f"{action} needs the {permission} permission", permission=permission)
    if permission in STEP_UP and not principal.recently_authenticated:
        raise ReauthenticationRequired(
            f"{action} is sensitive: prove your account again (POST /auth/reauthenticate, or "
            "`commerce login` anew) and retry", permission=permission)
