"""The circuit breaker of each payment gateway as a Prometheus gauge, read at every scrape
(with breakers shared through Redis, every process reports the same state)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Final

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from commerce_core.payment.ports import GatewayRouting

log = logging.getLogger("commerce.metrics")

BREAKER_STATES: Final = {"closed": 0, "half_open": 1, "open": 2}


class BreakerCollector(Collector):
    """`commerce_gateway_breaker_state{gateway}`: 0 closed, 1 half open, 2 open."""

    def __init__(self, gateways: GatewayRouting) -> None:
        self._gateways = gateways

    def collect(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "commerce_gateway_breaker_state",
            "Circuit breaker of the payment gateway: 0 closed, 1 half open, 2 open",
            labels=["gateway"])
        try:
            states = self._gateways.breakers()
        except Exception as error:  # a scrape reports what it can, never fails the others
            log.warning("metrics: breaker states unreadable: %s", error)
            return
        for gateway, state in sorted(states.items()):
            gauge.add_metric([gateway], BREAKER_STATES.get(state, 2))
        yield gauge
