"""`commerce seed`: the sample catalog, warehouses and stock, created where missing."""

from __future__ import annotations

import typer
from rich.table import Table

from commerce_core import Commerce
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, styled
from entrypoints.cli.runtime import runtime
from entrypoints.sample_data import PRODUCTS, WAREHOUSES, SeedReport, seed_sample_catalog

app = typer.Typer()


@app.command("seed")
@permits(Permission.SYSTEM_ADMIN)
def seed(ctx: typer.Context) -> None:
    """Seed the sample catalog (2 warehouses, 8 products, stock); skips what exists."""
    commerce = runtime(ctx).commerce
    report = seed_sample_catalog(commerce)
    console.print(catalog_table(commerce, report))


def catalog_table(commerce: Commerce, report: SeedReport) -> Table:
    """The sample SKUs as the shop holds them now, marked new or already there."""
    codes = {w.id: w.code for w in commerce.inventory.warehouses()}
    on_hand = {
        (level.sku, codes.get(level.warehouse_id, level.warehouse_id)): level.on_hand
        for level in commerce.inventory.levels()
    }
    table = Table(title="Sample catalog")
    table.add_column("SKU", no_wrap=True)
    table.add_column("Product")
    table.add_column("Price", justify="right", no_wrap=True)
    for warehouse in WAREHOUSES:
        table.add_column(warehouse.code, justify="right")
    table.add_column("Seeded")
    for sample in PRODUCTS:
        for variant in sample.variants:
            product = commerce.catalog.by_sku(variant.sku)
            name = sample.name if product is None else product.name
            table.add_row(
                variant.sku,
                f"{name} ({variant.name})" if variant.name else name,
                "-" if product is None else str(product.variant(variant.sku).price),
                *(str(on_hand.get((variant.sku, w.code), "-")) for w in WAREHOUSES),
                styled("new", "green") if report.products[sample.slug] else "existing",
            )
    new = sum(report.products.values())
    table.caption = (
        f"{len(PRODUCTS)} products ({new} new), {len(report.warehouses)} warehouses "
        f"({sum(report.warehouses.values())} new), "
        f"{sum(report.stock.values())} stock levels set"
    )
    return table
