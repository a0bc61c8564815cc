"""Health probes: liveness (the process answers) and readiness (the database answers too, and
Redis when the event bus runs on it)."""

from __future__ import annotations

import logging
from typing import Annotated

import redis
from fastapi import APIRouter, Depends, Request

from entrypoints.http.access import PUBLIC
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.problems import HttpProblem
from entrypoints.http.schemas import Health
from entrypoints.settings import Settings

router = APIRouter(prefix="/health", tags=["health"])
log = logging.getLogger("commerce.http")


@router.get("/live", dependencies=[PUBLIC])
async def live() -> Health:
    return Health(status="ok")


# A probe answers within a second or two; a Redis that takes longer is not ready.
REDIS_PROBE_TIMEOUT_SECONDS = 1.0


def readiness_redis(settings: Settings) -> redis.Redis | None:
    """The client readiness pings, when the bus is on Redis (nothing connects until a probe)."""
    if settings.bus != "redis":
        return None
    return redis.Redis.from_url(
        settings.redis_url, socket_timeout=REDIS_PROBE_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_PROBE_TIMEOUT_SECONDS,
    )


async def get_redis(request: Request) -> redis.Redis | None:
    client: redis.Redis | None = request.app.state.redis
    return client


RedisDep = Annotated["redis.Redis | None", Depends(get_redis)]


# More reservations than this active for over 24 hours means stock is leaking (spec A2.9).
MAX_LEAKED_RESERVATIONS = 100


@router.get("/ready", summary="Ready when a unit of work opens, the outbox can be read and, "
            "with the Redis bus, Redis answers", dependencies=[PUBLIC])
def ready(commerce: CommerceDep, client: RedisDep) -> Health:
    try:
        outbox = commerce.outbox_stats()
        leaked = commerce.inventory.leaked_reservations()
    except Exception as exc:  # any failure means "not ready"; its details stay in the log
        log.warning("readiness check failed: %s: %s", type(exc).__name__, exc)
        raise HttpProblem(503, "health.not_ready", "The database is not answering.",
                          title="Not ready") from exc
    if client is not None:
        try:
            client.ping()
        except redis.RedisError as exc:
            log.warning("readiness check failed: Redis: %s: %s", type(exc).__name__, exc)
            raise HttpProblem(503, "health.redis_down", "The event bus (Redis) is not answering.",
                              title="Not ready") from exc
    if leaked > MAX_LEAKED_RESERVATIONS:
        raise HttpProblem(503, "health.reservation_leaks",
                          f"{leaked} reservations have been active for more than 24 hours.",
                          title="Not ready")
    return Health(status="ok", outbox=outbox, gateways=commerce.gateways.breakers() or None)
