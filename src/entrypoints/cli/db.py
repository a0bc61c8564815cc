"""`commerce db`: bring the schema up to date, or say which revision it is at."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import typer

from commerce_core.shared.errors import ServiceUnavailable
from entrypoints.cli.access import LOCAL, permits
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import runtime, uses_sql

app = typer.Typer(no_args_is_help=True, help="The database schema.")


def shown(url: str) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)


@app.command()
@permits(LOCAL)
def upgrade(ctx: typer.Context) -> None:
    """Apply every migration the database lacks (safe to repeat)."""
    settings = runtime(ctx).settings
    if not uses_sql(settings):
        console.print("memory:// keeps no schema; nothing to migrate")
        return
    from adapters import sql  # imported only when configured, as the container does

    sql.upgrade(settings.database_url)
    ok(f"{shown(settings.database_url)} is at the latest schema revision")


@app.command()
@permits(LOCAL)
def current(ctx: typer.Context) -> None:
    """Print the schema revision the database is at, and the newest one."""
    settings = runtime(ctx).settings
    if not uses_sql(settings):
        console.print("memory:// keeps no schema")
        return
    url = sa.make_url(settings.database_url)
    if (
        url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        and not Path(url.database).exists()
    ):
        # Connecting would create an empty file where none was meant to be.
        console.print(f"no database at {url.database}; run `commerce db upgrade`")
        return
    from adapters.sql.migrate import current_revision, head_revision

    try:
        revision = current_revision(settings.database_url)
    except sa.exc.OperationalError as error:
        raise ServiceUnavailable(f"cannot reach the database: {error.orig}") from error
    head = head_revision()
    where = shown(settings.database_url)
    if revision is None:
        console.print(f"{where} has no schema; run `commerce db upgrade`")
    elif revision == head:
        console.print(f"{where} is at revision {revision}, the newest")
    else:
        console.print(f"{where} is at revision {revision}; the newest is {head}, "
                      f"run `commerce db upgrade`")
