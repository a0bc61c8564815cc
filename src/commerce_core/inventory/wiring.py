"""Inventory's handlers and subscribers, built from what the composition root gives it."""

from __future__ import annotations

from commerce_core.inventory import commands as ic
from commerce_core.inventory import handlers as ih
from commerce_core.inventory import reservation_handlers as rh
from commerce_core.inventory.model import ReservationPolicy
from commerce_core.inventory.ports import InventoryUnitOfWork
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


class InventoryWiring:
    def __init__(self, uow: UnitOfWorkFactory[InventoryUnitOfWork], clock: Clock,
                 ids: IdGenerator, policy: ReservationPolicy) -> None:
        self._uow, self._clock, self._ids, self._policy = uow, clock, ids, policy

    def handlers(self) -> Handlers:
        uow, clock, ids, policy = self._uow, self._clock, self._ids, self._policy
        return {
            ic.CreateWarehouse: ih.CreateWarehouseHandler(uow, clock, ids),
            ic.UpdateWarehouse: ih.UpdateWarehouseHandler(uow, clock),
            ic.SetDefaultWarehouse: ih.SetDefaultWarehouseHandler(uow, clock),
            ic.ActivateWarehouse: ih.ActivateWarehouseHandler(uow, clock),
            ic.DeactivateWarehouse: ih.DeactivateWarehouseHandler(uow, clock),
            ic.CreateDistributor: ih.CreateDistributorHandler(uow, clock, ids),
            ic.SetStock: ih.SetStockHandler(uow, clock),
            ic.ConfigureStockItem: ih.ConfigureStockItemHandler(uow, clock),
            ic.ReceiveStock: ih.ReceiveStockHandler(uow, clock),
            ic.RecordDamage: ih.RecordDamageHandler(uow, clock),
            ic.RestockReturn: ih.RestockReturnHandler(uow, clock),
            ic.RequestAdjustment: ih.RequestAdjustmentHandler(uow, clock, ids),
            ic.ApproveAdjustment: ih.ApproveAdjustmentHandler(uow, clock),
            ic.RejectAdjustment: ih.RejectAdjustmentHandler(uow, clock),
            ic.RequestTransfer: ih.RequestTransferHandler(uow, clock, ids),
            ic.ShipTransfer: ih.ShipTransferHandler(uow, clock),
            ic.ReceiveTransfer: ih.ReceiveTransferHandler(uow, clock),
            ic.CancelTransfer: ih.CancelTransferHandler(uow, clock),
            ic.ReserveStock: rh.ReserveStockHandler(uow, clock, ids, policy),
            ic.ExtendReservation: rh.ExtendReservationHandler(uow, clock, policy),
            ic.ConfirmReservation: rh.ConfirmReservationHandler(uow, clock),
            ic.ReleaseReservation: rh.ReleaseReservationHandler(uow, clock),
            ic.FulfilReservation: rh.FulfilReservationHandler(uow, clock),
            ic.ExpireReservations: rh.ExpireReservationsHandler(uow, clock),
            ic.ReconcileReservedCounts: rh.ReconcileReservedCountsHandler(uow, clock),
            ic.ReportLeakedReservations: rh.ReportLeakedReservationsHandler(uow, clock),
        }

    def subscribers(self) -> list[Subscriber]:
        return [Subscriber.of(rh.ReleaseReservationsOnOrderCancelled(self._clock))]
