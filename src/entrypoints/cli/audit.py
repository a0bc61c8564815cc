"""`commerce audit`: search the audit log and verify its hash chain.

Every other command runs as the operator at the terminal (`cli:<user>`), so what it changes is
audited like an admin route's change."""

from __future__ import annotations

import csv
import getpass
import json
import sys
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from commerce_core.audit.context import AuditContext
from commerce_core.audit.model import AuditEntry
from commerce_core.audit.queries import AuditFilter
from commerce_core.shared.permissions import Permission
from commerce_core.shared.principal import Principal
from entrypoints.cli.access import permits
from entrypoints.cli.output import console, failed, ok, when
from entrypoints.cli.runtime import runtime

app = typer.Typer(no_args_is_help=True,
                  help="The audit log: who changed what, and whether the log is intact.")


def operator_context() -> AuditContext:
    """The terminal's operator, as the audit log names them."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        user = "unknown"
    return AuditContext(Principal(kind="staff", subject=f"cli:{user}",
                                  roles=frozenset({"operator"})))


@app.command("list")
@permits(Permission.AUDIT_READ)
def list_entries(
    ctx: typer.Context,
    actor: Annotated[str | None, typer.Option(help="Only this actor id")] = None,
    action: Annotated[str | None, typer.Option(
        help="Only this action (`inventory.set_stock`), or a prefix ending in `.`")] = None,
    entity: Annotated[str | None, typer.Option(
        help="Only this entity: `type` or `type/id`")] = None,
    since: Annotated[datetime | None, typer.Option(help="Only entries at or after this time "
                                                        "(UTC if no offset)")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
    as_csv: Annotated[bool, typer.Option(
        "--csv", help="CSV with a header row (before and after as JSON), for export")] = False,
) -> None:
    """Entries, newest first."""
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    entries = runtime(ctx).commerce.audit.search(
        AuditFilter(actor=actor, action=action, entity=entity, since=since, limit=limit))
    rows = [_row(e) for e in entries]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    if as_csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(_row_fields()), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: json.dumps(v, ensure_ascii=False)
                             if isinstance(v, dict | list) else v for k, v in row.items()})
        return
    if not entries:
        console.print("no audit entries")
        return
    table = Table()
    for heading in ("#", "When", "Actor", "Action", "Entity", "Severity"):
        table.add_column(heading, no_wrap=True)
    for e in entries:
        r = e.record
        entity_ref = "/".join(p for p in (r.entity_type, r.entity_id) if p)
        table.add_row(str(e.sequence), when(r.occurred_at), r.actor.subject or r.actor.kind,
                      r.action, entity_ref, r.severity.value)
    console.print(table)


def _row_fields() -> tuple[str, ...]:
    return ("sequence", "id", "occurred_at", "actor_kind", "actor_id", "action", "entity_type",
            "entity_id", "severity", "ip", "session_id", "request_id", "before", "after",
            "hash")


def _row(e: AuditEntry) -> dict[str, Any]:
    r = e.record
    values = (e.sequence, e.id, r.occurred_at.isoformat(), r.actor.kind, r.actor.subject,
              r.action, r.entity_type, r.entity_id, r.severity.value, r.ip, r.session_id,
              r.request_id, r.before, r.after, e.hash)
    return dict(zip(_row_fields(), values, strict=True))


@app.command("verify")
@permits(Permission.AUDIT_VERIFY)
def verify(ctx: typer.Context) -> None:
    """Walk the hash chain; exit 1 naming the first entry edited, inserted or removed."""
    report = runtime(ctx).commerce.audit.verify()
    if report.broken is not None:
        failed(f"audit chain broken at {report.broken.describe()}")
        typer.echo(f"error: audit chain broken at {report.broken.describe()}", err=True)
        raise typer.Exit(1)
    ok(f"audit chain intact: {report.checked} entries, head {report.head.sequence} "
       f"{report.head.hash}")
