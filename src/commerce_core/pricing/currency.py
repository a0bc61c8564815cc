"""Currency conversion with exchange rates loaded beforehand (the engine does no I/O)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from attrs import field, frozen

from commerce_core.pricing.errors import ExchangeRateTooOld, ExchangeRateUnavailable
from commerce_core.shared.money import Money, exponent


def _positive(_: object, __: object, value: Decimal) -> None:
    if not isinstance(value, Decimal) or value <= 0:
        raise ExchangeRateUnavailable("an exchange rate is a positive Decimal", rate=str(value))


@frozen
class ExchangeRate:
    """1 unit of `source` (major units) is worth `rate` units of `target`."""

    source: str
    target: str
    rate: Decimal = field(validator=_positive)
    fetched_at: datetime

    def convert(self, money: Money) -> Money:
        """Convert exactly, rounding half-even once to the target's minor unit."""
        if money.currency != self.source:
            raise ExchangeRateUnavailable(
                f"a {self.source}->{self.target} rate cannot convert {money.currency}",
                currency=money.currency,
            )
        scale = Decimal(10) ** (exponent(self.target) - exponent(self.source))
        value = (Decimal(money.amount) * self.rate * scale).quantize(Decimal(1), ROUND_HALF_EVEN)
        return Money(int(value), self.target)

    def age(self, at: datetime) -> timedelta:
        return at - self.fetched_at


@frozen
class ExchangeRateTable:
    """The rates a pricing run may use, keyed by (source, target)."""

    rates: tuple[ExchangeRate, ...] = ()

    @classmethod
    def of(cls, rates: Iterable[ExchangeRate]) -> ExchangeRateTable:
        return cls(tuple(sorted(rates, key=lambda r: (r.source, r.target, r.fetched_at))))

    def find(self, source: str, target: str) -> ExchangeRate | None:
        """The freshest rate for the pair, if any."""
        found = [r for r in self.rates if r.source == source and r.target == target]
        return max(found, key=lambda r: r.fetched_at) if found else None

    def require(
        self, source: str, target: str, *, at: datetime, max_age: timedelta
    ) -> ExchangeRate:
        rate = self.find(source, target)
        if rate is None:
            raise ExchangeRateUnavailable(
                f"no {source}->{target} exchange rate", source=source, target=target
            )
        if rate.age(at) > max_age:
            raise ExchangeRateTooOld(
                f"the {source}->{target} rate is from {rate.fetched_at.isoformat()}",
                source=source, target=target, fetched_at=rate.fetched_at.isoformat(),
            )
        return rate


class NoExchangeRates:
    """The `ExchangeRates` of a shop that sells in one currency: any conversion is refused (a
    rate of 1 is never invented), so a product priced only elsewhere cannot be sold."""

    def rate(self, source: str, target: str) -> ExchangeRate:
        raise ExchangeRateUnavailable(
            f"no exchange-rate provider is configured ({source}->{target})",
            source=source, target=target,
        )
