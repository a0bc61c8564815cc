"""Loyalty errors."""

from __future__ import annotations

from commerce_core.shared.errors import Conflict, InvalidInput, NotFound


class InvalidLoyaltyInput(InvalidInput):
    """A rule, tier table, campaign or adjustment that breaks the program's shape."""

    code = "loyalty.invalid"


class LoyaltyAccountNotFound(NotFound):
    code = "loyalty.account_not_found"


class CampaignNotFound(NotFound):
    code = "loyalty.campaign_not_found"


class ReferralNotFound(NotFound):
    code = "loyalty.referral_not_found"


class EarningNotFound(NotFound):
    code = "loyalty.earning_not_found"


class EntryNotFound(NotFound):
    code = "loyalty.entry_not_found"


class ProgramNotFound(NotFound):
    code = "loyalty.program_not_found"


class AccountNotActive(Conflict):
    """A suspended or closed account earns nothing new and cannot be adjusted or referred."""

    code = "loyalty.account_not_active"


class ReferralRefused(Conflict):
    """A referral code that cannot be used by this customer: their own, unknown, expired, the
    referrer shares their email or phone, they already have a referrer or already ordered."""

    code = "loyalty.referral_refused"


class CampaignClosed(Conflict):
    code = "loyalty.campaign_closed"
