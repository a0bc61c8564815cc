"""Values over days: the line (or area) chart and the sparkline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from attrs import field, frozen

from entrypoints.charts.frame import (
    GRID,
    MUTED,
    colour,
    dash,
    empty,
    figure,
    legend,
)
from entrypoints.charts.scale import (
    Format,
    Linear,
    bounds,
    compact,
    day_label,
    day_ticks,
    grouped,
    nice_ticks,
)
from entrypoints.charts.svg import Element, el, group, num

Point = tuple[date, int | float]


def _by_day(points: Iterable[Point]) -> tuple[Point, ...]:
    ordered = tuple(sorted(points, key=lambda p: p[0]))
    days = [day for day, _ in ordered]
    if len(set(days)) != len(days):
        raise ValueError("a series has one value per day")
    return ordered


@frozen
class Series:
    """One named line: a value per day, in `unit` (a currency code, "orders"). Series of
    different units never share a chart: amounts in two currencies are two charts, not one sum
    and not one axis pretending they compare."""

    name: str
    unit: str
    points: tuple[Point, ...] = field(converter=_by_day)


def line_chart(series: Sequence[Series], *, chart_id: str, title: str,
               description: str | None = None, y_format: Format = compact,
               value_format: Format = grouped, area: bool = True,
               width: int = 640, height: int = 260) -> str:
    """Each series as a line over its days (filled down to zero with `area`), a dot per day
    whose tooltip gives the exact value, y ticks at nice values labelled with `y_format`, and
    a legend when there are several series. No points at all draws the empty state."""
    units = sorted({s.unit for s in series})
    if len(units) > 1:
        raise ValueError(f"series in {', '.join(units)} share no axis: draw one chart per unit")
    drawn = [s for s in series if s.points]
    if not drawn:
        return figure("line", chart_id, title, description or f"{title}: no data in this period.",
                      width, height, [empty(width, height)])

    values = [v for s in drawn for _, v in s.points]
    days = [d for s in drawn for d, _ in s.points]
    first, last = min(days), max(days)
    top = 36 if len(series) > 1 else 22
    left, right, bottom = 64.0, width - 16.0, height - 30.0
    ticks = nice_ticks(*bounds(values), 5, integer=all(isinstance(v, int) for v in values))
    y = Linear(ticks[0], ticks[-1], bottom, top)
    x = Linear(first.toordinal(), last.toordinal(), left, right)

    body: list[Element] = [el("text", {"class": "unit", "x": 8, "y": 13, "fill": MUTED},
                              units[0])]
    if len(series) > 1:
        body.append(legend([s.name for s in series], left, 14))
    body.append(_y_axis(ticks, y, left, right, y_format))
    body.append(_x_axis(first, last, x, y(0), bottom))
    for index, one in enumerate(series):
        if one.points:
            body.append(_line(index, one, x, y, area, value_format))
    return figure("line", chart_id, title, description or _describe(title, drawn, value_format),
                  width, height, body)


def _y_axis(ticks: list[float], y: Linear, left: float, right: float,
            y_format: Format) -> Element:
    marks: list[Element] = []
    for tick in ticks:
        at = y(tick)
        marks.append(el("line", {"class": "grid", "x1": left, "x2": right, "y1": at, "y2": at,
                                 "stroke": GRID}))
        marks.append(el("text", {"class": "tick", "x": left - 6, "y": at + 4,
                                 "text-anchor": "end", "fill": MUTED}, y_format(tick)))
    marks.append(el("line", {"class": "axis", "x1": left, "x2": left, "y1": y(ticks[0]),
                             "y2": y(ticks[-1]), "stroke": MUTED}))
    return group({"class": "y-axis"}, marks)


def _x_axis(first: date, last: date, x: Linear, zero: float, bottom: float) -> Element:
    marks: list[Element] = [el("line", {"class": "axis", "x1": x.r0, "x2": x.r1, "y1": zero,
                                        "y2": zero, "stroke": MUTED})]
    for day in day_ticks(first, last):
        at = x(day.toordinal())
        marks.append(el("line", {"class": "tick", "x1": at, "x2": at, "y1": bottom,
                                 "y2": bottom + 4, "stroke": MUTED}))
        marks.append(el("text", {"class": "tick", "x": at, "y": bottom + 16,
                                 "text-anchor": "middle", "fill": MUTED},
                        day_label(day, first, last)))
    return group({"class": "x-axis"}, marks)


def _line(index: int, series: Series, x: Linear, y: Linear, area: bool,
          value_format: Format) -> Element:
    at = [(x(d.toordinal()), y(v)) for d, v in series.points]
    trace = " ".join(f"{'M' if i == 0 else 'L'}{num(px)},{num(py)}"
                     for i, (px, py) in enumerate(at))
    marks: list[Element] = []
    if area:
        zero = num(y(0))
        fill = f"M{num(at[0][0])},{zero} {trace.replace('M', 'L', 1)} L{num(at[-1][0])},{zero} Z"
        marks.append(el("path", {"class": "area", "d": fill, "fill": colour(index),
                                 "fill-opacity": 0.15, "stroke": "none"}))
    marks.append(el("path", {"class": "line", "d": trace, "fill": "none",
                             "stroke": colour(index), "stroke-width": 2,
                             "stroke-dasharray": dash(index), "stroke-linejoin": "round"}))
    radius = 3.5 if len(at) == 1 else 2.5
    for (day, value), (px, py) in zip(series.points, at, strict=True):
        marks.append(el("circle", {"class": "point", "cx": px, "cy": py, "r": radius,
                                   "fill": colour(index)},
                        el("title", None, f"{series.name}, {day.isoformat()}: "
                                          f"{value_format(value)}")))
    return group({"class": "series", "data-series": series.name}, marks)


def _describe(title: str, series: Sequence[Series], value_format: Format) -> str:
    parts = [f"{title}."]
    for one in series:
        high = max(one.points, key=lambda p: p[1])
        low = min(one.points, key=lambda p: p[1])
        parts.append(
            f"{one.name}: {len(one.points)} days from {one.points[0][0].isoformat()} to "
            f"{one.points[-1][0].isoformat()}, highest {value_format(high[1])} on "
            f"{high[0].isoformat()}, lowest {value_format(low[1])} on {low[0].isoformat()}.")
    return " ".join(parts)


def sparkline(values: Sequence[int | float], *, chart_id: str, title: str,
              description: str | None = None, value_format: Format = grouped,
              width: int = 120, height: int = 32) -> str:
    """A word-sized trend: the values left to right, a dot on the last one, no axes. The
    description gives the first, last and highest values, which the picture only suggests."""
    if not values:
        return figure("sparkline", chart_id, title, description or f"{title}: no data.",
                      width, height, [])
    low, high = min(values), max(values)
    if low == high:  # a flat trend is drawn across the middle
        low, high = low - 1, high + 1
    x = Linear(0, max(len(values) - 1, 1), 2, width - 4)
    y = Linear(low, high, height - 3, 3)
    at = [(x(i) if len(values) > 1 else width / 2, y(v)) for i, v in enumerate(values)]
    trace = " ".join(f"{'M' if i == 0 else 'L'}{num(px)},{num(py)}"
                     for i, (px, py) in enumerate(at))
    body = [
        el("path", {"class": "line", "d": trace, "fill": "none", "stroke": colour(0),
                    "stroke-width": 1.5, "stroke-linejoin": "round"}),
        el("circle", {"class": "point", "cx": at[-1][0], "cy": at[-1][1], "r": 2,
                      "fill": colour(0)}),
    ]
    told = description or (f"{title}: from {value_format(values[0])} to "
                           f"{value_format(values[-1])}, highest {value_format(max(values))}.")
    return figure("sparkline", chart_id, title, told, width, height, body)
