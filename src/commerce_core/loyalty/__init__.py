"""Loyalty: points earned on delivered orders (pending until the return window closes), reversed
on cancellation and returns, tiers by rolling spend, campaigns, referrals, welcome bonuses and
expiry. The spendable balance lives in the value ledger (docs/loyalty.md)."""
