"""Account and session storage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import AS_JSON_LIST, IGNORED, RowCodec, by_value
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.identity import accounts as a
from adapters.sql.tables.identity import app_clients as c
from adapters.sql.tables.identity import oauth_links as o
from adapters.sql.tables.identity import sessions as s
from commerce_core.identity.errors import AppNotFound, SessionNotFound, UserNotFound
from commerce_core.identity.model import (
    Account,
    AccountKind,
    AccountStatus,
    AppClient,
    AppStatus,
    OAuthLink,
    Session,
)

ACCOUNTS = AggregateMap[Account](
    kind="account",
    not_found=UserNotFound,
    codec=RowCodec(Account, a, kind=by_value(AccountKind), status=by_value(AccountStatus),
                   roles=AS_JSON_LIST, recovery_codes=AS_JSON_LIST, events=IGNORED),
)
SESSIONS = AggregateMap[Session](
    kind="session",
    not_found=SessionNotFound,
    codec=RowCodec(Session, s, user_type=by_value(AccountKind), rotated_hashes=AS_JSON_LIST,
                   events=IGNORED),
)

APP_CLIENTS = AggregateMap[AppClient](
    kind="app_client",
    not_found=AppNotFound,
    codec=RowCodec(AppClient, c, status=by_value(AppStatus), scopes=AS_JSON_LIST, events=IGNORED),
)
OAUTH_LINKS = AggregateMap[OAuthLink](
    kind="oauth_link",
    not_found=UserNotFound,
    codec=RowCodec(OAuthLink, o, events=IGNORED),
)
_APPS = (
    sa.select(c).order_by(CodePointOrder(c.c.name), CodePointOrder(c.c.id))
    .limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
)

_BY_EMAIL = sa.select(a).where(a.c.kind == sa.bindparam("kind"),
                               a.c.email == sa.bindparam("email"))
_BY_USERNAME = sa.select(a).where(a.c.username == sa.bindparam("username"))
_STAFF = (
    sa.select(a).where(a.c.kind == AccountKind.STAFF.value)
    .order_by(CodePointOrder(a.c.username), CodePointOrder(a.c.id))
    .limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
)
_OPEN = (
    sa.select(s)
    .where(s.c.account_id == sa.bindparam("account_id"), s.c.revoked_at.is_(None),
           s.c.expires_at > sa.bindparam("now"))
    .order_by(s.c.created_at, CodePointOrder(s.c.id))
)


class SqlAccountRepository(AggregateRepository[Account]):
    def by_email(self, kind: AccountKind, email: str) -> Account | None:
        return self._store.first(_BY_EMAIL, {"kind": kind.value, "email": email})

    def by_username(self, username: str) -> Account | None:
        return self._store.first(_BY_USERNAME, {"username": username})

    def staff(self, limit: int, offset: int = 0) -> list[Account]:
        return self._store.all(_STAFF, {"limit": limit, "offset": offset})


class SqlSessionRepository(AggregateRepository[Session]):
    def open_for(self, account_id: str, now: datetime) -> list[Session]:
        return self._store.all(_OPEN, {"account_id": account_id, "now": now})


class SqlAppClientRepository(AggregateRepository[AppClient]):
    def listed(self, limit: int, offset: int = 0) -> list[AppClient]:
        return self._store.all(_APPS, {"limit": limit, "offset": offset})


class SqlOAuthLinkRepository(AggregateRepository[OAuthLink]):
    pass
