"""Who is calling: the principal every entry point resolves before it runs a command.

The core keeps only the shape; how a bearer becomes a principal (the bootstrap operator token, a
signed access token, an app's client credentials) is an `Authenticator` an entry point chains.
Permission names come from `commerce_core.shared.permissions`.
"""

from __future__ import annotations

from typing import Literal, Protocol

import attrs

PrincipalKind = Literal["anonymous", "customer", "staff", "app"]


@attrs.frozen
class Principal:
    """An authenticated caller (or the anonymous one).

    `subject` is the user, customer or client id the credentials name; `customer_id` is set for
    customers so ownership checks compare ids, never names. `permissions` is already resolved
    from roles (staff) or scopes (apps); customers own their objects instead of holding
    permissions. `session_id` lets a revocation reach the caller; `mfa_verified` lets routes
    that need a second factor ask for it.
    """

    kind: PrincipalKind
    subject: str | None = None
    customer_id: str | None = None
    permissions: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    session_id: str | None = None
    mfa_verified: bool = False
    # The largest refund this caller may give, in minor units of the shop's currency (a
    # customer-service agent's ceiling); None: as much as is refundable.
    refund_limit: int | None = None
    # Whether the session proved the account recently enough for a sensitive action (step-up
    # re-authentication); True for callers without a session (the operator token, apps).
    recently_authenticated: bool = True

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def owns(self, customer_id: str | None) -> bool:
        """Whether an object belonging to `customer_id` is this caller's own."""
        return self.customer_id is not None and customer_id == self.customer_id


ANONYMOUS = Principal(kind="anonymous")


class Authenticator(Protocol):
    """Turns a bearer credential into a principal; `None` when the credential is not its kind,
    an error (from `commerce_core.shared.errors`) when it is its kind but not valid."""

    def authenticate(self, credential: str) -> Principal | None: ...
