"""Ledger errors."""

from __future__ import annotations

from commerce_core.shared.errors import BusinessRuleViolation, Conflict, InvalidInput, NotFound


class InvalidLedgerRequest(InvalidInput):
    """A non-positive amount, an unknown account kind or unit, a posting to itself."""

    code = "ledger.invalid"


class AccountNotFound(NotFound):
    code = "ledger.account_not_found"


class HoldNotFound(NotFound):
    code = "ledger.hold_not_found"


class InsufficientValue(BusinessRuleViolation):
    """The account's available value (balance less active holds) does not cover the amount;
    `available` says how much it does."""

    code = "ledger.insufficient_value"


class HoldSettled(Conflict):
    """The hold was already released (or expired): it can no longer be captured."""

    code = "ledger.hold_settled"
