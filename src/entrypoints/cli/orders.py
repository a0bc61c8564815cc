"""`commerce orders`: list, inspect, cancel orders and capture their payments."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from commerce_core import Commerce, Money
from commerce_core.ordering.errors import OrderNotFound
from commerce_core.ordering.model import Order, OrderStatus
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, styled, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Orders: list, show, cancel, capture and refund payment.")

OrderRef = Annotated[str, typer.Argument(metavar="ORDER", help="Order number (ORD-...) or id")]


def find_order(commerce: Commerce, ref: str) -> Order:
    """An order by its number (any case) or by its id."""
    ref = ref.strip()
    order = commerce.orders.by_number(ref.upper())
    if order is not None:
        return order
    try:
        order_id = str(uuid.UUID(ref))
    except ValueError:
        # Neither a number we know nor an id: don't hand the database a malformed UUID.
        raise OrderNotFound(f"order {ref} not found", order=ref) from None
    return commerce.orders.get(order_id)


@app.command("list")
@permits(Permission.ORDERS_READ)
def list_orders(
    ctx: typer.Context,
    status: Annotated[OrderStatus | None, typer.Option(help="Only orders in this status")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 20,
) -> None:
    """The latest orders, newest first."""
    commerce = runtime(ctx).commerce
    orders = commerce.orders.list(status=status.value if status else None, limit=limit)
    if not orders:
        console.print("no orders" + (f" in status {status.value}" if status else ""))
        return
    table = Table()
    table.add_column("Number", no_wrap=True)
    table.add_column("Status")
    table.add_column("Items", justify="right")
    table.add_column("Total", justify="right", no_wrap=True)
    table.add_column("Placed", no_wrap=True)
    table.add_column("Id", no_wrap=True)
    for order in orders:
        table.add_row(
            order.number, order.status.value, str(sum(line.quantity for line in order.lines)),
            str(order.totals.total), when(order.created_at), order.id,
        )
    console.print(table)


@app.command("show")
@permits(Permission.ORDERS_READ)
def show(ctx: typer.Context, ref: OrderRef) -> None:
    """One order: its lines, totals, payments and status history."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)

    header = Table.grid(padding=(0, 2))
    header.add_row("Order", Text.assemble((order.number, "bold"), f"  {order.status.value}"))
    header.add_row("Id", order.id)
    header.add_row("Checkout", order.checkout_id)
    header.add_row("Customer", order.customer_id or order.email or "guest")
    header.add_row("Placed", when(order.created_at))
    if order.cancel_reason:
        header.add_row("Cancelled", order.cancel_reason)
    console.print(header)

    lines = Table(title="Lines")
    lines.add_column("SKU", no_wrap=True)
    lines.add_column("Item")
    lines.add_column("Qty", justify="right")
    lines.add_column("Unit price", justify="right", no_wrap=True)
    lines.add_column("Line total", justify="right", no_wrap=True)
    for line in order.lines:
        lines.add_row(line.sku, line.name, str(line.quantity), str(line.unit_price),
                      str(line.line_total))
    totals = order.totals
    for label, amount in (("Subtotal", totals.subtotal), ("Discount", totals.discount),
                          ("Shipping", totals.shipping), ("Tax", totals.tax)):
        lines.add_row("", label, "", "", str(amount))
    lines.add_row("", styled("Total", "bold"), "", "", styled(str(totals.total), "bold"))
    console.print(lines)

    payments = Table(title="Payments")
    for heading in ("Status", "Amount", "Method", "Gateway", "Reference"):
        payments.add_column(heading, no_wrap=True)
    for payment in commerce.payments.for_order(order.id):
        payments.add_row(payment.status.value, str(payment.amount), payment.method,
                         payment.gateway, payment.reference or "-")
    console.print(payments)

    history = Table(title="History")
    for heading in ("When", "From", "To", "Reason", "By"):
        history.add_column(heading, no_wrap=heading == "When")
    for change in order.history:
        history.add_row(when(change.changed_at),
                        change.from_status.value if change.from_status else "-",
                        change.to_status.value, change.reason, change.changed_by)
    console.print(history)


@app.command("cancel")
@permits(Permission.ORDERS_CANCEL)
def cancel(
    ctx: typer.Context,
    ref: OrderRef,
    reason: Annotated[str, typer.Option(help="Recorded in the order's history")] = (
        "operator_request"
    ),
) -> None:
    """Cancel an order that has not shipped; its stock and payment are given back."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    commerce.orders.cancel(order.id, reason, changed_by="operator")
    ok(f"order {order.number} is {commerce.orders.get(order.id).status.value}")


@app.command("capture")
@permits(Permission.PAYMENTS_CAPTURE)
def capture(ctx: typer.Context, ref: OrderRef) -> None:
    """Capture the order's authorized payment."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    commerce.payments.capture(order.id)
    ok(f"captured {order.totals.total} for order {order.number}; "
       f"the order is {commerce.orders.get(order.id).status.value}")


@app.command("refund")
@permits(Permission.PAYMENTS_REFUND)
def refund(
    ctx: typer.Context,
    ref: OrderRef,
    amount: Annotated[int | None, typer.Option(
        min=1, help="In minor units (VND has none); default: all that is left")] = None,
    reason: Annotated[str, typer.Option()] = "",
    key: Annotated[str | None, typer.Option(
        help="Idempotency key: the same key never refunds twice (default: a new one)")] = None,
) -> None:
    """Refund part or all of the order's captured payment."""
    run = runtime(ctx)
    commerce = run.commerce
    order = find_order(commerce, ref)
    refund_id = commerce.payments.refund(
        order.id, idempotency_key=key or f"cli:{uuid.uuid4()}", reason=reason,
        amount=None if amount is None else Money(amount, order.currency),
        limit=run.principal.refund_limit)
    done = next(r for r in commerce.payments.refunds(order.id) if r.id == refund_id)
    (payment, *_) = [p for p in commerce.payments.for_order(order.id) if p.id == done.payment_id]
    ok(f"refunded {done.amount} of order {order.number} ({refund_id}); "
       f"payment is {payment.status.value}, {payment.refundable} left to refund")
