"""The worker loop: relay the outbox, recover stale checkouts, expire reservations; repeat.

In service mode (`COMMERCE_BUS=redis`) the relay and the consumers run on threads of their own
(`EventService`) beside this loop, which then keeps the scheduled jobs.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any, Protocol, TypeVar

from attrs import field, frozen

from adapters.redis import StreamLayout, connect
from commerce_core import Commerce, CommerceError
from entrypoints.consumer.scheduled import ScheduledJobs
from entrypoints.consumer.service import outbox_relay
from entrypoints.settings import Settings

log = logging.getLogger("commerce.worker")

T = TypeVar("T")

Relay = Callable[[int], int]
"""Publishes up to `limit` committed outbox events and returns how many went out."""

RELAY_BATCH = 100
MAX_IDLE_SECONDS = 5.0
SHUTDOWN_GRACE_SECONDS = 30.0  # how long a stopping worker waits for in-flight events
_NAP = 0.1  # how often a sleeping worker looks at its stop flag


def relay_for(commerce: Commerce, settings: Settings) -> Relay:
    """The outbox relay for these settings: in-process delivery to the subscribers, or with
    `bus == "redis"` one pass of the relay to Redis Streams (`limit` is then the configured
    batch per stream)."""
    if settings.bus == "redis":
        layout = StreamLayout(prefix=settings.redis_prefix)
        relay = outbox_relay(commerce, settings, connect(settings.redis_url), layout)
        return lambda limit: relay.run_once()
    return commerce.relay_outbox


class Background(Protocol):
    """Threads the worker starts with its loop and waits for when it stops."""

    def start(self, stopping: Callable[[], bool]) -> None: ...

    def join(self, timeout: float) -> list[str]:
        """Wait for the threads to finish; the names of those still busy after `timeout`."""
        ...


@frozen
class Tick:
    """What one pass of the loop did."""

    relayed: int = 0
    recovered: dict[str, int] = field(factory=dict)  # completed, compensated, retry_later
    expired: int = 0
    failed: tuple[str, ...] = ()  # the jobs that raised
    scheduled: dict[str, int] = field(factory=dict)  # what the interval jobs did, if any ran

    @property
    def busy(self) -> bool:
        finished = self.recovered.get("completed", 0) + self.recovered.get("compensated", 0)
        return bool(self.relayed or finished or self.expired or any(self.scheduled.values()))

    def summary(self) -> str:
        recovered = self.recovered
        text = (
            f"relayed {self.relayed} events; recovered checkouts: "
            f"{recovered.get('completed', 0)} completed, "
            f"{recovered.get('compensated', 0)} rolled back, "
            f"{recovered.get('retry_later', 0)} left for later; "
            f"expired {self.expired} reservations"
        )
        if self.scheduled:
            text += "; " + ", ".join(f"{name} {count}" for name, count in
                                     sorted(self.scheduled.items()))
        return text + (f"; failed: {', '.join(self.failed)}" if self.failed else "")


class Worker:
    """Runs the background jobs of one shop until SIGTERM or SIGINT.

    A signal lets the current tick finish and then ends `run`; a second one falls back to the
    previous handler (Ctrl-C twice interrupts at once). When a tick finds nothing to do, the
    pause grows from `interval` up to 5 s, and drops back as soon as work shows up.
    """

    def __init__(
        self,
        commerce: Commerce,
        settings: Settings,
        *,
        relay: Relay | None = None,
        interval: float | None = None,
        background: Background | None = None,
    ) -> None:
        self._commerce = commerce
        self._relay = relay or relay_for(commerce, settings)
        self._background = background
        self._scheduled = ScheduledJobs(commerce, settings)
        self.interval = settings.worker_interval_seconds if interval is None else interval
        if self.interval <= 0:
            raise ValueError("the worker interval must be positive")
        self.max_idle = max(MAX_IDLE_SECONDS, self.interval)
        self._stop_reason: str | None = None
        self._previous: dict[int, Any] = {}

    @property
    def stopping(self) -> bool:
        return self._stop_reason is not None

    def stop(self, reason: str = "asked to stop") -> None:
        self._stop_reason = reason

    def tick(self) -> Tick:
        failed: list[str] = []

        def attempt(job: str, run: Callable[[], T], nothing: T) -> T:
            try:
                return run()
            except CommerceError as error:
                log.warning("%s failed: %s [%s]", job, error.message, error.code)
            except Exception:  # one broken job must not stop the others or the loop
                log.exception("%s failed", job)
            failed.append(job)
            return nothing

        tick = Tick(
            relayed=attempt("outbox relay", lambda: self._relay(RELAY_BATCH), 0),
            recovered=attempt("checkout recovery", self._commerce.checkout.recover, {}),
            expired=attempt("reservation expiry", self._commerce.inventory.expire_reservations, 0),
            scheduled=attempt("scheduled jobs", self._scheduled.run_due, {}),
            failed=tuple(failed),
        )
        if tick.busy or tick.failed:
            log.info("%s", tick.summary())
        else:
            log.debug("%s", tick.summary())
        return tick

    def run(self) -> None:
        self._install_signal_handlers()
        if self._background is not None:
            self._background.start(lambda: self.stopping)
        log.info("worker started (polling every %.2f s, up to %.0f s when idle)",
                 self.interval, self.max_idle)
        try:
            pause = self.interval
            while not self.stopping:
                busy = self.tick().busy
                self._sleep(self.interval if busy else pause)
                pause = self.interval if busy else min(pause * 2, self.max_idle)
        finally:
            if not self.stopping:
                self.stop("the main loop failed")
            self._restore_signal_handlers()
            self._join_background()
        log.info("worker stopped (%s)", self._stop_reason)

    def _join_background(self) -> None:
        if self._background is None:
            return
        busy = self._background.join(SHUTDOWN_GRACE_SECONDS)
        if busy:
            log.warning("leaving without waiting longer for: %s", ", ".join(busy))

    def _sleep(self, seconds: float) -> None:
        # Short naps instead of one Event.wait: setting an Event from a signal handler can
        # deadlock on its internal lock, while a flag is always safe to set.
        deadline = time.monotonic() + seconds
        while not self.stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, _NAP))

    def _install_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return  # only the main thread may set handlers; the embedder calls stop() then
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._on_signal)

    def _restore_signal_handlers(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stop(f"{signal.Signals(signum).name} received")
        self._restore_signal_handlers()
