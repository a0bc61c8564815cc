"""Audit entries and the hash chain that makes editing, inserting or removing one detectable.

Each entry's hash is SHA-256 over a canonical JSON encoding of every field of the entry plus the
previous entry's hash; the chain head (last sequence, hash and id) is kept apart, so removing
the newest entries is detected too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

import attrs
from attrs import frozen

from commerce_core.shared.principal import Principal

GENESIS = "0" * 64
"""The `prev_hash` of the first entry."""

_SECRET_WORDS = ("password", "secret", "token", "otp", "card_number", "cvc", "cvv",
                 "gift_card_code")
REDACTED = "[redacted]"

Json = Any  # str | int | bool | None | list[Json] | dict[str, Json]


class Severity(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    NOTICE = "NOTICE"
    WARNING = "WARNING"
    ERROR = "ERROR"
    CRITICAL = "CRITICAL"


def to_json(value: Any) -> Json:
    """A JSON-safe copy of `value` (attrs objects as dicts, enums as values, times in ISO),
    with fields named like secrets redacted: what is hashed is exactly what reads back."""
    if isinstance(value, Enum):  # before str and int: a StrEnum is stored as its plain value
        return to_json(value.value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # floats have no exact JSON form across backends; the core has none
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): (REDACTED if _secret(str(k)) else to_json(v)) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted((to_json(v) for v in value), key=repr)
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if attrs.has(type(value)):
        return to_json({a.name: getattr(value, a.name) for a in attrs.fields(type(value))
                        if a.name != "events"})
    return str(value)


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


@frozen
class Actor:
    """Who acted, as the entry keeps it: the principal's kind, subject and roles."""

    kind: str
    subject: str | None = None
    roles: tuple[str, ...] = ()

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.kind, principal.subject, tuple(sorted(principal.roles)))


SYSTEM = Actor("system", "system")


@frozen
class AuditRecord:
    """What happened, before it takes its place in the chain.

    `action` is `<area>.<verb>` (`inventory.adjust_stock`, `auth.login_failed`); `before` and
    `after` are JSON-safe (pass them through `to_json`).
    """

    action: str
    actor: Actor
    occurred_at: datetime
    entity_type: str | None = None
    entity_id: str | None = None
    before: Json = None
    after: Json = None
    severity: Severity = Severity.INFO
    ip: str | None = None
    session_id: str | None = None
    request_id: str | None = None


@frozen
class ChainHead:
    """The newest entry's sequence, hash and id; sequence 0 and `GENESIS` for an empty log."""

    sequence: int = 0
    hash: str = GENESIS
    entry_id: str | None = None


EMPTY = ChainHead()


@frozen
class AuditEntry:
    """A sealed record: its place in the chain (`sequence`, `prev_hash`) and its own `hash`."""

    id: str
    sequence: int
    record: AuditRecord
    prev_hash: str
    hash: str

    def head(self) -> ChainHead:
        return ChainHead(self.sequence, self.hash, self.id)


def canonical(entry_id: str, sequence: int, record: AuditRecord, prev_hash: str) -> bytes:
    """The bytes an entry's hash covers: every field, keys sorted, no whitespace, UTF-8."""
    fields = {
        "id": entry_id,
        "sequence": sequence,
        "prev_hash": prev_hash,
        "action": record.action,
        "actor_kind": record.actor.kind,
        "actor_id": record.actor.subject,
        "actor_roles": list(record.actor.roles),
        "occurred_at": record.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "entity_type": record.entity_type,
        "entity_id": record.entity_id,
        "before": record.before,
        "after": record.after,
        "severity": record.severity.value,
        "ip": record.ip,
        "session_id": record.session_id,
        "request_id": record.request_id,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def hash_of(entry_id: str, sequence: int, record: AuditRecord, prev_hash: str) -> str:
    return hashlib.sha256(canonical(entry_id, sequence, record, prev_hash)).hexdigest()


def seal(record: AuditRecord, head: ChainHead, entry_id: str) -> AuditEntry:
    """The record as the entry after `head`."""
    sequence = head.sequence + 1
    return AuditEntry(entry_id, sequence, record, head.hash,
                      hash_of(entry_id, sequence, record, head.hash))
