"""The SVG charts, read back as XML: geometry, ticks, text escaping, accessibility, empty states."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entrypoints.charts import (
    EMPTY_TEXT,
    Series,
    bar_chart,
    funnel_chart,
    grouped,
    in_major_units,
    line_chart,
    money,
    nice_ticks,
    sparkline,
    stacked_bar_chart,
)

NS = {"s": "http://www.w3.org/2000/svg"}
DAY = date(2026, 12, 1)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def days(*values: int, start: date = DAY) -> list[tuple[date, int]]:
    return [(start + timedelta(days=i), v) for i, v in enumerate(values)]


def path_points(d: str) -> list[tuple[float, float]]:
    points = []
    for part in d.replace("M", " ").replace("L", " ").replace("Z", " ").split():
        x, y = part.split(",")
        points.append((float(x), float(y)))
    return points


def tick_labels(root: ET.Element, axis: str) -> list[str]:
    return [t.text or "" for t in root.findall(f"s:g[@class='{axis}']/s:text", NS)]


# -- ticks -----------------------------------------------------------------------------------

def test_ticks_step_by_one_two_or_five_times_a_power_of_ten() -> None:
    assert nice_ticks(0, 1_234_567) == [0, 500_000, 1_000_000, 1_500_000]
    assert nice_ticks(0, 97) == [0, 20, 40, 60, 80, 100]
    assert nice_ticks(-250, 1000) == [-500, 0, 500, 1000]


def test_counts_never_get_fractional_ticks() -> None:
    assert nice_ticks(0, 3, integer=True) == [0, 1, 2, 3]
    assert nice_ticks(0, 0.7) == [0, 0.2, 0.4, 0.6, 0.8]


def test_an_empty_range_still_has_an_axis() -> None:
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(40, 40)[0] == 0
    assert nice_ticks(40, 40)[-1] >= 60


@given(st.integers(-10**12, 10**12), st.integers(-10**12, 10**12))
def test_ticks_cover_the_data_in_even_steps(a: int, b: int) -> None:
    low, high = min(a, b), max(a, b)

    ticks = nice_ticks(low, high, integer=True)

    assert ticks[0] <= low
    assert ticks[-1] >= high
    steps = {round(y - x, 6) for x, y in pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    mantissa = step / 10 ** len(str(int(step))) * 10
    assert round(mantissa, 6) in (1, 2, 5, 10)
    assert 2 <= len(ticks) <= 12


# -- the line chart --------------------------------------------------------------------------

def test_a_line_chart_draws_one_dot_per_day_left_to_right_higher_for_more() -> None:
    svg = line_chart([Series("VND", "VND", days(100, 300, 200))], chart_id="revenue",
                     title="Revenue per day")

    root = parse(svg)
    dots = root.findall(".//s:g[@class='series']/s:circle", NS)
    xs = [float(c.get("cx", "")) for c in dots]
    ys = [float(c.get("cy", "")) for c in dots]
    assert len(dots) == 3
    assert xs == sorted(xs)
    assert ys[1] < ys[2] < ys[0]  # SVG's y grows downwards
    line = root.find(".//s:path[@class='line']", NS)
    assert line is not None
    assert path_points(line.get("d", "")) == list(zip(xs, ys, strict=True))


def test_the_area_closes_on_the_zero_line() -> None:
    root = parse(line_chart([Series("VND", "VND", days(5, 10))], chart_id="a", title="t"))

    area = root.find(".//s:path[@class='area']", NS)
    axis = root.findall("s:g[@class='x-axis']/s:line[@class='axis']", NS)[0]

    assert area is not None
    points = path_points(area.get("d", ""))
    zero = float(axis.get("y1", ""))
    assert points[0][1] == points[-1][1] == zero
    assert area.get("d", "").endswith("Z")


def test_y_ticks_are_nice_and_the_top_tick_holds_the_highest_value() -> None:
    root = parse(line_chart([Series("orders", "orders", days(3, 17, 9))], chart_id="o",
                            title="Orders"))

    assert tick_labels(root, "y-axis") == ["0", "5", "10", "15", "20"]
    top = min(float(g.get("y1", "")) for g in root.findall(".//s:line[@class='grid']", NS))
    highest = min(float(c.get("cy", "")) for c in root.findall(".//s:circle", NS))
    assert top <= highest


def test_money_ticks_read_in_major_units_and_tooltips_give_the_exact_amount() -> None:
    svg = line_chart([Series("USD", "USD", days(125_000, 250_050))], chart_id="usd",
                     title="Revenue", y_format=in_major_units("USD"), value_format=money("USD"))

    root = parse(svg)
    titles = [t.text for t in root.findall(".//s:circle/s:title", NS)]

    assert "3k" in tick_labels(root, "y-axis")
    assert titles == ["USD, 2026-12-01: 1,250.00 USD", "USD, 2026-12-02: 2,500.50 USD"]


def test_two_currencies_never_share_an_axis() -> None:
    vnd = Series("VND", "VND", days(350_000))
    usd = Series("USD", "USD", days(1_500))

    with pytest.raises(ValueError, match="one chart per unit"):
        line_chart([vnd, usd], chart_id="mixed", title="Revenue")


def test_several_series_of_one_unit_get_a_legend_and_distinct_strokes() -> None:
    paid = Series("paid", "orders", days(3, 4))
    cancelled = Series("cancelled", "orders", days(1, 0))

    root = parse(line_chart([paid, cancelled], chart_id="s", title="Orders"))

    names = [t.text for t in root.findall("s:g[@class='legend']/s:text", NS)]
    strokes = [(p.get("stroke"), p.get("stroke-dasharray"))
               for p in root.findall(".//s:path[@class='line']", NS)]
    assert names == ["paid", "cancelled"]
    assert len(set(strokes)) == 2


def test_a_single_day_is_one_visible_dot_in_the_middle() -> None:
    root = parse(line_chart([Series("VND", "VND", days(42))], chart_id="one", title="t",
                            width=640))

    dot = root.find(".//s:circle", NS)

    assert dot is not None
    assert float(dot.get("cx", "")) == pytest.approx((64 + 624) / 2)
    assert float(dot.get("r", "")) > 3


def test_no_points_draw_the_empty_state_and_say_so() -> None:
    root = parse(line_chart([Series("VND", "VND", [])], chart_id="none", title="Revenue"))

    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    desc = root.find("s:desc", NS)

    assert texts == [EMPTY_TEXT]
    assert root.findall(".//s:path", NS) == []
    assert desc is not None
    assert "no data" in (desc.text or "")


def test_a_series_has_one_value_per_day() -> None:
    with pytest.raises(ValueError, match="one value per day"):
        Series("VND", "VND", [(DAY, 1), (DAY, 2)])


def test_an_axis_spanning_two_years_labels_days_with_the_year() -> None:
    root = parse(line_chart([Series("n", "n", days(1, 2, 3, start=date(2026, 12, 31)))],
                            chart_id="y", title="t"))

    assert tick_labels(root, "x-axis")[0] == "2026-12-31"


# -- accessibility, escaping, determinism ----------------------------------------------------

def test_every_chart_is_an_image_named_and_described_for_screen_readers() -> None:
    charts = [
        line_chart([Series("VND", "VND", days(1, 2))], chart_id="c-line", title="Revenue"),
        bar_chart([("paid", 3)], chart_id="c-bar", title="By status"),
        stacked_bar_chart([("day", [("paid", 1)])], chart_id="c-stack", title="Stack"),
        funnel_chart([("viewed", 10), ("paid", 2)], chart_id="c-funnel", title="Funnel"),
        sparkline([1, 2, 3], chart_id="c-spark", title="Trend"),
    ]

    for svg in charts:
        root = parse(svg)
        chart_id = root.get("id")
        assert root.get("role") == "img"
        assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
        title = root.find(f"s:title[@id='{chart_id}-title']", NS)
        desc = root.find(f"s:desc[@id='{chart_id}-desc']", NS)
        assert title is not None
        assert desc is not None
        assert (desc.text or "").strip()


def test_text_from_the_data_is_escaped_and_stays_text() -> None:
    hostile = 'Broke <script>alert("x")</script> & "quoted" \x00\x08'

    svg = bar_chart([(hostile, 2)], chart_id="esc", title=hostile)

    root = parse(svg)
    assert "<script" not in svg
    assert root.findall(".//s:script", NS) == []
    title = root.find("s:title", NS)
    assert title is not None
    assert title.text == 'Broke <script>alert("x")</script> & "quoted" '
    bar = root.find(".//s:g[@class='bar']", NS)
    assert bar is not None
    assert bar.get("data-label") == 'Broke <script>alert("x")</script> & "quoted" '


def test_a_chart_id_is_a_plain_token() -> None:
    with pytest.raises(ValueError, match="chart id"):
        bar_chart([("a", 1)], chart_id='x" onload="alert(1)', title="t")


def test_the_same_data_draws_the_same_bytes() -> None:
    def draw() -> str:
        return line_chart([Series("VND", "VND", days(1, 5, 2, 8))], chart_id="d", title="t")

    assert draw() == draw()


# -- bars, stacks, funnels, sparklines -------------------------------------------------------

def test_bar_lengths_are_proportional_to_values_in_the_order_given() -> None:
    root = parse(bar_chart([("paid", 12), ("cancelled", 3), ("refunded", 6)], chart_id="b",
                           title="Orders by status"))

    rects = root.findall(".//s:g[@class='bar']/s:rect", NS)
    widths = [float(r.get("width", "")) for r in rects]
    labels = [g.get("data-label") for g in root.findall(".//s:g[@class='bar']", NS)]
    assert labels == ["paid", "cancelled", "refunded"]
    assert widths[0] == pytest.approx(4 * widths[1], rel=0.01)
    assert widths[2] == pytest.approx(2 * widths[1], rel=0.01)
    assert [t.text for t in root.findall(".//s:text[@class='value']", NS)] == ["12", "3", "6"]


def test_a_long_label_is_shortened_on_the_axis_and_whole_in_the_tooltip() -> None:
    label = "The parcel arrived soaked through after the monsoon"

    root = parse(bar_chart([(label, 1)], chart_id="l", title="Returns by reason"))

    shown = root.find(".//s:text[@class='label']", NS)
    tip = root.find(".//s:rect/s:title", NS)
    assert shown is not None
    assert tip is not None
    assert len(shown.text or "") <= 22
    assert (shown.text or "").endswith("\u2026")
    assert tip.text == f"{label}: 1"


def test_bars_refuse_negative_values_and_draw_nothing_as_the_empty_state() -> None:
    with pytest.raises(ValueError, match="negative"):
        bar_chart([("x", -1)], chart_id="n", title="t")

    root = parse(bar_chart([], chart_id="e", title="Returns by reason"))
    assert root.find("s:g[@class='empty']", NS) is not None
    assert root.findall(".//s:g[@class='bar']", NS) == []


def test_stacked_parts_sit_end_to_end_and_keep_their_colour_across_rows() -> None:
    root = parse(stacked_bar_chart(
        [("VND", [("card", 3), ("cod", 1)]), ("USD", [("cod", 2)])],
        chart_id="st", title="Payments by method"))

    rows = root.findall(".//s:g[@class='bar']", NS)
    first = rows[0].findall("s:rect", NS)
    end = float(first[0].get("x", "")) + float(first[0].get("width", ""))
    assert float(first[1].get("x", "")) == pytest.approx(end)
    assert first[1].get("fill") == rows[1].findall("s:rect", NS)[0].get("fill")
    assert [t.text for t in root.findall(".//s:text[@class='value']", NS)] == ["4", "2"]


def test_a_funnel_narrows_with_each_step_and_states_the_share_of_the_previous() -> None:
    root = parse(funnel_chart([("placed", 200), ("paid", 150), ("shipped", 75)],
                              chart_id="f", title="Order funnel"))

    widths = [float(r.get("width", "")) for r in root.findall(".//s:g[@class='step']/s:rect", NS)]
    desc = root.find("s:desc", NS)
    assert widths[1] == pytest.approx(widths[0] * 150 / 200)
    assert widths[2] == pytest.approx(widths[0] * 75 / 200)
    assert desc is not None
    assert "paid 150 (75.0% of previous)" in (desc.text or "")
    assert "shipped 75 (50.0% of previous)" in (desc.text or "")


def test_a_sparkline_ends_on_a_dot_at_the_last_value() -> None:
    root = parse(sparkline([4, 1, 9, 6], chart_id="sp", title="Orders, last 4 days"))

    line = root.find("s:path", NS)
    dot = root.find("s:circle", NS)
    assert line is not None
    assert dot is not None
    points = path_points(line.get("d", ""))
    assert len(points) == 4
    assert (float(dot.get("cx", "")), float(dot.get("cy", ""))) == points[-1]
    assert min(points, key=lambda p: p[1]) == points[2]  # the highest value is drawn highest


def test_a_flat_sparkline_stays_inside_its_box() -> None:
    root = parse(sparkline([7, 7, 7], chart_id="flat", title="t", height=32))

    line = root.find("s:path", NS)
    assert line is not None
    assert all(0 <= y <= 32 for _, y in path_points(line.get("d", "")))


def test_full_figures_group_thousands_and_keep_minor_units_exact() -> None:
    assert grouped(1_250_000) == "1,250,000"
    assert money("VND")(350_000) == "350,000 VND"
    assert money("USD")(-1_005) == "-10.05 USD"
    assert money("KWD")(1_234_567) == "1,234.567 KWD"
