"""`EventFeed` over Redis Streams: every API process follows the streams the outbox relay
publishes to, so a follower sees events whichever process committed them (ADR 0024).

One reader thread per process, started by the first subscriber and stopped after the last
leaves, reads with `XREAD BLOCK` outside any consumer group (it acknowledges nothing and
takes nothing from the subscribers' groups) from where the streams ended when it started, then
from the last entry it read, and fans each batch out to the listeners in this process.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterable

import redis

from adapters.redis.admin import StreamTail
from adapters.redis.streams import BrokerUnavailable, StreamLayout
from commerce_core.shared.feed import Listener, LocalFeed, Unsubscribe

log = logging.getLogger("commerce.redis.feed")


class RedisEventFeed:
    """Follows the streams named `streams` (event type first segments, such as `order`)."""

    def __init__(
        self,
        client: redis.Redis,
        streams: Iterable[str],
        *,
        layout: StreamLayout | None = None,
        block_ms: int = 1000,
        batch: int = 200,
        backoff_cap: float = 10.0,
    ) -> None:
        layout = layout or StreamLayout()
        self._client = client
        self._keys = sorted({layout.stream_named(s) for s in streams})
        self._block_ms, self._batch, self._backoff_cap = block_ms, batch, backoff_cap
        self._fanout = LocalFeed()
        self._lock = threading.Lock()
        self._stop: threading.Event | None = None  # the running reader's stop flag
        self._thread: threading.Thread | None = None

    @property
    def streams(self) -> list[str]:
        return list(self._keys)

    @property
    def reading(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def subscribe(self, listener: Listener) -> Unsubscribe:
        """Subscribes, starting the reader if none runs: its starting point is fixed before
        this returns, so nothing published afterwards is missed. Redis not answering raises
        `BrokerUnavailable`."""
        with self._lock:
            unsubscribe = self._fanout.subscribe(listener)
            if self._stop is None:
                try:
                    tail = StreamTail(self._client, self._keys)
                except redis.RedisError as exc:
                    unsubscribe()
                    raise BrokerUnavailable(f"Redis did not answer: {exc}") from exc
                self._stop = threading.Event()
                self._thread = threading.Thread(target=self._read, args=(tail, self._stop),
                                                name="order event feed", daemon=True)
                self._thread.start()

        def leave() -> None:
            with self._lock:
                unsubscribe()
                if self._fanout.listeners == 0 and self._stop is not None:
                    # The reader ends after its current read; the next subscriber starts anew.
                    self._stop.set()
                    self._stop = None

        return leave

    def close(self) -> None:
        with self._lock:
            if self._stop is not None:
                self._stop.set()
                self._stop = None
            thread = self._thread
        if thread is not None:
            thread.join(self._block_ms / 1000 + 5)

    def _read(self, tail: StreamTail, stop: threading.Event) -> None:
        failures = 0
        rng = random.Random()
        while not stop.is_set():
            try:
                found = tail.read(self._block_ms, self._batch)
            except redis.RedisError as error:
                failures += 1
                delay = rng.uniform(0.5, 1.0) * min(self._backoff_cap, 0.2 * 2 ** failures)
                log.warning("order event feed: Redis failed (%s); again in %.1f s", error, delay)
                stop.wait(delay)
                continue
            except Exception:  # anything else: logged, and tried again after a pause
                log.exception("order event feed: could not read the streams")
                stop.wait(1.0)
                continue
            failures = 0
            if found and not stop.is_set():
                self._fanout.publish([envelope for _, _, envelope in found])
