"""Loyalty storage: the program, accounts, earnings with their lines, the history, campaigns
and referrals."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import sqlalchemy as sa

from adapters.sql.aggregates import AggregateMap, AggregateRepository
from adapters.sql.codec import AS_JSON_LIST, IGNORED, RowCodec, by_value, children, column
from adapters.sql.columns import CodePointOrder
from adapters.sql.tables.loyalty import loyalty_accounts as a
from adapters.sql.tables.loyalty import loyalty_campaigns as c
from adapters.sql.tables.loyalty import loyalty_earning_lines
from adapters.sql.tables.loyalty import loyalty_earnings as e
from adapters.sql.tables.loyalty import loyalty_entries as n
from adapters.sql.tables.loyalty import loyalty_programs as p
from adapters.sql.tables.loyalty import loyalty_referrals as r
from commerce_core.loyalty.errors import (
    CampaignNotFound,
    EarningNotFound,
    EntryNotFound,
    LoyaltyAccountNotFound,
    ProgramNotFound,
    ReferralNotFound,
)
from commerce_core.loyalty.ports import (
    AccountStatus,
    Campaign,
    CampaignKind,
    EarnedLine,
    Earning,
    EarningStatus,
    LoyaltyAccount,
    PointsEntry,
    Program,
    Referral,
    ReferralStatus,
    Tier,
)

A = TypeVar("A", Program, LoyaltyAccount, Earning, PointsEntry)


def _tiers_out(tiers: tuple[Tier, ...]) -> list[list[Any]]:
    return [[t.code, t.name, t.threshold, t.multiplier] for t in tiers]


def _tiers_in(rows: list[list[Any]]) -> tuple[Tier, ...]:
    return tuple(Tier(str(code), str(name), int(threshold), int(multiplier))
                 for code, name, threshold, multiplier in rows)


PROGRAMS = AggregateMap[Program](
    kind="loyalty_program", not_found=ProgramNotFound,
    codec=RowCodec(Program, p, tiers=column(store=_tiers_out, load=_tiers_in),
                   category_multipliers=column(store=dict, load=dict),
                   earn_rates=column(store=dict, load=dict), events=IGNORED),
)
ACCOUNTS = AggregateMap[LoyaltyAccount](
    kind="loyalty_account", not_found=LoyaltyAccountNotFound,
    codec=RowCodec(LoyaltyAccount, a, status=by_value(AccountStatus), events=IGNORED),
)
EARNINGS = AggregateMap[Earning](
    kind="loyalty_earning", not_found=EarningNotFound,
    codec=RowCodec(Earning, e, status=by_value(EarningStatus), reversals=AS_JSON_LIST,
                   lines=children(loyalty_earning_lines, EarnedLine), events=IGNORED),
)
ENTRIES = AggregateMap[PointsEntry](
    kind="loyalty_entry", not_found=EntryNotFound,
    codec=RowCodec(PointsEntry, n, events=IGNORED),
)
CAMPAIGNS = AggregateMap[Campaign](
    kind="loyalty_campaign", not_found=CampaignNotFound,
    codec=RowCodec(Campaign, c, kind=by_value(CampaignKind), eligible_tiers=AS_JSON_LIST,
                   events=IGNORED),
)
REFERRALS = AggregateMap[Referral](
    kind="loyalty_referral", not_found=ReferralNotFound,
    codec=RowCodec(Referral, r, status=by_value(ReferralStatus), events=IGNORED),
)

_TIME = e.c.earned_at.type
_BY_CODE = sa.select(a).where(a.c.referral_code == sa.bindparam("code"))
_DUE = (sa.select(e)
        .where(e.c.status == EarningStatus.PENDING.value,
               e.c.available_at <= sa.bindparam("now", type_=_TIME))
        .order_by(e.c.available_at, CodePointOrder(e.c.id))
        .limit(sa.bindparam("limit")))
_SPEND = (sa.select(sa.func.coalesce(sa.func.sum(e.c.spend - e.c.reversed_spend), 0))
          .where(e.c.customer_id == sa.bindparam("customer_id"),
                 e.c.earned_at >= sa.bindparam("since", type_=_TIME)))
_HISTORY = (sa.select(n).where(n.c.customer_id == sa.bindparam("customer_id"))
            .order_by(n.c.created_at.desc(), CodePointOrder(n.c.id).desc())
            .limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))
_RUNNING = (sa.select(c)
            .where(c.c.active.is_(True),
                   c.c.starts_at <= sa.bindparam("now", type_=_TIME),
                   c.c.ends_at > sa.bindparam("now", type_=_TIME))
            .order_by(c.c.created_at, CodePointOrder(c.c.id)))
_OF_REFEREE = sa.select(r).where(r.c.referee_id == sa.bindparam("customer_id"))
_OF_REFERRER = (sa.select(r).where(r.c.referrer_id == sa.bindparam("customer_id"))
                .order_by(r.c.created_at.desc(), CodePointOrder(r.c.id).desc())
                .limit(sa.bindparam("limit")))


class _Finding(AggregateRepository[A]):
    _by_id: ClassVar[Any]

    def find(self, aggregate_id: str) -> A | None:
        cached = self._store.cached(aggregate_id)
        if cached is not None:
            return cached
        return self._store.first(self._by_id, {"id": aggregate_id})


class SqlProgramRepository(_Finding[Program]):
    _by_id = PROGRAMS.by_id


class SqlLoyaltyAccountRepository(_Finding[LoyaltyAccount]):
    _by_id = ACCOUNTS.by_id

    def by_code(self, referral_code: str) -> LoyaltyAccount | None:
        return self._store.first(_BY_CODE, {"code": referral_code})

    def list(self, *, limit: int = 50, after: str | None = None) -> builtins.list[LoyaltyAccount]:
        query = sa.select(a)
        if after is not None:
            query = query.where(CodePointOrder(a.c.id) > CodePointOrder(sa.literal(after)))
        return self._store.all(query.order_by(CodePointOrder(a.c.id)).limit(limit))


class SqlEarningRepository(_Finding[Earning]):
    _by_id = EARNINGS.by_id

    def due(self, now: datetime, limit: int) -> list[Earning]:
        return self._store.all(_DUE, {"now": now, "limit": limit})

    def spend_since(self, customer_id: str, since: datetime) -> int:
        return int(self._store.db.execute(_SPEND, {"customer_id": customer_id,
                                                   "since": since}).scalar_one())


class SqlEntryRepository(_Finding[PointsEntry]):
    _by_id = ENTRIES.by_id

    def of_customer(self, customer_id: str, *, limit: int = 50,
                    offset: int = 0) -> list[PointsEntry]:
        return self._store.all(_HISTORY, {"customer_id": customer_id, "limit": limit,
                                          "offset": offset})


class SqlLoyaltyCampaignRepository(AggregateRepository[Campaign]):
    def running(self, now: datetime) -> list[Campaign]:
        return self._store.all(_RUNNING, {"now": now})

    def list(self, *, include_ended: bool = True) -> builtins.list[Campaign]:
        query = sa.select(c)
        if not include_ended:
            query = query.where(c.c.active.is_(True))
        return self._store.all(query.order_by(c.c.created_at.desc(),
                                              CodePointOrder(c.c.id).desc()))


class SqlReferralRepository(AggregateRepository[Referral]):
    def of_referee(self, customer_id: str) -> Referral | None:
        return self._store.first(_OF_REFEREE, {"customer_id": customer_id})

    def of_referrer(self, customer_id: str, *, limit: int = 50) -> list[Referral]:
        return self._store.all(_OF_REFERRER, {"customer_id": customer_id, "limit": limit})
