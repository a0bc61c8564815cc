"""`commerce stock`: what each warehouse holds, what moved it (the ledger and its audit), and
what operators do to it: counts, receipts, damage, adjustments, transfers, reservations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from commerce_core import Commerce
from commerce_core.inventory.model import StockLevel
from commerce_core.inventory.stock import StockSettings
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, failed, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True, help="Stock per warehouse: levels, items, receipts, "
                  "adjustments, transfers, the ledger, alerts and reservations.")


def levels_table(commerce: Commerce, levels: list[StockLevel]) -> Table:
    codes = {w.id: w.code for w in commerce.inventory.warehouses()}
    table = Table()
    table.add_column("SKU", no_wrap=True)
    table.add_column("Warehouse", no_wrap=True)
    for heading in ("On hand", "Reserved", "Available"):
        table.add_column(heading, justify="right")
    for level in levels:
        table.add_row(
            level.sku, codes.get(level.warehouse_id, level.warehouse_id),
            str(level.on_hand), str(level.reserved), str(level.available),
        )
    return table


@app.command("show")
@permits(Permission.INVENTORY_READ)
def show(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Argument(help="Only this SKU")] = None,
) -> None:
    """On hand, reserved and available stock per SKU and warehouse."""
    commerce = runtime(ctx).commerce
    levels = commerce.inventory.levels(sku)
    if not levels:
        console.print(f"no stock recorded for {sku}" if sku else "no stock recorded")
        return
    console.print(levels_table(commerce, levels))


# Unknown options pass through as arguments, so `stock set SKU HCM -5` reaches the core's own
# check (exit 1, one line) instead of failing to parse as an option called `-5`.
@app.command("set", context_settings={"ignore_unknown_options": True})
@permits(Permission.INVENTORY_ADJUST)
def set_on_hand(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The SKU counted")],
    warehouse: Annotated[str, typer.Argument(help="Warehouse code (HCM) or id")],
    quantity: Annotated[int, typer.Argument(help="Units on hand")],
    reason: Annotated[str, typer.Option(help="Why the count changed")] = "count",
) -> None:
    """Set the units on hand of a SKU in a warehouse (after a count or a delivery)."""
    commerce = runtime(ctx).commerce
    commerce.inventory.set_stock(sku, warehouse, quantity, reason=reason)
    ok(f"on hand set to {quantity}")
    console.print(levels_table(commerce, commerce.inventory.levels(sku)))


def _codes(commerce: Commerce) -> dict[str, str]:
    return {w.id: w.code for w in commerce.inventory.warehouses()}


@app.command("items")
@permits(Permission.INVENTORY_READ)
def items(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Option(help="Only this SKU")] = None,
    warehouse: Annotated[str | None, typer.Option(help="Only this warehouse")] = None,
) -> None:
    """Stock items with their bin, reorder point and min/max levels."""
    commerce = runtime(ctx).commerce
    codes = _codes(commerce)
    table = Table()
    for heading in ("SKU", "Warehouse", "Bin"):
        table.add_column(heading, no_wrap=True)
    for heading in ("On hand", "Reserved", "Available", "Reorder at", "Min", "Max"):
        table.add_column(heading, justify="right")
    for item in commerce.inventory.items(sku=sku, warehouse=warehouse):
        s = item.settings
        table.add_row(item.sku, codes.get(item.warehouse_id, item.warehouse_id),
                      s.bin_location or "-", str(item.on_hand), str(item.reserved),
                      str(item.available), str(s.reorder_point), str(s.min_level),
                      str(s.max_level))
    console.print(table)


@app.command("configure")
@permits(Permission.INVENTORY_MANAGE)
def configure(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The SKU")],
    warehouse: Annotated[str, typer.Argument(help="Warehouse code or id")],
    reorder_point: Annotated[int, typer.Option(min=0, help="Alert at or below this")] = 0,
    reorder_quantity: Annotated[int, typer.Option(min=0, help="How many to reorder")] = 0,
    min_level: Annotated[int, typer.Option(min=0)] = 0,
    max_level: Annotated[int, typer.Option(min=0)] = 0,
    bin_location: Annotated[str | None, typer.Option("--bin", help="Aisle-shelf-bin")] = None,
) -> None:
    """Set a stock item's reorder point, min/max levels and bin (replaces all of them)."""
    commerce = runtime(ctx).commerce
    commerce.inventory.configure(sku, warehouse, StockSettings(
        reorder_point, reorder_quantity, min_level, max_level, bin_location))
    ok(f"{sku.upper()} in {warehouse.upper()} configured")


