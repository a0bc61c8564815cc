"""`commerce payments`: an order's payments with their ledger; capture (whole or in parts),
void what is left of a hold, refund; and the two payment jobs, run once."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from commerce_core import Money
from commerce_core.shared.permissions import Permission
from entrypoints.cli import orders
from entrypoints.cli.access import permits
from entrypoints.cli.orders import OrderRef, find_order
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Payments: show with ledger, capture, void, refund, run the jobs.")

Amount = Annotated[int | None, typer.Option(
    min=1, help="In minor units (VND has none); default: all that is left")]


@app.command("show")
@permits(Permission.PAYMENTS_READ)
def show(ctx: typer.Context, ref: OrderRef) -> None:
    """An order's payments, each with its ledger (append-only, oldest first)."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    for payment in commerce.payments.for_order(order.id):
        currency = payment.amount.currency
        header = Table.grid(padding=(0, 2))
        header.add_row("Payment", Text.assemble((payment.id, "bold"),
                                                f"  {payment.status.value}"))
        header.add_row("Gateway", f"{payment.gateway} ({payment.method}) "
                                  f"{payment.reference or '-'}")
        header.add_row("Authorized", str(payment.amount))
        header.add_row("Captured", str(Money(payment.captured_amount, currency)))
        header.add_row("Refunded", str(Money(payment.refunded_amount, currency)))
        if payment.capture_pending:
            retry = when(payment.capture_retry_at) if payment.capture_retry_at else "by staff"
            header.add_row("Capture pending",
                           f"{Money(payment.capture_pending, currency)}, retry {retry}")
        console.print(header)
        ledger = Table(title=f"Ledger of {order.number}")
        for heading in ("When", "Kind", "Status", "Amount", "Reference", "Failure"):
            ledger.add_column(heading, no_wrap=heading != "Reference")
        for entry in payment.transactions:
            ledger.add_row(when(entry.created_at), entry.kind.value, entry.status.value,
                           str(entry.amount), entry.reference or "-", entry.failure_code or "")
        console.print(ledger)
        for dispute in payment.disputes:
            since = when(dispute.closed_at or dispute.opened_at)
            console.print(f"Dispute {dispute.id}: {dispute.amount} ({dispute.reason}), "
                          f"{dispute.status.value} since {since}")


@app.command("capture")
@permits(Permission.PAYMENTS_CAPTURE)
def capture(
    ctx: typer.Context, ref: OrderRef, amount: Amount = None,
    partial: Annotated[bool, typer.Option(
        "--partial", help="Keep the rest capturable (gateways that capture in parts)")] = False,
) -> None:
    """Capture all or part of the order's authorization."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    payment_id = commerce.payments.capture(
        order.id, amount=None if amount is None else Money(amount, order.currency),
        final=not partial)
    payment = commerce.payments.get(payment_id)
    ok(f"captured {Money(payment.captured_amount, order.currency)} of {payment.amount} for "
       f"order {order.number}; payment is {payment.status.value}, order is "
       f"{commerce.orders.get(order.id).status.value}")


@app.command("void")
@permits(Permission.PAYMENTS_VOID)
def void(ctx: typer.Context, ref: OrderRef,
         reason: Annotated[str, typer.Option()] = "") -> None:
    """Release what is left of the order's authorization."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    payment = commerce.payments.get(commerce.payments.void(order.id, reason=reason))
    ok(f"released the hold of order {order.number}; payment is {payment.status.value}")


# The same command as `commerce orders refund`, where operators look for it too.
app.command("refund")(orders.refund)


@app.command("retry-captures")
@permits(Permission.PAYMENTS_CAPTURE)
def retry_captures(ctx: typer.Context) -> None:
    """Ask again the captures whose gateway did not answer (the worker does this too)."""
    ok(f"{runtime(ctx).commerce.payments.retry_captures()} capture(s) settled")


@app.command("expire-authorizations")
@permits(Permission.PAYMENTS_VOID)
def expire_authorizations(ctx: typer.Context) -> None:
    """Release the holds past their gateway's window (the worker does this too)."""
    ok(f"{runtime(ctx).commerce.payments.expire_authorizations()} authorization(s) expired")


@app.command("collect")
@permits(Permission.PAYMENTS_CAPTURE)
def collect(ctx: typer.Context, ref: OrderRef,
            amount: Annotated[int, typer.Option(min=0, help="Collected, in minor units")]) -> None:
    """Cash on delivery: record what the courier collected (captured; a difference is flagged)."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    payment = commerce.payments.get(
        commerce.payments.record_collection(order.id, Money(amount, order.currency)))
    difference = Money(payment.collection_difference, order.currency)
    ok(f"collected {Money(amount, order.currency)} for order {order.number}; payment is "
       f"{payment.status.value}" + (f", {difference} off what was owed"
                                    if payment.collection_difference else ""))


@app.command("not-collected")
@permits(Permission.PAYMENTS_CAPTURE)
def not_collected(ctx: typer.Context, ref: OrderRef,
                  reason: Annotated[str, typer.Option()] = "not_collected") -> None:
    """Cash on delivery: nobody paid the courier (the payment fails)."""
    commerce = runtime(ctx).commerce
    order = find_order(commerce, ref)
    payment = commerce.payments.get(
        commerce.payments.record_collection_failed(order.id, reason=reason))
    ok(f"order {order.number} was not paid at the door; payment is {payment.status.value}")


@app.command("confirm-transfer")
@permits(Permission.PAYMENTS_CAPTURE)
def confirm_transfer(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The transfer reference (BT...)")],
    amount: Annotated[int, typer.Option(min=1, help="What arrived, in minor units")],
    currency: Annotated[str, typer.Option(help="ISO 4217")] = "VND",
) -> None:
    """A bank transfer arrived: its order is confirmed (once)."""
    commerce = runtime(ctx).commerce
    outcome = commerce.checkout.confirm_bank_transfer(
        reference.strip().upper(), Money(amount, currency.strip().upper()))
    ok(f"transfer {reference}: {outcome.value}")


@app.command("dispute-close")
@permits(Permission.PAYMENTS_REFUND)
def dispute_close(
    ctx: typer.Context,
    payment_id: Annotated[str, typer.Argument(help="The disputed payment's id")],
    dispute_id: Annotated[str, typer.Argument(help="The gateway's name for the chargeback")],
    outcome: Annotated[str, typer.Argument(help="won or lost (lost counts as refunded)")],
) -> None:
    """Record how a chargeback was decided; paused return refunds resume (won) or are
    cancelled (lost)."""
    commerce = runtime(ctx).commerce
    commerce.payments.close_dispute(payment_id, dispute_id, outcome.strip().lower())
    payment = commerce.payments.get(payment_id)
    ok(f"dispute {dispute_id} of payment {payment_id} closed as {outcome.strip().lower()}; "
       f"payment is {payment.status.value}, {payment.refundable} left to refund")
