"""Ledger commands: the expiry job and staff adjustments (credits, debits); other contexts
post through `services` in their own transactions instead."""

from __future__ import annotations

from attrs import frozen


@frozen
class ExpireDueValue:
    """Take what is left of due lots (the scheduled job); `limit` lots per run."""

    limit: int = 500


@frozen
class AdjustValue:
    """Staff correct an account: a positive `amount` credits, a negative one debits.
    Idempotent on `reference`."""

    account_id: str
    amount: int
    reference: str
    memo: str = ""
