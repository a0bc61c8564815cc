"""`commerce notifications`: what was sent to customers, one message with its delivery log,
sending what is due now, and retrying a failed message."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Notifications to customers: list, show, send due, retry.")


@app.command("list")
@permits(Permission.NOTIFICATIONS_READ)
def list_notifications(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="pending, scheduled, sent, failed, ...")]
    = None,
    channel: Annotated[str | None, typer.Option(help="email, sms or push")] = None,
    recipient: Annotated[str | None, typer.Option(help="A customer id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 50,
) -> None:
    """Notifications, newest first."""
    commerce = runtime(ctx).commerce
    found = commerce.notifications.list(status=status, channel=channel, recipient_id=recipient,
                                        limit=limit)
    if not found:
        console.print("no notifications")
        return
    table = Table()
    for heading in ("Id", "Recipient", "Channel", "Template", "Status", "Attempts", "Created"):
        table.add_column(heading, no_wrap=True)
    for n in found:
        table.add_row(n.id, n.recipient_id, n.channel.value, n.template_id, n.status.value,
                      f"{n.attempt_count}/{n.max_attempts}", when(n.created_at))
    console.print(table)


@app.command("show")
@permits(Permission.NOTIFICATIONS_READ)
def show(ctx: typer.Context, notification_id: str) -> None:
    """One notification: its content and every delivery attempt."""
    n = runtime(ctx).commerce.notifications.get(notification_id)
    lines = [
        f"notification {n.id} ({n.channel.value}, {n.category.value}, {n.locale})",
        f"recipient {n.recipient_id}; template {n.template_id}; status {n.status.value}"
        + (f" ({n.error})" if n.error else ""),
        f"subject: {n.subject}",
        f"scheduled {when(n.scheduled_at)}"
        + (f"; next retry {when(n.next_retry_at)}" if n.next_retry_at else ""),
    ]
    for a in n.attempts:
        outcome = a.status if a.status == "sent" else (
            f"{a.status} {a.error_code} ({'permanent' if a.permanent else 'transient'})")
        lines.append(f"attempt {a.number} via {a.provider} at {when(a.finished_at)}: {outcome}")
    for line in lines:
        console.print(line, markup=False, highlight=False)


@app.command("send-due")
@permits(Permission.NOTIFICATIONS_MANAGE)
def send_due(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 50,
) -> None:
    """Send the notifications that are due now (the worker does this every 30 seconds)."""
    report = runtime(ctx).commerce.notifications.send_due(limit)
    ok(f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed, "
       f"{report.cancelled} cancelled, {report.deferred} deferred")


@app.command("retry")
@permits(Permission.NOTIFICATIONS_MANAGE)
def retry(ctx: typer.Context, notification_id: str) -> None:
    """Send a failed notification again (a fresh round of attempts, by the next send-due)."""
    n = runtime(ctx).commerce.notifications.retry(notification_id)
    ok(f"notification {n.id} is {n.status.value} again")
