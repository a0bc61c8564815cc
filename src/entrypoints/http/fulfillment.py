"""Fulfillment routes for operators: fulfillments, batch pick lists, packing, ready to ship."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from commerce_core.fulfillment.commands import (
    CancelFulfillment,
    MarkCompensated,
    MarkDelivered,
    MarkReadyToShip,
    RecordQcResult,
    RetryPick,
    ShipFulfillment,
    StartPacking,
    StartPicklist,
)
from commerce_core.fulfillment.model import FulfillmentStatus
from commerce_core.shared.permissions import Permission
from entrypoints.http.access import permit
from entrypoints.http.dependencies import CommerceDep, RequestIdDep
from entrypoints.http.schemas.fulfillment import (
    Cancellation,
    FulfillmentOut,
    NewPicklist,
    Packing,
    PickConfirmation,
    PicklistCompletion,
    PicklistOut,
    QcResult,
)

admin = APIRouter(tags=["fulfillment admin"])


@admin.get("/fulfillments", summary="Fulfillments, oldest first",
           dependencies=[permit(Permission.FULFILLMENT_READ)])
def list_fulfillments(
    commerce: CommerceDep, warehouse: str | None = None,
    statuses: Annotated[list[FulfillmentStatus] | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[FulfillmentOut]:
    return [FulfillmentOut.of(f) for f in commerce.fulfillment.list(
        warehouse=warehouse, statuses=[s.value for s in statuses] if statuses else None,
        limit=limit)]


@admin.get("/orders/{order_id}/fulfillments", summary="What each warehouse ships of an order",
           dependencies=[permit(Permission.FULFILLMENT_READ)])
def order_fulfillments(order_id: str, commerce: CommerceDep) -> list[FulfillmentOut]:
    return [FulfillmentOut.of(f) for f in commerce.fulfillment.for_order(order_id)]


@admin.get("/fulfillments/{fulfillment_id}", dependencies=[permit(Permission.FULFILLMENT_READ)])
def get_fulfillment(fulfillment_id: str, commerce: CommerceDep) -> FulfillmentOut:
    return FulfillmentOut.of(commerce.fulfillment.get(fulfillment_id))


@admin.post("/picklists", status_code=status.HTTP_201_CREATED,
            summary="A batch pick list: the planned lines of many orders in one bin walk",
            dependencies=[permit(Permission.FULFILLMENT_WRITE)])
def generate_picklist(body: NewPicklist, commerce: CommerceDep,
                      request_id: RequestIdDep) -> PicklistOut:
    picklist_id = commerce.handle(body.to_command(), correlation_id=request_id)
    return PicklistOut.of(commerce.fulfillment.picklist(picklist_id))


@admin.get("/picklists/{picklist_id}", dependencies=[permit(Permission.FULFILLMENT_READ)])
def get_picklist(picklist_id: str, commerce: CommerceDep) -> PicklistOut:
    return PicklistOut.of(commerce.fulfillment.picklist(picklist_id))


@admin.post("/picklists/{picklist_id}/start", dependencies=[permit(Permission.FULFILLMENT_WRITE)])
def start_picklist(picklist_id: str, commerce: CommerceDep,
                   request_id: RequestIdDep) -> PicklistOut:
    commerce.handle(StartPicklist(picklist_id), correlation_id=request_id)
    return PicklistOut.of(commerce.fulfillment.picklist(picklist_id))


@admin.post("/picklists/{picklist_id}/complete",
            summary="Record what was picked; stock is deducted for the picked units only",
            dependencies=[permit(Permission.FULFILLMENT_WRITE)])
def complete_picklist(picklist_id: str, body: PicklistCompletion, commerce: CommerceDep,
                      request_id: RequestIdDep) -> PicklistOut:
    commerce.handle(body.to_command(picklist_id), correlation_id=request_id)
    return PicklistOut.of(commerce.fulfillment.picklist(picklist_id))


@admin.post("/fulfillments/{fulfillment_id}/picked",
            summary="Record the pick of one fulfillment without a list",
            dependencies=[permit(Permission.FULFILLMENT_WRITE)])
def confirm_picked(fulfillment_id: str, body: PickConfirmation, commerce: CommerceDep,
                   request_id: RequestIdDep) -> FulfillmentOut:
    commerce.handle(body.to_command(fulfillment_id), correlation_id=request_id)
    return FulfillmentOut.of(commerce.fulfillment.get(fulfillment_id))


@admin.post("/fulfillments/{fulfillment_id}/packages",
            summary="Packages with their weight and dimensions: checked, then packed",
            dependencies=[permit(Permission.FULFILLMENT_WRITE)])
def confirm_packed(fulfillment_id: str, body: Packing, commerce: CommerceDep,
                   request_id: RequestIdDep) -> FulfillmentOut:
    commerce.handle(body.to_command(fulfillment_id), correlation_id=request_id)
    return FulfillmentOut.of(commerce.fulfillment.get(fulfillment_id))


@admin.post("/fulfillments/{fulfillment_id}/qc", summary="Record a quality check",
            dependencies=[permit(Permission.FULFILLMENT_WRITE)])
def record_qc(fulfillment_id: str, body: QcResult, commerce: CommerceDep,
              request_id: RequestIdDep) -> FulfillmentOut:
    commerce.handle(RecordQcResult(fulfillment_id, body.passed, body.reason),
                    correlation_id=request_id)
    return FulfillmentOut.of(commerce.fulfillment.get(fulfillment_id))


@admin.post("/fulfillments/{fulfillment_id}/cancel",
            dependencies=[permit(Permission.FULFILLMENT_WRITE)])
def cancel_fulfillment(fulfillment_id: str, body: Cancellation, commerce: CommerceDep,
                       request_id: RequestIdDep) -> FulfillmentOut:
    commerce.handle(CancelFulfillment(fulfillment_id, body.reason), correlation_id=request_id)
    return FulfillmentOut.of(commerce.fulfillment.get(fulfillment_id))


@admin.post(
    "/fulfillments/{fulfillment_id}/{step}",
    summary="Retry a pick, start packing, mark ready, ship, delivered, compensated",
    description="`ship` needs a shipping adapter; without one it answers 503 and the "
    "fulfillment stays ready.",
    dependencies=[permit(Permission.FULFILLMENT_WRITE)],
)
def move_fulfillment(
    fulfillment_id: str,
    step: Literal["retry-pick", "start-packing", "ready", "ship", "delivered", "compensated"],
    commerce: CommerceDep, request_id: RequestIdDep,
) -> FulfillmentOut:
    command = {"retry-pick": RetryPick, "start-packing": StartPacking, "ready": MarkReadyToShip,
               "ship": ShipFulfillment, "delivered": MarkDelivered,
               "compensated": MarkCompensated}[step](fulfillment_id)
    commerce.handle(command, correlation_id=request_id)
    return FulfillmentOut.of(commerce.fulfillment.get(fulfillment_id))
