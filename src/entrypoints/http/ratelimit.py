"""Rate limits over HTTP: a per-client limit on every request, and declared ones per route.

- `RateLimitMiddleware` counts every request of a client (its address) against the `api`
  policy (100/min, burst 20), plus any per-route override (`COMMERCE_RATE_LIMIT_ROUTES`),
  matched on the normalised route key (`POST /orders` for `post //Orders/`).
- `rate_limited(policy, key=...)` is a dependency a route declares for its own policy:

      @router.post("/auth/login", dependencies=[Depends(rate_limited("login"))])
      @router.post("/auth/password-reset", dependencies=[
          Depends(rate_limited("password_reset")),
          Depends(rate_limited("password_reset_account", key=body_field("email")))])

  `key` picks what is counted: the client's address (default), a JSON body field, or any
  `async (Request) -> str | None` (None: this request is not counted).

Refused requests get 429 problem+json with `Retry-After`; every counted response carries the
`RateLimit-Policy` and `RateLimit` headers (IETF httpapi ratelimit headers draft). When the
limiter's store does not answer, a `fail_closed` policy answers 503, the others let the
request in (ADR 0015).
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import anyio.to_thread
from attrs import define, field
from fastapi import Request, Response
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.memory.ratelimit import InMemoryRateLimiter
from adapters.redis.ratelimit import RedisRateLimiter
from commerce_core.shared.ratelimit import (
    RateDecision,
    RateLimiter,
    RateLimiterUnavailable,
    RatePolicy,
    header_seconds,
    parse_routes,
    route_key,
)
from entrypoints.http.problems import HttpProblem, problem
from entrypoints.settings import Settings

log = logging.getLogger("commerce.http.ratelimit")

KeyFunction = Callable[[Request], Awaitable[str | None]]
# Probes and scrapes are not the API: an orchestrator polling them must never be refused.
# Provider webhooks are signed, come in bursts from a few addresses, and a refused one is an
# event delivered late: they are not counted either.
EXEMPT_PREFIXES = ("/health", "/ready", "/live", "/metrics", "/webhooks")
UNAVAILABLE_RETRY_SECONDS = 5


def client_ip(request: Request, header: str | None) -> str | None:
    """The caller's address: the first address of the trusted proxy's header when one is
    configured, else the connection's; None when neither is an address."""
    candidates = []
    if header:
        candidates.append((request.headers.get(header) or "").split(",")[0].strip())
    candidates.append(request.client.host if request.client else "")
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


