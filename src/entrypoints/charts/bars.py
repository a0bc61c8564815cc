"""Counts by category: the horizontal bar chart (orders by status, returns by reason), the
stacked bar (one row per category, split into parts) and the funnel (each step a share of the
one before)."""

from __future__ import annotations

from collections.abc import Sequence

from entrypoints.charts.frame import (
    GRID,
    MUTED,
    colour,
    empty,
    figure,
    legend,
    shorten,
)
from entrypoints.charts.scale import Format, Linear, compact, grouped, nice_ticks
from entrypoints.charts.svg import Element, el, group

Bar = tuple[str, int | float]

_LABEL_WIDTH = 150.0
_LABEL_CHARS = 22
_ROW = 26.0
_BAR = 16.0


def _check(values: Sequence[int | float]) -> None:
    if any(v < 0 for v in values):
        raise ValueError("bars measure counts and amounts from zero; a value is negative")


def _scale(values: Sequence[int | float], left: float, right: float) -> tuple[list[float], Linear]:
    ticks = nice_ticks(0, max(values), 4, integer=all(isinstance(v, int) for v in values))
    return ticks, Linear(0, ticks[-1], left, right)


def _value_axis(ticks: list[float], x: Linear, top: float, bottom: float,
                tick_format: Format) -> Element:
    marks: list[Element] = []
    for tick in ticks:
        at = x(tick)
        marks.append(el("line", {"class": "grid", "x1": at, "x2": at, "y1": top, "y2": bottom,
                                 "stroke": GRID}))
        marks.append(el("text", {"class": "tick", "x": at, "y": bottom + 14,
                                 "text-anchor": "middle", "fill": MUTED}, tick_format(tick)))
    return group({"class": "x-axis"}, marks)


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str,
              description: str | None = None, value_format: Format = grouped,
              tick_format: Format = compact, width: int = 640) -> str:
    """One horizontal bar per (label, value), in the order given, the exact value written at
    the bar's end and in its tooltip; long labels are shortened on the axis, whole in the
    tooltip. Nothing to draw gives the empty state."""
    _check([v for _, v in bars])
    if not bars:
        return figure("bar", chart_id, title, description or f"{title}: no data in this period.",
                      width, 120, [empty(width, 120)])
    top, left, right = 8.0, _LABEL_WIDTH, width - 72.0
    bottom = top + _ROW * len(bars)
    height = int(bottom + 24)
    ticks, x = _scale([v for _, v in bars], left, right)
    body: list[Element] = [_value_axis(ticks, x, top, bottom, tick_format)]
    for row, (label, value) in enumerate(bars):
        y = top + row * _ROW + (_ROW - _BAR) / 2
        body.append(group({"class": "bar", "data-label": label}, [
            el("text", {"class": "label", "x": left - 8, "y": y + 12, "text-anchor": "end"},
               shorten(label, _LABEL_CHARS)),
            el("rect", {"x": left, "y": y, "width": x(value) - left, "height": _BAR,
                        "fill": colour(0), "rx": 2},
               el("title", None, f"{label}: {value_format(value)}")),
            el("text", {"class": "value", "x": x(value) + 6, "y": y + 12, "fill": MUTED},
               value_format(value)),
        ]))
    body.append(el("line", {"class": "axis", "x1": left, "x2": left, "y1": top, "y2": bottom,
                            "stroke": MUTED}))
    told = description or f"{title}: " + ", ".join(
        f"{label} {value_format(value)}" for label, value in bars) + "."
    return figure("bar", chart_id, title, told, width, height, body)


