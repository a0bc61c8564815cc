"""Loyalty storage in memory: the program, accounts, earnings, history, campaigns, referrals."""

from __future__ import annotations

import builtins
from datetime import datetime
from typing import Any

from adapters.memory.base import _Repository
from commerce_core.loyalty.errors import (
    CampaignNotFound,
    EarningNotFound,
    EntryNotFound,
    LoyaltyAccountNotFound,
    ProgramNotFound,
    ReferralNotFound,
)
from commerce_core.loyalty.ports import (
    Campaign,
    Earning,
    EarningStatus,
    LoyaltyAccount,
    PointsEntry,
    Referral,
)
from commerce_core.shared.errors import ConcurrencyConflict


class _Finding(_Repository):
    def find(self, aggregate_id: str) -> Any:
        cached = self._tracker.cached(self.kind, aggregate_id)
        if cached is not None:
            return cached
        row = self._rows.get(aggregate_id)
        return None if row is None else self._load(row)


class InMemoryProgramRepository(_Finding):
    kind = "loyalty_program"
    not_found = ProgramNotFound


class InMemoryLoyaltyAccountRepository(_Finding):
    kind = "loyalty_account"
    not_found = LoyaltyAccountNotFound
    unique = (("code", lambda a: [a.referral_code] if a.referral_code else [],
               ConcurrencyConflict),)

    def by_code(self, referral_code: str) -> LoyaltyAccount | None:
        rows = self._by("code", referral_code)
        found: LoyaltyAccount | None = self._load(rows[0]) if rows else None
        return found

    def list(self, *, limit: int = 50, after: str | None = None) -> builtins.list[LoyaltyAccount]:
        rows = sorted((x for x in self._all() if after is None or x.id > after),
                      key=lambda x: x.id)
        return [self._load(x) for x in rows[:limit]]


class InMemoryEarningRepository(_Finding):
    kind = "loyalty_earning"
    not_found = EarningNotFound
    indexed = (("customer", lambda x: [x.customer_id]),)

    def due(self, now: datetime, limit: int) -> list[Earning]:
        rows = sorted((x for x in self._all()
                       if x.status is EarningStatus.PENDING and x.available_at <= now),
                      key=lambda x: (x.available_at, x.id))
        return [self._load(x) for x in rows[:limit]]

    def spend_since(self, customer_id: str, since: datetime) -> int:
        return sum(x.spend - x.reversed_spend for x in self._by("customer", customer_id)
                   if x.earned_at >= since)


class InMemoryEntryRepository(_Finding):
    kind = "loyalty_entry"
    not_found = EntryNotFound
    indexed = (("customer", lambda x: [x.customer_id]),)

    def of_customer(self, customer_id: str, *, limit: int = 50,
                    offset: int = 0) -> list[PointsEntry]:
        rows = sorted(self._by("customer", customer_id), key=lambda x: (x.created_at, x.id),
                      reverse=True)
        return [self._load(x) for x in rows[offset:offset + limit]]


class InMemoryLoyaltyCampaignRepository(_Repository):
    kind = "loyalty_campaign"
    not_found = CampaignNotFound

    def running(self, now: datetime) -> list[Campaign]:
        rows = sorted((x for x in self._all() if x.active and x.starts_at <= now < x.ends_at),
                      key=lambda x: (x.created_at, x.id))
        return [self._load(x) for x in rows]

    def list(self, *, include_ended: bool = True) -> builtins.list[Campaign]:
        rows = sorted((x for x in self._all() if include_ended or x.active),
                      key=lambda x: (x.created_at, x.id), reverse=True)
        return [self._load(x) for x in rows]


class InMemoryReferralRepository(_Repository):
    kind = "loyalty_referral"
    not_found = ReferralNotFound
    unique = (("referee", lambda x: [x.referee_id], ConcurrencyConflict),)
    indexed = (("referrer", lambda x: [x.referrer_id]),)

    def of_referee(self, customer_id: str) -> Referral | None:
        rows = self._by("referee", customer_id)
        found: Referral | None = self._load(rows[0]) if rows else None
        return found

    def of_referrer(self, customer_id: str, *, limit: int = 50) -> list[Referral]:
        rows = sorted(self._by("referrer", customer_id), key=lambda x: (x.created_at, x.id),
                      reverse=True)
        return [self._load(x) for x in rows[:limit]]
