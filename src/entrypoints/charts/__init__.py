"""Charts as SVG text, drawn on the server in plain Python: no script, no stylesheet, no font or
library fetched from anywhere, so a chart shows the same offline, in a mail, in a file the CLI
writes, and in the dashboard page.

Each chart is an accessible image (`role="img"`, a `<title>` and a `<desc>` that states what
the picture shows in words), every mark carries a tooltip with its exact value, and the same
data always gives the same bytes. Amounts stay integers in minor units until a label formats
them; series of different currencies never share an axis.
"""

from entrypoints.charts.bars import bar_chart, funnel_chart, stacked_bar_chart
from entrypoints.charts.frame import EMPTY_TEXT, stack
from entrypoints.charts.lines import Series, line_chart, sparkline
from entrypoints.charts.scale import (
    compact,
    grouped,
    in_major_units,
    money,
    nice_ticks,
)

__all__ = [
    "EMPTY_TEXT",
    "Series",
    "bar_chart",
    "compact",
    "funnel_chart",
    "grouped",
    "in_major_units",
    "line_chart",
    "money",
    "nice_ticks",
    "sparkline",
    "stack",
    "stacked_bar_chart",
]
