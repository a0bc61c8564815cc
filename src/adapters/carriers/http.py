"""How the carrier adapters call their APIs: one place maps transport failures onto the port's
errors and logs each call without credentials or bodies.

Mapping (the port's contract): any timeout, a refused connection, a 5xx or a 429 raises
`CarrierUnavailable` (worth retrying or falling back; a booking that may have happened is found
again with `find_booking`); everything else is returned for the adapter to read, since each
carrier words its refusals differently. Messages name the carrier, the path and the status,
never a token, a secret or a request body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from commerce_core.shipping.ports import CarrierUnavailable

log = logging.getLogger("adapters.carriers")


def send(carrier: str, what: str, call: Callable[[], httpx.Response], *,
         request_id_header: str | None = None) -> httpx.Response:
    """Run one HTTP call named `what` (a path, for logs); transport failures, 5xx and 429
    become `CarrierUnavailable`. `request_id_header` names the response header the carrier
    identifies the call by (logged for support tickets)."""
    try:
        response = call()
    except httpx.TimeoutException as exc:
        log.warning("%s %s timed out", carrier, what)
        raise CarrierUnavailable(f"{carrier} did not answer {what} in time",
                                 carrier=carrier) from exc
    except httpx.TransportError as exc:
        log.warning("%s %s could not be reached: %s", carrier, what, type(exc).__name__)
        raise CarrierUnavailable(f"{carrier} could not be reached", carrier=carrier) from exc
    request_id = response.headers.get(request_id_header) if request_id_header else None
    log.info("%s %s -> %s%s", carrier, what, response.status_code,
             f" (request id {request_id})" if request_id else "")
    if response.status_code == 429:
        raise CarrierUnavailable(f"{carrier} is rate limiting requests (429)", carrier=carrier,
                                 status=429, retry_after=response.headers.get("retry-after"))
    if response.status_code >= 500:
        raise CarrierUnavailable(f"{carrier} answered {response.status_code} to {what}",
                                 carrier=carrier, status=response.status_code)
    return response


def json_object(carrier: str, what: str, response: httpx.Response) -> dict[str, Any]:
    """The body as a JSON object; anything else is a carrier in trouble (`CarrierUnavailable`)."""
    try:
        data = response.json()
    except ValueError as exc:
        raise CarrierUnavailable(f"{carrier} answered {what} with {response.status_code} "
                                 "and no JSON", carrier=carrier,
                                 status=response.status_code) from exc
    if not isinstance(data, dict):
        raise CarrierUnavailable(f"{carrier} answered {what} with an unexpected body",
                                 carrier=carrier, status=response.status_code)
    return data


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name, whatever its case (webhook frameworks differ)."""
    wanted = name.lower()
    for key, value in headers.items():
        if str(key).lower() == wanted:
            return str(value)
    return None
