"""The error hierarchy: every error has a stable machine-readable `code` and the caller's data."""

from __future__ import annotations

from typing import Any, ClassVar


class CommerceError(Exception):
    """Base of every error the core raises on purpose.

    `code` is stable across releases (clients switch on it); `details` carries what a caller needs
    to act (ids, available quantity). Entry points map the category classes below to transport
    status codes in one table each.
    """

    code: ClassVar[str] = "commerce.error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InvalidInput(CommerceError):
    """The request is malformed or breaks a rule that input alone decides: sent again unchanged,
    it fails again whatever the shop's state."""

    code = "commerce.invalid_input"


class NotFound(CommerceError):
    code = "commerce.not_found"


class Conflict(CommerceError):
    """The request contradicts the current state (wrong status, duplicate, stale version)."""

    code = "commerce.conflict"


class BusinessRuleViolation(CommerceError):
    """Valid input the business refuses in the shop's current state (out of stock, limit
    reached, declined): the same request may succeed once that state changes."""

    code = "commerce.rule_violation"


class ConcurrencyConflict(Conflict):
    """Someone else changed the aggregate first; the caller may retry with fresh state."""

    code = "commerce.concurrent_update"


class ServiceUnavailable(CommerceError):
    """A dependency is down or timed out; retrying later may succeed."""

    code = "commerce.unavailable"


class Forbidden(CommerceError):
    code = "commerce.forbidden"
