"""Gateway routing: several named gateways, which of them may take a payment and in which
order, and a circuit breaker per gateway (ADR 0011).

Eligibility: a gateway takes a payment when its `GatewayProfile` accepts the method, the
currency and the country (PayPal takes no VND). The order comes from the `RoutingTable`: the
most specific rule for `method:currency:country` wins; without rules, the order the gateways were
given in. Gateways whose breaker is open go last: a checkout starts with one that answers, and
fails over to the others only while no money can have moved (`services.authorize`).

The breaker (spec payment §5): `failure_threshold` consecutive failures open it; after
`open_seconds` it lets `half_open_probes` calls through; `close_after` successful probes close
it, a failed one opens it again. Only `GatewayUnavailable` and `GatewayTimeout` are failures: a
decline is the gateway working. Only authorization goes through the breaker: capture, void and
refund belong to the gateway that holds the money, and there is nowhere else to send them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Final, TypeVar

from attrs import evolve, frozen

from commerce_core.payment.errors import (
    CircuitOpen,
    GatewayTimeout,
    GatewayUnavailable,
    NoEligibleGateway,
)
from commerce_core.payment.ports import (
    AuthorizationRequest,
    BreakerState,
    BreakerStore,
    GatewayResult,
    PaymentGateway,
)
from commerce_core.shared.clock import Clock, SystemClock

CLOSED: Final = "closed"
OPEN: Final = "open"
HALF_OPEN: Final = "half_open"
T = TypeVar("T")


@frozen
class BreakerPolicy:
    failure_threshold: int = 5
    open_seconds: float = 60.0
    half_open_probes: int = 3
    close_after: int = 3


def status_at(state: BreakerState, now: float, policy: BreakerPolicy) -> str:
    """The status a call would meet now: an open breaker whose time is up is half open."""
    if state.status == OPEN and now >= state.since + policy.open_seconds:
        return HALF_OPEN
    return state.status


def admit(state: BreakerState, now: float,
          policy: BreakerPolicy) -> tuple[BreakerState, bool]:
    """May a call go through now? A half-open breaker counts the probes it lets through."""
    status = status_at(state, now, policy)
    if status == CLOSED:
        return state, True
    if status == OPEN:
        return state, False
    if state.status == OPEN:  # its time is up: the first probe
        return BreakerState(HALF_OPEN, now, probes=1), True
    if state.probes < policy.half_open_probes:
        return evolve(state, probes=state.probes + 1), True
    if now >= state.since + policy.open_seconds:
        # Every probe was let through long ago and none reported back (its process died):
        # a fresh round rather than a breaker stuck half open.
        return BreakerState(HALF_OPEN, now, probes=1), True
    return state, False


def succeeded(state: BreakerState, now: float,
              policy: BreakerPolicy) -> tuple[BreakerState, None]:
    if state.status == CLOSED:
        return (state if state.failures == 0 else evolve(state, failures=0)), None
    if state.status == HALF_OPEN:
        if state.successes + 1 >= policy.close_after:
            return BreakerState(CLOSED, now), None
        return evolve(state, successes=state.successes + 1), None
    return state, None  # a call let through before it opened: opening stands


def failed(state: BreakerState, now: float,
           policy: BreakerPolicy) -> tuple[BreakerState, None]:
    if state.status == CLOSED:
        if state.failures + 1 >= policy.failure_threshold:
            return BreakerState(OPEN, now, failures=state.failures + 1), None
        return evolve(state, failures=state.failures + 1), None
    if state.status == HALF_OPEN:
        return BreakerState(OPEN, now), None
    return state, None


class _NoBreakers:
    """The store of an unguarded router: never consulted."""

    def read(self, gateway: str) -> BreakerState:
        return BreakerState()

    def update(self, gateway: str,
               change: Callable[[BreakerState], tuple[BreakerState, T]]) -> T:
        return change(BreakerState())[1]


@frozen
class GatewayProfile:
    """What a gateway takes; `None` means any."""

    methods: frozenset[str] | None = None
    currencies: frozenset[str] | None = None
    countries: frozenset[str] | None = None

    def takes(self, method: str, currency: str, country: str | None) -> bool:
        return ((self.methods is None or method in self.methods)
                and (self.currencies is None or currency.upper() in self.currencies)
                and (self.countries is None or country is None
                     or country.upper() in self.countries))


@frozen
class RoutingTable:
    """Preference lists by `method`, `method:currency` or `method:currency:country`, where any
    part may be `*`; the most specific matching rule wins."""

    rules: Mapping[str, tuple[str, ...]]

    @classmethod
    def parse(cls, text: str) -> RoutingTable:
        """`card=stripe,paypal; card:VND=vnpay,stripe; *=fake`: rules separated by `;`."""
        rules: dict[str, tuple[str, ...]] = {}
        for part in filter(None, (p.strip() for p in text.split(";"))):
            key, sep, names = part.partition("=")
            listed = tuple(n.strip() for n in names.split(",") if n.strip())
            if not sep or not key.strip() or not listed or len(key.split(":")) > 3:
                raise ValueError(f"a routing rule is method[:currency[:country]]=gateway,...; "
                                 f"got {part!r}")
            rules[_normal(key)] = listed
        return cls(rules)

    def preferences(self, method: str, currency: str,
                    country: str | None) -> tuple[str, ...] | None:
        wanted = (method.lower(), currency.upper(), (country or "*").upper())
        best: tuple[int, tuple[str, ...]] | None = None
        for key, names in self.rules.items():
            parts = [*key.split(":"), "*", "*"][:3]
            if all(p in ("*", w) for p, w in zip(parts, wanted, strict=True)):
                score = sum(4 >> i for i, p in enumerate(parts) if p != "*")
                if best is None or score > best[0]:
                    best = (score, names)
        return None if best is None else best[1]


def _normal(key: str) -> str:
    parts = [p.strip() for p in key.split(":")]
    method = parts[0].lower()
    rest = [p.upper() for p in parts[1:]]
    return ":".join([method, *rest])


class GatewayRouter:
    """The `GatewayRouting` of the core: named gateways, their profiles, the routing table
    and a breaker each, kept in `breakers` (`adapters.memory.InMemoryBreakerStore` for one
    process, `adapters.redis.RedisBreakerStore` for every process of the shop). A router
    built with `guarded=False` has no breakers."""

    def __init__(
        self,
        gateways: Iterable[PaymentGateway],
        *,
        profiles: Mapping[str, GatewayProfile] | None = None,
        routes: RoutingTable | None = None,
        breakers: BreakerStore | None = None,
        policy: BreakerPolicy | None = None,
        clock: Clock | None = None,
        guarded: bool = True,
    ) -> None:
        self._gateways: dict[str, PaymentGateway] = {}
        for gateway in gateways:
            if gateway.name in self._gateways:
                raise ValueError(f"two gateways are named {gateway.name!r}")
            self._gateways[gateway.name] = gateway
        if not self._gateways:
            raise ValueError("a router needs at least one gateway")
        self._profiles = dict(profiles or {})
        self._routes = routes
        unknown = {n for names in (routes.rules.values() if routes else ()) for n in names
                   } - self._gateways.keys()
        if unknown:
            raise ValueError(f"routing rules name gateways that are not enabled: "
                             f"{', '.join(sorted(unknown))}")
        if guarded and breakers is None:
            raise ValueError("a guarded router needs a breaker store")
        self._store: BreakerStore = breakers or _NoBreakers()
        self.policy = policy or BreakerPolicy()
        self._clock = clock or SystemClock()
        self._guarded = guarded

    @classmethod
    def single(cls, gateway: PaymentGateway) -> GatewayRouter:
        """A router of one gateway and no breaker: with nowhere to fail over to, a breaker
        would only refuse calls the gateway might have taken (an embedder wanting one builds
        the router)."""
        return cls([gateway], guarded=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._gateways)

    def gateway(self, name: str) -> PaymentGateway:
        try:
            return self._gateways[name]
        except KeyError:
            raise GatewayUnavailable(f"no payment gateway named {name!r} is configured",
                                     gateway=name) from None

    def _now(self) -> float:
        moment: datetime = self._clock.now()
        return moment.timestamp()

    def route(self, method: str, currency: str, country: str | None) -> tuple[str, ...]:
        preferred = (self._routes.preferences(method, currency, country)
                     if self._routes else None)
        listed = preferred if preferred is not None else self.names
        eligible = [n for n in listed
                    if self._profiles.get(n, GatewayProfile()).takes(method, currency, country)]
        if not eligible:
            where = f" in {country}" if country else ""
            raise NoEligibleGateway(
                f"no payment gateway takes {method} payments in {currency}{where}",
                method=method, currency=currency, country=country)
        if not self._guarded:
            return tuple(eligible)
        now = self._now()
        shut = {n for n in eligible
                if status_at(self._store.read(n), now, self.policy) == OPEN}
        return tuple([n for n in eligible if n not in shut] + [n for n in eligible if n in shut])

    def authorize(self, name: str, request: AuthorizationRequest) -> GatewayResult:
        gateway = self.gateway(name)
        if not self._guarded:
            return gateway.authorize(request)
        policy, now = self.policy, self._now()
        if not self._store.update(name, lambda s: admit(s, now, policy)):
            raise CircuitOpen(f"payment gateway {name} is failing; its circuit breaker is open",
                              gateway=name)
        try:
            result = gateway.authorize(request)
        except (GatewayUnavailable, GatewayTimeout):
            now = self._now()
            self._store.update(name, lambda s: failed(s, now, policy))
            raise
        now = self._now()
        self._store.update(name, lambda s: succeeded(s, now, policy))
        return result

    def breakers(self) -> dict[str, str]:
        if not self._guarded:
            return {}
        now = self._now()
        return {n: status_at(self._store.read(n), now, self.policy) for n in self._gateways}
