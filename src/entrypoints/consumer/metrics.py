"""The worker's Prometheus metrics: counters of what this process did, and gauges of the bus and
the outbox read fresh at every scrape (so every worker reports the same shared state)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

import redis
from attrs import frozen
from prometheus_client import CollectorRegistry, Counter, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from adapters.redis import StreamLayout, bus_status
from adapters.redis.streams import APPLIED, DEAD_LETTERED, RETRIED
from commerce_core import Commerce
from entrypoints.breaker_metrics import BreakerCollector

log = logging.getLogger("commerce.worker")


class BusCollector(Collector):
    """Stream lengths; lag, pending, retrying and dead letters per group; outbox rows by status.
    A source that does not answer is reported down (`commerce_*_up 0`), never as zeros."""

    def __init__(self, commerce: Commerce, client: redis.Redis, layout: StreamLayout) -> None:
        self._commerce, self._client, self._layout = commerce, client, layout

    def collect(self) -> Iterator[Metric]:
        yield from self._bus()
        yield from self._outbox()

    def _bus(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("commerce_event_bus_up", "1 if Redis answered this scrape")
        try:
            status = bus_status(self._client, self._layout)
        except redis.RedisError as error:
            log.warning("metrics: Redis did not answer: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        length = GaugeMetricFamily("commerce_stream_length", "Entries kept in the stream",
                                   labels=["stream"])
        for stream, entries in status["streams"].items():
            length.add_metric([stream], entries)
        yield length
        for key, help_text in (
            ("lag", "Entries of the group's streams it has not read yet"),
            ("pending", "Entries read by a consumer of the group and not acknowledged yet"),
            ("retrying", "Entries the group failed on and is retrying"),
        ):
            gauge = GaugeMetricFamily(f"commerce_consumer_group_{key}", help_text,
                                      labels=["group"])
            for group, figures in status["groups"].items():
                gauge.add_metric([group], figures[key])
            yield gauge
        dead = GaugeMetricFamily("commerce_dead_letters", "Events in the group's dead-letter "
                                 "stream", labels=["group"])
        for group, size in status["dead_letters"].items():
            dead.add_metric([group], size)
        yield dead

    def _outbox(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("commerce_database_up", "1 if the database answered this scrape")
        try:
            stats = self._commerce.outbox_stats()
        except Exception as error:  # any driver failure: report the database down
            log.warning("metrics: the database did not answer: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        rows = GaugeMetricFamily("commerce_outbox_rows", "Outbox rows by status",
                                 labels=["status"])
        for status, count in stats.items():
            rows.add_metric([status], count)
        yield rows


class Metrics:
    """The counters this worker increments, and the registry a scrape reads."""

    def __init__(self, commerce: Commerce, client: redis.Redis, layout: StreamLayout) -> None:
        self.registry = CollectorRegistry()
        self.relayed = Counter("commerce_events_relayed", "Outbox events published to Redis",
                               registry=self.registry)
        self._outcomes = {
            APPLIED: Counter("commerce_events_applied", "Events a subscriber applied (or found "
                             "already applied in its inbox)", ["subscriber"],
                             registry=self.registry),
            RETRIED: Counter("commerce_event_retries", "Failed attempts retried after a backoff",
                             ["subscriber"], registry=self.registry),
            DEAD_LETTERED: Counter("commerce_events_dead_lettered", "Events moved to the "
                                   "subscriber's dead-letter stream", ["subscriber"],
                                   registry=self.registry),
        }
        self.registry.register(BusCollector(commerce, client, layout))
        self.registry.register(BreakerCollector(commerce.gateways))

    def outcome(self, subscriber: str, outcome: str) -> None:
        counter = self._outcomes.get(outcome)
        if counter is not None:
            counter.labels(subscriber).inc()

    def serve(self, host: str, port: int) -> MetricsServer:
        server, thread = start_http_server(port, addr=host, registry=self.registry)
        log.info("metrics on http://%s:%d/metrics", host, port)
        return MetricsServer(server, thread)


@frozen
class MetricsServer:
    server: WSGIServer
    thread: threading.Thread

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
