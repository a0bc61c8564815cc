"""Notification errors."""

from __future__ import annotations

from typing import Any

from commerce_core.shared.errors import CommerceError, Conflict, InvalidInput, NotFound


class NotificationNotFound(NotFound):
    code = "notification.not_found"


class InvalidNotification(InvalidInput):
    """A request naming an unknown channel, category, template or locale, missing a template
    variable, or a preference out of range."""

    code = "notification.invalid"


class NotRetryable(Conflict):
    """Only a failed notification can be sent again by hand."""

    code = "notification.not_retryable"


class DeliveryFailed(CommerceError):
    """A provider did not take the message. `permanent` failures (a refused recipient, a 4xx
    answer) are never retried; transient ones (a timeout, a 5xx, a refused connection) are.
    Raised by `Notifier` adapters only, from one place each, chained to the provider's error."""

    code = "notification.delivery_failed"

    def __init__(self, message: str, *, permanent: bool, error_code: str = "",
                 **details: Any) -> None:
        super().__init__(message, permanent=permanent, error_code=error_code, **details)
        self.permanent = permanent
        self.error_code = error_code or ("permanent" if permanent else "transient")
