"""Money in integer minor units of an ISO 4217 currency, with exact allocation."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Final

from attrs import field, frozen

from commerce_core.shared.errors import InvalidInput

# ISO 4217 minor-unit exponents. Currencies outside this table are refused rather than guessed.
EXPONENTS: Final[dict[str, int]] = {
    "VND": 0, "JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "XOF": 0, "XAF": 0, "UGX": 0,
    "USD": 2, "EUR": 2, "GBP": 2, "AUD": 2, "CAD": 2, "CHF": 2, "CNY": 2, "HKD": 2,
    "SGD": 2, "THB": 2, "MYR": 2, "IDR": 2, "PHP": 2, "INR": 2, "NZD": 2, "SEK": 2,
    "NOK": 2, "DKK": 2, "PLN": 2, "CZK": 2, "MXN": 2, "BRL": 2, "ZAR": 2, "TWD": 2,
    "KWD": 3, "BHD": 3, "JOD": 3, "OMR": 3, "TND": 3, "IQD": 3, "LYD": 3,
}
# A currency code the table knows, in any case (`vnd` is VND), as entry points state it in their
# schemas: each letter as a class of both cases, since JSON Schema patterns have no flags.
CURRENCY_FORMAT: Final = "^(?:" + "|".join(
    "".join(f"[{letter}{letter.lower()}]" for letter in code) for code in sorted(EXPONENTS)
) + ")$"


class CurrencyMismatch(InvalidInput):
    code = "money.currency_mismatch"


class UnknownCurrency(InvalidInput):
    code = "money.unknown_currency"


def exponent(currency: str) -> int:
    """Number of decimal places of the currency's minor unit (VND 0, USD 2, KWD 3)."""
    try:
        return EXPONENTS[currency]
    except KeyError:
        raise UnknownCurrency(f"unknown currency {currency!r}", currency=currency) from None


def _check_currency(_: object, __: object, value: str) -> None:
    exponent(value)


@frozen(order=False)
class Money:
    """An amount in minor units (cents, dong) of one currency. Never a float."""

    amount: int
    currency: str = field(validator=_check_currency)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidInput("money amounts are integers in minor units", amount=self.amount)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def of(cls, major: str | int | Decimal, currency: str) -> Money:
        """Money from a major-unit amount ("12.34" USD → 1234); refuses sub-minor precision."""
        scaled = Decimal(major) * (Decimal(10) ** exponent(currency))
        if scaled != scaled.to_integral_value():
            raise InvalidInput(
                f"{major} has more decimals than {currency} allows", amount=str(major)
            )
        return cls(int(scaled), currency)

    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-exponent(self.currency))

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} with {other.currency}",
                left=self.currency,
                right=other.currency,
            )

    def __add__(self, other: Money) -> Money:
        if self.currency != other.currency:
            self._same(other)
        return _valid(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        if self.currency != other.currency:
            self._same(other)
        return _valid(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return _valid(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return _valid(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    @property
    def is_zero(self) -> bool:
        return self.amount == 0

    def percent(self, rate: Decimal) -> Money:
        """`rate` percent of this amount, rounded half-even to the minor unit."""
        value = (Decimal(self.amount) * rate / 100).quantize(Decimal(1), ROUND_HALF_EVEN)
        return Money(int(value), self.currency)

    def allocate(self, weights: Sequence[int]) -> list[Money]:
        """Split this amount across `weights` exactly (largest remainder, ties to the first).

        The parts always add up to the whole; no minor unit is lost or invented.
        """
        if not weights:
            raise InvalidInput("cannot allocate across no weights")
        if any(w < 0 for w in weights):
            raise InvalidInput("allocation weights must not be negative")
        total = sum(weights)
        if total == 0:
            # Nothing to weigh by: the first part takes it all (spec: first by order).
            return [self] + [Money.zero(self.currency)] * (len(weights) - 1)
        sign = -1 if self.amount < 0 else 1
        whole = abs(self.amount)
        shares = [whole * w // total for w in weights]
        remainders = [whole * w % total for w in weights]
        leftover = whole - sum(shares)
        order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
        for i in order[:leftover]:
            shares[i] += 1
        return [_valid(sign * s, self.currency) for s in shares]

    def __str__(self) -> str:
        return f"{self.to_decimal():,.{exponent(self.currency)}f} {self.currency}"

    def to_dict(self) -> dict[str, int | str]:
        return {"amount": self.amount, "currency": self.currency}


_new = object.__new__
_set = object.__setattr__


def _valid(amount: int, currency: str) -> Money:
    """Money from parts already known to be valid: an integer (never a bool) and the currency of
    a Money that exists. Arithmetic on Money makes tens of thousands of amounts per large order;
    checking again what its operands were checked for at construction was a visible share."""
    money: Money = _new(Money)
    _set(money, "amount", amount)
    _set(money, "currency", currency)
    return money


def total(amounts: Sequence[Money], currency: str) -> Money:
    """Sum of `amounts` (which must all be in `currency`); zero when empty."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result
