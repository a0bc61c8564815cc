"""`commerce stock`: what each warehouse holds, and counts an operator sets."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core import Commerce
from commerce_core.inventory.model import StockLevel
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True, help="Stock levels per warehouse.")


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
