"""Background loops of the worker: one thread each, stopped by the worker's flag, and never
killed by a failure: an outage is retried after a jittered, capped backoff."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable

import redis
from attrs import frozen

from adapters.redis import BrokerUnavailable

log = logging.getLogger("commerce.worker")

Stopping = Callable[[], bool]

# Redis or the network went away: expected during a restart, retried quietly.
OUTAGES: tuple[type[BaseException], ...] = (
    redis.ConnectionError, redis.TimeoutError, BrokerUnavailable,
)
_NAP = 0.1  # how often a waiting loop looks at the stop flag


class Interrupted(Exception):
    """Raised from a wait when the worker stops, to abandon work that would wait longer."""


def nap(seconds: float, stopping: Stopping) -> None:
    """Sleep, waking early when the worker stops. Short naps on a flag rather than an Event:
    the flag is set from a signal handler, where taking an Event's lock can deadlock."""
    deadline = time.monotonic() + seconds
    while not stopping():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, _NAP))


@frozen
class Backoff:
    """After the n-th failure in a row wait between half and all of `base · 2^(n-1)`, capped:
    growing, so a server coming back is not hammered, and jittered, so workers restarted
    together do not reconnect in lockstep."""

    base: float = 0.5
    cap: float = 30.0

    def delay(self, failures: int, rng: random.Random) -> float:
        ceiling = min(self.cap, self.base * 2 ** max(failures - 1, 0))
        return rng.uniform(ceiling / 2, ceiling)


class BackgroundLoop:
    """Calls `step` until the worker stops. A step that did some work runs again at once; an
    idle one waits, from `idle_min` doubling up to `idle_max`; a failing one waits `backoff`.
    `step` returns how much it did."""

    def __init__(
        self,
        name: str,
        step: Callable[[], int],
        *,
        idle_min: float = 0.0,
        idle_max: float = 0.0,
        backoff: Backoff | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.name, self._step = name, step
        self._idle_min, self._idle_max = idle_min, max(idle_min, idle_max)
        self._backoff = backoff or Backoff()
        self._rng = rng or random.Random()
        self._thread: threading.Thread | None = None

    def start(self, stopping: Stopping) -> None:
        self._thread = threading.Thread(
            target=self.run, args=(stopping,), name=self.name, daemon=True
        )
        self._thread.start()

    def join(self, timeout: float) -> bool:
        """Wait for the loop to finish; False if it is still busy after `timeout` seconds."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def run(self, stopping: Stopping) -> None:
        failures = 0
        pause = self._idle_min
        while not stopping():
            try:
                done = self._step()
            except Interrupted:
                break
            except OUTAGES as error:
                failures += 1
                delay = self._backoff.delay(failures, self._rng)
                log.warning("%s: broker unreachable (%s); reconnecting in %.1f s (attempt %d)",
                            self.name, error, delay, failures)
                nap(delay, stopping)
                continue
            except Exception:  # a loop that dies silently would stop delivering events
                failures += 1
                delay = self._backoff.delay(failures, self._rng)
                log.exception("%s failed; retrying in %.1f s (attempt %d)", self.name, delay,
                              failures)
                nap(delay, stopping)
                continue
            if failures:
                log.info("%s: working again after %d failed attempts", self.name, failures)
                failures = 0
            if done:
                pause = self._idle_min
                continue
            nap(pause, stopping)
            pause = min(max(pause * 2, self._idle_min), self._idle_max)
