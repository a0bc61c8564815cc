"""What every chart shares: the accessible `<svg>` root, the palette, the empty state, legends."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import Final

from entrypoints.charts.svg import SVG_NS, Element, el, group, render

# Okabe-Ito: told apart by readers with the common colour-vision deficiencies; series also
# differ by dash pattern, so a chart printed in grey still reads.
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
                  "#F0E442", "#000000")
DASHES: Final = (None, "6 3", "2 3", "8 3 2 3")
INK: Final = "#1f2937"
MUTED: Final = "#6b7280"
GRID: Final = "#e5e7eb"
FONT: Final = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
EMPTY_TEXT: Final = "No data in this period"
_CHART_ID: Final = re.compile(r"^[a-z][a-z0-9-]{0,63}$")
# How every chart's markup begins (`figure` writes `xmlns` first), so `stack` can place one.
_OPENING: Final = f'<svg xmlns="{SVG_NS}" '



def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def dash(index: int) -> str | None:
    return DASHES[(index // len(PALETTE) + index) % len(DASHES)] if index else None


def figure(kind: str, chart_id: str, title: str, description: str, width: int, height: int,
           body: Iterable[Element]) -> str:
    """The chart's `<svg>`: an image named by its `<title>` and described by its `<desc>` (both
    referenced by `aria-labelledby`, so screen readers announce them), sized by its viewBox so
    it scales with the page. `chart_id` prefixes the ids and must be unique on a page."""
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"a chart id is lowercase letters, digits and '-', not {chart_id!r}")
    root = el(
        "svg",
        {"xmlns": SVG_NS, "id": chart_id, "class": f"chart chart-{kind}",
         "viewBox": f"0 0 {width} {height}", "width": width, "height": height,
         "role": "img", "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
         "font-family": FONT, "font-size": 11, "fill": INK},
        el("title", {"id": f"{chart_id}-title"}, title),
        el("desc", {"id": f"{chart_id}-desc"}, description),
        *body,
    )
    return render(root)


def empty(width: int, height: int) -> Element:
    """The empty state: a frame and a sentence where the marks would be."""
    return group({"class": "empty"}, [
        el("rect", {"x": 0.5, "y": 0.5, "width": width - 1, "height": height - 1, "rx": 4,
                    "fill": "none", "stroke": GRID}),
        el("text", {"x": width / 2, "y": height / 2 + 4, "text-anchor": "middle",
                    "fill": MUTED, "font-size": 13}, EMPTY_TEXT),
    ])


def legend(names: Sequence[str], x: float, y: float) -> Element:
    """Swatches and names in a row; widths are estimated from the name's length, so the output
    does not depend on fonts installed where it is rendered."""
    items: list[Element] = []
    for index, name in enumerate(names):
        items.append(el("rect", {"x": x, "y": y - 9, "width": 10, "height": 10,
                                 "fill": colour(index)}))
        items.append(el("text", {"x": x + 14, "y": y}, name))
        x += 14 + 7 * len(name) + 16
    return group({"class": "legend"}, items)


def shorten(text: str, most: int) -> str:
    """`text` cut to `most` characters with an ellipsis (the full text stays in a tooltip)."""
    return text if len(text) <= most else text[: most - 1] + "\u2026"


def stack(charts: Sequence[str], *, chart_id: str, title: str, gap: int = 16) -> str:
    """Several charts of this package in one SVG, one under the other (small multiples: one
    revenue chart per currency in one file). Each keeps its own title and description; the
    whole is a group named by `title`."""
    placed: list[str] = []
    width = height = 0
    for chart in charts:
        root = ET.fromstring(chart)
        if root.tag != f"{{{SVG_NS}}}svg" or not chart.startswith(_OPENING):
            raise ValueError("stack takes charts drawn by entrypoints.charts")
        placed.append(f'<svg x="0" y="{height}" ' + chart[len(_OPENING):])
        width = max(width, int(root.get("width", "0")))
        height += int(root.get("height", "0")) + gap
    height = max(height - gap, 0)
    if not _CHART_ID.match(chart_id):
        raise ValueError(f"a chart id is lowercase letters, digits and '-', not {chart_id!r}")
    head = render(el("svg", {"xmlns": SVG_NS, "id": chart_id, "class": "chart chart-stack",
                             "viewBox": f"0 0 {width} {height}", "width": width,
                             "height": height, "role": "group",
                             "aria-labelledby": f"{chart_id}-title"},
                     el("title", {"id": f"{chart_id}-title"}, title)))
    return head.removesuffix("</svg>") + "".join(placed) + "</svg>"
