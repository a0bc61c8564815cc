"""Rate limiting every process shares: GCRA in one Lua script, one round trip per check.

The script reads the key's theoretical arrival time, decides as `commerce_core.shared.ratelimit
.gcra` does, and writes the new time with a TTL of exactly how long it matters, all atomically
on the server, so concurrent checks from any number of processes never allow more than the
policy. Time is the Redis server's (`TIME`), the one clock every process agrees on, unless a
`Clock` is given (tests). Keys are digests: an email or address used as a key is not stored.
"""

from __future__ import annotations

import hashlib

import redis

from commerce_core.shared.clock import Clock
from commerce_core.shared.ratelimit import RateDecision, RateLimiterUnavailable, RatePolicy

# ARGV: interval µs, capacity, cost, now µs (-1: the server's clock). Numbers stay below 2^53,
# exact in Lua's doubles; '%.0f' writes them without an exponent.
_GCRA = """
local interval = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if now < 0 then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local tolerance = interval * capacity
local tat = now
local stored = redis.call('GET', KEYS[1])
if stored then tat = math.max(tonumber(stored), now) end
local new_tat = tat + interval * cost
local allow_at = new_tat - tolerance
if now < allow_at then
  local remaining = math.floor((tolerance - (tat - now)) / interval)
  if remaining < 0 then remaining = 0 end
  return {0, remaining, allow_at - now, tat - now}
end
local ttl = math.ceil((new_tat - now) / 1000)
if ttl < 1 then ttl = 1 end
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl)
return {1, math.floor((tolerance - (new_tat - now)) / interval), 0, new_tat - now}
"""


class RedisRateLimiter:
    """The `RateLimiter` over Redis under `{prefix}:rl:{policy}:{digest of key}`."""

    def __init__(self, client: redis.Redis, *, prefix: str = "commerce",
                 clock: Clock | None = None) -> None:
        self._client, self._prefix, self._clock = client, prefix, clock
        self._script = client.register_script(_GCRA)

    def key(self, policy: RatePolicy, key: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"{self._prefix}:rl:{policy.name}:{digest}"

    def check(self, policy: RatePolicy, key: str, *, cost: int = 1) -> RateDecision:
        now = -1 if self._clock is None else int(self._clock.now().timestamp() * 1_000_000)
        try:
            allowed, remaining, retry_us, reset_us = self._script(
                keys=[self.key(policy, key)],
                args=[policy.interval_us, policy.capacity, cost, now])
        except redis.RedisError as exc:
            raise RateLimiterUnavailable(f"the rate limiter's Redis failed: {exc}") from exc
        return RateDecision(bool(allowed), policy.capacity, int(remaining),
                            int(retry_us) / 1e6, int(reset_us) / 1e6)
