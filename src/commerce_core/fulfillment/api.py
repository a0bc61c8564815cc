"""`commerce.fulfillment`: the fulfillment use cases as plain methods, plus queries."""

from __future__ import annotations

import builtins
from collections.abc import Mapping, Sequence

from commerce_core.fulfillment.commands import (
    CancelFulfillment,
    CheckFulfillmentSla,
    CompletePicklist,
    CompleteShippedFulfillments,
    ConfirmPacked,
    ConfirmPicked,
    ExpirePicklists,
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
from commerce_core.fulfillment.model import Fulfillment, PackageSpec
from commerce_core.fulfillment.picklists import Picklist
from commerce_core.fulfillment.ports import FulfillmentUnitOfWork
from commerce_core.inventory.services import resolve_warehouse
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class FulfillmentApi:
    """Fulfillments of paid orders: pick lists, picking, packing, hand-over."""

    def __init__(self, handle: Handle,
                 read: UnitOfWorkFactory[FulfillmentUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    # -- queries --------------------------------------------------------------------------------
    def get(self, fulfillment_id: str) -> Fulfillment:
        with self._read() as uow:
            return uow.fulfillments.get(fulfillment_id)

    def for_order(self, order_id: str) -> builtins.list[Fulfillment]:
        with self._read() as uow:
            return uow.fulfillments.for_order(order_id)

    def list(self, *, warehouse: str | None = None, statuses: Sequence[str] | None = None,
             limit: int = 100) -> builtins.list[Fulfillment]:
        with self._read() as uow:
            warehouse_id = resolve_warehouse(uow, warehouse).id if warehouse else None
            return uow.fulfillments.list(
                warehouse_id=warehouse_id, statuses=statuses, limit=limit)

    def picklist(self, picklist_id: str) -> Picklist:
        with self._read() as uow:
            return uow.picklists.get(picklist_id)

    def picklists(self, *, warehouse: str | None = None, statuses: Sequence[str] | None = None,
                  limit: int = 100) -> builtins.list[Picklist]:
        with self._read() as uow:
            warehouse_id = resolve_warehouse(uow, warehouse).id if warehouse else None
            return uow.picklists.list(
                warehouse_id=warehouse_id, statuses=statuses, limit=limit)

    # -- picking --------------------------------------------------------------------------------
    def generate_picklist(self, warehouse: str, fulfillment_ids: Sequence[str] = (), *,
                          limit: int = 50) -> str:
        return str(self._handle(GeneratePicklist(warehouse, tuple(fulfillment_ids), limit)))

    def start_picklist(self, picklist_id: str) -> None:
        self._handle(StartPicklist(picklist_id))

    def complete_picklist(self, picklist_id: str, picked: Mapping[int, int] | None = None, *,
                          accept_short: bool = False) -> None:
        self._handle(CompletePicklist(
            picklist_id, None if picked is None else tuple(sorted(picked.items())),
            accept_short))

    def confirm_picked(self, fulfillment_id: str, picked: Mapping[str, int] | None = None, *,
                       accept_short: bool = False) -> None:
        self._handle(ConfirmPicked(
            fulfillment_id, None if picked is None else tuple(sorted(picked.items())),
            accept_short))

    def retry_pick(self, fulfillment_id: str) -> None:
        self._handle(RetryPick(fulfillment_id))

    # -- packing and shipping -------------------------------------------------------------------
    def start_packing(self, fulfillment_id: str) -> None:
        self._handle(StartPacking(fulfillment_id))

    def confirm_packed(self, fulfillment_id: str, packages: Sequence[PackageSpec]) -> None:
        self._handle(ConfirmPacked(fulfillment_id, tuple(packages)))

    def record_qc(self, fulfillment_id: str, *, passed: bool, reason: str = "") -> None:
        self._handle(RecordQcResult(fulfillment_id, passed, reason))

    def mark_ready(self, fulfillment_id: str) -> None:
        self._handle(MarkReadyToShip(fulfillment_id))

    def ship(self, fulfillment_id: str, service_type: str = "standard") -> str:
        return str(self._handle(ShipFulfillment(fulfillment_id, service_type)))

    def mark_delivered(self, fulfillment_id: str) -> None:
        self._handle(MarkDelivered(fulfillment_id))

    def cancel(self, fulfillment_id: str, reason: str = "manual") -> None:
        self._handle(CancelFulfillment(fulfillment_id, reason))

    def mark_compensated(self, fulfillment_id: str) -> None:
        self._handle(MarkCompensated(fulfillment_id))

    # -- jobs -----------------------------------------------------------------------------------
    def complete_shipped(self, batch_size: int = 50) -> int:
        return int(self._handle(CompleteShippedFulfillments(batch_size)))

    def check_sla(self, batch_size: int = 500) -> int:
        return int(self._handle(CheckFulfillmentSla(batch_size)))

    def expire_picklists(self, batch_size: int = 100) -> int:
        return int(self._handle(ExpirePicklists(batch_size)))
