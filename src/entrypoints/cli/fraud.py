"""`commerce fraud`: the risk review queue and explanations, for operators (whoever runs the CLI
holds the shop's database settings, as for every command here)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.orders import OrderRef, find_order
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Fraud: the orders held for a risk review, decisions, explanations.")
review_app = typer.Typer(no_args_is_help=True,
                         help="Orders the risk check sent to review: list, approve, reject.")
app.add_typer(review_app, name="review")

By = Annotated[str, typer.Option("--by", help="Who decides (recorded)")]
Note = Annotated[str, typer.Option(help="Why (recorded)")]


@review_app.command("list")
@permits(Permission.FRAUD_READ)
def list_reviews(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 50,
) -> None:
    """Orders waiting for a decision, oldest first."""
    commerce = runtime(ctx).commerce
    pending = commerce.fraud.reviews(limit=limit)
    if not pending:
        console.print("no orders waiting for a review")
        return
    table = Table()
    for heading in ("Order", "Score", "Amount", "Signals", "Assessed"):
        table.add_column(heading, no_wrap=heading != "Signals")
    for a in pending:
        order = commerce.orders.get(a.order_id)
        fired = ", ".join(f"{s.name} +{s.points}" for s in a.signals if s.points)
        table.add_row(order.number, str(a.score), str(a.amount), fired, when(a.created_at))
    console.print(table)


@review_app.command("approve")
@permits(Permission.FRAUD_REVIEW)
def approve(ctx: typer.Context, ref: OrderRef, by: By = "operator", note: Note = "") -> None:
    """The order is fine: its capture may proceed (`commerce orders capture`)."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    commerce.fraud.approve(order.id, reviewed_by=by, note=note)
    ok(f"order {order.number} approved; its payment can be captured")


@review_app.command("reject")
@permits(Permission.FRAUD_REVIEW)
def reject(ctx: typer.Context, ref: OrderRef, by: By = "operator", note: Note = "") -> None:
    """The order is fraud: cancel it, void its authorization, release its stock."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    commerce.fraud.reject(order.id, reviewed_by=by, note=note)
    ok(f"order {order.number} rejected; the order is "
       f"{commerce.orders.get(order.id).status.value}")


@app.command("explain")
@permits(Permission.FRAUD_READ)
def explain(ctx: typer.Context, ref: OrderRef) -> None:
    """The order's risk score, decision and every signal with its points and reason."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    lines = commerce.fraud.explain(order.id)
    console.print(f"order {order.number}: {lines[0]}", markup=False, highlight=False)
    for line in lines[1:]:
        console.print(line, markup=False, highlight=False)
