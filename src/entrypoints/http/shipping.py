"""Shipping routes: carrier webhooks, public tracking, a shopper's shipments, staff shipments.

Carrier webhooks take no bearer token (`PUBLIC`): the carrier's proof is checked over the raw
body before anything is parsed (the fake signs with HMAC; Grab sends a shared secret in its
`Authorization` header; GHN sends nothing, so its URL carries a secret token). The adapters
compare in constant time. A call that does not verify
answers 401 and stores nothing; an unknown carrier is 404; a verified duplicate answers 200.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from commerce_core.app import Commerce
from commerce_core.shared.permissions import Permission
from commerce_core.shipping.errors import UnknownCarrier, WebhookRejected
from commerce_core.shipping.model import Shipment
from entrypoints.http.access import PUBLIC, ShopperDep, permit
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.problems import HttpProblem

router = APIRouter(tags=["shipping"])
admin = APIRouter(tags=["shipping admin"])


class TrackingEventOut(BaseModel):
    status: str | None
    event_code: str
    occurred_at: datetime
    location: str | None = None
    description: str | None = None


class PublicTrackingOut(BaseModel):
    tracking_number: str
    carrier: str
    status: str
    events: list[TrackingEventOut]


class ShipmentOut(BaseModel):
    id: str
    number: str
    order_id: str
    fulfillment_id: str
    package_id: str
    carrier: str
    service_type: str
    status: str
    tracking_number: str | None
    cost: dict[str, Any] | None
    cod_amount: dict[str, Any] | None
    delivery_attempts: int
    needs_attention: bool
    label_format: str | None
    shipped_at: datetime | None
    delivered_at: datetime | None
    events: list[TrackingEventOut]

    @classmethod
    def of(cls, s: Shipment) -> ShipmentOut:
        return cls(
            id=s.id, number=s.number, order_id=s.order_id, fulfillment_id=s.fulfillment_id,
            package_id=s.package_id, carrier=s.carrier, service_type=s.service_type,
            status=s.status.value, tracking_number=s.tracking_number,
            cost=s.cost.to_dict() if s.cost else None,
            cod_amount=s.cod_amount.to_dict() if s.cod_amount else None,
            delivery_attempts=s.delivery_attempts, needs_attention=s.needs_attention,
            label_format=s.label_format, shipped_at=s.shipped_at, delivered_at=s.delivered_at,
            events=[TrackingEventOut(status=e.status.value if e.status else None,
                                     event_code=e.carrier_status, occurred_at=e.occurred_at,
                                     location=e.location, description=e.description)
                    for e in s.tracking_events])


class WebhookOut(BaseModel):
    received: bool
    updates: int
    applied: int
    duplicates: int


class Delivery(BaseModel):
    signature_url: str | None = None
    photo_url: str | None = None
    notes: str | None = None


class Cancellation(BaseModel):
    reason: str = "cancelled by staff"


class NewShipment(BaseModel):
    fulfillment_id: str
    service_type: str = "standard"


async def _webhook(commerce: Commerce, carrier: str, request: Request,
                   token: str | None) -> WebhookOut:
    body = await request.body()
    try:
        result = commerce.shipping.process_webhook(carrier, dict(request.headers), body, token)
    except UnknownCarrier as error:
        raise HttpProblem(404, error.code, error.message) from None
    except WebhookRejected as error:
        raise HttpProblem(401, error.code, error.message) from None
    return WebhookOut(received=True, updates=result.updates, applied=result.applied,
                      duplicates=result.duplicates)


@router.post("/webhooks/carriers/{carrier}",
             summary="A carrier's tracking webhook, authenticated by its headers (the fake, Grab)",
             dependencies=[PUBLIC])
async def carrier_webhook(carrier: str, request: Request, commerce: CommerceDep) -> WebhookOut:
    return await _webhook(commerce, carrier, request, None)


@router.post("/webhooks/carriers/{carrier}/{token}",
             summary="A carrier's webhook authenticated by a secret URL token (GHN)",
             dependencies=[PUBLIC])
async def carrier_webhook_with_token(carrier: str, token: str, request: Request,
                                     commerce: CommerceDep) -> WebhookOut:
    return await _webhook(commerce, carrier, request, token)


@router.get("/track/{tracking_number}",
            summary="A parcel's status and carrier reports (nothing personal)",
            dependencies=[PUBLIC])
def track(tracking_number: str, commerce: CommerceDep) -> PublicTrackingOut:
    view = commerce.shipping.track(tracking_number)
    return PublicTrackingOut(
        tracking_number=view.tracking_number, carrier=view.carrier, status=view.status,
        events=[TrackingEventOut(status=e.status, event_code=e.event_code,
                                 occurred_at=e.occurred_at, location=e.location,
                                 description=e.description) for e in view.events])


@router.get("/orders/{order_id}/shipments",
            summary="An order's shipments, for its customer or the holder of its cart's token")
def order_shipments(order_id: str, commerce: CommerceDep,
                    shopper: ShopperDep) -> list[ShipmentOut]:
    shopper.order(commerce, order_id)
    return [ShipmentOut.of(s) for s in commerce.shipping.for_order(order_id)]


# -- staff --------------------------------------------------------------------------------------


@admin.get("/shipments", summary="Shipments, newest first",
           dependencies=[permit(Permission.SHIPPING_READ)])
def list_shipments(
    commerce: CommerceDep,
    status: Annotated[list[str] | None, Query()] = None,
    carrier: str | None = None, order_id: str | None = None,
    needs_attention: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ShipmentOut]:
    return [ShipmentOut.of(s) for s in commerce.shipping.list(
        statuses=status, carrier=carrier, order_id=order_id,
        needs_attention=needs_attention, limit=limit)]


@admin.get("/shipments/{shipment_id}", summary="One shipment with its carrier reports",
           dependencies=[permit(Permission.SHIPPING_READ)])
def get_shipment(shipment_id: str, commerce: CommerceDep) -> ShipmentOut:
    return ShipmentOut.of(commerce.shipping.get(shipment_id))


@admin.post("/shipments", status_code=201,
            summary="Hand a ready fulfillment to its carrier: a booked shipment per package",
            dependencies=[permit(Permission.SHIPPING_MANAGE)])
def create_shipments(body: NewShipment, commerce: CommerceDep) -> list[ShipmentOut]:
    commerce.fulfillment.ship(body.fulfillment_id, body.service_type)
    order_id = commerce.fulfillment.get(body.fulfillment_id).order_id
    return [ShipmentOut.of(s) for s in commerce.shipping.for_order(order_id)
            if s.fulfillment_id == body.fulfillment_id]


@admin.post("/shipments/{shipment_id}/book", summary="Book a draft with its carrier now",
            dependencies=[permit(Permission.SHIPPING_MANAGE)])
def book_shipment(shipment_id: str, commerce: CommerceDep) -> ShipmentOut:
    return ShipmentOut.of(commerce.shipping.book(shipment_id))


@admin.post("/shipments/{shipment_id}/cancel",
            summary="Cancel before pickup; after pickup the parcel comes back (returning)",
            dependencies=[permit(Permission.SHIPPING_MANAGE)])
def cancel_shipment(shipment_id: str, commerce: CommerceDep,
                    body: Cancellation | None = None) -> ShipmentOut:
    commerce.shipping.cancel(shipment_id, (body or Cancellation()).reason)
    return ShipmentOut.of(commerce.shipping.get(shipment_id))


@admin.post("/shipments/{shipment_id}/deliver", summary="Confirm delivery with its proof",
            dependencies=[permit(Permission.SHIPPING_MANAGE)])
def confirm_delivery(shipment_id: str, body: Delivery, commerce: CommerceDep) -> ShipmentOut:
    commerce.shipping.confirm_delivery(shipment_id, signature_url=body.signature_url,
                                       photo_url=body.photo_url, notes=body.notes)
    return ShipmentOut.of(commerce.shipping.get(shipment_id))


@admin.get("/shipments/{shipment_id}/label",
           summary="The shipping label (PDF), or a redirect to the carrier's print page",
           dependencies=[permit(Permission.SHIPPING_MANAGE)],
           response_class=Response)
def label(shipment_id: str, commerce: CommerceDep) -> Response:
    printed = commerce.shipping.label(shipment_id, "pdf")
    if printed.content is not None:
        return Response(printed.content, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="{printed.tracking_number}.pdf"'})
    return Response(status_code=303, headers={"Location": printed.url or ""})
