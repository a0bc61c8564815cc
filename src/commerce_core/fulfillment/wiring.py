"""Fulfillment's handlers and subscribers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.fulfillment import commands as fc
from commerce_core.fulfillment import creation, jobs
from commerce_core.fulfillment import handlers as fh
from commerce_core.fulfillment.model import FulfillmentPolicy
from commerce_core.fulfillment.ports import FulfillmentUnitOfWork, ShipmentGateway
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class FulfillmentWiring:
    def __init__(self, uow: UnitOfWorkFactory[FulfillmentUnitOfWork], clock: Clock,
                 ids: IdGenerator, policy: FulfillmentPolicy,
                 carrier: ShipmentGateway | None) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._policy, self._carrier = policy, carrier

    def handlers(self) -> Handlers:
        uow, clock, ids, policy = self._uow, self._clock, self._ids, self._policy
        return {
            fc.GeneratePicklist: fh.GeneratePicklistHandler(uow, clock, ids, policy),
            fc.StartPicklist: fh.StartPicklistHandler(uow, clock),
            fc.CompletePicklist: fh.CompletePicklistHandler(uow, clock),
            fc.ConfirmPicked: fh.ConfirmPickedHandler(uow, clock),
            fc.RetryPick: fh.RetryPickHandler(uow, clock),
            fc.StartPacking: fh.StartPackingHandler(uow, clock),
            fc.ConfirmPacked: fh.ConfirmPackedHandler(uow, clock, ids, policy),
            fc.RecordQcResult: fh.RecordQcResultHandler(uow, clock, ids),
            fc.MarkReadyToShip: fh.MarkReadyToShipHandler(uow, clock),
            fc.ShipFulfillment: fh.ShipFulfillmentHandler(uow, clock, self._carrier),
            fc.MarkDelivered: fh.MarkDeliveredHandler(uow, clock),
            fc.CancelFulfillment: fh.CancelFulfillmentHandler(uow, clock),
            fc.MarkCompensated: fh.MarkCompensatedHandler(uow, clock),
            fc.CompleteShippedFulfillments: jobs.CompleteShippedFulfillmentsHandler(
                uow, clock, policy),
            fc.CheckFulfillmentSla: jobs.CheckFulfillmentSlaHandler(uow, clock, policy),
            fc.ExpirePicklists: jobs.ExpirePicklistsHandler(uow, clock, policy),
        }

    def subscribers(self) -> list[Subscriber]:
        clock, ids, policy = self._clock, self._ids, self._policy
        return [
            Subscriber.of(creation.CreateFulfillmentsOnOrderPaid(clock, ids, policy)),
            Subscriber.of(creation.CreateFulfillmentsOnCodOrderConfirmed(clock, ids, policy)),
            Subscriber.of(fh.CancelFulfillmentsOnOrderCancelled(clock)),
        ]
