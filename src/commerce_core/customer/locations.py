"""The location hierarchy (country → province → ... → ward), as data.

The levels are part of the data, not of the code: the spec's five-level scheme (country 0,
state 1, city 2, district 3, ward 4) is the default, Vietnam before 2025 is province → district
→ ward, and since the 2025 reform province → ward; switching is loading another file. Whatever
the scheme, a location's parent is exactly one level above it (spec §4).

`LocationTree` is an immutable, validated index over the locations; `Locations` answers the
queries (children, ancestors, path, tree, address validation) over a `LocationDirectory` with a
cache per location and per subtree, dropped for every entry a change touches.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Protocol

from attrs import evolve, field, frozen

from commerce_core.customer.errors import InvalidLocation, LocationNotFound

DEFAULT_LEVELS: tuple[str, ...] = ("country", "state", "city", "district", "ward")
MAX_POSTAL_CODES = 100
MAX_METADATA_KEYS = 20


@frozen
class Location:
    id: str
    code: str
    name: str
    type: str
    parent_id: str | None
    country_code: str
    name_en: str | None = None
    postal_codes: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    is_active: bool = True
    sort_order: int = 0
    metadata: Mapping[str, str] = field(factory=dict)


def _check_own(location: Location) -> None:
    where = f"location {location.id!r}"
    if not location.id or not location.code or not location.name:
        raise InvalidLocation(f"{where}: id, code and name are required", id=location.id)
    if (location.latitude is None) != (location.longitude is None):
        raise InvalidLocation(f"{where}: give both coordinates or neither", id=location.id)
    if location.latitude is not None and not -90 <= location.latitude <= 90:
        raise InvalidLocation(f"{where}: latitude outside [-90, 90]", id=location.id)
    if location.longitude is not None and not -180 <= location.longitude <= 180:
        raise InvalidLocation(f"{where}: longitude outside [-180, 180]", id=location.id)
    if len(location.postal_codes) > MAX_POSTAL_CODES or any(
            len(code) > 20 for code in location.postal_codes):
        raise InvalidLocation(f"{where}: at most 100 postal codes of 20 characters",
                              id=location.id)
    if len(location.metadata) > MAX_METADATA_KEYS or any(
            len(k) > 50 or len(v) > 500 for k, v in location.metadata.items()):
        raise InvalidLocation(f"{where}: metadata is at most 20 keys (50 chars) of 500 chars",
                              id=location.id)


class LocationTree:
    """Every location, validated as one whole: known types, parents that exist and sit exactly
    one level above, codes unique under one parent. Raises `InvalidLocation` on the first
    breach, naming the location."""

    def __init__(self, locations: Iterable[Location],
                 levels: Sequence[str] = DEFAULT_LEVELS) -> None:
        self.levels = tuple(levels)
        self._level = {name: i for i, name in enumerate(self.levels)}
        if len(self._level) != len(self.levels) or not self.levels:
            raise InvalidLocation("the levels must be distinct names", levels=list(levels))
        self._by_id: dict[str, Location] = {}
        for location in locations:
            if location.id in self._by_id:
                raise InvalidLocation(f"location {location.id!r} appears twice", id=location.id)
            self._by_id[location.id] = location
        self._children: dict[str | None, list[str]] = {}
        codes: set[tuple[str | None, str]] = set()
        for location in self._by_id.values():
            self._check(location)
            key = (location.parent_id, location.code)
            if key in codes:
                raise InvalidLocation(
                    f"code {location.code!r} is used twice under {location.parent_id!r}",
                    id=location.id)
            codes.add(key)
            self._children.setdefault(location.parent_id, []).append(location.id)
        for ids in self._children.values():
            ids.sort(key=lambda i: (self._by_id[i].sort_order, self._by_id[i].name, i))

    def level_of(self, location: Location) -> int:
        return self._level[location.type]

    def _check(self, location: Location) -> None:
        _check_own(location)
        if location.type not in self._level:
            raise InvalidLocation(
                f"location {location.id!r}: type {location.type!r} is not one of "
                f"{', '.join(self.levels)}", id=location.id)
        level = self._level[location.type]
        if location.parent_id is None:
            if level != 0:
                raise InvalidLocation(
                    f"location {location.id!r}: a {location.type} needs a parent",
                    id=location.id)
            return
        parent = self._by_id.get(location.parent_id)
        if parent is None:
            raise InvalidLocation(
                f"location {location.id!r}: parent {location.parent_id!r} does not exist",
                id=location.id)
        if self._level.get(parent.type, -1) != level - 1:
            raise InvalidLocation(
                f"location {location.id!r}: a {location.type} (level {level}) cannot sit under "
                f"a {parent.type} (level {self._level.get(parent.type)}): a parent must be "
                "exactly one level above", id=location.id, parent_id=parent.id)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Location]:
        return iter(self._by_id.values())

    def all(self) -> list[Location]:
        return list(self._by_id.values())

    def get(self, location_id: str) -> Location:
        found = self._by_id.get(location_id)
        if found is None:
            raise LocationNotFound(f"location {location_id} not found", id=location_id)
        return found

    def children(self, location_id: str | None) -> list[Location]:
        if location_id is not None:
            self.get(location_id)
        return [self._by_id[i] for i in self._children.get(location_id, [])]

    def with_location(self, location: Location) -> LocationTree:
        """A new tree with `location` added or replaced, validated as a whole (moving a
        location checks its whole subtree still fits)."""
        others = [loc for loc in self._by_id.values() if loc.id != location.id]
        return LocationTree([*others, location], self.levels)


class LocationDirectory(Protocol):
    """Where the locations live (a data file loaded in memory, a table, a service). `put`
    validates the change against the whole hierarchy and raises `InvalidLocation` (changing
    nothing) when it breaks a rule."""

    @property
    def levels(self) -> tuple[str, ...]: ...

    def get(self, location_id: str) -> Location:
        """The location, or `LocationNotFound`."""
        ...

    def children(self, location_id: str | None) -> list[Location]:
        """Direct children in display order; `None` for the roots (countries)."""
        ...

    def put(self, location: Location) -> None: ...


class TreeDirectory:
    """A `LocationDirectory` over a `LocationTree` held in memory (loaded from a file or built
    in a test); a `put` swaps in a new, validated tree."""

    def __init__(self, tree: LocationTree) -> None:
        self._tree = tree
        self._lock = threading.Lock()

    @property
    def levels(self) -> tuple[str, ...]:
        return self._tree.levels

    @property
    def tree(self) -> LocationTree:
        return self._tree

    def get(self, location_id: str) -> Location:
        return self._tree.get(location_id)

    def children(self, location_id: str | None) -> list[Location]:
        return self._tree.children(location_id)

    def put(self, location: Location) -> None:
        with self._lock:
            self._tree = self._tree.with_location(location)


@frozen
class TreeNode:
    location: Location
    children: tuple[TreeNode, ...]

    def ids(self) -> set[str]:
        found = {self.location.id}
        for child in self.children:
            found |= child.ids()
        return found


@frozen
class PlaceCheck:
    """The answer of `Locations.validate`: `valid`, or the errors that make it not so."""

    valid: bool
    errors: tuple[str, ...] = ()
    path: tuple[Location, ...] = ()


class Locations:
    """Hierarchy queries with a cache: an entry per location id and per (root, depth) tree.
    A change (`update`) drops the changed location's entry, the entries of its descendants
    (their ancestors changed) and every cached tree that contains it or is rooted at one of
    its old or new ancestors (spec §4, scenario 29)."""

    def __init__(self, directory: LocationDirectory) -> None:
        self._directory = directory
        self._lock = threading.RLock()
        self._by_id: dict[str, Location] = {}
        self._trees: dict[tuple[str, int], TreeNode] = {}

    @property
    def levels(self) -> tuple[str, ...]:
        return self._directory.levels

    # -- cache introspection (operators and tests) -----------------------------------------
    def cached_ids(self) -> set[str]:
        return set(self._by_id)

    def cached_trees(self) -> set[tuple[str, int]]:
        return set(self._trees)

    # -- queries -----------------------------------------------------------------------------
    def get(self, location_id: str) -> Location:
        with self._lock:
            found = self._by_id.get(location_id)
            if found is None:
                found = self._by_id[location_id] = self._directory.get(location_id)
            return found

    def children(self, location_id: str | None) -> list[Location]:
        return self._directory.children(location_id)

    def ancestors(self, location_id: str) -> list[Location]:
        """Parent first, up to the country."""
        found: list[Location] = []
        current = self.get(location_id)
        while current.parent_id is not None:
            current = self.get(current.parent_id)
            found.append(current)
        return found

    def path(self, location_id: str) -> list[Location]:
        """Country first, down to the location itself."""
        return [*reversed(self.ancestors(location_id)), self.get(location_id)]

    def tree(self, root_id: str, depth: int = 1) -> TreeNode:
        with self._lock:
            key = (root_id, depth)
            cached = self._trees.get(key)
            if cached is None:
                cached = self._trees[key] = self._build(self.get(root_id), depth)
            return cached

    def _build(self, location: Location, depth: int) -> TreeNode:
        if depth <= 0:
            return TreeNode(location, ())
        return TreeNode(location, tuple(self._build(child, depth - 1)
                                        for child in self._directory.children(location.id)))

    def validate(self, location_id: str, *, parent_id: str | None = None,
                 leaf_type: str | None = None) -> PlaceCheck:
        """Whether `location_id` is a known, active place (of `leaf_type` when given) whose
        whole path is active, and, with `parent_id`, whose parent is that one."""
        try:
            path = self.path(location_id)
        except LocationNotFound:
            return PlaceCheck(False, (f"unknown location {location_id}",))
        errors = [f"{loc.name} ({loc.id}) is no longer in use" for loc in path
                  if not loc.is_active]
        place = path[-1]
        if leaf_type is not None and place.type != leaf_type:
            errors.append(f"{place.name} is a {place.type}, not a {leaf_type}")
        if parent_id is not None and place.parent_id != parent_id:
            errors.append(f"{place.name} does not belong to {parent_id}")
        return PlaceCheck(not errors, tuple(errors), tuple(path))

    # -- changes -----------------------------------------------------------------------------
    def update(self, location: Location) -> None:
        """Add or change one location (validated by the directory), then drop what it
        invalidates from the cache."""
        with self._lock:
            try:
                before: Location | None = self._directory.get(location.id)
            except LocationNotFound:
                before = None
            stale_roots = {location.id}
            for parent in (before.parent_id if before else None, location.parent_id):
                if parent is not None:
                    stale_roots |= {parent, *(a.id for a in self._ancestors_uncached(parent))}
            self._directory.put(location)
            self._drop(location.id, stale_roots)

    def rename(self, location_id: str, name: str) -> Location:
        changed = evolve(self._directory.get(location_id), name=name)
        self.update(changed)
        return changed

    def _ancestors_uncached(self, location_id: str) -> list[Location]:
        found = [self._directory.get(location_id)]
        while found[-1].parent_id is not None:
            found.append(self._directory.get(found[-1].parent_id))
        return found

    def _drop(self, location_id: str, stale_roots: set[str]) -> None:
        for key, node in list(self._trees.items()):
            if key[0] in stale_roots or location_id in node.ids():
                del self._trees[key]
        # The location and every cached descendant (its path changed with it).
        descendants = {location_id}
        for cached_id in list(self._by_id):
            current: Location | None = self._by_id.get(cached_id)
            while current is not None and current.parent_id is not None:
                if current.parent_id in descendants or current.parent_id == location_id:
                    descendants.add(cached_id)
                    break
                current = self._by_id.get(current.parent_id)
        for stale in descendants:
            self._by_id.pop(stale, None)
