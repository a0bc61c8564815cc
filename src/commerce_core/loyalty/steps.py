"""The steps every loyalty use case is made of, each in the caller's unit of work, so a command
handler (its own transaction) and an event reaction (the subscriber's transaction, with its inbox
row) run the same code."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TypeVar

from attrs import field, frozen

from commerce_core.catalog import services as catalog
from commerce_core.customer import services as customers
from commerce_core.loyalty.commands import (
    AdjustPoints,
    ReverseReturnedPoints,
    UseReferralCode,
)
from commerce_core.loyalty.errors import InvalidLoyaltyInput, ReferralRefused
from commerce_core.loyalty.events import (
    PointsAdjusted,
    PointsDeducted,
    PointsEarned,
    PointsExpired,
    PointsReleased,
)
from commerce_core.loyalty.model import (
    DEFAULT_TIERS,
    PROGRAM_ID,
    ROLLING_WINDOW,
    AccountStatus,
    CampaignKind,
    EarnedLine,
    Earning,
    EarningStatus,
    LoyaltyAccount,
    PointsEntry,
    Program,
    Referral,
    ReferralStatus,
    add_months,
)
from commerce_core.loyalty.ports import LoyaltyUnitOfWork as Uow
from commerce_core.loyalty.ports import PointsWallet
from commerce_core.loyalty.queries import JobReport
from commerce_core.loyalty.rules import LineValue, eligible_values, line_points
from commerce_core.ordering import services as ordering
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.loyalty")

T = TypeVar("T")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed
CODE_LENGTH = 8
WALLET_SOURCE = "loyalty"  # ledger postings are sourced `loyalty.<source>`


@frozen
class LoyaltyPolicy:
    """The program's defaults (settings) until staff change them, and how long points stay
    pending (the return window, from the returns policy)."""

    currency: str = "VND"
    earn_rate: int = 1000  # minor units of `currency` per point
    earn_rates: Mapping[str, int] = field(factory=dict)  # other currencies
    welcome_points: int = 500
    referrer_points: int = 1000
    referee_points: int = 500
    referral_days: int = 90
    expiry_months: int = 24
    pending_days: int = 30

    def program(self, now: datetime) -> Program:
        rates = {k.upper(): v for k, v in self.earn_rates.items()}
        rates[self.currency.upper()] = self.earn_rate
        return Program(PROGRAM_ID, self.currency.upper(), DEFAULT_TIERS, {}, rates,
                       self.welcome_points, self.referrer_points, self.referee_points,
                       self.referral_days, self.expiry_months, now)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _same_email(a: str, b: str) -> bool:
    """Plus-addressing does not make another person: `ann+2@x` is `ann@x`."""
    def bare(email: str) -> str:
        local, _, domain = email.strip().lower().partition("@")
        return f"{local.split('+', 1)[0]}@{domain}"
    return bare(a) == bare(b)


class Loyalty:
    """The steps every loyalty use case is made of, in the caller's unit of work."""

    def __init__(self, uow: UnitOfWorkFactory[Uow], clock: Clock, ids: IdGenerator,
                 wallet: PointsWallet, policy: LoyaltyPolicy) -> None:
        self.uow, self.clock, self.ids, self.wallet, self.policy = uow, clock, ids, wallet, policy

    def run(self, step: Callable[[Uow, datetime], T]) -> T:
        """`step` in a transaction of its own."""
        with self.uow() as uow:
            result = step(uow, self.clock.now())
            uow.commit()
        return result

    # -- program and accounts -------------------------------------------------------------------
    def program(self, uow: Uow, now: datetime, *, stored: bool = False) -> Program:
        found = uow.loyalty_programs.find(PROGRAM_ID)
        if found is not None:
            return found
        program = self.policy.program(now)
        if stored:
            uow.loyalty_programs.add(program)
        return program

    def account(self, uow: Uow, customer_id: str, now: datetime) -> LoyaltyAccount:
        """The customer's account, opened (without a welcome bonus) if they have none: a
        customer from before the program earns on their next order all the same."""
        account = uow.loyalty_accounts.find(customer_id)
        if account is None:
            program = self.program(uow, now)
            account = LoyaltyAccount.open(customer_id, program.tiers[0].code, new_code(), now)
            uow.loyalty_accounts.add(account)
        return account

    def open(self, uow: Uow, customer_id: str, welcome: bool, now: datetime) -> bool:
        if uow.loyalty_accounts.find(customer_id) is not None:
            return False
        account = self.account(uow, customer_id, now)
        program = self.program(uow, now)
        if welcome and program.welcome_points:
            self.bonus(uow, account, program, program.welcome_points, "welcome_bonus",
                       customer_id, "welcome bonus", now)
        return True

    def _entry(self, uow: Uow, kind: str, account: LoyaltyAccount, points: int, *,
               status: str, balance: int, source: str, source_id: str, description: str,
               now: datetime, debt: int = 0) -> PointsEntry:
        entry = PointsEntry(self._key(kind, source, source_id, account.id), account.id, kind,
                            points, status, balance, source, source_id, description[:200], now,
                            debt)
        uow.loyalty_entries.add(entry)
        return entry

    @staticmethod
    def _key(kind: str, source: str, source_id: str, customer_id: str) -> str:
        return f"{PointsEntry.key(kind, source, source_id)}:{customer_id}"

    def _done(self, uow: Uow, kind: str, source: str, source_id: str, customer_id: str) -> bool:
        return uow.loyalty_entries.find(self._key(kind, source, source_id, customer_id)) \
            is not None

    def _credit(self, uow: Uow, account: LoyaltyAccount, points: int, *, source: str,
                source_id: str, expires_at: datetime) -> int:
        """Credit the wallet, paying the account's debt first (rule A2.12)."""
        paid = account.settle_debt(points)
        if points - paid <= 0:
            return self.wallet.balance(uow, account.id)
        return self.wallet.credit(uow, account.id, points - paid,
                                  source=f"{WALLET_SOURCE}.{source}", source_id=source_id,
                                  expires_at=expires_at)

    def bonus(self, uow: Uow, account: LoyaltyAccount, program: Program, points: int,
              source: str, source_id: str, description: str, now: datetime) -> int:
        """Spendable points at once (welcome, referral, manual), once per source."""
        if points <= 0 or self._done(uow, "bonus", source, source_id, account.id):
            return 0
        balance = self._credit(uow, account, points, source=source, source_id=source_id,
                               expires_at=add_months(now, program.expiry_months))
        account.credited(points, now)
        self._entry(uow, "bonus", account, points, status="completed", balance=balance,
                    source=source, source_id=source_id, description=description, now=now)
        account.events.append(PointsEarned(account.id, points, source, source_id, "available",
                                           account.tier, balance, now))
        return points

    def retier(self, uow: Uow, account: LoyaltyAccount, program: Program, now: datetime,
               unflushed: int = 0) -> None:
        """Rule A2.4 in the caller's transaction; `unflushed`: spend this transaction changed
        that storage does not show yet."""
        spend = uow.loyalty_earnings.spend_since(account.id, now - ROLLING_WINDOW) + unflushed
        account.evaluate_tier(program, max(0, spend), now)

    # -- earning ----------------------------------------------------------------------------------
    def earn(self, uow: Uow, order_id: str, now: datetime) -> Earning | None:
        """Rules A2.1-A2.3, A2.7: one earning per order, whichever event comes first."""
        if uow.loyalty_earnings.find(order_id) is not None:
            return None
        try:
            order = ordering.returnable(uow, order_id)
        except OrderNotFound:
            log.warning("loyalty: order %s not found, nothing earned", order_id)
            return None
        if order.customer_id is None:
            return None
        program = self.program(uow, now)
        rate = program.rate(order.currency)
        if rate is None:
            log.info("loyalty: no earn rate for %s, order %s earns nothing", order.currency,
                     order_id)
            return None
        account = self.account(uow, order.customer_id, now)
        if not account.active:
            return None
        items = catalog.sellable(uow, {ln.sku for ln in order.lines})
        values = eligible_values([ln.line_total for ln in order.lines], order.discount)
        lines = [LineValue(ln.line_id, ln.sku, ln.quantity, value,
                           items[ln.sku].category_ids if ln.sku in items else ())
                 for ln, value in zip(order.lines, values, strict=True)]
        eligible = sum(values)
        tier = program.tier(account.tier)
        cats = program.category_multipliers
        points = [line_points(ln, rate=rate, categories=cats, tier=tier.multiplier)
                  for ln in lines]
        bonus = 0
        running = [c for c in uow.loyalty_campaigns.running(now)
                   if c.applies(account.tier, order.currency, eligible, now)]
        boost = max((c for c in running if c.kind is CampaignKind.MULTIPLIER),
                    key=lambda c: c.multiplier, default=None)
        if boost is not None:
            boosted = [line_points(ln, rate=rate, categories=cats, tier=tier.multiplier,
                                   campaign=boost.multiplier) for ln in lines]
            extra = sum(boosted) - sum(points)
            granted = boost.award(extra, now)
            if granted == extra:
                points = boosted
            else:  # the budget ran out: what is left of it, as a bonus
                bonus += granted
        for campaign in running:
            if campaign.kind is CampaignKind.BONUS:
                bonus += campaign.award(campaign.bonus_points, now)
        total = sum(points) + bonus
        delivered = order.delivered_at or now
        earning = Earning(
            order_id, account.id, order.currency, eligible,
            program.spend_of(eligible, order.currency), total, bonus, 0, 0,
            EarningStatus.PENDING, now, delivered + timedelta(days=self.policy.pending_days),
            add_months(now, program.expiry_months), (),
            [EarnedLine(ln.line_id, ln.sku, ln.quantity, ln.value, p)
             for ln, p in zip(lines, points, strict=True)])
        uow.loyalty_earnings.add(earning)
        account.earned_pending(total, now)
        balance = self.wallet.balance(uow, account.id)
        self._entry(uow, "earn", account, total, status="pending", balance=balance,
                    source="order", source_id=order_id,
                    description=f"order {order.number}", now=now)
        account.events.append(PointsEarned(account.id, total, "order", order_id, "pending",
                                           account.tier, None, now))
        self.retier(uow, account, program, now, unflushed=earning.spend)
        if account.referred_by is not None and account.orders_earned == 1:
            self.complete_referral(uow, account, program, order_id, now)
        return earning

    def complete_referral(self, uow: Uow, referee: LoyaltyAccount, program: Program,
                          order_id: str, now: datetime) -> None:
        """Rule A2.6: both sides are rewarded on the referee's first order that earns."""
        assert referee.referred_by is not None
        referral = uow.loyalty_referrals.get(referee.referred_by)
        if not referral.complete(order_id, program.referrer_points, program.referee_points,
                                 now):
            return
        referrer = uow.loyalty_accounts.find(referral.referrer_id)
        if referrer is not None and referrer.active:
            self.bonus(uow, referrer, program, program.referrer_points, "referral", referral.id,
                       "referral: a friend's first order", now)
        self.bonus(uow, referee, program, program.referee_points, "referral", referral.id,
                   "referral: your first order", now)

    # -- release, reversal, expiry ---------------------------------------------------------------
    def release_due(self, uow: Uow, limit: int, now: datetime) -> JobReport:
        count = points = 0
        for earning in uow.loyalty_earnings.due(now, limit):
            released = earning.release()
            account = uow.loyalty_accounts.find(earning.customer_id)
            count += 1
            if account is None or account.status is AccountStatus.CLOSED:
                continue  # a closed account's pending points lapse
            account.released(released, now)
            balance = (self._credit(uow, account, released, source="order",
                                    source_id=earning.id, expires_at=earning.expires_at)
                       if released else self.wallet.balance(uow, account.id))
            self._entry(uow, "release", account, released, status="completed",
                        balance=balance, source="order", source_id=earning.id,
                        description="return window closed", now=now)
            account.events.append(PointsReleased(account.id, earning.id, released, balance,
                                                 earning.expires_at, now))
            points += released
        return JobReport(count, points)

    def take_back(self, uow: Uow, earning: Earning, points: int, spend: int, *,
                  was_pending: bool, source: str, source_id: str, now: datetime) -> None:
        """Rule A2.8/A2.12: pending points are cancelled; spendable ones are taken from the
        balance as far as it goes, the rest recorded as debt."""
        account = uow.loyalty_accounts.get(earning.customer_id)
        if was_pending:
            pending, taken = points, 0
            balance = self.wallet.balance(uow, account.id)
        else:
            pending = 0
            taken, balance = (self.wallet.take(uow, account.id, points,
                                               source=f"{WALLET_SOURCE}.{source}",
                                               source_id=source_id)
                              if points else (0, self.wallet.balance(uow, account.id)))
        debt = points - pending - taken
        account.took_back(pending=pending, spendable=taken, debt=debt, now=now)
        self._entry(uow, "deduct", account, points, status="completed", balance=balance,
                    source=source, source_id=source_id, description=f"order {earning.id}",
                    now=now, debt=debt)
        account.events.append(PointsDeducted(account.id, points, source, source_id,
                                             earning.id, pending, debt, balance, now))
        in_window = earning.earned_at >= now - ROLLING_WINDOW
        self.retier(uow, account, self.program(uow, now), now,
                    unflushed=-spend if in_window else 0)

    def reverse_order(self, uow: Uow, order_id: str, now: datetime) -> int:
        earning = uow.loyalty_earnings.find(order_id)
        if earning is None or earning.status is EarningStatus.CANCELLED or \
                self._done(uow, "deduct", "order_cancellation", order_id, earning.customer_id):
            return 0
        was_pending = earning.status is EarningStatus.PENDING
        points, spend = earning.cancel()
        self.take_back(uow, earning, points, spend, was_pending=was_pending,
                       source="order_cancellation", source_id=order_id, now=now)
        return points

    def reverse_return(self, uow: Uow, cmd: ReverseReturnedPoints, now: datetime) -> int:
        earning = uow.loyalty_earnings.find(cmd.order_id)
        if earning is None:
            return 0
        was_pending = earning.status is EarningStatus.PENDING
        outcome = earning.returned(cmd.return_id, dict(cmd.quantities), cmd.full)
        if outcome is None:
            return 0
        points, spend = outcome
        self.take_back(uow, earning, points, spend, was_pending=was_pending,
                       source="order_return", source_id=cmd.return_id, now=now)
        return points

    def expired(self, uow: Uow, customer_id: str, points: int, reference: str,
                now: datetime) -> None:
        """The ledger expired a lot of the customer's points (rule A2.11): the history says so
        once."""
        account = uow.loyalty_accounts.find(customer_id)
        if account is None or self._done(uow, "expire", "expiry", reference, customer_id):
            return
        balance = self.wallet.balance(uow, customer_id)
        self._entry(uow, "expire", account, points, status="completed", balance=balance,
                    source="expiry", source_id=reference, description="points expired",
                    now=now)
        account.events.append(PointsExpired(account.id, points, balance, now))

    def recalculate_page(self, uow: Uow, after: str | None, size: int,
                         now: datetime) -> tuple[int, int, str | None]:
        """One page of accounts in id order after `after`: (seen, tiers changed, last id)."""
        program = self.program(uow, now)
        page = uow.loyalty_accounts.list(limit=size, after=after)
        changed = 0
        for account in page:
            if account.status is AccountStatus.CLOSED:
                continue
            before = account.tier
            self.retier(uow, account, program, now)
            changed += before != account.tier
        return len(page), changed, page[-1].id if page else None

    def adjust(self, uow: Uow, cmd: AdjustPoints, now: datetime) -> PointsEntry:
        if isinstance(cmd.points, bool) or cmd.points == 0 or abs(cmd.points) > 10_000_000:
            raise InvalidLoyaltyInput("an adjustment is a non-zero number of points")
        reason, reference = cmd.reason.strip(), cmd.reference.strip()
        if not 1 <= len(reason) <= 200 or not 1 <= len(reference) <= 100:
            raise InvalidLoyaltyInput("an adjustment needs a reason and a reference")
        key = self._key("adjust", "manual", reference, cmd.customer_id)
        done = uow.loyalty_entries.find(key)
        if done is not None:
            return done
        account = uow.loyalty_accounts.get(cmd.customer_id)
        account.require_active()
        program = self.program(uow, now)
        debt = 0
        if cmd.points > 0:
            balance = self._credit(uow, account, cmd.points, source="manual",
                                   source_id=reference,
                                   expires_at=add_months(now, program.expiry_months))
            account.credited(cmd.points, now)
        else:
            taken, balance = self.wallet.take(uow, account.id, -cmd.points,
                                              source=f"{WALLET_SOURCE}.manual",
                                              source_id=reference)
            debt = -cmd.points - taken
            account.took_back(pending=0, spendable=taken, debt=debt, now=now)
        account.events.append(PointsAdjusted(account.id, cmd.points, reason, balance, debt,
                                             now))
        return self._entry(uow, "adjust", account, abs(cmd.points), status="completed",
                           balance=balance, source="manual", source_id=reference,
                           description=reason, now=now, debt=debt)

    def use_code(self, uow: Uow, cmd: UseReferralCode, now: datetime) -> Referral:
        """Rule A2.6 and the abuse checks: not one's own code (nor one of someone with the same
        email or phone), one referrer per customer, before their first order."""
        code = cmd.code.strip().upper()
        if not code or len(code) > 32:
            raise InvalidLoyaltyInput("a referral code has 1 to 32 characters")
        account = self.account(uow, cmd.customer_id, now)
        account.require_active()
        referrer = uow.loyalty_accounts.by_code(code)
        if referrer is None or not referrer.active:
            raise ReferralRefused("this referral code is not valid", reason="unknown")
        if referrer.id == account.id:
            raise ReferralRefused("a customer cannot use their own referral code",
                                  reason="self")
        if account.referred_by is not None or \
                uow.loyalty_referrals.of_referee(account.id) is not None:
            raise ReferralRefused("a referral code was already used", reason="already")
        if account.orders_earned > 0:
            raise ReferralRefused("referral codes are for a first order", reason="not_first")
        mine, theirs = customers.contact(uow, account.id), customers.contact(uow, referrer.id)
        if mine is not None and theirs is not None and (
                _same_email(mine.email, theirs.email)
                or (mine.phone and theirs.phone and mine.phone == theirs.phone)):
            raise ReferralRefused("this referral code is not valid", reason="same_person")
        program = self.program(uow, now)
        referral = Referral(self.ids.new_id(), referrer.id, account.id, ReferralStatus.PENDING,
                            0, 0, now, now + timedelta(days=program.referral_days))
        uow.loyalty_referrals.add(referral)
        account.referred_by, account.updated_at = referral.id, now
        return referral

    def close_erased(self, uow: Uow, customer_id: str, now: datetime) -> None:
        account = uow.loyalty_accounts.find(customer_id)
        if account is None or account.status is AccountStatus.CLOSED:
            return
        account.close("customer erased", now)
        referral = uow.loyalty_referrals.of_referee(customer_id)
        if referral is not None:
            referral.cancel()


