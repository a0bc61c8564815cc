"""Circuit breakers every process of the shop shares, one Redis key per gateway.

An update is a compare-and-set: WATCH the key, read it, compute the new state with the core's
rule, and write it in MULTI/EXEC; a write by another process in between aborts the EXEC and the
update runs again on what that process wrote. So the rule lives once, in the core, and no
failure or probe is lost to a race.

Redis being down must not stop payments: reads then see a closed breaker and updates are not
kept (logged), which is what a shop without shared breakers would do.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TypeVar

import redis

from commerce_core.payment.ports import BreakerState

T = TypeVar("T")
log = logging.getLogger("commerce.payment.breakers")


def _decode(raw: bytes | str | None) -> BreakerState:
    if raw is None:
        return BreakerState()
    data = json.loads(raw)
    return BreakerState(str(data["status"]), float(data["since"]), int(data["failures"]),
                        int(data["probes"]), int(data["successes"]))


def _encode(state: BreakerState) -> str:
    return json.dumps({"status": state.status, "since": state.since,
                       "failures": state.failures, "probes": state.probes,
                       "successes": state.successes})


class RedisBreakerStore:
    """The `BreakerStore` shared through Redis under `{prefix}:breaker:{gateway}`."""

    def __init__(self, client: redis.Redis, *, prefix: str = "commerce") -> None:
        self._client, self._prefix = client, prefix

    def key(self, gateway: str) -> str:
        return f"{self._prefix}:breaker:{gateway}"

    def read(self, gateway: str) -> BreakerState:
        try:
            return _decode(self._client.get(self.key(gateway)))
        except redis.RedisError as exc:
            log.warning("breaker of %s unreadable, taken as closed: %s", gateway, exc)
            return BreakerState()

    def update(self, gateway: str,
               change: Callable[[BreakerState], tuple[BreakerState, T]]) -> T:
        key = self.key(gateway)
        try:
            with self._client.pipeline() as pipe:
                while True:
                    try:
                        pipe.watch(key)  # type: ignore[no-untyped-call]
                        state = _decode(pipe.get(key))
                        new, value = change(state)
                        if new == state:
                            pipe.unwatch()
                            return value
                        pipe.multi()
                        pipe.set(key, _encode(new))
                        pipe.execute()
                        return value
                    except redis.WatchError:
                        continue  # another process changed it first: again, on its state
        except redis.RedisError as exc:
            log.warning("breaker of %s not updated, taken as closed: %s", gateway, exc)
            return change(BreakerState())[1]
