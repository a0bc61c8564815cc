"""`commerce worker`: the background loop (outbox relay, checkout recovery, reservation expiry)."""

from __future__ import annotations

from typing import Annotated

import typer

from entrypoints.cli.output import console
from entrypoints.cli.runtime import configure_logging, runtime
from entrypoints.consumer.worker import Worker

app = typer.Typer()


@app.command("worker")
def worker(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Run one tick and exit (1 if a job failed)")
    ] = False,
    interval: Annotated[
        float | None,
        typer.Option(min=0.01, help="Seconds between ticks [COMMERCE_WORKER_INTERVAL_SECONDS]"),
    ] = None,
) -> None:
    """Relay the outbox, recover stale checkouts and expire reservations until SIGTERM/SIGINT."""
    state = runtime(ctx)
    configure_logging(state.settings)
    loop = Worker(state.commerce, state.settings, interval=interval)
    if once:
        tick = loop.tick()
        console.print(tick.summary())
        raise typer.Exit(1 if tick.failed else 0)
    loop.run()