def stacked_bar_chart(rows: Sequence[tuple[str, Sequence[Bar]]], *, chart_id: str, title: str,
                      description: str | None = None, value_format: Format = grouped,
                      tick_format: Format = compact, width: int = 640) -> str:
    """One horizontal bar per row, split into its named parts left to right (a part keeps its
    colour in every row, and the legend names them); the row's total is written at its end."""
    for _, parts in rows:
        _check([v for _, v in parts])
    if not rows or not any(parts for _, parts in rows):
        return figure("stacked", chart_id, title,
                      description or f"{title}: no data in this period.",
                      width, 120, [empty(width, 120)])
    names = list(dict.fromkeys(name for _, parts in rows for name, _ in parts))
    top, left, right = 26.0, _LABEL_WIDTH, width - 72.0
    bottom = top + _ROW * len(rows)
    height = int(bottom + 24)
    totals = [sum(v for _, v in parts) for _, parts in rows]
    ticks, x = _scale(totals, left, right)
    body: list[Element] = [legend(names, left, 14),
                           _value_axis(ticks, x, top, bottom, tick_format)]
    for row, ((label, parts), total) in enumerate(zip(rows, totals, strict=True)):
        y = top + row * _ROW + (_ROW - _BAR) / 2
        marks: list[Element] = [el("text", {"class": "label", "x": left - 8, "y": y + 12,
                                            "text-anchor": "end"}, shorten(label, _LABEL_CHARS))]
        start = 0.0
        for name, value in parts:
            marks.append(el("rect", {"class": "part", "x": x(start), "y": y,
                                     "width": x(start + value) - x(start), "height": _BAR,
                                     "fill": colour(names.index(name))},
                            el("title", None, f"{label}, {name}: {value_format(value)}")))
            start += value
        marks.append(el("text", {"class": "value", "x": x(total) + 6, "y": y + 12,
                                 "fill": MUTED}, value_format(total)))
        body.append(group({"class": "bar", "data-label": label}, marks))
    told = description or f"{title}: " + "; ".join(
        f"{label} " + ", ".join(f"{name} {value_format(v)}" for name, v in parts)
        for label, parts in rows) + "."
    return figure("stacked", chart_id, title, told, width, height, body)


def funnel_chart(steps: Sequence[tuple[str, int]], *, chart_id: str, title: str,
                 description: str | None = None, value_format: Format = grouped,
                 width: int = 640) -> str:
    """Each step a bar centred under the first, its width its share of the first step, with
    its count and its share of the step before (the conversion readers look for)."""
    _check([v for _, v in steps])
    if not steps or steps[0][1] == 0:
        return figure("funnel", chart_id, title,
                      description or f"{title}: no data in this period.",
                      width, 120, [empty(width, 120)])
    first = steps[0][1]
    left, right, row = _LABEL_WIDTH, width - 150.0, 34.0
    middle, span = (left + right) / 2, right - left
    height = int(8 + row * len(steps))
    body: list[Element] = []
    shares: list[str] = []
    previous = first
    for index, (label, count) in enumerate(steps):
        y = 8 + index * row
        bar = span * count / first
        share = "" if index == 0 else f"{_percent(count, previous)} of previous"
        shares.append(f"{label} {value_format(count)}" + (f" ({share})" if share else ""))
        body.append(group({"class": "step", "data-label": label}, [
            el("text", {"class": "label", "x": left - 8, "y": y + 17, "text-anchor": "end"},
               shorten(label, _LABEL_CHARS)),
            el("rect", {"x": middle - bar / 2, "y": y, "width": bar, "height": 24,
                        "fill": colour(0), "fill-opacity": 1 - 0.12 * min(index, 5), "rx": 2},
               el("title", None, f"{label}: {value_format(count)}"
                                 + (f", {share}" if share else ""))),
            el("text", {"class": "value", "x": right + 8, "y": y + 17, "fill": MUTED},
               value_format(count) + (f" \u00b7 {_percent(count, previous)}" if index else "")),
        ]))
        previous = count
    told = description or f"{title}: " + ", ".join(shares) + "."
    return figure("funnel", chart_id, title, told, width, height, body)


def _percent(part: int, whole: int) -> str:
    if whole == 0:
        return "n/a"
    tenths = (part * 1000 + whole // 2) // whole
    return f"{tenths // 10}.{tenths % 10}%"
