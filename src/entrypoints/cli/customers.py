"""`commerce customers` and `commerce locations`: customer accounts for operators (list, show,
suspend, activate, export, the deletion and segment jobs) and the location hierarchy file."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from adapters.locations import load_tree
from commerce_core import Commerce
from commerce_core.customer.errors import CustomerNotFound
from commerce_core.customer.model import Customer
from commerce_core.shared.permissions import Permission
from entrypoints.cli.access import LOCAL, permits
from entrypoints.cli.output import console, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="Customers: accounts, suspension, data export and scheduled deletion.")
locations_app = typer.Typer(no_args_is_help=True,
                            help="The location hierarchy addresses are checked against.")

CustomerRef = Annotated[str, typer.Argument(help="Customer id or email")]
Reason = Annotated[str, typer.Option(help="Why (recorded on the status change)")]


def find_customer(commerce: Commerce, ref: str) -> Customer:
    if "@" in ref:
        found = commerce.customers.by_email(ref)
        if found is None:
            raise CustomerNotFound(f"no customer with email {ref}", email=ref)
        return found
    return commerce.customers.get(ref)


@app.command("list")
@permits(Permission.CUSTOMERS_READ)
def list_customers(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="pending_verification, active, "
                                               "inactive, suspended or deleted")] = None,
    group: Annotated[str | None, typer.Option(help="Pricing group")] = None,
    segment: Annotated[str | None, typer.Option(help="Segment id")] = None,
    email: Annotated[str | None, typer.Option(help="Part of the email")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many")] = 50,
) -> None:
    """Customers, newest first."""
    commerce = runtime(ctx).commerce
    if status is not None and status not in {"pending_verification", "active", "inactive",
                                             "suspended", "deleted"}:
        raise typer.BadParameter(f"unknown status {status!r}", param_hint="--status")
    found = commerce.customers.list(status=status, group=group, segment=segment,
                                    email_contains=email, limit=limit)
    if not found:
        console.print("no customers")
        return
    table = Table()
    for heading in ("Id", "Email", "Name", "Status", "Group", "Registered"):
        table.add_column(heading, no_wrap=True)
    for c in found:
        table.add_row(c.id, c.email, f"{c.first_name} {c.last_name}", c.status.value, c.group,
                      when(c.created_at))
    console.print(table)


@app.command("show")
@permits(Permission.CUSTOMERS_READ)
def show(ctx: typer.Context, ref: CustomerRef) -> None:
    """One customer: profile, status, group, segments, addresses."""
    commerce = runtime(ctx).commerce
    c = find_customer(commerce, ref)
    lines = [
        f"customer {c.id}", f"email: {c.email}", f"name: {c.first_name} {c.last_name}",
        f"phone: {c.phone or '-'}", f"status: {c.status.value}", f"group: {c.group}",
        f"segments: {', '.join(c.segments) or '-'}",
        f"registered: {when(c.created_at)} ({c.registration_source})",
    ]
    if c.deletion_scheduled_at is not None:
        lines.append(f"deletion scheduled: {when(c.deletion_scheduled_at)}")
    for a in c.addresses:
        mark = " (default)" if a.is_default else ""
        lines.append(f"address {a.id}{mark}: {commerce.customers.format_address(a)}")
    for line in lines:
        console.print(line, markup=False, highlight=False)


@app.command("suspend")
@permits(Permission.CUSTOMERS_MANAGE)
def suspend(ctx: typer.Context, ref: CustomerRef, reason: Reason = "operator") -> None:
    """Suspend an active customer (their sessions are to be revoked)."""
    commerce = runtime(ctx).commerce
    customer = commerce.customers.suspend(find_customer(commerce, ref).id, reason)
    ok(f"customer {customer.email} suspended")


@app.command("activate")
@permits(Permission.CUSTOMERS_MANAGE)
def activate(ctx: typer.Context, ref: CustomerRef, reason: Reason = "operator") -> None:
    """Activate an inactive or suspended customer."""
    commerce = runtime(ctx).commerce
    customer = commerce.customers.activate(find_customer(commerce, ref).id, reason)
    ok(f"customer {customer.email} active")


@app.command("export")
@permits(Permission.CUSTOMERS_READ)
def export(
    ctx: typer.Context, ref: CustomerRef,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write to this file, not stdout")] = None,
) -> None:
    """Everything held about the customer, as JSON (a data-protection request)."""
    commerce = runtime(ctx).commerce
    data = commerce.customers.export(find_customer(commerce, ref).id)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        typer.echo(text)
        return
    output.write_text(text + "\n", encoding="utf-8")
    ok(f"exported to {output}")


@app.command("process-deletions")
@permits(Permission.CUSTOMERS_ERASE)
def process_deletions(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=200, help="At most this many")] = 200,
) -> None:
    """Anonymise the customers whose 30-day deletion grace period has passed."""
    run = runtime(ctx).commerce.customers.process_deletions(limit)
    ok(f"{len(run.deleted)} customer(s) deleted")
    if run.postponed:
        console.print(f"{len(run.postponed)} postponed: orders in progress "
                      f"({', '.join(run.postponed)})", markup=False, highlight=False)


@app.command("evaluate-segments")
@permits(Permission.CUSTOMERS_MANAGE)
def evaluate_segments(ctx: typer.Context) -> None:
    """Run the segment evaluator over every customer now."""
    run = runtime(ctx).commerce.customers.evaluate_segments()
    ok(f"{run.customers} customer(s) evaluated: {run.added} joined, {run.removed} left")


@locations_app.command("load")
@permits(LOCAL)  # reads a file, changes nothing
def load(path: Annotated[Path, typer.Argument(help="JSON or CSV location file")]) -> None:
    """Check a location file as a whole and summarise it; point COMMERCE_LOCATIONS_FILE at it
    to use it."""
    tree = load_tree(path)
    counts = Counter(loc.type for loc in tree.all())
    summary = ", ".join(f"{counts[level]} {level}" for level in tree.levels)
    ok(f"{path}: {len(tree)} locations ({summary}); levels {' > '.join(tree.levels)}")


@locations_app.command("show")
@permits(LOCAL)
def show_location(
    ctx: typer.Context,
    location_id: Annotated[str | None, typer.Argument(help="Location id (none: the "
                                                      "countries)")] = None,
) -> None:
    """A location with its path and children, from the configured hierarchy."""
    hierarchy = runtime(ctx).commerce.customers.locations
    if location_id is not None:
        path = hierarchy.path(location_id)
        console.print(" > ".join(f"{p.name} ({p.id})" for p in path), markup=False,
                      highlight=False)
    table = Table()
    for heading in ("Id", "Code", "Name", "Type"):
        table.add_column(heading, no_wrap=True)
    for child in hierarchy.children(location_id):
        table.add_row(child.id, child.code, child.name, child.type)
    console.print(table)
