"""The API's Prometheus metrics: requests by route template, method and status, their latency,
and checkout outcomes; the duration of every command the message bus runs (the use cases), by
command and outcome; how long the oldest event has waited in the outbox; and, with the event bus
on Redis, each consumer group's lag and pending entries (read at every scrape). Each app has its
own registry, so apps side by side (tests, embedders) never share or collide on counters.

`GET /metrics` serves them in the Prometheus text format to bearers holding `metrics.read` (a
scrape config sets `authorization: {credentials: <token>}`): route names, outcome
counts and traffic shape are operational data a shopper has no business reading.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from adapters.redis import StreamLayout, bus_status
from commerce_core.payment.ports import GatewayRouting
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.permissions import Permission
from entrypoints.breaker_metrics import BreakerCollector
from entrypoints.http.access import permit

if TYPE_CHECKING:
    import redis

    from commerce_core.app import Commerce

log = logging.getLogger("commerce.metrics")

# Requests no route matched are counted under one label, so probing random paths cannot grow
# the number of series.
UNMATCHED_ROUTE: Final = "(unmatched)"
# Seconds; an API answer takes milliseconds, a checkout with a slow gateway a few seconds.
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A command runs from well under a millisecond (in memory) to seconds (a slow gateway).
COMMAND_BUCKETS: Final = (0.0005, 0.001, 0.0025, *LATENCY_BUCKETS)


class OutboxLagCollector(Collector):
    """`commerce_outbox_lag_seconds`: how long the oldest event still waiting in the outbox has
    waited (0 when none waits); a relay that falls behind or stops shows here first."""

    def __init__(self, commerce: Commerce) -> None:
        self._commerce = commerce

    def collect(self) -> Iterator[Metric]:
        try:
            oldest = self._commerce.outbox_oldest_pending()
        except Exception as error:  # a scrape reports what it can, never fails the others
            log.warning("metrics: outbox unreadable: %s", error)
            return
        now = self._commerce.ports.clock.now()
        lag = GaugeMetricFamily("commerce_outbox_lag_seconds",
                                "Age of the oldest outbox row waiting to be relayed (0: none)")
        lag.add_metric([], 0.0 if oldest is None else max((now - oldest).total_seconds(), 0.0))
        yield lag


class StreamLagCollector(Collector):
    """With the event bus on Redis: `commerce_consumer_group_lag` (entries of a group's streams
    not read yet) and `commerce_consumer_group_pending` (read, not acknowledged), per group, as
    the worker reports them; `commerce_event_bus_up` 0 when Redis does not answer."""

    def __init__(self, client: redis.Redis, layout: StreamLayout) -> None:
        self._client, self._layout = client, layout

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("commerce_event_bus_up", "1 if Redis answered this scrape")
        try:
            groups = bus_status(self._client, self._layout)["groups"]
        except Exception as error:
            log.warning("metrics: Redis did not answer: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        for key, help_text in (
            ("lag", "Entries of the group's streams it has not read yet"),
            ("pending", "Entries read by a consumer of the group and not acknowledged yet"),
        ):
            gauge = GaugeMetricFamily(f"commerce_consumer_group_{key}", help_text,
                                      labels=["group"])
            for group, figures in sorted(groups.items()):
                gauge.add_metric([group], figures[key])
            yield gauge


class HttpMetrics:
    def __init__(self, gateways: GatewayRouting | None = None, *,
                 commerce: Commerce | None = None, redis_client: redis.Redis | None = None,
                 redis_prefix: str = "commerce") -> None:
        """`commerce`: time its commands and report its outbox lag; `redis_client`: report the
        consumer groups of the event bus whose keys start with `redis_prefix`."""
        self.registry = CollectorRegistry()
        if gateways is not None:
            self.registry.register(BreakerCollector(gateways))
        self.commands = Histogram(
            "commerce_command_duration_seconds",
            "Time the message bus took to run one command (a use case), by command and outcome: "
            "ok, refused (a domain error) or failed", ["command", "outcome"],
            buckets=COMMAND_BUCKETS, registry=self.registry,
        )
        if commerce is not None:
            self.registry.register(OutboxLagCollector(commerce))
            commerce.bus.instrument(self.timed)
        if redis_client is not None:
            self.registry.register(
                StreamLagCollector(redis_client, StreamLayout(prefix=redis_prefix)))
        self.requests = Counter(
            "commerce_http_requests", "HTTP requests answered",
            ["route", "method", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "commerce_http_request_duration_seconds",
            "Time from the request's arrival to the end of its response",
            ["route", "method", "status"], buckets=LATENCY_BUCKETS, registry=self.registry,
        )
        self.checkouts = Counter(
            "commerce_checkouts", "Order placements by outcome: the order's status when placed, "
            "or the problem code that refused it", ["outcome"], registry=self.registry,
        )

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        labels = (route, method, str(status))
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def timed(self, command_type: type[Any], handler: Callable[[Any], Any]
              ) -> Callable[[Any], Any]:
        """`handler`, observed in the command histogram under the command's class name."""
        observe = self.commands.labels
        name = command_type.__name__

        def run(command: Any) -> Any:
            started, outcome = time.perf_counter(), "failed"
            try:
                result = handler(command)
                outcome = "ok"
                return result
            except CommerceError:
                outcome = "refused"
                raise
            finally:
                observe(name, outcome).observe(time.perf_counter() - started)

        return run

    def checkout(self, outcome: str) -> None:
        self.checkouts.labels(outcome).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def metrics_of(request: Request) -> HttpMetrics:
    metrics: HttpMetrics = request.app.state.metrics
    return metrics


MetricsDep = Annotated[HttpMetrics, Depends(metrics_of)]

router = APIRouter(tags=["operations"])


@router.get(
    "/metrics", dependencies=[permit(Permission.METRICS_READ)], response_class=Response,
    summary="Prometheus metrics of this process",
    responses={200: {"content": {CONTENT_TYPE_LATEST.split(";")[0]: {
        "schema": {"type": "string"}}}}},
)
def metrics(metrics: MetricsDep) -> Response:
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
