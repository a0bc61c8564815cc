"""Axes: "nice" tick values (1, 2 or 5 times a power of ten), linear scales from data to pixels,
day ticks for a time axis, and the short labels ticks carry."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from typing import Final

from attrs import frozen

from commerce_core.shared.money import exponent

Format = Callable[[float], str]

_STEPS: Final = (1.0, 2.0, 5.0, 10.0)
_SUFFIXES: Final = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def nice_ticks(low: float, high: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Tick values covering [low, high] with about `count` intervals, each step 1, 2 or 5 times
    a power of ten, the first tick at or below `low` and the last at or above `high`; with
    `integer`, steps are whole numbers (counts of orders never read 2.5). An empty range around
    zero becomes [0, 1]; around another value, a range either side of it."""
    if low > high:
        low, high = high, low
    if low == high:
        if low == 0:
            high = 1.0
        else:
            pad = abs(low) / 2
            low, high = (0.0, high + pad) if low > 0 else (low - pad, 0.0)
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in _STEPS if m * magnitude >= raw * (1 - 1e-9))
    if integer:
        step = max(step, 1.0)
    first = _whole(low / step, math.floor) * step
    last = _whole(high / step, math.ceil) * step
    intervals = round((last - first) / step)
    return [_tidy(first + i * step) for i in range(intervals + 1)]


def _whole(ratio: float, rounding: Callable[[float], int]) -> int:
    # 0.3 / 0.1 is 2.9999999999999996: a ratio within float error of a whole number is that
    # number, so a bound that falls on a tick gets no extra tick beyond it.
    nearest = round(ratio)
    return nearest if math.isclose(ratio, nearest, rel_tol=1e-9, abs_tol=0) else rounding(ratio)


def _tidy(value: float) -> float:
    # 0.1 + 0.2 is 0.30000000000000004: ticks are rounded well past what any label shows.
    tidy = round(value, 10)
    return 0.0 if tidy == 0 else tidy


@frozen
class Linear:
    """Maps the domain [d0, d1] onto the pixel range [r0, r1] (r1 < r0 for an upward y axis)."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        if self.d1 == self.d0:
            return (self.r0 + self.r1) / 2
        return self.r0 + (value - self.d0) * (self.r1 - self.r0) / (self.d1 - self.d0)


def day_ticks(first: date, last: date, most: int = 7) -> list[date]:
    """At most `most` days from `first` to `last`, evenly stepped in whole days, `first` always
    among them (the axis starts where the data does)."""
    span = (last - first).days
    if span <= 0:
        return [first]
    step = max(1, math.ceil(span / max(most - 1, 1)))
    return [date.fromordinal(first.toordinal() + d) for d in range(0, span + 1, step)]


def day_label(day: date, first: date, last: date) -> str:
    """`12-07`, or `2026-12-07` when the axis crosses a year (a label must not be ambiguous)."""
    return day.isoformat() if first.year != last.year else day.strftime("%m-%d")


def compact(value: float) -> str:
    """A short tick label: 350k, 1.25M, 12, 0.5."""
    size = abs(value)
    for divisor, suffix in _SUFFIXES:
        if size >= divisor:
            return _trim(value / divisor) + suffix
    return _trim(value)


def _trim(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def grouped(value: float) -> str:
    """A full figure for a tooltip or a label: 1,250,000 (two decimals at most when fractional)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def in_major_units(currency: str) -> Format:
    """Tick labels for amounts held in minor units: 125000 US cents read 1.25k (dollars)."""
    scale = 10 ** exponent(currency)
    return lambda minor: compact(minor / scale)


def money(currency: str) -> Format:
    """A full amount from minor units: 1,250.00 USD, 350,000 VND."""
    places = exponent(currency)

    def text(minor: float) -> str:
        whole = int(minor)
        sign = "-" if whole < 0 else ""
        major, fraction = divmod(abs(whole), 10 ** places)
        cents = f".{fraction:0{places}d}" if places else ""
        return f"{sign}{major:,}{cents} {currency}"

    return text


def bounds(values: Sequence[float]) -> tuple[float, float]:
    """The value range an axis from zero must show: zero is always on it."""
    return min([0.0, *values]), max([0.0, *values])
