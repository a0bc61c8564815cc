"""Rate limiting in this process's memory: one arrival time per key, behind a lock."""

from __future__ import annotations

import threading

from commerce_core.shared.clock import Clock, SystemClock
from commerce_core.shared.ratelimit import RateDecision, RatePolicy, gcra


class InMemoryRateLimiter:
    """Right for one process (and tests); several processes each count on their own."""

    def __init__(self, clock: Clock | None = None, *, max_keys: int = 100_000) -> None:
        self._clock = clock or SystemClock()
        self._tats: dict[str, int] = {}
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def check(self, policy: RatePolicy, key: str, *, cost: int = 1) -> RateDecision:
        now = int(self._clock.now().timestamp() * 1_000_000)
        slot = f"{policy.name}:{key}"
        with self._lock:
            decision, tat = gcra(policy, self._tats.get(slot), now, cost)
            if tat is not None:
                if len(self._tats) >= self._max_keys:
                    self._forget_expired(now)
                self._tats[slot] = tat
        return decision

    def _forget_expired(self, now: int) -> None:
        # A key whose arrival time is past has its whole burst back: as good as never seen.
        for slot in [s for s, tat in self._tats.items() if tat <= now]:
            del self._tats[slot]
