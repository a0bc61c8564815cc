"""`commerce fulfillment`: batch pick lists in bin order, picking, packing, ready to ship."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core.fulfillment.model import PackageSpec
from commerce_core.fulfillment.picklists import Picklist
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Fulfillment: pick lists, picking, packing, ready to ship.")
Ref = Annotated[str, typer.Argument(metavar="FULFILLMENT", help="Fulfillment id")]


def picklist_table(picklist: Picklist) -> Table:
    table = Table(title=f"Pick list {picklist.number}: {len(picklist.fulfillment_ids)} orders, "
                        f"walk the bins top to bottom")
    table.add_column("#", justify="right")
    table.add_column("Bin", no_wrap=True)
    table.add_column("SKU", no_wrap=True)
    table.add_column("Qty", justify="right")
    table.add_column("Orders", justify="right")
    for line in picklist.lines:
        table.add_row(str(line.sequence), line.bin_location or "(no bin)", line.sku,
                      str(line.quantity), str(len(line.sources)))
    return table


@app.command("list")
@permits(Permission.FULFILLMENT_READ)
def list_fulfillments(
    ctx: typer.Context,
    warehouse: Annotated[str | None, typer.Option()] = None,
    status: Annotated[list[str] | None, typer.Option(help="planning, picking, ...")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """Fulfillments, oldest first."""
    table = Table()
    for heading in ("Number", "Order", "Status", "Units", "Id"):
        table.add_column(heading, no_wrap=True)
    for f in runtime(ctx).commerce.fulfillment.list(warehouse=warehouse, statuses=status,
                                                    limit=limit):
        table.add_row(f.number, f.order_number, f.status.value,
                      str(sum(i.quantity_ordered for i in f.items)), f.id)
    console.print(table)


@app.command("picklist")
@permits(Permission.FULFILLMENT_WRITE)
def picklist(
    ctx: typer.Context,
    warehouse: Annotated[str, typer.Option(help="Warehouse code or id")],
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many orders")] = 50,
) -> None:
    """One batch pick list for the planned orders of a warehouse, printed in bin order."""
    commerce = runtime(ctx).commerce
    picklist_id = commerce.fulfillment.generate_picklist(warehouse, limit=limit)
    console.print(picklist_table(commerce.fulfillment.picklist(picklist_id)))
    console.print(f"pick list id: {picklist_id}")


@app.command("complete-picklist")
@permits(Permission.FULFILLMENT_WRITE)
def complete_picklist(
    ctx: typer.Context,
    picklist_id: Annotated[str, typer.Argument()],
    short: Annotated[list[str] | None, typer.Option(
        help="SEQUENCE=QTY for a line picked short (repeatable)")] = None,
    accept_short: Annotated[bool, typer.Option(help="Ship what was found")] = False,
) -> None:
    """Record the pick: stock is deducted for the picked units only."""
    commerce = runtime(ctx).commerce
    found = commerce.fulfillment.picklist(picklist_id)
    picked = {line.sequence: line.quantity for line in found.lines}
    for item in short or []:
        sequence, _, quantity = item.partition("=")
        if not (sequence.isdigit() and quantity.isdigit()):
            raise typer.BadParameter("SEQUENCE=QTY, e.g. 3=1", param_hint="--short")
        picked[int(sequence)] = int(quantity)
    commerce.fulfillment.complete_picklist(picklist_id, picked, accept_short=accept_short)
    ok(f"pick list {found.number} completed")


@app.command("pack")
@permits(Permission.FULFILLMENT_WRITE)
def pack(
    ctx: typer.Context,
    fulfillment_id: Ref,
    weight: Annotated[int, typer.Option(min=1, help="Measured weight in grams")],
    size: Annotated[str, typer.Option(help="LxWxH in cm, e.g. 30x20x10")],
) -> None:
    """Pack everything picked into one package (weight checked against the items)."""
    try:
        length, width, height = (int(side) for side in size.lower().split("x"))
    except ValueError:
        raise typer.BadParameter("LxWxH in whole cm, e.g. 30x20x10",
                                 param_hint="--size") from None
    fulfillment = runtime(ctx).commerce.fulfillment
    if fulfillment.get(fulfillment_id).status.value == "picked":
        fulfillment.start_packing(fulfillment_id)
    fulfillment.confirm_packed(fulfillment_id, [PackageSpec(weight, length, width, height)])
    ok("packed")


@app.command("qc")
@permits(Permission.FULFILLMENT_WRITE)
def qc(ctx: typer.Context, fulfillment_id: Ref,
       passed: Annotated[bool, typer.Option("--pass/--fail")] = True,
       reason: Annotated[str, typer.Option()] = "") -> None:
    """Record a quality check; a failure puts the goods back for a new pick."""
    runtime(ctx).commerce.fulfillment.record_qc(fulfillment_id, passed=passed, reason=reason)
    ok("quality check recorded")


@app.command("ready")
@permits(Permission.FULFILLMENT_WRITE)
def ready(ctx: typer.Context, fulfillment_id: Ref) -> None:
    """Mark packed goods ready to ship: the packages are handed to shipping."""
    runtime(ctx).commerce.fulfillment.mark_ready(fulfillment_id)
    ok("ready to ship")


@app.command("ship")
@permits(Permission.FULFILLMENT_WRITE)
def ship(ctx: typer.Context, fulfillment_id: Ref) -> None:
    """Hand a ready fulfillment to the carrier (needs a shipping adapter)."""
    shipment = runtime(ctx).commerce.fulfillment.ship(fulfillment_id)
    ok(f"shipped as {shipment}")


@app.command("cancel")
@permits(Permission.FULFILLMENT_WRITE)
def cancel(ctx: typer.Context, fulfillment_id: Ref,
           reason: Annotated[str, typer.Option()] = "manual") -> None:
    runtime(ctx).commerce.fulfillment.cancel(fulfillment_id, reason)
    ok("cancelled")
