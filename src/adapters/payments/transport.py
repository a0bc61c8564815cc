"""What every HTTP adapter does the same way: map transport failures onto the port's errors,
and remember final answers by idempotency key.

Mapping (the port's contract): a read or write timeout raises `GatewayTimeout` because the
provider may have acted; a connect timeout, a refused connection, a 5xx or a 429 raises
`GatewayUnavailable` because it did not (or says it did not) act. Messages name the provider
and the status, never a credential or a request body.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import httpx

from commerce_core.payment.errors import GatewayTimeout, GatewayUnavailable
from commerce_core.payment.ports import GatewayResult


def send(provider: str, call: Callable[[], httpx.Response]) -> httpx.Response:
    """Run one HTTP call; transport failures and 5xx/429 become the port's errors. Other
    statuses are returned for the adapter to read (declines live in 4xx bodies)."""
    try:
        response = call()
    except (httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise GatewayUnavailable(f"{provider} could not be reached in time") from exc
    except httpx.TimeoutException as exc:
        raise GatewayTimeout(f"{provider} did not answer in time") from exc
    except httpx.TransportError as exc:
        raise GatewayUnavailable(f"{provider} could not be reached") from exc
    if response.status_code == 429:
        raise GatewayUnavailable(f"{provider} is rate limiting requests (429)",
                                 status=429, retry_after=response.headers.get("retry-after"))
    if response.status_code >= 500:
        raise GatewayUnavailable(f"{provider} answered {response.status_code}",
                                 status=response.status_code)
    return response


def json_object(provider: str, response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object, or `GatewayUnavailable` for anything else."""
    try:
        data = response.json()
    except ValueError as exc:
        raise GatewayUnavailable(f"{provider} answered {response.status_code} without JSON",
                                 status=response.status_code) from exc
    if not isinstance(data, dict):
        raise GatewayUnavailable(f"{provider} answered an unexpected body",
                                 status=response.status_code)
    return data


class ResultMemo:
    """Final answers by idempotency key, so a repeated call in this process returns the first
    outcome without a second request. Only results are kept, never errors: after a timeout the
    call goes to the provider again with the same key, and the provider's own idempotency
    decides. Bounded, oldest first out; the provider's key covers what it has forgotten."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._results: OrderedDict[str, GatewayResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> GatewayResult | None:
        with self._lock:
            return self._results.get(key)

    def put(self, key: str, result: GatewayResult, *, keep_pending: bool = False) -> GatewayResult:
        """Keep `result`; a pending one only with `keep_pending` (a redirect to pay is the
        attempt's answer, a "still processing" is not)."""
        if result.pending and not keep_pending:
            return result
        with self._lock:
            self._results[key] = result
            while len(self._results) > self._size:
                self._results.popitem(last=False)
        return result
