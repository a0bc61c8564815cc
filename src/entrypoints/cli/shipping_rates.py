"""`commerce shipping quote|methods`: a cart's shipping options to an address, and the shop's
shipping methods (list, create, enable, disable)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money
from commerce_core.shared.permissions import Permission
from commerce_core.shipping.methods import MethodSpec, RateBand
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import runtime
from entrypoints.cli.shipping import app  # quotes and methods join the shipments' group

methods_app = typer.Typer(no_args_is_help=True, help="Shipping methods: list, create, "
                                                       "enable, disable.")
app.add_typer(methods_app, name="methods")


def _days(low: int | None, high: int | None) -> str:
    if low is None and high is None:
        return "-"
    return f"{low}-{high}" if low is not None and high is not None and low != high \
        else str(high if high is not None else low)


@app.command("quote")
@permits(Permission.SHIPPING_CONFIGURE)
def quote(
    ctx: typer.Context,
    cart: Annotated[str, typer.Option("--cart", help="The cart's id")],
    to_province: Annotated[str, typer.Option("--to-province", help="Province name")],
    country: Annotated[str, typer.Option("--country", help="ISO-2 country")] = "VN",
    province_code: Annotated[str | None, typer.Option(help="Province code")] = None,
    line1: Annotated[str, typer.Option(help="Street address")] = "-",
    name: Annotated[str, typer.Option(help="Recipient")] = "recipient",
    phone: Annotated[str, typer.Option(help="Recipient's phone")] = "0000000000",
) -> None:
    """Price every enabled method for the cart to the address and issue the quotes."""
    commerce = runtime(ctx).commerce
    address = PostalAddress(name, phone, line1, to_province, country,
                            province_code=province_code)
    quotes = commerce.shipping_rates.quote(cart, address)
    table = Table(title=f"Shipping options for cart {cart}")
    for column in ("Quote", "Method", "Price", "Days", "Source", ""):
        table.add_column(column)
    for o in quotes.options:
        marks = ", ".join(m for m, on in (("cheapest", o.cheapest), ("fastest", o.fastest)) if on)
        table.add_row(o.quote_id, f"{o.name} ({o.method_code})", str(o.amount),
                      _days(o.estimated_days_min, o.estimated_days_max), o.source, marks)
    console.print(table)
    for code in quotes.skipped:
        console.print(f"! {code}: the carrier could not price this cart (skipped)")


@methods_app.command("list")
@permits(Permission.SHIPPING_CONFIGURE)
def list_methods(ctx: typer.Context) -> None:
    """Every shipping method, in display order."""
    table = Table(title="Shipping methods")
    for column in ("Code", "Name", "Type", "Price", "Enabled"):
        table.add_column(column)
    for m in runtime(ctx).commerce.shipping_rates.methods():
        s = m.spec
        price = {"flat_rate": str(s.rate), "free": f"free from {s.min_order}",
                 "table_rate": f"{len(s.bands)} bands by {s.band_basis}",
                 "carrier": f"{s.carrier} {s.service} +{s.markup_percent}%"}[s.method_type]
        table.add_row(m.code, s.name, s.method_type.value, price, "yes" if m.enabled else "no")
    console.print(table)


@methods_app.command("create")
@permits(Permission.SHIPPING_CONFIGURE)
def create_method(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="CODE")],
    name: Annotated[str, typer.Option(help="What shoppers see")],
    method_type: Annotated[str, typer.Option(
        "--type", help="flat_rate, free, table_rate or carrier")],
    currency: Annotated[str, typer.Option(help="Currency of its amounts")] = "VND",
    rate: Annotated[int | None, typer.Option(help="flat_rate: minor units")] = None,
    min_order: Annotated[int | None, typer.Option(help="free: from this order amount")] = None,
    band: Annotated[list[str] | None, typer.Option(
        help="table_rate: UP_TO=AMOUNT (UP_TO '*' for no bound), repeatable")] = None,
    band_basis: Annotated[str | None, typer.Option(
        help="table_rate: weight, order_amount or item_count")] = None,
    carrier: Annotated[str | None, typer.Option(help="carrier: its code")] = None,
    service: Annotated[str | None, typer.Option(help="carrier: the service")] = None,
    markup: Annotated[int, typer.Option(help="carrier: markup percent (0-50)")] = 10,
    fallback: Annotated[int | None, typer.Option(
        help="carrier: charged when it cannot answer")] = None,
    country: Annotated[list[str] | None, typer.Option(help="Only to this country")] = None,
    days_min: Annotated[int | None, typer.Option(help="Estimated days, at least")] = None,
    days_max: Annotated[int | None, typer.Option(help="Estimated days, at most")] = None,
) -> None:
    """A new shipping method, enabled."""
    def money(amount: int | None) -> Money | None:
        return None if amount is None else Money(amount, currency.upper())

    bands = []
    for text in band or []:
        up_to, _, amount = text.partition("=")
        bands.append(RateBand(None if up_to.strip() == "*" else int(up_to), int(amount)))
    spec = MethodSpec(name, method_type, currency.upper(), rate=money(rate),
                      min_order=money(min_order), band_basis=band_basis, bands=tuple(bands),
                      carrier=carrier, service=service, markup_percent=markup,
                      fallback=money(fallback), countries=tuple(country or ()),
                      estimated_days_min=days_min, estimated_days_max=days_max)
    runtime(ctx).commerce.shipping_rates.create_method(code, spec)
    ok(f"shipping method {code.lower()} created")


@methods_app.command("enable")
@permits(Permission.SHIPPING_CONFIGURE)
def enable_method(ctx: typer.Context,
                  code: Annotated[str, typer.Argument(metavar="CODE")]) -> None:
    """Offer the method again."""
    runtime(ctx).commerce.shipping_rates.enable_method(code)
    ok(f"shipping method {code.lower()} enabled")


@methods_app.command("disable")
@permits(Permission.SHIPPING_CONFIGURE)
def disable_method(ctx: typer.Context,
                   code: Annotated[str, typer.Argument(metavar="CODE")]) -> None:
    """Stop offering the method (quotes issued before stay chargeable until they expire)."""
    runtime(ctx).commerce.shipping_rates.disable_method(code)
    ok(f"shipping method {code.lower()} disabled")
