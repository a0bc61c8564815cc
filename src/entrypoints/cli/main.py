"""The `commerce` command: the root app, its settings callback, and every sub-app joined in."""

from __future__ import annotations

from typing import Annotated

import typer
from pydantic import ValidationError

from commerce_core.audit.context import acting
from entrypoints.cli import (
    analytics,
    audit,
    catalog,
    customers,
    db,
    demo,
    events,
    fraud,
    fulfillment,
    giftcards,
    identity,
    loyalty,
    notifications,
    orders,
    payments,
    pricing,
    returns,
    reviews,
    search,
    seed,
    serve,
    shipping,
    shipping_rates,  # noqa: F401 - adds `quote` and `methods` to the shipping group
    stock,
    warehouses,
    webhooks,
    worker,
)
from entrypoints.cli.errors import ReportingGroup
from entrypoints.cli.runtime import Runtime
from entrypoints.settings import Settings

app = typer.Typer(
    name="commerce",
    cls=ReportingGroup,
    no_args_is_help=True,
    # Locals in a traceback would print database passwords and tokens.
    pretty_exceptions_show_locals=False,
    help="commerce-core: run the shop, operate it, or try it out. Settings come from COMMERCE_* "
    "variables and .env; options given here win.",
)
app.add_typer(analytics.app, name="analytics")
app.add_typer(audit.app, name="audit")
app.add_typer(catalog.app, name="catalog")
app.add_typer(db.app, name="db")
app.add_typer(events.app, name="events")
app.add_typer(orders.app, name="orders")
app.add_typer(payments.app, name="payments")
app.add_typer(fraud.app, name="fraud")
app.add_typer(customers.app, name="customers")
app.add_typer(customers.locations_app, name="locations")
app.add_typer(stock.app, name="stock")
app.add_typer(warehouses.app, name="warehouses")
app.add_typer(fulfillment.app, name="fulfillment")
app.add_typer(returns.app, name="returns")
app.add_typer(reviews.app, name="reviews")
app.add_typer(shipping.app, name="shipping")
app.add_typer(pricing.price_app, name="price")
app.add_typer(pricing.promotions_app, name="promotions")
app.add_typer(pricing.coupons_app, name="coupons")
app.add_typer(search.app, name="search")
app.add_typer(notifications.app, name="notifications")
app.add_typer(webhooks.app, name="webhooks")
app.add_typer(loyalty.app, name="loyalty")
app.add_typer(giftcards.app, name="giftcards")
app.add_typer(giftcards.ledger_app, name="ledger")
app.add_typer(identity.users_app, name="users")
app.add_typer(identity.roles_app, name="roles")
app.command("login")(identity.login)
app.command("whoami")(identity.whoami)
# One-command sub-apps added without a name contribute their command to the root.
app.add_typer(seed.app)
app.add_typer(serve.app)
app.add_typer(worker.app)
app.add_typer(demo.app)


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", metavar="URL",
            help="sqlite:///path.db, postgresql+psycopg://..., or memory:// "
                 "(default: COMMERCE_DATABASE_URL, then sqlite:///commerce.db)",
        ),
    ] = None,
) -> None:
    try:
        settings = Settings() if database_url is None else Settings(database_url=database_url)
    except ValidationError as error:
        problems = "; ".join(
            f"COMMERCE_{'_'.join(str(part) for part in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        typer.echo(f"error: invalid settings: {problems}", err=True)
        raise typer.Exit(2) from None
    ctx.obj = Runtime(settings)
    # What a command changes is audited as the terminal's operator, until the command ends.
    ctx.with_resource(acting(audit.operator_context()))


def main() -> None:
    app()
