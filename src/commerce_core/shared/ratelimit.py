"""Rate limiting: the `RateLimiter` port, its policies and decisions, and the GCRA rule.

A policy allows `limit` requests per `period` with at most `burst` at once (the generic cell
rate algorithm: one theoretical arrival time per key, no counters to reset). Adapters keep the
arrival time per key: in memory for one process, in Redis (one Lua script per check) for all.
"""

from __future__ import annotations

import math
import re
from typing import Final, Protocol

from attrs import frozen

from commerce_core.shared.errors import InvalidInput, ServiceUnavailable

_UNITS: Final = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60,
                 "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_SPEC: Final = re.compile(
    r"^\s*(?P<limit>\d+)\s*/\s*(?P<count>\d*)\s*(?P<unit>[a-z]+?)s?\s*"
    r"(?:(?:,|\s)\s*burst\s*=?\s*(?P<burst>\d+))?\s*$"
)


class RateLimiterUnavailable(ServiceUnavailable):
    """The limiter's store did not answer; the policy says whether to let the request in."""

    code = "rate_limit.unavailable"


@frozen
class RatePolicy:
    """`limit` requests per `period_seconds` for one key, at most `burst` of them at once
    (default: `limit`). `fail_closed`: refuse when the limiter's store is down."""

    name: str
    limit: int
    period_seconds: int
    burst: int = 0
    fail_closed: bool = False

    def __attrs_post_init__(self) -> None:
        if self.limit < 1 or self.period_seconds < 1 or self.burst < 0:
            raise InvalidInput(f"rate limit {self.name}: limit and period must be positive")

    @property
    def capacity(self) -> int:
        return self.burst or self.limit

    @property
    def interval_us(self) -> int:
        """Microseconds one request uses up of the allowance (the emission interval)."""
        return max(self.period_seconds * 1_000_000 // self.limit, 1)

    @classmethod
    def parse(cls, name: str, text: str, *, fail_closed: bool = False) -> RatePolicy:
        """`10/min`, `5/hour`, `100/min burst 20`, `20/15min`, `3/s,burst=6`."""
        found = _SPEC.match(text.lower())
        unit = _UNITS.get(found["unit"]) if found else None
        if found is None or unit is None:
            raise InvalidInput(f"rate limit {name}: {text!r} is not `<count>/<period>` "
                               "(such as `10/min` or `100/min burst 20`)", policy=name)
        period = int(found["count"] or 1) * unit
        return cls(name, int(found["limit"]), period, int(found["burst"] or 0), fail_closed)

    def describe(self) -> str:
        burst = f" burst {self.burst}" if self.burst else ""
        return f"{self.limit}/{self.period_seconds}s{burst}"


@frozen
class RateDecision:
    """One check's answer. `remaining`: requests allowed right now after this one;
    `retry_after`: seconds until the next one is allowed (0 when allowed); `reset_after`:
    seconds until the full burst is available again."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: float
    reset_after: float


class RateLimiter(Protocol):
    """Counts requests per key. `check` spends `cost` of the key's allowance if it has that
    much left, atomically (concurrent checks never allow more than the policy), and answers
    either way. A store that cannot answer raises `RateLimiterUnavailable`."""

    def check(self, policy: RatePolicy, key: str, *, cost: int = 1) -> RateDecision: ...


def gcra(policy: RatePolicy, tat_us: int | None, now_us: int,
         cost: int = 1) -> tuple[RateDecision, int | None]:
    """The rule every adapter follows: the decision and the new theoretical arrival time to
    store (None when refused: nothing changes). `tat_us` is the stored one, None if none."""
    interval = policy.interval_us
    tolerance = interval * policy.capacity
    tat = max(tat_us if tat_us is not None else now_us, now_us)
    new_tat = tat + interval * cost
    allow_at = new_tat - tolerance
    if now_us < allow_at:
        remaining = max((tolerance - (tat - now_us)) // interval, 0)
        return RateDecision(False, policy.capacity, remaining, (allow_at - now_us) / 1e6,
                            (tat - now_us) / 1e6), None
    remaining = (tolerance - (new_tat - now_us)) // interval
    return RateDecision(True, policy.capacity, remaining, 0.0, (new_tat - now_us) / 1e6), new_tat


def route_key(method: str, path: str) -> str:
    """`POST /orders` for `post //Orders/`: casing, doubled and trailing slashes do not make a
    new key (spec identity §6)."""
    normal = re.sub(r"/{2,}", "/", path.lower())
    if len(normal) > 1:
        normal = normal.rstrip("/")
    return f"{method.upper()} {normal or '/'}"


def parse_routes(text: str) -> dict[str, RatePolicy]:
    """Per-route policies by route key: `POST /orders=10/min; GET /search=120/min`."""
    routes: dict[str, RatePolicy] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        target, sep, spec = part.partition("=")
        method, _, path = target.strip().partition(" ")
        if not sep or not path.strip().startswith("/"):
            raise InvalidInput(f"rate limit routes: {part!r} is not "
                               "`METHOD /path=<count>/<period>`")
        key = route_key(method, path.strip())
        routes[key] = RatePolicy.parse(f"route:{key}", spec)
    return routes


def header_seconds(seconds: float) -> int:
    """Whole seconds for `Retry-After` and `RateLimit` (never 0 while something waits)."""
    return max(math.ceil(seconds), 0)