@app.command("receive")
@permits(Permission.INVENTORY_ADJUST)
def receive(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument(help="The SKU received")],
    warehouse: Annotated[str, typer.Argument(help="Warehouse code or id")],
    quantity: Annotated[int, typer.Argument(help="Units received")],
    batch: Annotated[str | None, typer.Option(help="Batch (lot) number")] = None,
    expiry: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"],
                                                    help="Batch expiry date")] = None,
    bin_location: Annotated[str | None, typer.Option("--bin", help="Aisle-shelf-bin")] = None,
) -> None:
    """Receive goods into a warehouse (a goods receipt line)."""
    commerce = runtime(ctx).commerce
    commerce.inventory.receive(sku, warehouse, quantity, batch_number=batch,
                               expiry_date=expiry.date() if expiry else None,
                               bin_location=bin_location)
    ok(f"received {quantity} x {sku.upper()}")
    console.print(levels_table(commerce, commerce.inventory.levels(sku)))


@app.command("damage")
@permits(Permission.INVENTORY_ADJUST)
def damage(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument()],
    warehouse: Annotated[str, typer.Argument()],
    quantity: Annotated[int, typer.Argument(help="Units written off")],
    batch: Annotated[str | None, typer.Option(help="Batch the units came from")] = None,
    reason: Annotated[str, typer.Option()] = "damaged",
) -> None:
    """Write off damaged units (never below what is reserved)."""
    runtime(ctx).commerce.inventory.damage(sku, warehouse, quantity, batch_number=batch,
                                           reason=reason)
    ok(f"{quantity} x {sku.upper()} written off")


@app.command("adjust", context_settings={"ignore_unknown_options": True})
@permits(Permission.INVENTORY_ADJUST)
def adjust(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument()],
    warehouse: Annotated[str, typer.Argument()],
    change: Annotated[int, typer.Argument(help="Signed change of on hand")],
    reason: Annotated[str, typer.Option(help="received, damaged, correction, ...")] = (
        "correction"),
    notes: Annotated[str, typer.Option()] = "",
) -> None:
    """Ask for an adjustment; it changes stock only when approved (`stock approve`)."""
    adjustment_id = runtime(ctx).commerce.inventory.request_adjustment(
        sku, warehouse, change, reason=reason, notes=notes)
    ok(f"adjustment {adjustment_id} requested; approve it with: commerce stock approve "
       f"{adjustment_id}")


@app.command("approve")
@permits(Permission.INVENTORY_MANAGE)
def approve(ctx: typer.Context, adjustment_id: Annotated[str, typer.Argument()],
            by: Annotated[str, typer.Option()] = "operator") -> None:
    """Approve and execute an adjustment (approving it again changes nothing)."""
    runtime(ctx).commerce.inventory.approve_adjustment(adjustment_id, by)
    ok(f"adjustment {adjustment_id} approved")


@app.command("reject")
@permits(Permission.INVENTORY_MANAGE)
def reject(ctx: typer.Context, adjustment_id: Annotated[str, typer.Argument()],
           reason: Annotated[str, typer.Option()] = "rejected") -> None:
    runtime(ctx).commerce.inventory.reject_adjustment(adjustment_id, reason)
    ok(f"adjustment {adjustment_id} rejected")


@app.command("transfer")
@permits(Permission.INVENTORY_ADJUST)
def transfer(
    ctx: typer.Context,
    sku: Annotated[str, typer.Argument()],
    source: Annotated[str, typer.Argument(metavar="FROM", help="Source warehouse")],
    target: Annotated[str, typer.Argument(metavar="TO", help="Destination warehouse")],
    quantity: Annotated[int, typer.Argument()],
) -> None:
    """Start a transfer: the units are reserved at the source until shipped."""
    transfer_id = runtime(ctx).commerce.inventory.request_transfer(sku, source, target,
                                                                   quantity)
    ok(f"transfer {transfer_id} requested; then: commerce stock transfer-step "
       f"{transfer_id} ship|receive|cancel")


@app.command("transfer-step")
@permits(Permission.INVENTORY_ADJUST)
def transfer_step(
    ctx: typer.Context,
    transfer_id: Annotated[str, typer.Argument()],
    step: Annotated[str, typer.Argument(help="ship, receive or cancel")],
) -> None:
    """Ship, receive or cancel a transfer."""
    inventory = runtime(ctx).commerce.inventory
    steps = {"ship": inventory.ship_transfer, "receive": inventory.receive_transfer,
             "cancel": inventory.cancel_transfer}
    if step not in steps:
        raise typer.BadParameter("ship, receive or cancel", param_hint="STEP")
    steps[step](transfer_id)
    ok(f"transfer {transfer_id}: {step} done")


