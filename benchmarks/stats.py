"""Throughput and latency figures from timed runs."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from attrs import frozen


@frozen
class Run:
    operations: int
    seconds: float
    latencies: tuple[float, ...]  # seconds, one per operation
    # CPU seconds the serving processes spent on the timed work (None: not measured)
    cpu_seconds: float | None = None

    @property
    def per_second(self) -> float:
        return self.operations / self.seconds


@frozen
class Figure:
    name: str
    per_second: float  # median over runs
    p50_ms: float
    p99_ms: float
    runs: int
    cpu_ms: float | None = None  # the serving processes' CPU per operation (median over runs)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarise(name: str, runs: Sequence[Run]) -> Figure:
    latencies = [lat for run in runs for lat in run.latencies]
    return Figure(
        name=name,
        per_second=statistics.median(run.per_second for run in runs),
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
        runs=len(runs),
        cpu_ms=_cpu_ms(runs),
    )


def _cpu_ms(runs: Sequence[Run]) -> float | None:
    """CPU milliseconds per operation, the median over runs; None unless every run measured it."""
    spent = [r.cpu_seconds / r.operations * 1000 for r in runs if r.cpu_seconds is not None]
    return statistics.median(spent) if spent and len(spent) == len(runs) else None
