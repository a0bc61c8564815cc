"""`commerce webhooks`: subscriptions of third-party apps to the shop's events, their delivery
log, replays, and sending what is due now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table

from commerce_core.shared.permissions import Permission
from commerce_core.webhooks.ports import Subscription
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Outbound webhooks: create, list, show, deliveries, replay, enable, "
                       "disable, rotate-secret, delete, send-due.")

MANAGE = Permission.WEBHOOKS_MANAGE


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _print(lines: list[str]) -> None:
    for line in lines:
        console.print(line, markup=False, highlight=False)


def _describe(s: Subscription) -> list[str]:
    state = s.status.value + (f" ({s.disabled_reason})" if s.disabled_reason else "")
    return [
        f"subscription {s.id}: {s.url}",
        f"events: {', '.join(s.event_types)}",
        f"status {state}; failed deliveries in a row: {s.consecutive_failures}",
        *([f"description: {s.description}"] if s.description else []),
        f"created {when(s.created_at)}; updated {when(s.updated_at)}",
    ]


@app.command("create")
@permits(MANAGE)
def create(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The target, http(s)")],
    event: Annotated[list[str], typer.Option(
        "--event", "-e", help="An event type, `<context>.*` or `*`; repeat for more")],
    description: Annotated[str, typer.Option(help="What the target is")] = "",
) -> None:
    """Subscribe a target to event types; prints the signing secret, shown this once."""
    created = runtime(ctx).commerce.webhooks.create(url, event, description)
    ok(f"subscription {created.subscription.id} created")
    _print([f"secret: {created.secret}", "(store it now: it is not shown again)"])


@app.command("list")
@permits(MANAGE)
def list_subscriptions(
    ctx: typer.Context,
    all_: Annotated[bool, typer.Option("--all", help="Deleted ones too")] = False,
) -> None:
    """Webhook subscriptions, oldest first."""
    found = runtime(ctx).commerce.webhooks.list(include_deleted=all_)
    if not found:
        console.print("no webhook subscriptions")
        return
    table = Table()
    for heading in ("Id", "URL", "Events", "Status", "Failures", "Created"):
        table.add_column(heading)
    for s in found:
        table.add_row(s.id, s.url, ", ".join(s.event_types), s.status.value,
                      str(s.consecutive_failures), when(s.created_at))
    console.print(table)


@app.command("show")
@permits(MANAGE)
def show(ctx: typer.Context, subscription_id: str) -> None:
    """One subscription."""
    _print(_describe(runtime(ctx).commerce.webhooks.get(subscription_id)))


@app.command("deliveries")
@permits(MANAGE)
def deliveries(
    ctx: typer.Context,
    subscription_id: str,
    status: Annotated[str | None, typer.Option(
        help="pending, sending, succeeded, failed or cancelled")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 50,
    attempts: Annotated[bool, typer.Option("--attempts", help="Every attempt too")] = False,
) -> None:
    """A subscription's delivery log, newest first."""
    found = runtime(ctx).commerce.webhooks.deliveries(subscription_id, status=status,
                                                      limit=limit)
    if not found:
        console.print("no deliveries")
        return
    table = Table()
    for heading in ("Id", "Event", "Type", "Status", "Attempts", "Last code", "Replay",
                    "Created"):
        table.add_column(heading, no_wrap=True)
    for d in found:
        codes = d.last_status_code if d.last_status_code is not None else "-"
        table.add_row(d.id, d.event_id, d.event_type, d.status.value,
                      f"{d.attempt_count}/{d.max_attempts}", str(codes),
                      "yes" if d.replay else "", when(d.created_at))
    console.print(table)
    if attempts:
        for d in found:
            for a in d.attempts:
                code = a.status_code if a.status_code is not None else "no answer"
                _print([f"{d.id} attempt {a.number} at {when(a.finished_at)}: {code} "
                        f"in {a.duration_ms} ms" + (f" ({a.error})" if a.error else "")])


@app.command("replay")
@permits(MANAGE)
def replay(
    ctx: typer.Context,
    delivery: Annotated[str | None, typer.Option(help="Send this delivery's event again")]
    = None,
    subscription: Annotated[str | None, typer.Option(
        help="Send again what this subscription was sent between --from and --to")] = None,
    start: Annotated[datetime | None, typer.Option(
        "--from", help="Events that occurred at or after this (UTC unless a zone is given)")]
    = None,
    end: Annotated[datetime | None, typer.Option(
        "--to", help="... and before this")] = None,
) -> None:
    """Send one delivery again (--delivery), or a subscription's events of a time range
    (--subscription --from --to); each becomes a new delivery flagged as a replay."""
    webhooks = runtime(ctx).commerce.webhooks
    if delivery is not None and subscription is None:
        replayed = webhooks.replay(delivery)
        ok(f"delivery {replayed.id} enqueued (replay of {delivery})")
        return
    if subscription is None or delivery is not None or start is None or end is None:
        raise typer.BadParameter("give --delivery, or --subscription with --from and --to")
    report = webhooks.replay_range(subscription, _utc(start), _utc(end))
    ok(f"{report.count} deliveries enqueued for subscription {subscription}")


@app.command("enable")
@permits(MANAGE)
def enable(ctx: typer.Context, subscription_id: str) -> None:
    """Send to a subscription again (its failure count starts over)."""
    s = runtime(ctx).commerce.webhooks.enable(subscription_id)
    ok(f"subscription {s.id} is {s.status.value}")


@app.command("disable")
@permits(MANAGE)
def disable(ctx: typer.Context, subscription_id: str) -> None:
    """Stop sending to a subscription."""
    s = runtime(ctx).commerce.webhooks.disable(subscription_id)
    ok(f"subscription {s.id} is {s.status.value}")


@app.command("delete")
@permits(MANAGE)
def delete(ctx: typer.Context, subscription_id: str) -> None:
    """Delete a subscription (its delivery log is kept)."""
    s = runtime(ctx).commerce.webhooks.delete(subscription_id)
    ok(f"subscription {s.id} is {s.status.value}")


@app.command("rotate-secret")
@permits(MANAGE)
def rotate_secret(ctx: typer.Context, subscription_id: str) -> None:
    """A new signing secret, shown this once; the old one signs too for 24 hours."""
    rotated = runtime(ctx).commerce.webhooks.rotate_secret(subscription_id)
    ok(f"subscription {subscription_id} has a new secret")
    _print([f"secret: {rotated.secret}", "(store it now: it is not shown again)"])


@app.command("send-due")
@permits(MANAGE)
def send_due(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 50,
) -> None:
    """Send the deliveries that are due now (the worker does this every few seconds)."""
    report = runtime(ctx).commerce.webhooks.send_due(limit)
    ok(f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed, "
       f"{report.cancelled} cancelled")