@app.command("movements")
@permits(Permission.INVENTORY_READ)
def movements(
    ctx: typer.Context,
    sku: Annotated[str | None, typer.Argument(help="Only this SKU")] = None,
    warehouse: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 30,
) -> None:
    """The stock ledger, newest first."""
    commerce = runtime(ctx).commerce
    codes = _codes(commerce)
    table = Table()
    for heading in ("When", "SKU", "Warehouse", "Type"):
        table.add_column(heading, no_wrap=True)
    for heading in ("On hand ±", "Reserved ±", "On hand", "Reserved"):
        table.add_column(heading, justify="right")
    table.add_column("Reference", no_wrap=True)
    for m in commerce.inventory.movements(sku=sku, warehouse=warehouse, limit=limit):
        table.add_row(when(m.created_at), m.sku, codes.get(m.warehouse_id, m.warehouse_id),
                      m.type.value, f"{m.on_hand_change:+d}", f"{m.reserved_change:+d}",
                      str(m.on_hand_after), str(m.reserved_after), m.reference_id or "-")
    console.print(table)


@app.command("audit")
@permits(Permission.INVENTORY_READ)
def audit(ctx: typer.Context) -> None:
    """Prove the ledger sums to the counters of every row; exit 1 on any drift."""
    commerce = runtime(ctx).commerce
    codes = _codes(commerce)
    balances = commerce.inventory.audit()
    drifted = [b for b in balances if b.drift]
    if drifted:
        table = Table(title="Rows whose ledger disagrees with their counters")
        for heading in ("SKU", "Warehouse"):
            table.add_column(heading, no_wrap=True)
        for heading in ("On hand", "Ledger", "Reserved", "Ledger"):
            table.add_column(heading, justify="right")
        for b in drifted:
            table.add_row(b.sku, codes.get(b.warehouse_id, b.warehouse_id), str(b.on_hand),
                          str(b.ledger_on_hand), str(b.reserved), str(b.ledger_reserved))
        console.print(table)
        failed(f"{len(drifted)} of {len(balances)} stock rows drifted from their ledger")
        raise typer.Exit(1)
    ok(f"{len(balances)} stock rows: the ledger sums to every counter")


@app.command("alerts")
@permits(Permission.INVENTORY_READ)
def alerts(ctx: typer.Context,
           warehouse: Annotated[str | None, typer.Option()] = None) -> None:
    """Low stock, overstock, expiring batches and leaked reservations, most urgent first."""
    commerce = runtime(ctx).commerce
    codes = _codes(commerce)
    found = commerce.inventory.alerts(warehouse=warehouse)
    if not found:
        ok("no alerts")
        return
    table = Table()
    for heading in ("Priority", "Type", "SKU", "Warehouse", "What"):
        table.add_column(heading)
    for a in found:
        table.add_row(a.priority.value, a.type.value, a.sku,
                      codes.get(a.warehouse_id, a.warehouse_id), a.message)
    console.print(table)


@app.command("reservations")
@permits(Permission.INVENTORY_READ)
def reservations(
    ctx: typer.Context,
    status: Annotated[list[str] | None, typer.Option(help="active, confirmed, ...")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 30,
) -> None:
    """Reservations, newest first."""
    commerce = runtime(ctx).commerce
    codes = _codes(commerce)
    table = Table()
    for heading in ("Id", "SKU", "Warehouse", "Qty", "Fulfilled", "Status", "Expires",
                    "Reference"):
        table.add_column(heading, no_wrap=True)
    for r in commerce.inventory.reservations(statuses=status, limit=limit):
        table.add_row(r.id, r.sku, codes.get(r.warehouse_id, r.warehouse_id), str(r.quantity),
                      str(r.fulfilled), r.status.value, when(r.expires_at), r.reference)
    console.print(table)


@app.command("release")
@permits(Permission.INVENTORY_MANAGE)
def release(ctx: typer.Context, reservation_id: Annotated[str, typer.Argument()],
            reason: Annotated[str, typer.Option()] = "manual") -> None:
    """Release a reservation (releasing it again changes nothing)."""
    units = runtime(ctx).commerce.inventory.release(reservation_id, reason)
    ok(f"{units} units released")


@app.command("reconcile")
@permits(Permission.INVENTORY_MANAGE)
def reconcile(ctx: typer.Context) -> None:
    """Correct reserved counts to the live reservations (through the ledger); exit 1 when
    a drift could not be corrected."""
    commerce = runtime(ctx).commerce
    codes = _codes(commerce)
    drifts = commerce.inventory.reconcile()
    for d in drifts:
        line = (f"{d.sku} in {codes.get(d.warehouse_id, d.warehouse_id)}: reserved "
                f"{d.reserved}, live reservations {d.live_units}")
        (ok if d.corrected else failed)(line + (" (corrected)" if d.corrected else ""))
    if any(not d.corrected for d in drifts):
        raise typer.Exit(1)
    if not drifts:
        ok("reserved counts match the live reservations")
