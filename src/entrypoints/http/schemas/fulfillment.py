"""Fulfillment bodies: fulfillments with their items and packages, pick lists, packing."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from commerce_core.fulfillment.commands import (
    CompletePicklist,
    ConfirmPacked,
    ConfirmPicked,
    GeneratePicklist,
)
from commerce_core.fulfillment.model import Fulfillment, PackageItem, PackageSpec
from commerce_core.fulfillment.picklists import Picklist
from entrypoints.http.schemas.common import Integral, MoneyOut, RequestBody, Sku

Units = Annotated[int, Field(strict=True, ge=0, le=1_000_000), Integral]
Positive = Annotated[int, Field(strict=True, ge=1, le=1_000_000), Integral]


class FulfillmentItemOut(BaseModel):
    id: str
    sku: str
    name: str
    quantity_ordered: int
    quantity_picked: int
    quantity_packed: int
    reservation_id: str


class PackageOut(BaseModel):
    id: str
    number: str
    status: str
    weight_grams: int
    dimensions_cm: tuple[int, int, int]
    insured: bool


class FulfillmentOut(BaseModel):
    id: str
    number: str
    order_id: str
    order_number: str
    warehouse_id: str
    status: str
    priority: str
    qc_required: bool
    qc_passed: bool | None
    cod_amount: MoneyOut | None
    picklist_id: str | None
    shipment_id: str | None
    items: list[FulfillmentItemOut]
    packages: list[PackageOut]
    created_at: datetime

    @classmethod
    def of(cls, f: Fulfillment) -> FulfillmentOut:
        return cls(
            id=f.id, number=f.number, order_id=f.order_id, order_number=f.order_number,
            warehouse_id=f.warehouse_id, status=f.status.value, priority=f.priority,
            qc_required=f.qc_required, qc_passed=f.qc_passed,
            cod_amount=MoneyOut.of(f.cod_amount) if f.cod_amount else None,
            picklist_id=f.picklist_id, shipment_id=f.shipment_id,
            items=[FulfillmentItemOut(id=i.id, sku=i.sku, name=i.name,
                                      quantity_ordered=i.quantity_ordered,
                                      quantity_picked=i.quantity_picked,
                                      quantity_packed=i.quantity_packed,
                                      reservation_id=i.reservation_id) for i in f.items],
            packages=[PackageOut(id=p.id, number=p.number, status=p.status,
                                 weight_grams=p.weight_grams,
                                 dimensions_cm=(p.length_cm, p.width_cm, p.height_cm),
                                 insured=p.insured) for p in f.packages],
            created_at=f.created_at,
        )


class PickLineOut(BaseModel):
    sequence: int
    bin_location: str | None
    sku: str
    quantity: int
    quantity_picked: int
    orders: int = Field(description="How many fulfillments this line serves")


class PicklistOut(BaseModel):
    id: str
    number: str
    warehouse_id: str
    status: str
    fulfillment_ids: list[str]
    lines: list[PickLineOut] = Field(description="In walking order: each bin once")
    expires_at: datetime

    @classmethod
    def of(cls, p: Picklist) -> PicklistOut:
        return cls(id=p.id, number=p.number, warehouse_id=p.warehouse_id,
                   status=p.status.value, fulfillment_ids=p.fulfillment_ids,
                   lines=[PickLineOut(sequence=ln.sequence, bin_location=ln.bin_location,
                                      sku=ln.sku, quantity=ln.quantity,
                                      quantity_picked=ln.quantity_picked,
                                      orders=len(ln.sources)) for ln in p.lines],
                   expires_at=p.expires_at)


class NewPicklist(RequestBody):
    warehouse: str
    fulfillment_ids: list[str] = Field(default_factory=list,
                                       description="None: the oldest planned fulfillments")
    limit: int = Field(50, ge=1, le=500)

    def to_command(self) -> GeneratePicklist:
        return GeneratePicklist(self.warehouse, tuple(self.fulfillment_ids), self.limit)


class PickedLine(RequestBody):
    sequence: Positive
    quantity: Units


class PicklistCompletion(RequestBody):
    picked: list[PickedLine] | None = Field(None, description="None: every line in full")
    accept_short: bool = False

    def to_command(self, picklist_id: str) -> CompletePicklist:
        picked = (None if self.picked is None
                  else tuple((line.sequence, line.quantity) for line in self.picked))
        return CompletePicklist(picklist_id, picked, self.accept_short)


class PickedSku(RequestBody):
    sku: Sku
    quantity: Units


class PickConfirmation(RequestBody):
    picked: list[PickedSku] | None = Field(None, description="None: everything")
    accept_short: bool = False

    def to_command(self, fulfillment_id: str) -> ConfirmPicked:
        picked = (None if self.picked is None
                  else tuple((line.sku.upper(), line.quantity) for line in self.picked))
        return ConfirmPicked(fulfillment_id, picked, self.accept_short)


class PackageContent(RequestBody):
    item_id: str
    quantity: Positive


class PackageBody(RequestBody):
    weight_grams: Positive
    length_cm: Positive
    width_cm: Positive
    height_cm: Positive
    items: list[PackageContent] = Field(default_factory=list,
                                        description="None: everything picked")


class Packing(RequestBody):
    packages: list[PackageBody] = Field(min_length=1, max_length=50)

    def to_command(self, fulfillment_id: str) -> ConfirmPacked:
        return ConfirmPacked(fulfillment_id, tuple(
            PackageSpec(p.weight_grams, p.length_cm, p.width_cm, p.height_cm,
                        tuple(PackageItem(i.item_id, i.quantity) for i in p.items))
            for p in self.packages))


class QcResult(RequestBody):
    passed: bool
    reason: str = ""


class Cancellation(RequestBody):
    reason: str = "manual"
