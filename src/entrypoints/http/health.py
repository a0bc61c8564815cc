"""Health probes: liveness (the process answers) and readiness (the database answers too)."""

from __future__ import annotations

import logging

from fastapi import APIRouter

from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.problems import HttpProblem
from entrypoints.http.schemas import Health

router = APIRouter(prefix="/health", tags=["health"])
log = logging.getLogger("commerce.http")


@router.get("/live")
async def live() -> Health:
    return Health(status="ok")


# More reservations than this active for over 24 hours means stock is leaking (spec A2.9).
MAX_LEAKED_RESERVATIONS = 100


@router.get("/ready", summary="Ready when a unit of work opens and the outbox can be read")
def ready(commerce: CommerceDep) -> Health:
    try:
        outbox = commerce.outbox_stats()
        leaked = commerce.inventory.leaked_reservations()
    except Exception as exc:  # any failure means "not ready"; its details stay in the log
        log.warning("readiness check failed: %s: %s", type(exc).__name__, exc)
        raise HttpProblem(503, "health.not_ready", "The database is not answering.",
                          title="Not ready") from exc
    if leaked > MAX_LEAKED_RESERVATIONS:
        raise HttpProblem(503, "health.reservation_leaks",
                          f"{leaked} reservations have been active for more than 24 hours.",
                          title="Not ready")
    return Health(status="ok", outbox=outbox)
