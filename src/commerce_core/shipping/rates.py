"""The quoting engine: every enabled method priced for one cart and address.

The cart's lines are grouped by the warehouse that ships them; each group is one parcel from
that warehouse's address. Local methods (flat, free, table) price the whole order; a carrier
method asks its carrier once per group, all groups and methods at once on a thread pool, and
waits at most the latency budget. A carrier call goes through a circuit breaker (an open one is
not called at all) and a cache of answers by request: a fresh answer is reused without a call;
a failed or slow carrier falls back to its last answer to the same request, else to the
method's fallback amount, else the method is skipped (and logged). The others are returned
whatever one carrier does (spec shipping §2, ADR 0022).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import timedelta
from typing import TypeVar

import attrs
from attrs import frozen

from commerce_core.payment.ports import BreakerState, BreakerStore
from commerce_core.shared.address import PostalAddress
from commerce_core.shared.clock import Clock
from commerce_core.shared.money import Money
from commerce_core.shipping.methods import MethodType, QuoteSource, ShippingMethod
from commerce_core.shipping.ports import (
    CarrierQuote,
    Carriers,
    Parcel,
    RateRequest,
    ShippingRateCache,
)

log = logging.getLogger("commerce.shipping.rates")
T = TypeVar("T")

# Worse sources win when a method's groups were priced differently.
_RANK = {QuoteSource.RATE: 0, QuoteSource.LIVE: 0, QuoteSource.CACHED: 1,
         QuoteSource.LAST_KNOWN: 2, QuoteSource.FALLBACK: 3}


@frozen
class RatesPolicy:
    """`budget`: how long a quote waits for carriers; `quote_ttl`: how long an issued quote
    may be charged; `default_weight_g`: a unit's weight when its variant has none; `parcel_cm`:
    the box sizes quoted (carriers price by volume only beyond them)."""

    budget: timedelta = timedelta(milliseconds=1500)
    quote_ttl: timedelta = timedelta(minutes=15)
    default_weight_g: int = 500
    parcel_cm: tuple[int, int, int] = (30, 20, 15)
    failure_threshold: int = 5
    open_seconds: float = 60.0


@frozen
class Consignment:
    """What one warehouse ships of the cart: one parcel from its address."""

    warehouse_id: str
    origin: PostalAddress
    weight_g: int
    item_count: int
    value: Money


@frozen
class PricedRate:
    method: ShippingMethod
    amount: Money
    source: QuoteSource
    estimated_days_min: int | None
    estimated_days_max: int | None
    service: str | None = None


@frozen
class _Call:
    method: ShippingMethod
    consignment: Consignment
    key: str
    future: Future[list[CarrierQuote]] | None = None
    answer: tuple[CarrierQuote, ...] | None = None  # from the cache, without a call
    refused: str | None = None  # why no call was made


class LocalBreakers:
    """Breakers of this process, when the shop gives no shared store."""

    def __init__(self) -> None:
        self._states: dict[str, BreakerState] = {}
        self._lock = threading.Lock()

    def read(self, gateway: str) -> BreakerState:
        with self._lock:
            return self._states.get(gateway, BreakerState())

    def update(self, gateway: str,
               change: Callable[[BreakerState], tuple[BreakerState, T]]) -> T:
        with self._lock:
            state, value = change(self._states.get(gateway, BreakerState()))
            self._states[gateway] = state
            return value


class RateEngine:
    def __init__(self, carriers: Carriers | None, cache: ShippingRateCache | None,
                 breakers: BreakerStore | None, clock: Clock,
                 policy: RatesPolicy | None = None) -> None:
        self._carriers, self._cache = carriers, cache
        self._breakers: BreakerStore = breakers or LocalBreakers()
        self._clock = clock
        self.policy = policy or RatesPolicy()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()

    # -- pricing --------------------------------------------------------------------------------
    def price(self, methods: Sequence[ShippingMethod], consignments: Sequence[Consignment],
              destination: PostalAddress, order_total: Money,
              item_count: int) -> tuple[list[PricedRate], list[str]]:
        """Every method that can ship this, priced, sorted by price then speed; and the codes of
        methods skipped because their carrier failed without a fallback."""
        weight = sum(c.weight_g for c in consignments)
        currency = order_total.currency
        eligible = [m for m in methods if m.enabled and m.spec.currency == currency
                    and m.spec.offered_to(destination, weight)]
        rates: list[PricedRate] = []
        calls: list[_Call] = []
        for method in eligible:
            spec = method.spec
            if spec.method_type is MethodType.CARRIER:
                calls += [self._start(method, c, destination, currency) for c in consignments]
                continue
            amount = spec.local_rate(order_total, weight, item_count)
            if amount is not None:
                rates.append(PricedRate(method, amount, QuoteSource.RATE,
                                        spec.estimated_days_min, spec.estimated_days_max))
        live, skipped = self._finish(calls)
        rates += live
        rates.sort(key=_order)
        return rates, skipped

    def _start(self, method: ShippingMethod, consignment: Consignment,
               destination: PostalAddress, currency: str) -> _Call:
        spec = method.spec
        carrier_code = spec.carrier or ""
        length, width, height = self.policy.parcel_cm
        request = RateRequest(
            origin=consignment.origin, destination=destination,
            parcels=(Parcel(consignment.weight_g, length, width, height, consignment.value),),
            currency=currency, order_total=consignment.value,
            item_count=consignment.item_count, service=spec.service)
        key = request_key(carrier_code, request)
        if self._cache is not None:
            cached = self._cache.get(key)
            if cached is not None:
                return _Call(method, consignment, key, answer=cached)
        carrier = self._carriers.get(carrier_code) if self._carriers is not None else None
        if carrier is None:
            return _Call(method, consignment, key, refused=f"no carrier {carrier_code!r}")
        if consignment.weight_g > carrier.capabilities.max_weight_g:
            return _Call(method, consignment, key, refused="over the carrier's weight limit")
        if not self._admit(carrier_code):
            return _Call(method, consignment, key, refused="circuit open")
        return _Call(method, consignment, key, future=self._executor().submit(
            carrier.quote, request))

    def _finish(self, calls: list[_Call]) -> tuple[list[PricedRate], list[str]]:
        # One budget for every call of this quote, in real time whatever the core's clock.
        deadline = time.monotonic() + self.policy.budget.total_seconds()
        by_method: dict[str, list[tuple[_Call, tuple[CarrierQuote, ...] | None, QuoteSource]]] = {}
        for call in calls:
            answer, source = self._answer(call, max(0.0, deadline - time.monotonic()))
            by_method.setdefault(call.method.id, []).append((call, answer, source))
        rates, skipped = [], []
        for parts in by_method.values():
            method = parts[0][0].method
            rate = _combine(method, parts)
            if rate is None:
                skipped.append(method.code)
            else:
                rates.append(rate)
        return rates, skipped

    def _answer(self, call: _Call, wait: float,
                ) -> tuple[tuple[CarrierQuote, ...] | None, QuoteSource]:
        carrier = call.method.spec.carrier or ""
        if call.answer is not None:
            return call.answer, QuoteSource.CACHED
        if call.future is not None:
            try:
                answer = tuple(call.future.result(timeout=wait))
            except FutureTimeout:
                log.warning("carrier %s did not quote within %s ms; falling back", carrier,
                            int(self.policy.budget.total_seconds() * 1000))
                self._record(carrier, ok=False)
            except Exception as error:  # any carrier failure: skip it, keep the others
                log.warning("carrier %s failed to quote (%s); falling back", carrier, error)
                self._record(carrier, ok=False)
            else:
                self._record(carrier, ok=True)
                if self._cache is not None:
                    self._cache.put(call.key, answer)
                return answer, QuoteSource.LIVE
        else:
            log.warning("carrier %s not asked for a quote: %s", carrier, call.refused)
        last = self._cache.last(call.key) if self._cache is not None else None
        if last is not None:
            return last, QuoteSource.LAST_KNOWN
        return None, QuoteSource.FALLBACK

    # -- the circuit breaker ------------------------------------------------------------------
    def _admit(self, carrier: str) -> bool:
        now, policy = self._now(), self.policy

        def change(state: BreakerState) -> tuple[BreakerState, bool]:
            if state.status == "closed":
                return state, True
            if state.status == "open":
                if now < state.since + policy.open_seconds:
                    return state, False
                return BreakerState("half_open", now, probes=1), True  # one probe
            if now >= state.since + policy.open_seconds:  # a probe that never reported back
                return BreakerState("half_open", now, probes=1), True
            return state, False

        return self._breakers.update(breaker_name(carrier), change)

    def _record(self, carrier: str, *, ok: bool) -> None:
        now, threshold = self._now(), self.policy.failure_threshold

        def change(state: BreakerState) -> tuple[BreakerState, None]:
            if ok:
                return (state if state == BreakerState() else BreakerState("closed", now)), None
            if state.status == "half_open":
                return BreakerState("open", now), None
            if state.status == "open":
                return state, None
            failures = state.failures + 1
            if failures >= threshold:
                return BreakerState("open", now, failures=failures), None
            return attrs.evolve(state, failures=failures), None

        self._breakers.update(breaker_name(carrier), change)

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=8,
                                                thread_name_prefix="carrier-quote")
            return self._pool


def breaker_name(carrier: str) -> str:
    """Carriers' breakers live beside the payment gateways' in one store, apart by name."""
    return f"carrier:{carrier}"


def request_key(carrier: str, request: RateRequest) -> str:
    """The cache key of a carrier's answer: a digest of everything the price depends on."""
    def address(a: PostalAddress) -> list[str | None]:
        return [a.country_code, a.province_code or a.province, a.district_code or a.district,
                a.ward_code or a.ward, a.postal_code]

    body = {
        "carrier": carrier, "service": request.service, "currency": request.currency,
        "origin": address(request.origin), "destination": address(request.destination),
        "parcels": [[p.weight_g, p.length_cm, p.width_cm, p.height_cm]
                    for p in request.parcels],
        "items": request.item_count,
        "total": request.order_total.amount if request.order_total else None,
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _combine(method: ShippingMethod,
             parts: list[tuple[_Call, tuple[CarrierQuote, ...] | None, QuoteSource]],
             ) -> PricedRate | None:
    """A carrier method's price over its consignments: their sum, marked up; the slowest
    group's days; the worst source."""
    spec = method.spec
    total = Money.zero(spec.currency)
    low: int | None = spec.estimated_days_min
    high: int | None = spec.estimated_days_max
    worst = QuoteSource.LIVE
    for _call, answer, source in parts:
        quote = _matching(answer, spec.service) if answer is not None else None
        if quote is not None and quote.amount.currency == spec.currency:
            total += spec.marked_up(quote.amount)
            low = _max(low, quote.estimated_days_min)
            high = _max(high, quote.estimated_days_max)
        elif spec.fallback is not None:
            total += spec.fallback
            source = QuoteSource.FALLBACK
        else:
            return None
        if _RANK[source] > _RANK[worst]:
            worst = source
    return PricedRate(method, total, worst, low, high, spec.service)


def _matching(answer: tuple[CarrierQuote, ...], service: str | None) -> CarrierQuote | None:
    return next((q for q in answer if service is None or q.service == service), None)


def _max(a: int | None, b: int | None) -> int | None:
    if a is None or b is None:
        return a if b is None else b
    return max(a, b)


def _order(rate: PricedRate) -> tuple[int, int, int, str]:
    days = rate.estimated_days_max if rate.estimated_days_max is not None else 10**6
    return (rate.amount.amount, days, rate.method.spec.display_order, rate.method.code)
