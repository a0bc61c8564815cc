"""`commerce warehouses`: list, add, (de)activate warehouses and choose the default."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core.inventory.allocation import GeoPoint
from commerce_core.inventory.warehouses import WarehouseDetails
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True, help="Warehouses: list, add, activate, deactivate.")
Ref = Annotated[str, typer.Argument(metavar="WAREHOUSE", help="Warehouse code or id")]


@app.command("list")
@permits(Permission.INVENTORY_READ)
def list_warehouses(ctx: typer.Context) -> None:
    """Every warehouse, the default first."""
    table = Table()
    for heading in ("Code", "Name", "Status", "Default", "City", "Cost", "Id"):
        table.add_column(heading, no_wrap=True)
    for w in runtime(ctx).commerce.inventory.warehouses():
        table.add_row(w.code, w.name, w.status, "yes" if w.is_default else "",
                      w.details.address.city or "-", f"{w.details.cost_ratio:.2f}", w.id)
    console.print(table)


@app.command("add")
@permits(Permission.INVENTORY_MANAGE)
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="Short unique code, e.g. HCM")],
    name: Annotated[str, typer.Option()] = "",
    default: Annotated[bool, typer.Option("--default", help="Make it the default")] = False,
    latitude: Annotated[float | None, typer.Option(min=-90, max=90)] = None,
    longitude: Annotated[float | None, typer.Option(min=-180, max=180)] = None,
    cost_ratio: Annotated[float, typer.Option(min=0, max=1, help="Operational cost 0-1")] = 0.0,
) -> None:
    """Add a warehouse (its position and cost steer allocation)."""
    location = None if latitude is None or longitude is None else GeoPoint(latitude, longitude)
    warehouse_id = runtime(ctx).commerce.inventory.create_warehouse(
        code, name, is_default=default,
        details=WarehouseDetails(location=location, cost_ratio=cost_ratio))
    ok(f"warehouse {code.upper()} added ({warehouse_id})")


@app.command("activate")
@permits(Permission.INVENTORY_MANAGE)
def activate(ctx: typer.Context, warehouse: Ref) -> None:
    runtime(ctx).commerce.inventory.activate_warehouse(warehouse)
    ok(f"{warehouse.upper()} is active")


@app.command("deactivate")
@permits(Permission.INVENTORY_MANAGE)
def deactivate(ctx: typer.Context, warehouse: Ref) -> None:
    """Take no new reservations there; what it already holds stays valid."""
    runtime(ctx).commerce.inventory.deactivate_warehouse(warehouse)
    ok(f"{warehouse.upper()} is inactive")


@app.command("default")
@permits(Permission.INVENTORY_MANAGE)
def make_default(ctx: typer.Context, warehouse: Ref) -> None:
    runtime(ctx).commerce.inventory.set_default_warehouse(warehouse)
    ok(f"{warehouse.upper()} is the default warehouse")
