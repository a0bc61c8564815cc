"""Tagged JSON for the polymorphic parts of promotion and price-rule definitions.

Every value says what it is, so reading it back needs no guessing: an attrs object is
`{"$type": name, ...fields}` (only the classes listed below may be built from storage), Money
`{"$money": [amount, currency]}`, a Decimal `{"$dec": "12.5"}`, an enum `{"$enum": [name, value]}`,
a time of day `{"$time": "22:00:00"}`, a mapping `{"$map": {...}}`; tuples are lists.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from typing import Any

import attrs

from adapters.sql.codec import column
from commerce_core.pricing.rules import ActionKind, RuleAction, RuleCondition, VolumeTier
from commerce_core.promotion.terms import (
    AllOf,
    AnyOf,
    BundleComponent,
    BundlePrice,
    BuyXGetY,
    Condition,
    FixedAmountOff,
    FreeShipping,
    ItemSelection,
    Op,
    PercentageOff,
    Pick,
    ProductScope,
    Tier,
    Tiered,
)
from commerce_core.shared.money import Money

_CLASSES: dict[str, type[Any]] = {cls.__name__: cls for cls in (
    PercentageOff, FixedAmountOff, BuyXGetY, Tier, Tiered, ItemSelection, FreeShipping,
    BundleComponent, BundlePrice, ProductScope, Condition, AllOf, AnyOf, RuleCondition,
    RuleAction, VolumeTier,
)}
_ENUMS: dict[str, type[enum.Enum]] = {cls.__name__: cls for cls in (Pick, Op, ActionKind)}


def encode(value: Any) -> Any:
    if isinstance(value, enum.Enum):  # before str: a StrEnum is a str too
        return {"$enum": [type(value).__name__, value.value]}
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Money):
        return {"$money": [value.amount, value.currency]}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if attrs.has(type(value)):
        name = type(value).__name__
        if name not in _CLASSES:
            raise TypeError(f"{name} is not stored as a term")
        encoded = {a.name: encode(getattr(value, a.name)) for a in attrs.fields(type(value))}
        return {"$type": name, **encoded}
    if isinstance(value, list | tuple):
        return [encode(v) for v in value]
    if isinstance(value, Mapping):
        return {"$map": {str(k): encode(v) for k, v in value.items()}}
    raise TypeError(f"cannot store {type(value).__name__} as a term")


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "$money" in value:
        amount, currency = value["$money"]
        return Money(int(amount), str(currency))
    if "$dec" in value:
        return Decimal(value["$dec"])
    if "$enum" in value:
        name, member = value["$enum"]
        return _ENUMS[name](member)
    if "$time" in value:
        return time.fromisoformat(value["$time"])
    if "$map" in value:
        return {k: decode(v) for k, v in value["$map"].items()}
    fields = {k: decode(v) for k, v in value.items() if k != "$type"}
    return _CLASSES[value["$type"]](**fields)


TERM = column(store=encode, load=decode)  # a codec field stored as a tagged JSON term
