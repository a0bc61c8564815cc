"""The loyalty repositories' contract, on every adapter: the program, accounts, earnings (with
their lines), history entries, campaigns and referrals read back as written; the unique keys
(one account per referral code, one earning per order, one entry per effect, one referral per
referee) refuse a second; the job and tier queries read what they promise."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest

from commerce_core.loyalty.errors import CampaignNotFound, LoyaltyAccountNotFound
from commerce_core.loyalty.model import DEFAULT_TIERS, PROGRAM_ID, CampaignKind
from commerce_core.loyalty.ports import (
    Campaign,
    EarnedLine,
    Earning,
    EarningStatus,
    LoyaltyAccount,
    LoyaltyUnitOfWork,
    PointsEntry,
    Program,
    Referral,
    ReferralStatus,
    Tier,
)
from commerce_core.shared.errors import ConcurrencyConflict
from tests.contract.conftest import Store


def uow(store: Store) -> LoyaltyUnitOfWork:
    return cast(LoyaltyUnitOfWork, store.uow())


def account(store: Store, customer_id: str = "c-1", code: str | None = "LAN2026A"
            ) -> LoyaltyAccount:
    made = LoyaltyAccount.open(customer_id, "bronze", code or "", store.clock.now())
    made.referral_code = code
    with uow(store) as u:
        u.loyalty_accounts.add(made)
        u.commit()
    return made


def earning(store: Store, order_id: str, customer_id: str = "c-1", *, spend: int = 1_000_000,
            days_ago: int = 0, available_in: int = 30) -> Earning:
    at = store.clock.now() - timedelta(days=days_ago)
    made = Earning(order_id, customer_id, "VND", spend, spend, spend // 1000, 0, 0, 0,
                   EarningStatus.PENDING, at, at + timedelta(days=available_in),
                   at + timedelta(days=730), (),
                   [EarnedLine("l-1", "LINEN-SHIRT-M", 2, spend, spend // 1000)])
    with uow(store) as u:
        u.loyalty_earnings.add(made)
        u.commit()
    return made


def test_the_program_reads_back_with_its_tiers_and_rules(store: Store) -> None:
    now = store.clock.now()
    program = Program(PROGRAM_ID, "VND", DEFAULT_TIERS, {"cat-1": 200}, {"VND": 1000, "USD": 4},
                      500, 1000, 500, 90, 24, now)
    with uow(store) as u:
        assert u.loyalty_programs.find(PROGRAM_ID) is None
        u.loyalty_programs.add(program)
        u.commit()
    with uow(store) as u:
        loaded = u.loyalty_programs.find(PROGRAM_ID)
        assert loaded is not None
        loaded.change(tiers=(Tier("basic", "Basic", 0, 100), Tier("vip", "VIP", 10, 300)),
                      now=now)
        u.commit()

    with uow(store) as u:
        again = u.loyalty_programs.find(PROGRAM_ID)

    assert again is not None
    assert [t.code for t in again.tiers] == ["basic", "vip"]
    assert again.tier("vip") == Tier("vip", "VIP", 10, 300)
    assert (again.category_multipliers, again.earn_rates) == ({"cat-1": 200},
                                                               {"VND": 1000, "USD": 4})


def test_an_account_reads_back_by_customer_and_by_code(store: Store) -> None:
    account(store)

    with uow(store) as u:
        by_id = u.loyalty_accounts.get("c-1")
        by_code = u.loyalty_accounts.by_code("LAN2026A")
        assert u.loyalty_accounts.by_code("NOPE") is None
        assert u.loyalty_accounts.find("c-9") is None
        with pytest.raises(LoyaltyAccountNotFound):
            u.loyalty_accounts.get("c-9")

    assert by_code is not None
    assert by_code.id == by_id.id == "c-1"
    assert (by_id.status.value, by_id.tier, by_id.referral_code) == ("active", "bronze",
                                                                     "LAN2026A")


def test_a_referral_code_belongs_to_one_account(store: Store) -> None:
    account(store, "c-1", "SAMECODE")

    with pytest.raises(ConcurrencyConflict):
        account(store, "c-2", "SAMECODE")


def test_accounts_list_in_id_order_page_by_page(store: Store) -> None:
    for customer in ("c-3", "c-1", "c-2"):
        account(store, customer, code=f"CODE{customer[-1]}")

    with uow(store) as u:
        first = u.loyalty_accounts.list(limit=2)
        rest = u.loyalty_accounts.list(limit=2, after=first[-1].id)

    assert [a.id for a in first] == ["c-1", "c-2"]
    assert [a.id for a in rest] == ["c-3"]


def test_an_earning_reads_back_with_its_lines_and_is_one_per_order(store: Store) -> None:
    earning(store, "o-1")
    with uow(store) as u:
        loaded = u.loyalty_earnings.find("o-1")
        assert loaded is not None
        assert loaded.returned("r-1", {"l-1": 1}, False) == (500, 500_000)
        u.commit()

    with uow(store) as u:
        again = u.loyalty_earnings.find("o-1")
    assert again is not None
    assert (again.reversed, again.reversals) == (500, ("r-1",))
    assert again.lines == [EarnedLine("l-1", "LINEN-SHIRT-M", 2, 1_000_000, 1000, 1)]
    with pytest.raises(ConcurrencyConflict):
        earning(store, "o-1")


def test_due_earnings_are_the_pending_ones_whose_window_closed(store: Store) -> None:
    earning(store, "o-late", available_in=1)
    earning(store, "o-due", days_ago=40)
    earning(store, "o-also-due", days_ago=31)
    with uow(store) as u:
        released = u.loyalty_earnings.find("o-also-due")
        assert released is not None
        released.release()
        u.commit()

    with uow(store) as u:
        due = u.loyalty_earnings.due(store.clock.now(), 10)

    assert [e.id for e in due] == ["o-due"]


def test_spend_since_sums_what_is_left_of_the_customers_recent_earnings(store: Store) -> None:
    earning(store, "o-old", days_ago=400, spend=9_000_000)
    earning(store, "o-1", spend=2_000_000)
    earning(store, "o-2", days_ago=10, spend=1_000_000)
    earning(store, "o-other", "c-2", spend=5_000_000)
    with uow(store) as u:
        returned = u.loyalty_earnings.find("o-1")
        assert returned is not None
        returned.returned("r-1", {"l-1": 1}, False)
        u.commit()

    with uow(store) as u:
        spend = u.loyalty_earnings.spend_since("c-1", store.clock.now() - timedelta(days=365))
        nothing = u.loyalty_earnings.spend_since("c-9", store.clock.now())

    assert (spend, nothing) == (2_000_000, 0)


def test_history_entries_are_one_per_effect_newest_first(store: Store) -> None:
    now = store.clock.now()
    with uow(store) as u:
        for i, kind in enumerate(("earn", "release", "bonus")):
            u.loyalty_entries.add(PointsEntry(f"{kind}:order:o-1:c-1", "c-1", kind, 100,
                                              "completed", 100 * i, "order", "o-1", kind,
                                              now + timedelta(minutes=i)))
        u.commit()

    with uow(store) as u:
        page = u.loyalty_entries.of_customer("c-1", limit=2)
        second = u.loyalty_entries.of_customer("c-1", limit=2, offset=2)
        found = u.loyalty_entries.find("release:order:o-1:c-1")

    assert [e.kind for e in page] == ["bonus", "release"]
    assert [e.kind for e in second] == ["earn"]
    assert found is not None
    assert found.balance_after == 100
    with uow(store) as u:
        u.loyalty_entries.add(PointsEntry("earn:order:o-1:c-1", "c-1", "earn", 1, "pending",
                                          0, "order", "o-1", "again", now))
        with pytest.raises(ConcurrencyConflict):
            u.commit()


def test_running_campaigns_are_active_within_their_dates(store: Store) -> None:
    now = store.clock.now()

    def campaign(cid: str, starts: int, ends: int) -> Campaign:
        return Campaign.create(cid, name=cid, kind=CampaignKind.BONUS, multiplier=100,
                               bonus_points=50, min_purchase=0, currency="VND",
                               eligible_tiers=("gold",), starts_at=now + timedelta(days=starts),
                               ends_at=now + timedelta(days=ends), budget=100, now=now)
    with uow(store) as u:
        for made in (campaign("now", -1, 1), campaign("later", 1, 2), campaign("past", -3, -1),
                     campaign("ended", -1, 1)):
            u.loyalty_campaigns.add(made)
        u.commit()
    with uow(store) as u:
        u.loyalty_campaigns.get("ended").end(now)
        assert u.loyalty_campaigns.get("now").award(80, now) == 80
        u.commit()

    with uow(store) as u:
        running = u.loyalty_campaigns.running(now)
        active = u.loyalty_campaigns.list(include_ended=False)
        with pytest.raises(CampaignNotFound):
            u.loyalty_campaigns.get("nope")

    assert [c.id for c in running] == ["now"]
    assert (running[0].awarded, running[0].left, running[0].eligible_tiers) == (80, 20,
                                                                                 ("gold",))
    assert sorted(c.id for c in active) == ["later", "now", "past"]


def test_a_referee_has_one_referral_and_a_referrer_lists_theirs(store: Store) -> None:
    now = store.clock.now()
    with uow(store) as u:
        u.loyalty_referrals.add(Referral("ref-1", "c-1", "c-2", ReferralStatus.PENDING, 0, 0,
                                         now, now + timedelta(days=90)))
        u.loyalty_referrals.add(Referral("ref-2", "c-1", "c-3", ReferralStatus.PENDING, 0, 0,
                                         now + timedelta(minutes=1),
                                         now + timedelta(days=90)))
        u.commit()
    with uow(store) as u:
        u.loyalty_referrals.get("ref-1").complete("o-1", 1000, 500, now)
        u.commit()

    with uow(store) as u:
        mine = u.loyalty_referrals.of_referrer("c-1")
        theirs = u.loyalty_referrals.of_referee("c-2")
        nobody = u.loyalty_referrals.of_referee("c-9")

    assert [r.id for r in mine] == ["ref-2", "ref-1"]
    assert theirs is not None
    assert (theirs.status, theirs.order_id, theirs.referrer_points) == (
        ReferralStatus.COMPLETED, "o-1", 1000)
    assert nobody is None
    with uow(store) as u:
        u.loyalty_referrals.add(Referral("ref-3", "c-4", "c-2", ReferralStatus.PENDING, 0, 0,
                                         now, now + timedelta(days=90)))
        with pytest.raises(ConcurrencyConflict):
            u.commit()
