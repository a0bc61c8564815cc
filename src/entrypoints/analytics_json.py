"""Analytics reports as JSON (the HTTP answers and `commerce analytics ... --json`): every field
of the frozen report values, dates as ISO 8601, plus each rate's `percent` and each alert's
`average`."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import attrs

_DERIVED = ("percent", "average")


def as_json(value: Any) -> Any:
    if attrs.has(type(value)):
        out = {f.name: as_json(getattr(value, f.name)) for f in attrs.fields(type(value))}
        for name in _DERIVED:
            if isinstance(getattr(type(value), name, None), property):
                out[name] = getattr(value, name)
        return out
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): as_json(v) for k, v in value.items()}
    return value
