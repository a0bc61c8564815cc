"""Pick lists: the lines of one or many fulfillments of a warehouse, grouped by bin and SKU
into one walk through the warehouse (spec B2.6).

Each (bin, SKU) is one line with the summed quantity of every fulfillment that needs it, so the
picker visits each bin once, in aisle-shelf-bin order; the line remembers whose units it holds,
so what was picked is handed back to each fulfillment when the list is completed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, evolve, field, frozen

from commerce_core.fulfillment.errors import (
    InvalidPackage,
    InvalidTransition,
    ItemNotInFulfillment,
    MoreThanLeft,
    NothingToPick,
)
from commerce_core.fulfillment.events import PicklistStatusChanged
from commerce_core.fulfillment.model import Fulfillment
from commerce_core.inventory.services import walk_order
from commerce_core.shared.events import DomainEvent


class PicklistStatus(StrEnum):
    GENERATED = "generated"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


OPEN = frozenset({PicklistStatus.GENERATED, PicklistStatus.IN_PROGRESS})


@frozen
class PickSource:
    """Units of one fulfillment item that a pick-list line carries."""

    fulfillment_id: str
    item_id: str
    quantity: int


@frozen
class PickLine:
    sequence: int
    sku: str
    bin_location: str | None
    quantity: int
    sources: tuple[PickSource, ...]
    quantity_picked: int = 0


@define(eq=False)
class Picklist:
    id: str
    number: str
    warehouse_id: str
    status: PicklistStatus
    lines: list[PickLine]
    fulfillment_ids: list[str]
    created_at: datetime
    expires_at: datetime
    started_at: datetime | None = None
    completed_at: datetime | None = None
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def generate(
        cls, *, picklist_id: str, warehouse_id: str, fulfillments: Sequence[Fulfillment],
        bins: Mapping[str, str | None], ttl: timedelta, now: datetime,
    ) -> Picklist:
        """One walk for the unpicked units of `fulfillments`, bins in walking order (SKUs
        without a bin last). `bins` maps each SKU to its bin in this warehouse."""
        grouped: dict[tuple[str | None, str], list[PickSource]] = {}
        for fulfillment in fulfillments:
            for item in fulfillment.items:
                left = item.quantity_ordered - item.quantity_picked
                if left > 0:
                    key = (bins.get(item.sku), item.sku)
                    grouped.setdefault(key, []).append(PickSource(fulfillment.id, item.id, left))
        if not grouped:
            raise NothingToPick("nothing is left to pick for these fulfillments",
                                warehouse_id=warehouse_id)
        walk = sorted(grouped, key=lambda key: (walk_order(key[0]), key[1]))
        lines = [PickLine(n + 1, sku, bin_location, sum(s.quantity for s in grouped[key]),
                          tuple(grouped[key]))
                 for n, key in enumerate(walk) for bin_location, sku in [key]]
        picklist = cls(picklist_id, picklist_number(picklist_id, now), warehouse_id,
                       PicklistStatus.GENERATED, lines, [f.id for f in fulfillments], now,
                       now + ttl)
        picklist._record(None, now)
        return picklist

    def _record(self, old: PicklistStatus | None, now: datetime) -> None:
        self.events.append(PicklistStatusChanged(
            self.id, self.number, self.warehouse_id, old.value if old else None,
            self.status.value, tuple(self.fulfillment_ids), now))

    def _move(self, allowed: frozenset[PicklistStatus], new: PicklistStatus,
              now: datetime) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"pick list {self.number} is {self.status}",
                                    picklist_id=self.id, status=self.status.value)
        old, self.status = self.status, new
        self._record(old, now)

    @property
    def bins(self) -> list[str | None]:
        """The bins in the order the picker walks them."""
        return [line.bin_location for line in self.lines]

    def start(self, *, now: datetime) -> None:
        if self.status is PicklistStatus.IN_PROGRESS:
            return
        self._move(frozenset({PicklistStatus.GENERATED}), PicklistStatus.IN_PROGRESS, now)
        self.started_at = now

    def complete(self, picked: Mapping[int, int] | None, *,
                 now: datetime) -> dict[str, dict[str, int]]:
        """Record the picked quantity per line sequence (None: every line in full) and hand
        it to the fulfillments, their items in list order: {fulfillment id: {item id: units}}.
        """
        self._move(OPEN, PicklistStatus.COMPLETED, now)
        counts = picked if picked is not None else {ln.sequence: ln.quantity for ln in self.lines}
        unknown = set(counts) - {ln.sequence for ln in self.lines}
        if unknown:
            raise ItemNotInFulfillment("no such pick-list lines", sequences=sorted(unknown))
        handed: dict[str, dict[str, int]] = {fid: {} for fid in self.fulfillment_ids}
        lines = []
        for line in self.lines:
            found = counts.get(line.sequence, 0)
            if found < 0:
                raise InvalidPackage(f"line {line.sequence}: a picked quantity is not negative",
                                     sequence=line.sequence)
            if found > line.quantity:
                raise MoreThanLeft(f"line {line.sequence}: 0 to {line.quantity} can be picked",
                                     sequence=line.sequence)
            lines.append(evolve(line, quantity_picked=found))
            for source in line.sources:
                share = min(found, source.quantity)
                found -= share
                items = handed[source.fulfillment_id]
                items[source.item_id] = items.get(source.item_id, 0) + share
        self.lines, self.completed_at = lines, now
        return handed

    def cancel(self, *, now: datetime) -> None:
        self._move(OPEN, PicklistStatus.CANCELLED, now)

    def expire(self, *, now: datetime) -> bool:
        """A list nobody started within its time to live (spec B2.6: 24 h)."""
        if self.status is not PicklistStatus.GENERATED or now < self.expires_at:
            return False
        self._move(frozenset({PicklistStatus.GENERATED}), PicklistStatus.EXPIRED, now)
        return True


def picklist_number(picklist_id: str, created_at: datetime) -> str:
    return f"PCK-{created_at:%Y%m%d}-{picklist_id.replace('-', '')[-8:].upper()}"
