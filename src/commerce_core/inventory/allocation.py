"""Choosing warehouses for an order (spec A2.14): one warehouse when one can fill the whole
order, otherwise the best warehouse per line, otherwise a line split across warehouses.

Pure planning over figures read beforehand; the conditional updates that follow decide for real
(a plan made on a stale read is re-planned, never oversold).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from attrs import frozen

from commerce_core.inventory.errors import InsufficientStock, WarehouseNotFound

MAX_DISTANCE_KM = 1000.0


@frozen
class GeoPoint:
    latitude: float
    longitude: float

    def distance_km(self, other: GeoPoint) -> float:
        """Great-circle distance (haversine, mean Earth radius)."""
        lat1, lon1, lat2, lon2 = map(
            math.radians, (self.latitude, self.longitude, other.latitude, other.longitude)
        )
        a = (math.sin((lat2 - lat1) / 2) ** 2
             + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
        return 6371.0 * 2 * math.asin(math.sqrt(a))


@frozen
class Site:
    """An active warehouse as allocation sees it."""

    warehouse_id: str
    code: str
    is_default: bool = False
    cost_ratio: float = 0.0  # operational cost, 0 (cheapest) to 1
    location: GeoPoint | None = None


@frozen
class Line:
    sku: str
    quantity: int
    warehouse_id: str | None = None  # the shopper chose this warehouse: only it may serve


@frozen
class Part:
    warehouse_id: str
    quantity: int


@frozen
class Destination:
    """Where the order goes: coordinates, or distances (km) per warehouse id given directly."""

    point: GeoPoint | None = None
    distances: Mapping[str, float] | None = None
    preferred_warehouse_id: str | None = None


def distance_to(site: Site, destination: Destination) -> float:
    """Kilometres to the destination; 0 when the destination is unknown (nobody is penalised),
    the maximum when it is known but the warehouse's position is not."""
    if destination.distances is not None and site.warehouse_id in destination.distances:
        return min(destination.distances[site.warehouse_id], MAX_DISTANCE_KM)
    if destination.point is None:
        return 0.0
    if site.location is None:
        return MAX_DISTANCE_KM
    return min(site.location.distance_km(destination.point), MAX_DISTANCE_KM)


def score(site: Site, available: int, requested: int, destination: Destination) -> float:
    """`0.4·(1000 - km) + 0.3·(100·min(1, available/requested)) + 0.2·(50·(1 - cost)) +
    0.1·(20 if preferred)`; higher is better."""
    preferred = (site.warehouse_id == destination.preferred_warehouse_id
                 if destination.preferred_warehouse_id else site.is_default)
    coverage = min(1.0, available / requested) if requested > 0 else 1.0
    return (0.4 * (MAX_DISTANCE_KM - distance_to(site, destination))
            + 0.3 * (100 * coverage)
            + 0.2 * (50 * (1 - site.cost_ratio))
            + 0.1 * (20 if preferred else 0))


def _best(sites: Sequence[Site], rank: Mapping[str, float]) -> Site:
    """Highest score; ties go to the earlier site (the default first, then by code)."""
    best = sites[0]
    for site in sites[1:]:
        if rank[site.warehouse_id] > rank[best.warehouse_id]:
            best = site
    return best


def allocate(
    lines: Sequence[Line],
    sites: Sequence[Site],
    available: Mapping[tuple[str, str], int],
    destination: Destination | None = None,
) -> list[tuple[Part, ...]]:
    """Parts per line, in line order. Raises `InsufficientStock` for the first line the active
    warehouses cannot cover (nothing is planned then), `WarehouseNotFound` without any site.

    `available` maps (SKU, warehouse id) to units free now; `sites` are the active warehouses,
    the default first, then by code.
    """
    if not sites:
        raise WarehouseNotFound("no active warehouse to reserve from")
    destination = destination or Destination()
    free = dict(available)
    by_id = {site.warehouse_id: site for site in sites}
    plan: list[tuple[Part, ...] | None] = [None] * len(lines)

    def take(index: int, parts: tuple[Part, ...]) -> None:
        for part in parts:
            free[(lines[index].sku, part.warehouse_id)] -= part.quantity
        plan[index] = parts

    for index, line in enumerate(lines):
        if line.warehouse_id is not None:
            have = free.get((line.sku, line.warehouse_id), 0) if line.warehouse_id in by_id else 0
            if have < line.quantity:
                raise _insufficient(line, have, line.warehouse_id)
            take(index, (Part(line.warehouse_id, line.quantity),))

    open_lines = [i for i, line in enumerate(lines) if line.warehouse_id is None]
    need = _need(lines, open_lines)
    whole = [s for s in sites if all(
        free.get((sku, s.warehouse_id), 0) >= units for sku, units in need.items())]
    if open_lines and whole:
        rank = {s.warehouse_id: score(s, 1, 1, destination) for s in whole}
        chosen = _best(whole, rank)
        for i in open_lines:
            take(i, (Part(chosen.warehouse_id, lines[i].quantity),))
        return [parts for parts in plan if parts is not None]

    for i in open_lines:
        line = lines[i]
        rank = {s.warehouse_id: score(s, free.get((line.sku, s.warehouse_id), 0), line.quantity,
                                      destination) for s in sites}
        covering = [s for s in sites if free.get((line.sku, s.warehouse_id), 0) >= line.quantity]
        if covering:
            take(i, (Part(_best(covering, rank).warehouse_id, line.quantity),))
            continue
        parts: list[Part] = []
        remaining = line.quantity
        for site in sorted(sites, key=lambda s: -rank[s.warehouse_id]):
            have = free.get((line.sku, site.warehouse_id), 0)
            if have > 0 and remaining > 0:
                parts.append(Part(site.warehouse_id, min(have, remaining)))
                remaining -= parts[-1].quantity
        if remaining:
            raise _insufficient(line, line.quantity - remaining, None)
        take(i, tuple(parts))
    return [parts for parts in plan if parts is not None]


def _need(lines: Sequence[Line], open_lines: Sequence[int]) -> dict[str, int]:
    """Units of each SKU all open lines need together (two lines may share a SKU), in the
    order the SKUs first appear; summed once for the order, not again for each line."""
    need: dict[str, int] = {}
    for i in open_lines:
        need[lines[i].sku] = need.get(lines[i].sku, 0) + lines[i].quantity
    return need


def _insufficient(line: Line, available: int, warehouse_id: str | None) -> InsufficientStock:
    where = f" in warehouse {warehouse_id}" if warehouse_id else ""
    return InsufficientStock(
        f"only {max(available, 0)} of {line.sku} available{where}, {line.quantity} requested",
        sku=line.sku, requested=line.quantity, available=max(available, 0),
        **({"warehouse_id": warehouse_id} if warehouse_id else {}),
    )
