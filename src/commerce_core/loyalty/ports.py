"""What loyalty consumes: storage for its program, accounts, earnings, history, campaigns and
referrals, and the points wallet (the value ledger's points accounts) the balance lives in."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from commerce_core.catalog.ports import ProductReadUnitOfWork
from commerce_core.customer.ports import CustomerUnitOfWork
from commerce_core.loyalty.model import (
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
from commerce_core.ordering.ports import OrderingUnitOfWork

__all__ = [
    "AccountStatus", "Campaign", "CampaignKind", "CampaignRepository", "EarnedLine", "Earning",
    "EarningRepository", "EarningStatus", "EntryRepository",
    "LoyaltyAccount", "LoyaltyAccountRepository", "LoyaltyUnitOfWork", "PointsEntry",
    "PointsWallet", "Program", "ProgramRepository", "Referral", "ReferralRepository",
    "ReferralStatus", "Tier",
]


class ProgramRepository(Protocol):
    def add(self, program: Program) -> None: ...

    def find(self, program_id: str) -> Program | None: ...


class LoyaltyAccountRepository(Protocol):
    def add(self, account: LoyaltyAccount) -> None:
        """A second account for the same customer, or a referral code already used, raises
        `ConcurrencyConflict` at the latest on commit."""
        ...

    def get(self, customer_id: str) -> LoyaltyAccount:
        """The account, or `LoyaltyAccountNotFound`."""
        ...

    def find(self, customer_id: str) -> LoyaltyAccount | None: ...

    def by_code(self, referral_code: str) -> LoyaltyAccount | None: ...

    def list(self, *, limit: int = 50, after: str | None = None) -> list[LoyaltyAccount]:
        """Accounts in id order after `after` (the downgrade job walks them page by page)."""
        ...


class EarningRepository(Protocol):
    def add(self, earning: Earning) -> None:
        """One earning per order: a second one raises `ConcurrencyConflict` on commit."""
        ...

    def find(self, order_id: str) -> Earning | None: ...

    def due(self, now: datetime, limit: int) -> list[Earning]:
        """Pending earnings whose `available_at` has come, oldest first."""
        ...

    def spend_since(self, customer_id: str, since: datetime) -> int:
        """Σ (spend - reversed_spend) of the customer's earnings from `since`, with one
        aggregate query."""
        ...


class EntryRepository(Protocol):
    def add(self, entry: PointsEntry) -> None:
        """An entry whose id exists raises `ConcurrencyConflict` at the latest on commit."""
        ...

    def find(self, entry_id: str) -> PointsEntry | None: ...

    def of_customer(self, customer_id: str, *, limit: int = 50,
                    offset: int = 0) -> list[PointsEntry]:
        """Newest first."""
        ...


class CampaignRepository(Protocol):
    def add(self, campaign: Campaign) -> None: ...

    def get(self, campaign_id: str) -> Campaign:
        """The campaign, or `CampaignNotFound`."""
        ...

    def running(self, now: datetime) -> list[Campaign]:
        """Active campaigns whose dates include `now`, oldest first."""
        ...

    def list(self, *, include_ended: bool = True) -> list[Campaign]:
        """Newest first."""
        ...


class ReferralRepository(Protocol):
    def add(self, referral: Referral) -> None:
        """One referral per referee: a second raises `ConcurrencyConflict` on commit."""
        ...

    def get(self, referral_id: str) -> Referral: ...

    def of_referee(self, customer_id: str) -> Referral | None: ...

    def of_referrer(self, customer_id: str, *, limit: int = 50) -> list[Referral]: ...


class LoyaltyUnitOfWork(ProductReadUnitOfWork, OrderingUnitOfWork, CustomerUnitOfWork,
                        Protocol):
    @property
    def loyalty_programs(self) -> ProgramRepository: ...

    @property
    def loyalty_accounts(self) -> LoyaltyAccountRepository: ...

    @property
    def loyalty_earnings(self) -> EarningRepository: ...

    @property
    def loyalty_entries(self) -> EntryRepository: ...

    @property
    def loyalty_campaigns(self) -> CampaignRepository: ...

    @property
    def loyalty_referrals(self) -> ReferralRepository: ...


class PointsWallet(Protocol):
    """Where spendable points live: one points account per customer, written in the caller's
    transaction (`uow`). Credits are lots expiring at `expires_at` (their expiry is the
    ledger's job, reported by `ledger.value_expired`); takes spend the lots first to expire;
    nothing goes below zero. Idempotent on (source, source_id)."""

    def balance(self, uow: Any, customer_id: str) -> int: ...

    def credit(self, uow: Any, customer_id: str, points: int, *, source: str, source_id: str,
               expires_at: datetime | None) -> int:
        """Adds `points`; returns the balance after."""
        ...

    def take(self, uow: Any, customer_id: str, points: int, *, source: str,
             source_id: str) -> tuple[int, int]:
        """Takes up to `points` (what is available, never more): (taken, balance after)."""
        ...
