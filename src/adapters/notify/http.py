"""What the HTTP providers share: one choke point turning httpx outcomes into the port's
errors (4xx permanent except 408 and 429, 5xx and transport errors transient)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from commerce_core.notification.errors import DeliveryFailed

RETRYABLE_4XX = frozenset({408, 409, 425, 429})


def call(provider: str, request: Callable[[], httpx.Response],
         code_of: Callable[[httpx.Response], str]) -> httpx.Response:
    try:
        response = request()
    except httpx.TimeoutException as exc:
        raise DeliveryFailed(f"{provider} timed out", permanent=False,
                             error_code="timeout") from exc
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{provider} unreachable: {type(exc).__name__}",
                             permanent=False, error_code="unavailable") from exc
    if response.is_success:
        return response
    status = response.status_code
    permanent = 400 <= status < 500 and status not in RETRYABLE_4XX
    raise DeliveryFailed(f"{provider} answered {status}", permanent=permanent,
                         error_code=code_of(response), status=status)


def json_field(response: httpx.Response, *path: str) -> str:
    """A field of a JSON error body, or '' (a proxy's HTML error page has none)."""
    try:
        value: object = response.json()
    except ValueError:
        return ""
    for name in path:
        if not isinstance(value, dict):
            return ""
        value = value.get(name)
    return "" if value is None else str(value)
