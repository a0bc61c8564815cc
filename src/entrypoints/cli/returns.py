"""`commerce returns`: the returns staff handle: list, show, approve, reject, receive, inspect,
complete, and the refund of a return whose refund failed."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core.returns.commands import ItemInspection
from commerce_core.returns.model import Return
from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.orders import find_order
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Returns: approve, receive, inspect and complete them; retry refunds.")

ReturnRef = Annotated[str, typer.Argument(metavar="RETURN", help="The return's id")]
By = Annotated[str, typer.Option("--by", help="Who acts (recorded)")]


def _summary(ret: Return) -> str:
    return (f"return {ret.number} ({ret.id}) is {ret.status.value}; refund "
            f"{ret.refund.total} ({ret.refund_state.value})")


@app.command("list")
@permits(Permission.RETURNS_READ)
def list_returns(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="Only returns in this status")] = None,
    order: Annotated[str | None, typer.Option(help="Only this order's (number or id)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 50,
) -> None:
    """Returns, newest first."""
    commerce = runtime(ctx).commerce
    order_id = find_order(commerce, order).id if order else None
    found = commerce.returns.list(status=status, order_id=order_id, limit=limit)
    if not found:
        console.print("no returns")
        return
    table = Table()
    for heading in ("Return", "Id", "Order", "Status", "Reason", "Refund", "Risk", "Requested"):
        table.add_column(heading, no_wrap=True)
    for r in found:
        table.add_row(r.number, r.id, r.order_id, r.status.value, r.reason.value,
                      str(r.refund.total), str(r.risk_score), when(r.created_at))
    console.print(table)


@app.command("show")
@permits(Permission.RETURNS_READ)
def show(ctx: typer.Context, ref: ReturnRef) -> None:
    """A return: items with their inspection, the refund breakdown, the label, its history."""
    ret = runtime(ctx).commerce.returns.get(ref)
    console.print(f"{ret.number} ({ret.id}) for order {ret.order_id}: {ret.status.value}, "
                  f"{ret.return_type.value}, reason {ret.reason.value}, risk {ret.risk_score}")
    for i in ret.items:
        console.print(f"  item {i.id}: {i.sku} x{i.quantity} at {i.unit_price}; received "
                      f"{i.quantity_received}, accepted {i.quantity_accepted}, "
                      f"{i.condition or '-'} -> {i.disposition or '-'}, restocked "
                      f"{i.quantity_restocked} in {i.warehouse_id}")
    r = ret.refund
    console.print(f"  refund {r.total}: items {r.items} + tax {r.tax} + shipping {r.shipping} "
                  f"- promotion {r.promotion} - restocking {r.restocking_fee} - return "
                  f"shipping {r.return_shipping_fee} + exchange credit {r.exchange_credit}; "
                  f"{ret.refund_state.value}"
                  + (f" ({ret.refund_error})" if ret.refund_error else ""))
    if ret.tracking_number or ret.label_error:
        console.print(f"  label: {ret.label_carrier or '-'} {ret.tracking_number or '-'}"
                      + (f" ({ret.label_error})" if ret.label_error else ""))
    if ret.exchange is not None:
        console.print(f"  exchange for {ret.exchange.sku} x{ret.exchange.quantity}, "
                      f"difference {ret.exchange.price_difference}, order "
                      f"{ret.exchange.order_id or '-'}")
    for h in ret.history:
        console.print(f"  {when(h.changed_at)} {h.from_status or '-'} -> {h.to_status} "
                      f"by {h.changed_by} ({h.reason})")


@app.command("approve")
@permits(Permission.RETURNS_MANAGE)
def approve(ctx: typer.Context, ref: ReturnRef, by: By = "operator",
            refund_instead: Annotated[bool, typer.Option(
                help="The exchange's replacement is out of stock: refund instead")] = False,
            ) -> None:
    """Approve a pending return; its label is booked once."""
    commerce = runtime(ctx).commerce
    commerce.returns.approve(ref, by=by, refund_instead=refund_instead)
    ok(_summary(commerce.returns.get(ref)))


@app.command("reject")
@permits(Permission.RETURNS_MANAGE)
def reject(ctx: typer.Context, ref: ReturnRef,
           reason: Annotated[str, typer.Option(help="Why (told to the customer)")],
           by: By = "operator") -> None:
    """Reject a pending return."""
    commerce = runtime(ctx).commerce
    commerce.returns.reject(ref, reason, by=by)
    ok(_summary(commerce.returns.get(ref)))


@app.command("receive")
@permits(Permission.RETURNS_MANAGE)
def receive(ctx: typer.Context, ref: ReturnRef, by: By = "warehouse",
            item: Annotated[list[str] | None, typer.Option(
                help="ITEM_ID=UNITS received (repeat); none: every unit asked for")] = None,
            ) -> None:
    """The parcel arrived at the warehouse."""
    commerce = runtime(ctx).commerce
    quantities: dict[str, int] = {}
    for pair in item or []:
        item_id, _, units = pair.partition("=")
        if not units.isdigit():
            raise InvalidInput(f"--item takes ITEM_ID=UNITS, not {pair!r}")
        quantities[item_id] = int(units)
    commerce.returns.receive(ref, quantities, by=by)
    ok(_summary(commerce.returns.get(ref)))


@app.command("inspect")
@permits(Permission.RETURNS_MANAGE)
def inspect(ctx: typer.Context, ref: ReturnRef, by: By = "warehouse",
            item: Annotated[list[str] | None, typer.Option(
                help="ITEM_ID=ACCEPTED:CONDITION:DISPOSITION (repeat), e.g. "
                     "i1=1:new:restock; items not named are quarantined")] = None,
            ) -> None:
    """The warehouse's verdict per item."""
    commerce = runtime(ctx).commerce
    results = []
    for spec in item or []:
        item_id, _, verdict = spec.partition("=")
        parts = verdict.split(":")
        if len(parts) != 3 or not parts[0].isdigit():
            raise InvalidInput(f"--item takes ITEM_ID=ACCEPTED:CONDITION:DISPOSITION, "
                               f"not {spec!r}")
        results.append(ItemInspection(item_id, int(parts[0]), parts[1], parts[2]))
    commerce.returns.inspect(ref, results, by=by)
    ok(_summary(commerce.returns.get(ref)))


@app.command("complete")
@permits(Permission.RETURNS_MANAGE)
def complete(ctx: typer.Context, ref: ReturnRef, by: By = "operator") -> None:
    """Restock what may be sold again; the refund follows (key `{return_id}:refund`), within
    your refund ceiling."""
    run = runtime(ctx)
    commerce = run.commerce
    commerce.returns.complete(ref, by=by, limit=run.principal.refund_limit)
    ok(_summary(commerce.returns.get(ref)))


@app.command("refund")
@permits(Permission.RETURNS_MANAGE)
def refund(ctx: typer.Context, ref: ReturnRef) -> None:
    """Ask a failed refund again under the same key (within your refund ceiling)."""
    run = runtime(ctx)
    run.commerce.returns.retry_refund(ref, limit=run.principal.refund_limit)
    ok(_summary(run.commerce.returns.get(ref)))
