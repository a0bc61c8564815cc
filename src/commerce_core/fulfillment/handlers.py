"""Fulfillment use cases, jobs and reactions.

Stock moves in the fulfillment's own transaction through inventory's services, as the checkout
saga does: completing a pick deducts exactly the units picked, cancelling before the pick
releases the reservations, and goods coming back from the packing area return to the shelf.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from commerce_core.fulfillment.commands import (
    CancelFulfillment,
    CompletePicklist,
    ConfirmPacked,
    ConfirmPicked,
    GeneratePicklist,
    MarkCompensated,
    MarkDelivered,
    MarkReadyToShip,
    RecordQcResult,
    RetryPick,
    ShipFulfillment,
    StartPacking,
    StartPicklist,
)
from commerce_core.fulfillment.errors import (
    InvalidTransition,
    ItemNotInFulfillment,
    NothingToPick,
    ShippingUnavailable,
)
from commerce_core.fulfillment.model import (
    Fulfillment,
    FulfillmentPolicy,
    FulfillmentStatus,
)
from commerce_core.fulfillment.picklists import Picklist
from commerce_core.fulfillment.ports import (
    FulfillmentUnitOfWork,
    ShipmentGateway,
    ShipmentRequest,
)
from commerce_core.inventory import services as stock
from commerce_core.inventory.services import MovementInfo, MovementType, resolve_warehouse
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.fulfillment")

Factory = UnitOfWorkFactory[FulfillmentUnitOfWork]


# -- picking ---------------------------------------------------------------------------------


class _Handler:
    def __init__(self, uow: Factory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock


def apply_pick(uow: FulfillmentUnitOfWork, fulfillment: Fulfillment, picked: Mapping[str, int],
               *, accept_short: bool, now: datetime) -> None:
    """Deduct exactly the units picked; an accepted short pick gives the rest back."""
    taken = fulfillment.confirm_picked(picked, accept_short=accept_short, now=now)
    for item in fulfillment.items:
        if taken.get(item.id):
            stock.fulfil(uow, item.reservation_id, taken[item.id], now=now,
                         reference_type="fulfillment", reference_id=fulfillment.id)
    if accept_short:
        stock.release(uow, [i.reservation_id for i in fulfillment.items], reason="short_pick",
                      now=now, skip_fulfilled=True)


class GeneratePicklistHandler:
    """A batch pick list: the unpicked lines of many orders, grouped by bin and SKU, in one
    walk through the warehouse."""

    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator,
                 policy: FulfillmentPolicy) -> None:
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy

    def __call__(self, cmd: GeneratePicklist) -> str:
        now = self._clock.now()
        with self._uow() as uow:
            warehouse = resolve_warehouse(uow, cmd.warehouse)
            if cmd.fulfillment_ids:
                chosen = [uow.fulfillments.get(fid) for fid in cmd.fulfillment_ids]
                for f in chosen:
                    if f.warehouse_id != warehouse.id:
                        raise InvalidTransition(f"fulfillment {f.number} ships from another "
                                                "warehouse", fulfillment_id=f.id)
                    if f.status is not FulfillmentStatus.PLANNING:
                        raise InvalidTransition(
                            f"fulfillment {f.number} is {f.status}; only planned work is "
                            "picked from a new list", fulfillment_id=f.id, status=f.status.value)
            else:
                chosen = uow.fulfillments.list(warehouse_id=warehouse.id,
                                               statuses=[FulfillmentStatus.PLANNING.value],
                                               limit=cmd.limit)
            if not chosen:
                raise NothingToPick(f"no fulfillment of {warehouse.code} waits for picking",
                                    warehouse_id=warehouse.id)
            bins = stock.bins(uow, warehouse.id)
            picklist = Picklist.generate(picklist_id=self._ids.new_id(),
                                         warehouse_id=warehouse.id, fulfillments=chosen,
                                         bins=bins, ttl=self._policy.picklist_ttl, now=now)
            for fulfillment in chosen:
                fulfillment.start_picking(picklist.id, now=now)
            uow.picklists.add(picklist)
            uow.commit()
        return picklist.id


class StartPicklistHandler(_Handler):
    def __call__(self, cmd: StartPicklist) -> None:
        with self._uow() as uow:
            uow.picklists.get(cmd.picklist_id).start(now=self._clock.now())
            uow.commit()


class CompletePicklistHandler(_Handler):
    def __call__(self, cmd: CompletePicklist) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            picklist = uow.picklists.get(cmd.picklist_id)
            handed = picklist.complete(dict(cmd.picked) if cmd.picked is not None else None,
                                       now=now)
            for fulfillment_id, picked in handed.items():
                fulfillment = uow.fulfillments.get(fulfillment_id)
                if fulfillment.status is not FulfillmentStatus.PICKING:
                    continue  # cancelled while the list was out: its units stay on the shelf
                apply_pick(uow, fulfillment, picked, accept_short=cmd.accept_short, now=now)
            uow.commit()


class ConfirmPickedHandler(_Handler):
    def __call__(self, cmd: ConfirmPicked) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            fulfillment = uow.fulfillments.get(cmd.fulfillment_id)
            if cmd.picked is None:
                picked = {i.id: i.quantity_ordered - i.quantity_picked for i in fulfillment.items}
            else:
                by_sku = {i.sku: i.id for i in fulfillment.items}
                unknown = {sku for sku, _ in cmd.picked} - set(by_sku)
                if unknown:
                    raise ItemNotInFulfillment("SKUs that are not part of this fulfillment",
                                         skus=sorted(unknown))
                picked = {by_sku[sku]: quantity for sku, quantity in cmd.picked}
            apply_pick(uow, fulfillment, picked, accept_short=cmd.accept_short, now=now)
            uow.commit()


class RetryPickHandler(_Handler):
    def __call__(self, cmd: RetryPick) -> None:
        with self._uow() as uow:
            uow.fulfillments.get(cmd.fulfillment_id).retry_pick(now=self._clock.now())
            uow.commit()


# -- packing and shipping --------------------------------------------------------------------


class StartPackingHandler(_Handler):
    def __call__(self, cmd: StartPacking) -> None:
        with self._uow() as uow:
            uow.fulfillments.get(cmd.fulfillment_id).start_packing(now=self._clock.now())
            uow.commit()


class ConfirmPackedHandler:
    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator,
                 policy: FulfillmentPolicy) -> None:
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy

    def __call__(self, cmd: ConfirmPacked) -> None:
        with self._uow() as uow:
            uow.fulfillments.get(cmd.fulfillment_id).confirm_packed(
                cmd.packages, package_ids=[self._ids.new_id() for _ in cmd.packages],
                policy=self._policy, now=self._clock.now(),
            )
            uow.commit()


class RecordQcResultHandler:
    """A failed check puts the picked goods back on the shelf and holds the same units again
    for the order, so a new pick (and the replacement) is guaranteed stock (spec B2.8)."""

    def __init__(self, uow: Factory, clock: Clock, ids: IdGenerator) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids

    def __call__(self, cmd: RecordQcResult) -> None:
        now = self._clock.now()
        with self._uow() as uow:
            fulfillment = uow.fulfillments.get(cmd.fulfillment_id)
            if fulfillment.record_qc(cmd.passed, cmd.reason, now=now):
                replacements = {}
                for item in fulfillment.items:
                    if not item.quantity_picked:
                        continue
                    stock.add_on_hand(
                        uow, item.sku, fulfillment.warehouse_id, item.quantity_picked, now=now,
                        info=MovementInfo(MovementType.RETURN, reason="qc_failed",
                                          reference_type="fulfillment",
                                          reference_id=fulfillment.id, notes=cmd.reason),
                    )
                    (held,) = stock.reserve(
                        uow, [stock.StockRequest(item.sku, item.quantity_picked,
                                                 fulfillment.warehouse_id)],
                        reference=fulfillment.id, reference_type="fulfillment",
                        expires_at=stock.never_expires(now), now=now, ids=self._ids,
                    )
                    (reservation,) = held.reservations
                    reservation.confirm(fulfillment.order_id, now=now)
                    replacements[item.id] = reservation.id
                fulfillment.restart_after_qc(replacements)
            uow.commit()


class MarkReadyToShipHandler(_Handler):
    def __call__(self, cmd: MarkReadyToShip) -> None:
        with self._uow() as uow:
            uow.fulfillments.get(cmd.fulfillment_id).mark_ready(now=self._clock.now())
            uow.commit()


class ShipFulfillmentHandler:
    """Ship through the configured carrier, once. The carrier is asked outside any
    transaction with a key per fulfillment, so a retry after a crash gets the same shipment;
    a shipment already on record is never requested again (spec B2.9). Without a carrier the
    fulfillment stays ready: nothing pretends a shipment exists."""

    def __init__(self, uow: Factory, clock: Clock, carrier: ShipmentGateway | None) -> None:
        self._uow, self._clock, self._carrier = uow, clock, carrier

    def __call__(self, cmd: ShipFulfillment) -> str:
        with self._uow() as uow:
            fulfillment = uow.fulfillments.get(cmd.fulfillment_id)
        if fulfillment.status is FulfillmentStatus.SHIPPED and fulfillment.shipment_id:
            return fulfillment.shipment_id
        if fulfillment.status is not FulfillmentStatus.READY:
            raise InvalidTransition(
                f"fulfillment {fulfillment.number} is {fulfillment.status}, not ready to ship",
                fulfillment_id=fulfillment.id, status=fulfillment.status.value)
        shipment_id, carrier = fulfillment.shipment_id, fulfillment.carrier
        if shipment_id is None:
            if self._carrier is None:
                raise ShippingUnavailable(
                    "no shipping adapter is configured; the fulfillment stays ready",
                    fulfillment_id=fulfillment.id)
            shipment_id, carrier = self._carrier.create_shipment(ShipmentRequest(
                fulfillment.id, fulfillment.order_id, fulfillment.order_number,
                fulfillment.warehouse_id, tuple(p.id for p in fulfillment.packages),
                sum(p.weight_grams for p in fulfillment.packages), cmd.service_type,
                f"fulfillment:{fulfillment.id}:ship",
            )), self._carrier.name
        with self._uow() as uow:
            uow.fulfillments.get(cmd.fulfillment_id).shipped(shipment_id, carrier or "",
                                                             now=self._clock.now())
            uow.commit()
        return shipment_id


class MarkDeliveredHandler(_Handler):
    def __call__(self, cmd: MarkDelivered) -> None:
        with self._uow() as uow:
            uow.fulfillments.get(cmd.fulfillment_id).complete("delivered", now=self._clock.now())
            uow.commit()


# -- cancelling ------------------------------------------------------------------------------


def cancel(uow: FulfillmentUnitOfWork, fulfillment: Fulfillment, reason: str, *,
           now: datetime) -> None:
    """Cancel, giving back what it holds: unpicked units are released, picked units not yet
    shipped return to the shelf. A shipped one only waits for its goods (compensation)."""
    if not fulfillment.cancel(reason, now=now):
        return
    if fulfillment.status is not FulfillmentStatus.CANCELLED:
        return
    stock.release(uow, list(fulfillment.reservation_ids), reason="fulfillment_cancelled",
                  now=now, skip_fulfilled=True)
    for item in fulfillment.items:
        if item.quantity_picked:
            stock.add_on_hand(uow, item.sku, fulfillment.warehouse_id, item.quantity_picked,
                              now=now, info=MovementInfo(
                                  MovementType.RETURN, reason="fulfillment_cancelled",
                                  reference_type="fulfillment", reference_id=fulfillment.id))


class CancelFulfillmentHandler(_Handler):
    def __call__(self, cmd: CancelFulfillment) -> None:
        with self._uow() as uow:
            cancel(uow, uow.fulfillments.get(cmd.fulfillment_id), cmd.reason,
                   now=self._clock.now())
            uow.commit()


class MarkCompensatedHandler(_Handler):
    def __call__(self, cmd: MarkCompensated) -> None:
        with self._uow() as uow:
            uow.fulfillments.get(cmd.fulfillment_id).compensated(now=self._clock.now())
            uow.commit()


class CancelFulfillmentsOnOrderCancelled:
    """`order.cancelled` → cancel every fulfillment of the order not finished yet; a shipped
    one becomes `compensation_pending` (spec B2.11)."""

    name = "fulfillment.cancel_fulfillments_on_order_cancelled"
    event_type = "order.cancelled"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def __call__(self, envelope: EventEnvelope, uow: Any) -> None:
        now = self._clock.now()
        for fulfillment in uow.fulfillments.for_order(str(envelope.payload["order_id"])):
            cancel(uow, fulfillment, "order_cancelled", now=now)
