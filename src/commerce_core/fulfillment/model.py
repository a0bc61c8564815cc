"""The fulfillment aggregate: what one warehouse ships of one order, and its pick/pack/ship
state machine (spec B3). Every accepted transition records `fulfillment.status_changed`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, evolve, field, frozen

from commerce_core.fulfillment.errors import (
    CarrierLimitExceeded,
    InvalidPackage,
    InvalidTransition,
    ItemNotInFulfillment,
    MoreThanLeft,
    QcRequired,
    RepackRequired,
)
from commerce_core.fulfillment.events import (
    FulfillmentStatusChanged,
    ItemSummary,
    PackageStatusChanged,
    QcFailed,
    SlaBreached,
)
from commerce_core.fulfillment.policy import FulfillmentPolicy, split_cod
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money, total

__all__ = ["ACTIVE", "Fulfillment", "FulfillmentItem", "FulfillmentPolicy", "FulfillmentStatus",
           "Package", "PackageItem", "PackageSpec", "split_cod"]


class FulfillmentStatus(StrEnum):
    PENDING = "pending"
    PLANNING = "planning"
    PICKING = "picking"
    PICKED = "picked"
    PICK_FAILED = "pick_failed"
    PACKING = "packing"
    PACKED = "packed"
    PACK_FAILED = "pack_failed"
    READY = "ready"
    SHIPPED = "shipped"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    COMPENSATION_PENDING = "compensation_pending"
    COMPENSATED = "compensated"


F = FulfillmentStatus
BEFORE_SHIPPING = frozenset({F.PENDING, F.PLANNING, F.PICKING, F.PICKED, F.PICK_FAILED,
                             F.PACKING, F.PACKED, F.PACK_FAILED, F.READY})
TRANSITIONS: dict[FulfillmentStatus, frozenset[FulfillmentStatus]] = {
    F.PENDING: frozenset({F.PLANNING}),
    F.PLANNING: frozenset({F.PICKING}),
    F.PICKING: frozenset({F.PICKED, F.PICK_FAILED, F.PLANNING}),  # planning: list expired
    F.PICK_FAILED: frozenset({F.PICKING}),
    F.PICKED: frozenset({F.PACKING}),
    F.PACKING: frozenset({F.PACKED, F.PACK_FAILED}),
    # A QC failure after packing also lands here; its goods went back to the shelf, so the way
    # on is a new pick (our addition to B3) as well as a plain repack.
    F.PACK_FAILED: frozenset({F.PACKING, F.PICKING}),
    F.PACKED: frozenset({F.READY, F.PACK_FAILED}),
    F.READY: frozenset({F.SHIPPED}),
    F.SHIPPED: frozenset({F.COMPLETED, F.COMPENSATION_PENDING}),
    F.COMPENSATION_PENDING: frozenset({F.COMPENSATED}),
    F.COMPLETED: frozenset(),
    F.CANCELLED: frozenset(),
    F.COMPENSATED: frozenset(),
}
for _status in BEFORE_SHIPPING:
    TRANSITIONS[_status] = TRANSITIONS[_status] | {F.CANCELLED}
TERMINAL = frozenset({F.COMPLETED, F.CANCELLED, F.COMPENSATED})
# The statuses the SLA job watches (spec B2.10).
ACTIVE = frozenset({F.PENDING, F.PLANNING, F.PICKING, F.PICKED, F.PACKING, F.PACKED})


@frozen
class FulfillmentItem:
    id: str
    sku: str
    product_id: str
    name: str
    quantity_ordered: int
    reservation_id: str
    unit_price: Money
    weight_grams: int = 0
    quantity_picked: int = 0
    quantity_packed: int = 0


@frozen
class PackageItem:
    item_id: str
    quantity: int


@frozen
class PackageSpec:
    """What a packer measured: grams, centimetres, and which items went in (none: all)."""

    weight_grams: int
    length_cm: int
    width_cm: int
    height_cm: int
    items: tuple[PackageItem, ...] = ()


@frozen
class Package:
    id: str
    number: str
    weight_grams: int
    length_cm: int
    width_cm: int
    height_cm: int
    items: tuple[PackageItem, ...]
    declared_value: Money
    insured: bool
    status: str = "created"
    tracking_number: str | None = None


@define(eq=False)
class Fulfillment:
    id: str
    number: str
    order_id: str
    order_number: str
    warehouse_id: str
    status: FulfillmentStatus
    priority: str
    payment_method: str
    order_value: Money
    cod_amount: Money | None
    qc_required: bool
    items: list[FulfillmentItem]
    created_at: datetime
    updated_at: datetime
    packages: list[Package] = field(factory=list)
    qc_passed: bool | None = None
    qc_reason: str | None = None
    picklist_id: str | None = None
    shipment_id: str | None = None
    carrier: str | None = None
    service_type: str = "standard"
    status_since: datetime | None = None
    cancel_reason: str | None = None
    sla_breaches: list[str] = field(factory=list)
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def create(
        cls, *, fulfillment_id: str, order_id: str, order_number: str, warehouse_id: str,
        items: list[FulfillmentItem], payment_method: str, order_value: Money,
        cod_amount: Money | None, policy: FulfillmentPolicy, now: datetime,
        priority: str = "standard",
    ) -> Fulfillment:
        """A new fulfillment, which enters planning at once (spec B2.2)."""
        fulfillment = cls(
            fulfillment_id, fulfillment_number(fulfillment_id, now), order_id, order_number,
            warehouse_id, F.PENDING, priority, payment_method, order_value, cod_amount,
            policy.qc_required(fulfillment_id, order_value), items, now, now, status_since=now,
        )
        fulfillment._record(None, F.PENDING, "order_paid", now)
        fulfillment._move(F.PLANNING, "planning", now)
        return fulfillment

    # -- transitions --------------------------------------------------------------------------
    def _record(self, old: FulfillmentStatus | None, new: FulfillmentStatus, reason: str,
                now: datetime) -> None:
        self.events.append(FulfillmentStatusChanged(
            self.id, self.number, self.order_id, self.order_number, self.warehouse_id,
            old.value if old else None, new.value, reason,
            tuple(ItemSummary(i.sku, i.quantity_ordered) for i in self.items), now))

    def _move(self, new: FulfillmentStatus, reason: str, now: datetime) -> None:
        if new not in TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"fulfillment {self.number} cannot go from {self.status} to {new}",
                fulfillment_id=self.id, status=self.status.value, requested=new.value,
            )
        old, self.status = self.status, new
        self.updated_at = self.status_since = now
        self._record(old, new, reason, now)

    @property
    def requires_cod_collection(self) -> bool:
        return self.cod_amount is not None and self.cod_amount.amount > 0

    @property
    def reservation_ids(self) -> tuple[str, ...]:
        return tuple(item.reservation_id for item in self.items)

    def start_picking(self, picklist_id: str, *, now: datetime) -> None:
        """Planned (or failed and retried) work goes onto a pick list."""
        self._move(F.PICKING, "picklist_generated", now)
        self.picklist_id = picklist_id

    def back_to_planning(self, *, now: datetime) -> None:
        """Its pick list expired unstarted; the next list takes it up again."""
        if self.status is F.PICKING and not any(i.quantity_picked for i in self.items):
            self._move(F.PLANNING, "picklist_expired", now)
            self.picklist_id = None

    def retry_pick(self, *, now: datetime) -> None:
        self._move(F.PICKING, "pick_retried", now)

    def confirm_picked(self, picked: Mapping[str, int], *, accept_short: bool,
                       now: datetime) -> dict[str, int]:
        """Record what was picked, by item id; returns the units picked now per item (the
        caller deducts exactly these from stock). Everything picked: `picked`. Short and
        `accept_short`: the order ships what was found (`picked`); short otherwise:
        `pick_failed`, the rest stays reserved for a retry."""
        if self.status is not F.PICKING:
            raise InvalidTransition(f"fulfillment {self.number} is {self.status}, not picking",
                                    fulfillment_id=self.id, status=self.status.value)
        known = {item.id for item in self.items}
        if set(picked) - known:
            raise ItemNotInFulfillment("picked items that are not part of this fulfillment",
                                 items=sorted(set(picked) - known))
        now_picked: dict[str, int] = {}
        updated = []
        for item in self.items:
            quantity = picked.get(item.id, 0)
            if quantity < 0:
                raise InvalidPackage(f"{item.sku}: a picked quantity is not negative",
                                     sku=item.sku)
            if quantity > item.quantity_ordered - item.quantity_picked:
                raise MoreThanLeft(f"{item.sku}: {quantity} picked, at most "
                                     f"{item.quantity_ordered - item.quantity_picked} left",
                                     sku=item.sku)
            if quantity:
                now_picked[item.id] = quantity
            updated.append(evolve(item, quantity_picked=item.quantity_picked + quantity))
        self.items = updated
        short = any(i.quantity_picked < i.quantity_ordered for i in updated)
        if short and not accept_short:
            self._move(F.PICK_FAILED, "short_pick", now)
        else:
            if short:
                self.items = [evolve(i, quantity_ordered=i.quantity_picked) for i in updated]
            self._move(F.PICKED, "short_pick_accepted" if short else "picked", now)
        return now_picked

    def start_packing(self, *, now: datetime) -> None:
        self._move(F.PACKING, "packing", now)

    def confirm_packed(self, specs: Sequence[PackageSpec], *, package_ids: Sequence[str],
                       policy: FulfillmentPolicy, now: datetime) -> None:
        """Packages created atomically with their items. Each is within the carrier limits,
        and its measured weight within the tolerance of what its items should weigh; otherwise
        nothing is recorded and the packer repacks."""
        if self.status is not F.PACKING:
            raise InvalidTransition(f"fulfillment {self.number} is {self.status}, not packing",
                                    fulfillment_id=self.id, status=self.status.value)
        if not specs:
            raise InvalidPackage("packing needs at least one package")
        by_id = {item.id: item for item in self.items}
        packed: dict[str, int] = {}
        packages: list[Package] = []
        for position, (spec, package_id) in enumerate(zip(specs, package_ids, strict=True)):
            contents = spec.items or tuple(PackageItem(i.id, i.quantity_picked)
                                           for i in self.items if i.quantity_picked)
            for content in contents:
                if content.item_id not in by_id or content.quantity < 1:
                    raise InvalidPackage("a package holds items of this fulfillment",
                                         item_id=content.item_id)
                packed[content.item_id] = packed.get(content.item_id, 0) + content.quantity
                if packed[content.item_id] > by_id[content.item_id].quantity_picked:
                    raise InvalidPackage("more units packed than were picked",
                                         item_id=content.item_id)
            self._check_limits(spec, policy)
            expected = sum(by_id[c.item_id].weight_grams * c.quantity for c in contents)
            tolerance = expected * policy.weight_tolerance_percent
            if expected and abs(spec.weight_grams - expected) * 100 > tolerance:
                raise RepackRequired(
                    f"package weighs {spec.weight_grams} g, {expected} g expected "
                    f"(±{policy.weight_tolerance_percent} %): repack it",
                    measured_grams=spec.weight_grams, expected_grams=expected,
                )
            value = total([by_id[c.item_id].unit_price * c.quantity for c in contents],
                          self.order_value.currency)
            packages.append(Package(
                package_id, f"{self.number}-P{position + 1}", spec.weight_grams, spec.length_cm,
                spec.width_cm, spec.height_cm, tuple(contents), value, policy.insured(value)))
        if any(packed.get(i.id, 0) != i.quantity_picked for i in self.items):
            raise InvalidPackage("the packages must hold exactly the units picked")
        self.items = [evolve(i, quantity_packed=i.quantity_picked) for i in self.items]
        self.packages = packages
        self._move(F.PACKED, "packed", now)
        for package in packages:
            self._package_event(package, now)

    @staticmethod
    def _check_limits(spec: PackageSpec, policy: FulfillmentPolicy) -> None:
        sides = sorted((spec.length_cm, spec.width_cm, spec.height_cm), reverse=True)
        if spec.weight_grams < 1 or sides[-1] < 1:
            raise InvalidPackage("a package has a positive weight and dimensions")
        limit = sorted(policy.max_package_cm, reverse=True)
        if spec.weight_grams > policy.max_package_grams or any(
            side > most for side, most in zip(sides, limit, strict=True)
        ):
            raise CarrierLimitExceeded(
                f"a package may weigh {policy.max_package_grams // 1000} kg and measure "
                f"{' x '.join(map(str, policy.max_package_cm))} cm at most: split it",
                weight_grams=spec.weight_grams, sides_cm=sides,
            )

    def _package_event(self, package: Package, now: datetime) -> None:
        self.events.append(PackageStatusChanged(
            package.id, package.number, self.id, self.order_id, self.order_number,
            self.warehouse_id, package.status, package.weight_grams, package.length_cm,
            package.width_cm, package.height_cm, package.insured, package.tracking_number, now))

    def record_qc(self, passed: bool, reason: str, *, now: datetime) -> bool:
        """Quality control of the picked goods; returns True when it failed. A failure sends
        the fulfillment to `pack_failed` and forgets the packages: the caller puts its goods
        back on the shelf and holds them again for a new pick (spec B2.8)."""
        if self.status not in (F.PICKED, F.PACKING, F.PACKED):
            raise InvalidTransition(
                f"fulfillment {self.number} is {self.status}; QC checks picked goods",
                fulfillment_id=self.id, status=self.status.value)
        self.qc_reason = reason or None
        if passed:
            self.qc_passed, self.updated_at = True, now
            return False
        self.qc_passed = False
        if self.status is F.PICKED:
            self._move(F.PACKING, "qc_check", now)
        self._move(F.PACK_FAILED, "qc_failed", now)
        self.events.append(QcFailed(self.id, self.order_id, self.order_number, reason,
                                    self.reservation_ids, now))
        return True

    def restart_after_qc(self, reservations: Mapping[str, str]) -> None:
        """The goods of a failed QC are back on the shelf, held by new reservations (by item
        id): nothing is picked or packed any more."""
        self.items = [evolve(i, quantity_picked=0, quantity_packed=0,
                             reservation_id=reservations.get(i.id, i.reservation_id))
                      for i in self.items]
        self.packages = []

    def mark_ready(self, *, now: datetime) -> None:
        """Packed, and QC passed where required: shipping may take it (spec B2.8-B2.9)."""
        if self.status is F.READY:
            return
        if self.status is F.PACKED and not self.packages:
            raise InvalidPackage("ready to ship needs a package")
        if self.status is F.PACKED and self.qc_required and self.qc_passed is not True:
            raise QcRequired(
                f"fulfillment {self.number} needs a passed quality check before shipping",
                fulfillment_id=self.id,
            )
        self._move(F.READY, "ready_to_ship", now)
        self.packages = [evolve(p, status="ready") for p in self.packages]
        for package in self.packages:
            self._package_event(package, now)

    def shipped(self, shipment_id: str, carrier: str, *, now: datetime) -> None:
        """A carrier accepted the shipment; repeating it with the same shipment is a no-op."""
        if self.status is F.SHIPPED and self.shipment_id == shipment_id:
            return
        self.shipment_id, self.carrier = shipment_id, carrier
        self._move(F.SHIPPED, "shipment_created", now)
        self.packages = [evolve(p, status="shipped") for p in self.packages]

    def shipment_requested(self, shipment_id: str, carrier: str) -> None:
        """Remember a shipment the carrier created before the fulfillment could be marked."""
        self.shipment_id, self.carrier = shipment_id, carrier

    def complete(self, reason: str, *, now: datetime) -> None:
        if self.status is F.COMPLETED:
            return
        self._move(F.COMPLETED, reason, now)

    def cancel(self, reason: str, *, now: datetime) -> bool:
        """Cancel before shipping; a shipped fulfillment waits for its goods to come back
        (`compensation_pending`). Returns False when nothing changed (already terminal or
        already waiting)."""
        if self.status in TERMINAL or self.status is F.COMPENSATION_PENDING:
            return False
        if self.status is F.SHIPPED:
            self._move(F.COMPENSATION_PENDING, reason, now)
            return True
        self._move(F.CANCELLED, reason, now)
        self.cancel_reason = reason
        return True

    def compensated(self, *, now: datetime) -> None:
        self._move(F.COMPENSATED, "goods_returned", now)

    # -- the clock ----------------------------------------------------------------------------
    def sla(self, policy: FulfillmentPolicy) -> timedelta:
        units = sum(item.quantity_ordered for item in self.items)
        if self.priority == "express":
            return policy.sla_express
        if units > policy.bulk_items:
            return policy.sla_bulk
        return policy.sla_standard

    def check_sla(self, policy: FulfillmentPolicy, *, now: datetime) -> bool:
        """Record a breach once per status it happens in; True when one was recorded now."""
        if self.status not in ACTIVE or self.status.value in self.sla_breaches:
            return False
        age, limit = now - self.created_at, self.sla(policy)
        if age <= limit:
            return False
        self.sla_breaches.append(self.status.value)
        self.events.append(SlaBreached(self.id, self.order_id, self.status.value,
                                       int(age.total_seconds() // 60),
                                       int(limit.total_seconds() // 60), now))
        return True


def fulfillment_number(fulfillment_id: str, created_at: datetime) -> str:
    """`FUL-YYYYMMDD-XXXXXXXX` from the id's tail, like order numbers (ADR 0004)."""
    return f"FUL-{created_at:%Y%m%d}-{fulfillment_id.replace('-', '')[-8:].upper()}"
