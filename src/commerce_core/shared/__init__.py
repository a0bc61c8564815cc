"""The shared kernel: money, ids, time, events, errors, the unit of work and the message bus."""

from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.errors import (
    BusinessRuleViolation,
    CommerceError,
    ConcurrencyConflict,
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    ServiceUnavailable,
)
from commerce_core.shared.events import DomainEvent, EventEnvelope
from commerce_core.shared.ids import IdGenerator, Uuid7Generator, uuid7
from commerce_core.shared.money import Money

__all__ = [
    "BusinessRuleViolation",
    "Clock",
    "CommerceError",
    "ConcurrencyConflict",
    "Conflict",
    "DomainEvent",
    "EventEnvelope",
    "Forbidden",
    "IdGenerator",
    "InvalidInput",
    "Money",
    "NotFound",
    "ServiceUnavailable",
    "SystemClock",
    "Uuid7Generator",
    "uuid7",
]
