"""Accounts and sessions in memory."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.base import _Repository
from commerce_core.identity.errors import (
    AppNotFound,
    EmailTaken,
    SessionNotFound,
    UsernameTaken,
    UserNotFound,
)
from commerce_core.identity.model import Account, AccountKind, AppClient, Session


class InMemoryAccountRepository(_Repository):
    kind = "account"
    not_found = UserNotFound
    # As the SQL unique indexes say: one account per email and kind, one staff username.
    unique = (
        ("email", lambda a: [f"{a.kind.value}:{a.email}"], EmailTaken),
        ("username", lambda a: [a.username] if a.username else [], UsernameTaken),
    )

    def by_email(self, kind: AccountKind, email: str) -> Account | None:
        rows = self._by("email", f"{kind.value}:{email}")
        return self._load(rows[0]) if rows else None

    def by_username(self, username: str) -> Account | None:
        rows = self._by("username", username)
        return self._load(rows[0]) if rows else None

    def staff(self, limit: int, offset: int = 0) -> list[Account]:
        rows = sorted((a for a in self._all() if a.kind is AccountKind.STAFF),
                      key=lambda a: (a.username or "", a.id))
        return [self._load(r) for r in rows[offset:offset + limit]]


class InMemorySessionRepository(_Repository):
    kind = "session"
    not_found = SessionNotFound
    indexed = (("account", lambda s: [s.account_id]),)

    def open_for(self, account_id: str, now: datetime) -> list[Session]:
        rows = sorted((s for s in self._by("account", account_id) if s.active(now)),
                      key=lambda s: (s.created_at, s.id))
        return [self._load(r) for r in rows]


class InMemoryAppClientRepository(_Repository):
    kind = "app_client"
    not_found = AppNotFound

    def listed(self, limit: int, offset: int = 0) -> list[AppClient]:
        rows = sorted(self._all(), key=lambda a: (a.name, a.id))
        return [self._load(r) for r in rows[offset:offset + limit]]


class InMemoryOAuthLinkRepository(_Repository):
    kind = "oauth_link"
    not_found = UserNotFound


class RecordingTokenDelivery:
    """Keeps the one-time links it is asked to send, for tests and local development."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, datetime]] = []  # (kind, email, token, expires)

    def password_reset(self, email: str, token: str, expires_at: datetime, *,
                       locale: str = "vi", customer_id: str | None = None) -> None:
        self.sent.append(("password_reset", email, token, expires_at))

    def email_verification(self, email: str, token: str, expires_at: datetime, *,
                           locale: str = "vi", customer_id: str | None = None) -> None:
        self.sent.append(("email_verification", email, token, expires_at))

    def last(self, kind: str, email: str) -> str:
        return next(token for k, e, token, _ in reversed(self.sent) if (k, e) == (kind, email))
