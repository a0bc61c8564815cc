"""The API's Prometheus metrics: requests by route template, method and status, their latency,
and checkout outcomes. Each app has its own registry, so apps side by side (tests, embedders)
never share or collide on counters.

`GET /metrics` serves them in the Prometheus text format to bearers holding `metrics.read` (a
scrape config sets `authorization: {credentials: <token>}`): route names, outcome
counts and traffic shape are operational data a shopper has no business reading.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from commerce_core.payment.ports import GatewayRouting
from commerce_core.shared.permissions import Permission
from entrypoints.breaker_metrics import BreakerCollector
from entrypoints.http.access import permit

# Requests no route matched are counted under one label, so probing random paths cannot grow
# the number of series.
UNMATCHED_ROUTE: Final = "(unmatched)"
# Seconds; an API answer takes milliseconds, a checkout with a slow gateway a few seconds.
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class HttpMetrics:
    def __init__(self, gateways: GatewayRouting | None = None) -> None:
        self.registry = CollectorRegistry()
        if gateways is not None:
            self.registry.register(BreakerCollector(gateways))
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
