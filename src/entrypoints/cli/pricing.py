"""`commerce price explain`, `commerce promotions list|create|disable`, `commerce coupons
generate`: how a cart's price comes about, and the promotions and coupons behind it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from commerce_core.pricing.engine import PriceBreakdown
from commerce_core.pricing.ports import TaxDestination
from commerce_core.promotion.commands import CreatePromotion, GenerateCoupons
from commerce_core.promotion.terms import Benefit, FixedAmountOff, FreeShipping, PercentageOff
from commerce_core.shared.money import Money
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, styled
from entrypoints.cli.runtime import runtime

price_app = typer.Typer(no_args_is_help=True, help="Prices: explain how a cart is priced.")
promotions_app = typer.Typer(no_args_is_help=True, help="Promotions: list, create, disable.")
coupons_app = typer.Typer(no_args_is_help=True, help="Coupons: generate codes in bulk.")


def breakdown_table(breakdown: PriceBreakdown) -> Table:
    """One block per line (list price, each adjustment, taxes, line total), then the totals;
    the same numbers as `GET /carts/{id}/price`."""
    table = Table(title=f"Price of the cart ({breakdown.currency}, tax "
                        f"{breakdown.tax_status.value})")
    table.add_column("Item")
    table.add_column("How", overflow="fold")
    table.add_column("Amount", justify="right", no_wrap=True)
    for line in breakdown.lines:
        source = line.source.level.value + (" sale" if line.source.on_sale else "")
        table.add_row(styled(f"{line.sku or line.product_id} x{line.quantity}", "bold"),
                      f"list {line.list_unit_price} each [{source}]", str(line.list_total))
        for adjustment in line.adjustments:
            code = f" ({adjustment.coupon_code})" if adjustment.coupon_code else ""
            table.add_row("", f"{adjustment.kind.value}: {adjustment.name}{code}",
                          f"-{adjustment.amount}")
        for tax in line.taxes:
            how = " included" if tax.inclusive else ""
            table.add_row("", f"{tax.tax_type} {tax.rate}%{how}", f"+{tax.amount}")
        table.add_row("", "line total", str(line.total), end_section=True)
    t = breakdown.totals
    for label, amount in (("Subtotal", t.subtotal), ("Discounts", t.discount_total),
                          ("Shipping", t.shipping - t.shipping_discount), ("Tax", t.tax_total)):
        table.add_row("", label, str(amount))
    table.add_row("", styled("Total", "bold"), styled(str(t.total), "bold"))
    return table


@price_app.command("explain")
@permits(Permission.PRICING_READ)
def explain_cart(
    ctx: typer.Context,
    cart_id: Annotated[str, typer.Argument(metavar="CART_ID")],
    country: Annotated[str | None, typer.Option(help="Tax for this destination (ISO-2)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The breakdown as the API gives it")]
    = False,
) -> None:
    """How each line's price came about: list price, sale, rules, promotions, coupons, tax."""
    commerce = runtime(ctx).commerce
    destination = TaxDestination(country) if country else None
    breakdown = commerce.cart.price(cart_id, destination=destination)
    if as_json:
        typer.echo(json.dumps(breakdown.to_dict(), indent=2, sort_keys=True))
        return
    console.print(breakdown_table(breakdown))
    for coupon in breakdown.invalid_coupons:
        console.print(Text.assemble(("!", "yellow"), f" coupon {coupon.code}: {coupon.message}"))
    for warning in breakdown.warnings:
        console.print(Text.assemble(("!", "yellow"), f" {warning.message}"))


@promotions_app.command("list")
@permits(Permission.PRICING_READ)
def list_promotions(ctx: typer.Context) -> None:
    """Every promotion, highest priority first."""
    promotions = runtime(ctx).commerce.promotions.list()
    if not promotions:
        console.print("no promotions")
        return
    table = Table()
    for column in ("Id", "Name", "Type", "Priority", "Stackable", "Coupon", "Active"):
        table.add_column(column, no_wrap=column == "Id")
    for promotion in promotions:
        d = promotion.definition
        table.add_row(d.promotion_id, d.name, d.discount_type.value, str(d.priority),
                      "yes" if d.is_stackable else "no", "yes" if d.requires_coupon else "no",
                      "yes" if d.is_active else "no")
    console.print(table)


class Kind(StrEnum):
    PERCENTAGE = "percentage"
    FIXED_AMOUNT = "fixed_amount"
    FREE_SHIPPING = "free_shipping"


@promotions_app.command("create")
@permits(Permission.PROMOTIONS_WRITE)
def create_promotion(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument()],
    kind: Annotated[Kind, typer.Option(help="What it gives")] = Kind.PERCENTAGE,
    value: Annotated[str, typer.Option(help="Percent, or an amount in minor units")] = "10",
    coupon: Annotated[bool, typer.Option(help="Applies only with a coupon code")] = False,
    stackable: Annotated[bool, typer.Option(help="Combines with other promotions")] = False,
    priority: Annotated[int, typer.Option()] = 0,
    limit: Annotated[int | None, typer.Option(min=1, help="Total uses")] = None,
) -> None:
    """Create a cart promotion."""
    commerce = runtime(ctx).commerce
    benefit: Benefit
    if kind is Kind.PERCENTAGE:
        benefit = PercentageOff(Decimal(value))
    elif kind is Kind.FIXED_AMOUNT:
        benefit = FixedAmountOff(Money(int(value), runtime(ctx).settings.currency))
    else:
        benefit = FreeShipping()
    promotion_id = commerce.promotions.create(CreatePromotion(
        name, benefit, requires_coupon=coupon, is_stackable=stackable, priority=priority,
        total_usage_limit=limit,
    ))
    ok(f"promotion {name!r} created: {promotion_id}")


@promotions_app.command("disable")
@permits(Permission.PROMOTIONS_WRITE)
def disable_promotion(
    ctx: typer.Context,
    promotion_id: Annotated[str, typer.Argument(metavar="PROMOTION_ID")],
) -> None:
    """Stop a promotion at once (usages already recorded keep their lifecycle)."""
    runtime(ctx).commerce.promotions.disable(promotion_id)
    ok(f"promotion {promotion_id} disabled")


@coupons_app.command("generate")
@permits(Permission.PROMOTIONS_WRITE)
def generate_coupons(
    ctx: typer.Context,
    count: Annotated[int, typer.Argument(metavar="N", min=1, max=10_000)],
    promotion_id: Annotated[str, typer.Option("--promotion", help="The promotion they unlock")],
    prefix: Annotated[str, typer.Option(help="Codes look like PREFIX-XXXX-XXXX")] = "SHOP",
    uses: Annotated[int, typer.Option(min=1, help="Uses per code")] = 1,
    expires: Annotated[datetime | None, typer.Option(help="Expiry (ISO 8601, UTC)")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the codes here")]
    = None,
) -> None:
    """N unique codes for a promotion, one per line (to stdout or --output)."""
    if expires is not None and expires.tzinfo is None:
        expires = expires.replace(tzinfo=UTC)
    batch = runtime(ctx).commerce.promotions.generate_coupons(GenerateCoupons(
        promotion_id, count, prefix, uses, expires_at=expires))
    codes = "\n".join(batch.codes) + "\n"
    if output is None:
        typer.echo(codes, nl=False)
        return
    output.write_text(codes)
    ok(f"{len(batch.codes)} codes written to {output} (batch {batch.batch_id})")