@define
class RateLimits:
    """The limiter and the policies by name; `api` is the per-client limit of every request,
    `routes` the per-route overrides by route key."""

    limiter: RateLimiter
    policies: Mapping[str, RatePolicy]
    routes: Mapping[str, RatePolicy] = field(factory=dict)
    client_ip_header: str | None = None
    enabled: bool = True
    # After the store fails, it is not asked again for this long: a Redis that is down costs
    # one timeout per pause, not one per request.
    pause_seconds: float = 2.0
    _paused_until: float = field(default=0.0, init=False)

    def policy(self, name: str) -> RatePolicy:
        try:
            return self.policies[name]
        except KeyError:
            raise LookupError(f"no rate limit policy {name!r}") from None

    def client_of(self, request: Request) -> str:
        # An unidentifiable caller still counts, with every other unidentifiable one.
        return client_ip(request, self.client_ip_header) or (
            request.client.host if request.client else "unknown")

    async def check(self, policy: RatePolicy, key: str) -> RateDecision | None:
        """The decision, or None when the store is down and the policy fails open."""
        if time.monotonic() < self._paused_until:
            error = RateLimiterUnavailable("the rate limiter's store failed moments ago")
        else:
            try:
                return await anyio.to_thread.run_sync(self.limiter.check, policy, key)
            except RateLimiterUnavailable as failure:
                self._paused_until = time.monotonic() + self.pause_seconds
                log.warning("rate limiter unavailable, not asked again for %g s: %s",
                            self.pause_seconds, failure)
                error = failure
        if policy.fail_closed:
            raise HttpProblem(
                503, "rate_limit.unavailable",
                "Requests of this kind cannot be counted right now; try again shortly.",
                headers={"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)},
            ) from error
        return None  # fails open: the request goes in uncounted


def policy_header(policy: RatePolicy) -> str:
    burst = f";burst={policy.burst}" if policy.burst else ""
    return f'"{policy.name}";q={policy.limit};w={policy.period_seconds}{burst}'


def state_header(policy: RatePolicy, decision: RateDecision) -> str:
    return f'"{policy.name}";r={decision.remaining};t={header_seconds(decision.reset_after)}'


def limit_headers(policy: RatePolicy, decision: RateDecision) -> dict[str, str]:
    headers = {"RateLimit-Policy": policy_header(policy),
               "RateLimit": state_header(policy, decision)}
    if not decision.allowed:
        headers["Retry-After"] = str(max(header_seconds(decision.retry_after), 1))
    return headers


def refusal_detail(policy: RatePolicy, decision: RateDecision) -> str:
    return (f"Too many requests ({policy.name}: {policy.describe()}); retry in "
            f"{max(header_seconds(decision.retry_after), 1)} s.")


def _merge(headers: MutableHeaders, name: str, value: str) -> None:
    """Several policies on one response are one structured-field list per header."""
    existing = headers.get(name)
    headers[name] = f"{existing}, {value}" if existing else value


def rate_limits_of(request: Request) -> RateLimits | None:
    found = getattr(request.app.state, "rate_limits", None)
    return found if isinstance(found, RateLimits) else None


async def by_client(request: Request) -> str | None:
    limits = rate_limits_of(request)
    return None if limits is None else limits.client_of(request)


def body_field(name: str) -> KeyFunction:
    """Counts by a JSON body field (an email, a cart id), lower-cased and trimmed so casing
    does not make a new key; a request without it is not counted by this policy."""

    async def key(request: Request) -> str | None:
        try:
            body: Any = await request.json()
        except ValueError:
            return None  # malformed JSON: the route's own validation answers it
        value = body.get(name) if isinstance(body, dict) else None
        return value.strip().lower() if isinstance(value, str) and value.strip() else None

    return key


def rate_limited(policy_name: str, *, key: KeyFunction = by_client) -> Callable[..., Any]:
    """A dependency that counts the request against `policy_name`, keyed by `key`, and
    answers 429 when it is over. Every route declaring one policy shares its allowance (the
    search and suggest routes, one `search` allowance per address)."""

    async def limit(request: Request, response: Response) -> None:
        limits = rate_limits_of(request)
        if limits is None or not limits.enabled:
            return
        policy = limits.policy(policy_name)
        subject = await key(request)
        if subject is None:
            return
        decision = await limits.check(policy, subject)
        if decision is None:
            return
        headers = limit_headers(policy, decision)
        if not decision.allowed:
            raise HttpProblem(429, "rate_limited", refusal_detail(policy, decision),
                              headers=headers)
        for name, value in headers.items():
            _merge(response.headers, name, value)

    limit.__name__ = f"rate_limited_{policy_name}"
    return limit


class RateLimitMiddleware:
    """The per-client limit of every request (`api`), and per-route overrides."""

    def __init__(self, app: ASGIApp, limits: RateLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits = self.limits
        if (scope["type"] != "http" or not limits.enabled
                or scope["path"].lower().startswith(EXEMPT_PREFIXES)):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        client = limits.client_of(request)
        route = route_key(scope["method"], scope["path"])
        checks = [(limits.policy("api"), client)]
        override = limits.routes.get(route)
        if override is not None:
            checks.append((override, f"{route} {client}"))
        counted: list[tuple[RatePolicy, RateDecision]] = []
        for policy, key in checks:
            try:
                decision = await limits.check(policy, key)
            except HttpProblem as refused:
                await problem(request, refused.status, refused.code, refused.detail,
                              headers=refused.headers)(scope, receive, send)
                return
            if decision is None:
                continue
            if not decision.allowed:
                response = problem(request, 429, "rate_limited", refusal_detail(policy, decision),
                                   headers=limit_headers(policy, decision))
                await response(scope, receive, send)
                return
            counted.append((policy, decision))

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for policy, decision in counted:
                    for name, value in limit_headers(policy, decision).items():
                        _merge(headers, name, value)
            await send(message)

        await self.app(scope, receive, send_with_limits)


# Policy name → whether it refuses requests when the limiter's store is down (ADR 0015): the
# ones guarding credentials fail closed, the ones guarding shopping fail open.
FAIL_CLOSED: Mapping[str, bool] = {
    "api": False, "login": True, "registration": True, "password_reset": True,
    "password_reset_account": True, "token_refresh": False, "checkout": False,
    "checkout_cart": False, "search": False, "giftcard_lookup": True,
}


def build_policies(settings: Settings) -> dict[str, RatePolicy]:
    return {name: RatePolicy.parse(name, getattr(settings, f"rate_limit_{name}"),
                                   fail_closed=closed)
            for name, closed in FAIL_CLOSED.items()}


def build_rate_limits(settings: Settings, limiter: RateLimiter | None = None) -> RateLimits:
    """The limits `settings` ask for; `limiter` overrides the store (tests, embedders)."""
    if limiter is None:
        limiter = _redis_limiter(settings) if settings.rate_limit_store == "redis" \
            else InMemoryRateLimiter()
    return RateLimits(limiter, build_policies(settings), parse_routes(settings.rate_limit_routes),
                      settings.client_ip_header, settings.rate_limits_enabled)


def _redis_limiter(settings: Settings) -> RateLimiter:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # Short timeouts and no retry: a slow Redis must not hold every request.
    client = redis.Redis.from_url(settings.redis_url, socket_timeout=0.25,
                                  socket_connect_timeout=0.25, retry=Retry(NoBackoff(), 0))
    return RedisRateLimiter(client, prefix=settings.redis_prefix)
