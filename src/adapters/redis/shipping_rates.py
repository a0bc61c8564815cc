"""Carriers' rate answers shared by every process through Redis.

Each answer is kept twice: fresh for the TTL (`{prefix}:rates:{generation}:fresh:{key}`) and as
the last known answer for longer (`...:last:{key}`), read when the carrier fails. Invalidating
bumps the generation, so every earlier key is simply never read again and expires on its own.
Redis being unreachable never stops a quote: reads answer None and writes are dropped (logged).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import redis

from commerce_core.shared.money import Money
from commerce_core.shipping.ports import CarrierQuote

log = logging.getLogger("commerce.shipping.rates")


def _encode(quotes: tuple[CarrierQuote, ...]) -> str:
    return json.dumps([{
        "carrier": q.carrier, "service": q.service, "service_name": q.service_name,
        "amount": q.amount.amount, "currency": q.amount.currency,
        "days_min": q.estimated_days_min, "days_max": q.estimated_days_max,
        "carrier_service_id": q.carrier_service_id} for q in quotes])


def _decode(raw: bytes | str) -> tuple[CarrierQuote, ...]:
    items: list[dict[str, Any]] = json.loads(raw)
    return tuple(CarrierQuote(i["carrier"], i["service"], i["service_name"],
                              Money(int(i["amount"]), i["currency"]), i["days_min"],
                              i["days_max"], i["carrier_service_id"]) for i in items)


class RedisRateCache:
    def __init__(self, client: redis.Redis, *, prefix: str = "commerce",
                 ttl: timedelta = timedelta(minutes=10),
                 keep: timedelta = timedelta(hours=24)) -> None:
        self._client, self._prefix = client, prefix
        self._ttl, self._keep = ttl, keep

    def _generation(self) -> str:
        raw = self._client.get(f"{self._prefix}:rates:generation")
        return raw.decode() if isinstance(raw, bytes) else str(raw or 0)

    def _read(self, kind: str, key: str) -> tuple[CarrierQuote, ...] | None:
        try:
            raw = self._client.get(f"{self._prefix}:rates:{self._generation()}:{kind}:{key}")
        except redis.RedisError as error:
            log.warning("rate cache unreadable: %s", error)
            return None
        return _decode(raw) if raw is not None else None

    def get(self, key: str) -> tuple[CarrierQuote, ...] | None:
        return self._read("fresh", key)

    def last(self, key: str) -> tuple[CarrierQuote, ...] | None:
        return self._read("last", key)

    def put(self, key: str, quotes: tuple[CarrierQuote, ...]) -> None:
        try:
            base = f"{self._prefix}:rates:{self._generation()}"
            value = _encode(quotes)
            pipe = self._client.pipeline(transaction=False)
            pipe.set(f"{base}:fresh:{key}", value, px=int(self._ttl.total_seconds() * 1000))
            pipe.set(f"{base}:last:{key}", value, px=int(self._keep.total_seconds() * 1000))
            pipe.execute()
        except redis.RedisError as error:
            log.warning("rate cache not written: %s", error)

    def invalidate(self) -> None:
        try:
            self._client.incr(f"{self._prefix}:rates:generation")
        except redis.RedisError as error:
            log.warning("rate cache not invalidated: %s", error)
