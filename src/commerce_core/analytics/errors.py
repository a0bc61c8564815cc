"""Analytics errors."""

from __future__ import annotations

from commerce_core.shared.errors import InvalidInput, NotFound, ServiceUnavailable


class MalformedEvent(InvalidInput):
    """An event analytics reads whose payload misses a field or holds a value of the wrong
    kind: it is parked as a dead letter, never half-applied (fail closed)."""

    code = "analytics.malformed_event"


class InvalidPeriod(InvalidInput):
    """A report period that ends before it starts, or spans more than the shop allows."""

    code = "analytics.invalid_period"


class DeadLetterNotFound(NotFound):
    code = "analytics.dead_letter_not_found"


class AnalyticsUnavailable(ServiceUnavailable):
    """The shop was built without analytics ports (`Ports.analytics`)."""

    code = "analytics.unavailable"
