"""`commerce serve`: migrate, seed a first start, and run the HTTP API under uvicorn."""

from __future__ import annotations

import os
import secrets
from typing import Annotated, Any

import typer
import uvicorn

from entrypoints.cli.access import LOCAL, permits
from entrypoints.cli.output import console, ok
from entrypoints.cli.runtime import configure_logging, runtime, uses_sql
from entrypoints.sample_data import PRODUCTS, WAREHOUSES, seed_sample_catalog
from entrypoints.settings import Settings

app = typer.Typer()


def export(settings: Settings) -> None:
    """Hand the effective settings to uvicorn's worker processes, which read the environment."""
    for name, value in settings.model_dump(mode="json").items():
        if value is not None:
            os.environ[f"COMMERCE_{name.upper()}"] = str(value)


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@app.command("serve")
@permits(LOCAL)
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to bind [COMMERCE_HOST]")] = None,
    port: Annotated[
        int | None, typer.Option(min=1, max=65535, help="Port to bind [COMMERCE_PORT]")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Server processes [COMMERCE_WORKERS]")
    ] = None,
) -> None:
    """Run the HTTP API (migrating the database and seeding the sample catalog on first start)."""
    state = runtime(ctx)
    settings = state.settings.model_copy(update={
        key: value for key, value in (("host", host), ("port", port), ("workers", workers))
        if value is not None
    })
    if settings.workers > 1 and not uses_sql(settings):
        raise typer.BadParameter(
            "memory:// lives inside one process; use one worker or a database URL",
            param_hint="--workers",
        )
    generated_token = settings.operator_token is None
    if generated_token:
        settings = settings.model_copy(update={"operator_token": secrets.token_urlsafe(32)})
    state.settings = settings
    configure_logging(settings)

    # Building the core migrates an SQL database to the newest schema (`adapters.sql.bundle`),
    # here, once, before any server process starts.
    commerce = state.commerce
    if settings.seed_sample_catalog and not commerce.catalog.list(published_only=False, limit=1):
        seed_sample_catalog(commerce)
        ok(f"seeded the sample catalog: {len(PRODUCTS)} products in {len(WAREHOUSES)} warehouses")

    if generated_token:
        console.print(f"operator token (generated; set COMMERCE_OPERATOR_TOKEN to keep one): "
                      f"{settings.operator_token}")
    url = base_url(settings.host, settings.port)
    console.print(f"commerce-core listening on {url} (docs at /docs)")
    server = server_options(settings)
    if settings.workers == 1:
        # FastAPI is imported only for this command; the other commands start faster without it.
        from entrypoints.http.app import create_app

        uvicorn.run(create_app(commerce, settings,
                               authenticators=state.container.authenticators()), **server)
    else:
        export(settings)
        uvicorn.run("entrypoints.cli.asgi:create", factory=True, workers=settings.workers,
                    **server)


def server_options(settings: Settings) -> dict[str, Any]:
    """What uvicorn is told. Slow clients are bounded at both ends: an idle keep-alive
    connection closes after `http_keep_alive_seconds`, and a request body must arrive within
    `body_read_timeout_seconds` and `max_body_bytes` (the app's `BodyLimitMiddleware`). Logging
    stays ours (`log_config=None`), so uvicorn's lines share the format; our access log
    replaces uvicorn's, since it carries the request id."""
    return {
        "host": settings.host, "port": settings.port, "log_level": settings.log_level.lower(),
        "log_config": None, "access_log": False,
        "timeout_keep_alive": settings.http_keep_alive_seconds,
        "timeout_graceful_shutdown": settings.http_graceful_shutdown_seconds,
    }
