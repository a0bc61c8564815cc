"""Minimising personal data before analytics stores anything (spec B3.4): addresses cut to
their network, user agents and customer ids reduced to keyed or plain hashes, emails and names
to a hint no one can read back."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from typing import Any


def mask_ip(value: str) -> str:
    """IPv4 with its last octet zeroed, IPv6 with its last 80 bits zeroed; anything else
    becomes empty (an unparseable address is not kept as it came)."""
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return ""
    if address.version == 4:
        return str(ipaddress.ip_network(f"{address}/24", strict=False).network_address)
    return str(ipaddress.ip_network(f"{address}/48", strict=False).network_address)


def hash_user_agent(value: str) -> str:
    """The first 16 hex characters of the user agent's SHA-256."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def mask_email(value: str) -> str:
    """8 hex characters of the local part's hash, then the domain."""
    local, _, domain = value.strip().rpartition("@")
    if not local:
        local, domain = domain, ""
    digest = hashlib.sha256(local.lower().encode()).hexdigest()[:8]
    return f"{digest}@{domain.lower()}" if domain else digest


def mask_name(value: str) -> str:
    """The first letter, then `***`."""
    stripped = value.strip()
    return f"{stripped[:1]}***" if stripped else ""


class Pseudonyms:
    """Customer ids as keyed hashes: the same customer has the same pseudonym across events
    (cohorts and RFM need that), and without the key no one can tell whose it is."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the pseudonym key needs at least 16 bytes")
        self._key = key

    def of(self, customer_id: str | None) -> str | None:
        if not customer_id:
            return None
        return hmac.new(self._key, customer_id.encode(), hashlib.sha256).hexdigest()[:24]


_MASKS = {
    "email": mask_email, "name": mask_name, "first_name": mask_name, "last_name": mask_name,
    "ip": mask_ip, "client_ip": mask_ip, "user_agent": hash_user_agent,
}
_DROPPED = frozenset({"phone", "address", "line1", "line2", "street", "signature_url",
                      "photo_url", "password", "token"})


def minimised(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A payload with personal fields masked or dropped at every depth: what a dead letter
    keeps of an event analytics could not read."""
    kept: dict[str, Any] = {}
    for name, value in payload.items():
        if name in _DROPPED:
            continue
        mask = _MASKS.get(name)
        if mask is not None and isinstance(value, str):
            kept[name] = mask(value)
        elif isinstance(value, Mapping):
            kept[name] = minimised(value)
        elif isinstance(value, list | tuple):
            kept[name] = [minimised(v) if isinstance(v, Mapping) else v for v in value]
        else:
            kept[name] = value
    return kept
