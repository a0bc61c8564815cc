"""The location hierarchy from a data file (JSON or CSV), as a `LocationDirectory`.

JSON: `{"levels": ["country", "province", "ward"], "locations": [{"id", "code", "name",
"type", "parent_id", "country_code", "name_en", "postal_codes", "latitude", "longitude",
"is_active", "sort_order", "metadata"}, ...]}`; only id, code, name and type are required, a
missing `country_code` is the parent's. CSV: one location per row under a header naming the same
columns (`postal_codes` separated by `;`), the levels on a first line `# levels: a,b,c`.
Without levels the spec's five-level scheme applies. Any problem raises `InvalidLocation`
naming the file and what is wrong.

    directory = load_directory(Path("vn-2025.json"))
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from commerce_core.customer.errors import InvalidLocation
from commerce_core.customer.locations import (
    DEFAULT_LEVELS,
    Location,
    LocationTree,
    TreeDirectory,
)

SAMPLE = "vn-2025-sample.json"


def sample_path() -> Path:
    """The small Vietnamese sample shipped with the package (2025 two-level scheme)."""
    return Path(str(resources.files("adapters.locations") / "data" / SAMPLE))


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() not in ("0", "false", "no", "")


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    return float(value)


def _location(raw: Mapping[str, Any], countries: dict[str, str]) -> Location:
    parent = raw.get("parent_id") or None
    codes = raw.get("postal_codes") or ()
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(";") if c.strip()]
    country = raw.get("country_code") or (countries.get(parent) if parent else None) or ""
    location = Location(
        id=str(raw["id"]), code=str(raw["code"]), name=str(raw["name"]),
        type=str(raw["type"]), parent_id=parent, country_code=str(country),
        name_en=raw.get("name_en") or None, postal_codes=tuple(str(c) for c in codes),
        latitude=_number(raw.get("latitude")), longitude=_number(raw.get("longitude")),
        is_active=_flag(raw.get("is_active", True)),
        sort_order=int(raw.get("sort_order") or 0),
        metadata={str(k): str(v) for k, v in (raw.get("metadata") or {}).items()},
    )
    countries[location.id] = location.country_code
    return location


def parse(rows: Iterable[Mapping[str, Any]], levels: Iterable[str] | None = None) -> LocationTree:
    countries: dict[str, str] = {}
    try:
        locations = [_location(row, countries) for row in rows]
    except (KeyError, TypeError, ValueError) as error:
        raise InvalidLocation(f"a location row is malformed: {error!r}") from None
    return LocationTree(locations, tuple(levels) if levels else DEFAULT_LEVELS)


def load_tree(path: Path) -> LocationTree:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidLocation(f"cannot read {path}: {error.strerror}", path=str(path)) from None
    try:
        if path.suffix.lower() == ".csv":
            lines = text.splitlines()
            levels: list[str] | None = None
            if lines and lines[0].startswith("# levels:"):
                levels = [x.strip() for x in lines[0].split(":", 1)[1].split(",") if x.strip()]
                lines = lines[1:]
            return parse(csv.DictReader(lines), levels)
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("locations"), list):
            raise InvalidLocation(f"{path}: expected an object with a `locations` list")
        return parse(data["locations"], data.get("levels"))
    except json.JSONDecodeError as error:
        raise InvalidLocation(f"{path}: not JSON ({error.msg} at line {error.lineno})",
                              path=str(path)) from None
    except InvalidLocation as error:
        raise InvalidLocation(f"{path}: {error.message}", path=str(path),
                              **error.details) from None


def load_directory(path: Path) -> TreeDirectory:
    return TreeDirectory(load_tree(path))


__all__ = ["load_directory", "load_tree", "parse", "sample_path"]
