"""Domain events, the envelope they travel in, and their JSON-ready payloads.

An event is a frozen attrs class naming a fact in the past tense; its dotted `type`
(`order.confirmed`) and schema `version` are class constants. Before it leaves the transaction it
is wrapped in an `EventEnvelope` carrying the UUIDv7 id, causality ids and a payload of JSON types
only, which is what the outbox stores and what every consumer, in-process or remote, receives.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import datetime
from typing import Any, ClassVar

import attrs
from attrs import frozen

from commerce_core.shared.money import Money

JsonDict = dict[str, Any]

_REGISTRY: dict[str, type[DomainEvent]] = {}


@frozen
class DomainEvent:
    """Base of every domain event. Subclasses set `type` and, on a breaking change, `version`."""

    type: ClassVar[str] = ""
    version: ClassVar[int] = 1

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type:
            _REGISTRY[cls.type] = cls

    @property
    def aggregate_id(self) -> str:
        """The id of the aggregate the fact is about: the event's first field."""
        cls = type(self)
        name = _FIRST_FIELD.get(cls)
        if name is None:
            name = _FIRST_FIELD[cls] = attrs.fields(cls)[0].name
        return str(getattr(self, name))

    def payload(self) -> JsonDict:
        return _attrs_json(self)


_FIRST_FIELD: dict[type, str] = {}


def to_json(value: Any) -> Any:
    """Translate kernel value objects into JSON types (Money as amount + currency)."""
    cls = type(value)
    if cls in _PLAIN:
        return value
    translate = _TRANSLATORS.get(cls)
    if translate is None:
        translate = _TRANSLATORS[cls] = _translator(cls)
    return translate(value)


# Every event of every transaction passes through `to_json`, so the way to translate a value is
# decided once per type (in the order of the checks below) instead of by a chain of `isinstance`
# checks per value: an order's checkout turns about 300 values into JSON.
_PLAIN = frozenset({str, int, float, bool, type(None)})
_TRANSLATORS: dict[type, Any] = {}


def _identity(value: Any) -> Any:
    return value


def _attrs_json(value: Any) -> JsonDict:
    cls = type(value)
    translate = _ATTRS_JSON.get(cls)
    if translate is None:
        translate = _ATTRS_JSON[cls] = _compile_attrs_json(cls)
    result: JsonDict = translate(value)
    return result


# An attrs value (every event, and the values inside) turns into JSON by a function written for
# its class at first use: a dict display naming each field, a plain JSON value taken as it is and
# the rest passed to `to_json`. A checkout turns about 300 values into JSON, several per line.
_ATTRS_JSON: dict[type, Any] = {}


def _compile_attrs_json(cls: type) -> Any:
    names = tuple(a.name for a in attrs.fields(cls))
    if not all(name.isidentifier() and not name.startswith("__") for name in names):
        return lambda value: {name: to_json(getattr(value, name)) for name in names}
    items = ", ".join(
        f"{name!r}: v if type(v := value.{name}) in plain else to_json(v)" for name in names)
    scope: dict[str, Any] = {"plain": _PLAIN, "to_json": to_json, "type": type}
    # Field names of the shop's own attrs classes, never data (checked to be identifiers).
    exec(compile(f"def translate(value):\n    return {{{items}}}\n",
                 f"<event json: {cls.__qualname__}>", "exec"), scope)
    return scope["translate"]


def _translator(cls: type) -> Any:
    if issubclass(cls, Money):
        return Money.to_dict
    if issubclass(cls, datetime):
        return datetime.isoformat
    if issubclass(cls, enum.Enum):
        return lambda value: value.value
    if attrs.has(cls):
        return _attrs_json
    if issubclass(cls, list | tuple):
        return lambda value: [to_json(v) for v in value]
    if issubclass(cls, Mapping):
        return lambda value: {str(k): to_json(v) for k, v in value.items()}
    return _identity


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class defined so far, by type (the catalogue documentation is built from it)."""
    return dict(_REGISTRY)


@frozen
class EventEnvelope:
    """What the outbox stores and consumers receive."""

    id: str
    type: str
    version: int
    occurred_at: datetime
    aggregate_id: str
    payload: JsonDict
    correlation_id: str | None = None
    causation_id: str | None = None

    def to_dict(self) -> JsonDict:
        return {
            "id": self.id,
            "type": self.type,
            "version": self.version,
            "occurred_at": self.occurred_at.isoformat(),
            "aggregate_id": self.aggregate_id,
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "payload": self.payload,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EventEnvelope:
        occurred = data["occurred_at"]
        return cls(
            id=str(data["id"]),
            type=str(data["type"]),
            version=int(data["version"]),
            occurred_at=occurred if isinstance(occurred, datetime)
            else datetime.fromisoformat(occurred),
            aggregate_id=str(data["aggregate_id"]),
            payload=dict(data["payload"]),
            correlation_id=data.get("correlation_id"),
            causation_id=data.get("causation_id"),
        )


@frozen
class Causality:
    correlation_id: str | None = None
    causation_id: str | None = None


# Set by the message bus around each command or event it handles, so that every event recorded
# while handling it carries where it came from.
NO_CAUSALITY = Causality()
current_causality: ContextVar[Causality] = ContextVar("current_causality", default=NO_CAUSALITY)
