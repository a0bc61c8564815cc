"""`commerce worker`: the background loop (outbox relay, checkout recovery, reservation expiry),
and with `COMMERCE_BUS=redis` the consumers of the event bus."""

from __future__ import annotations

from typing import Annotated

import typer

from entrypoints.cli.access import LOCAL, permits
from entrypoints.cli.output import console
from entrypoints.cli.runtime import Runtime, configure_logging, runtime
from entrypoints.consumer.metrics import Metrics, MetricsServer
from entrypoints.consumer.service import EventService
from entrypoints.consumer.worker import Worker

app = typer.Typer()


@app.command("worker")
@permits(LOCAL)
def worker(
    ctx: typer.Context,
    once: Annotated[
        bool, typer.Option("--once", help="Run one tick and exit (1 if a job failed)")
    ] = False,
    interval: Annotated[
        float | None,
        typer.Option(min=0.01, help="Seconds between ticks [COMMERCE_WORKER_INTERVAL_SECONDS]"),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(
            "--only", metavar="CONTEXTS",
            help="Run only the subscribers of these contexts, comma-separated "
                 "(e.g. inventory,ordering); service mode only",
        ),
    ] = None,
    metrics_port: Annotated[
        int | None,
        typer.Option(min=0, max=65535,
                     help="Serve Prometheus metrics on this port, 0 for none "
                          "[COMMERCE_METRICS_PORT]; service mode only"),
    ] = None,
) -> None:
    """Relay the outbox, recover stale checkouts and expire reservations until SIGTERM/SIGINT.
    With COMMERCE_BUS=redis, also consume the event streams: one consumer per subscriber."""
    state = runtime(ctx)
    configure_logging(state.settings)
    if once:
        tick = Worker(state.commerce, state.settings, interval=interval).tick()
        console.print(tick.summary())
        raise typer.Exit(1 if tick.failed else 0)
    if state.settings.bus != "redis":
        if only or metrics_port:
            raise typer.BadParameter("--only and --metrics-port need COMMERCE_BUS=redis")
        Worker(state.commerce, state.settings, interval=interval).run()
        return
    _run_service(state, interval, only, metrics_port)


def _run_service(
    state: Runtime, interval: float | None, only: str | None, metrics_port: int | None
) -> None:
    settings, commerce = state.settings, state.commerce
    client, layout = state.container.redis_client(), state.container.stream_layout()
    contexts = [c.strip() for c in only.split(",") if c.strip()] if only else None
    port = settings.metrics_port if metrics_port is None else metrics_port
    metrics = Metrics(commerce, client, layout) if port else None
    service = EventService(commerce, settings, client, layout, contexts=contexts,
                           metrics=metrics)
    server: MetricsServer | None = metrics.serve(settings.host, port) if metrics else None
    try:
        Worker(commerce, settings, interval=interval, relay=service.take_relayed,
               background=service).run()
    finally:
        if server is not None:
            server.close()
