"""`commerce shipping`: shipments of ready fulfillments, tracking, labels, cancellation, polling."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer
from rich.table import Table

from commerce_core.app import Commerce
from commerce_core.shared.permissions import Permission
from commerce_core.shipping.errors import ShipmentNotFound
from commerce_core.shipping.model import Shipment
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Shipping: shipments booked with carriers, tracking, labels.")
Ref = Annotated[str, typer.Argument(metavar="SHIPMENT", help="Shipment id")]


def _table(shipments: list[Shipment]) -> Table:
    table = Table()
    for heading in ("Number", "Carrier", "Tracking", "Status", "Order", "Id"):
        table.add_column(heading, no_wrap=True)
    for s in shipments:
        table.add_row(s.number, f"{s.carrier} {s.service_type}", s.tracking_number or "-",
                      s.status.value + (" (needs attention)" if s.needs_attention else ""),
                      s.order_id, s.id)
    return table


def _shipment(commerce: Commerce, ref: str) -> Shipment:
    """A shipment by id, or the only shipment of an order id."""
    try:
        return commerce.shipping.get(ref)
    except ShipmentNotFound:
        shipments = commerce.shipping.for_order(ref)
        if len(shipments) == 1:
            return shipments[0]
        if shipments:
            raise ShipmentNotFound(f"order {ref} has {len(shipments)} shipments; name one "
                                   "by its id") from None
        raise


@app.command("create")
@permits(Permission.SHIPPING_MANAGE)
def create(
    ctx: typer.Context,
    fulfillment_id: Annotated[str, typer.Argument(metavar="FULFILLMENT")],
    service: Annotated[str, typer.Option(help="standard, express, ...")] = "standard",
) -> None:
    """Hand a ready fulfillment to its carrier: a booked shipment per package."""
    commerce = runtime(ctx).commerce
    commerce.fulfillment.ship(fulfillment_id, service)
    order_id = commerce.fulfillment.get(fulfillment_id).order_id
    console.print(_table([s for s in commerce.shipping.for_order(order_id)
                          if s.fulfillment_id == fulfillment_id]))


@app.command("list")
@permits(Permission.SHIPPING_READ)
def list_shipments(
    ctx: typer.Context,
    status: Annotated[list[str] | None, typer.Option(help="draft, booked, ...")] = None,
    carrier: Annotated[str | None, typer.Option()] = None,
    order: Annotated[str | None, typer.Option(help="Order id")] = None,
    attention: Annotated[bool, typer.Option(help="Only those needing a person")] = False,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Shipments, newest first."""
    console.print(_table(runtime(ctx).commerce.shipping.list(
        statuses=status, carrier=carrier, order_id=order,
        needs_attention=True if attention else None, limit=limit)))


@app.command("show")
@permits(Permission.SHIPPING_READ)
def show(ctx: typer.Context, ref: Ref) -> None:
    """One shipment with its carrier reports."""
    shipment = _shipment(runtime(ctx).commerce, ref)
    console.print(_table([shipment]))
    table = Table(title="Carrier reports")
    for heading in ("When", "Code", "Status", "Applied", "Source"):
        table.add_column(heading, no_wrap=True)
    for e in shipment.tracking_events:
        table.add_row(e.occurred_at.isoformat(), e.carrier_status,
                      e.status.value if e.status else "-", "yes" if e.applied else "no",
                      e.source)
    console.print(table)


@app.command("track")
@permits(Permission.SHIPPING_READ)
def track(ctx: typer.Context,
          tracking_number: Annotated[str, typer.Argument(metavar="TRACKING_NUMBER")]) -> None:
    """A parcel's status and carrier reports, by tracking number."""
    view = runtime(ctx).commerce.shipping.track(tracking_number)
    console.print(f"{view.tracking_number} ({view.carrier}): {view.status}")
    for e in view.events:
        console.print(f"  {e.occurred_at.isoformat()}  {e.event_code}")


@app.command("label")
@permits(Permission.SHIPPING_MANAGE)
def label(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="ORDER_OR_SHIPMENT")],
    out: Annotated[Path, typer.Option("--out", help="Where to save the PDF")],
) -> None:
    """Save the shipment's label as a PDF (the carrier renders it or serves it at a URL)."""
    commerce = runtime(ctx).commerce
    shipment = _shipment(commerce, ref)
    printed = commerce.shipping.label(shipment.id, "pdf")
    content = printed.content
    if content is None and printed.url:
        response = httpx.get(printed.url, timeout=30, follow_redirects=True)
        response.raise_for_status()
        content = response.content
    if content is None:
        raise typer.BadParameter("the carrier gave neither a label nor its address")
    out.write_bytes(content)
    ok(f"label of {shipment.number} ({printed.tracking_number}) saved to {out}")


@app.command("cancel")
@permits(Permission.SHIPPING_MANAGE)
def cancel(ctx: typer.Context, ref: Ref,
           reason: Annotated[str, typer.Option()] = "cancelled by staff") -> None:
    """Cancel before pickup; after pickup the parcel comes back (returning)."""
    status = runtime(ctx).commerce.shipping.cancel(ref, reason)
    ok(f"shipment {ref} is {status}")


@app.command("poll")
@permits(Permission.SHIPPING_MANAGE)
def poll(ctx: typer.Context,
         stale_minutes: Annotated[int, typer.Option(min=1)] = 60) -> None:
    """Ask the carriers about shipments with no news (the worker does it every 30 minutes)."""
    commerce = runtime(ctx).commerce
    booked = commerce.shipping.retry_bookings()
    result = commerce.shipping.poll(stale_minutes=stale_minutes)
    ok(f"{booked} drafts booked; {result.updates} reports, {result.applied} applied, "
       f"{result.duplicates} already known")
