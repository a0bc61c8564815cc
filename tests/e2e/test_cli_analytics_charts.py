"""`commerce analytics REPORT --chart FILE` and `commerce analytics dashboard --out FILE` on a
SQLite shop: the files are SVG and HTML a browser opens as they are, drawn from the reports."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from commerce_core import Commerce
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, succeeded

NS = {"s": "http://www.w3.org/2000/svg"}


def shop_with_orders(tmp_path: Path) -> tuple[str, ...]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    cli = ("--database-url", url)
    succeeded(commerce_cli(*cli, "seed"))
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    for quantity in (1, 2):
        cart_id = commerce.cart.create("VND")
        commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", quantity)
        commerce.payments.capture(commerce.checkout.place_order(cart_id).order_id)
    return cli


def test_a_report_writes_its_charts_beside_its_table(tmp_path: Path) -> None:
    cli = shop_with_orders(tmp_path)
    revenue, orders = tmp_path / "revenue.svg", tmp_path / "orders.svg"

    shown = succeeded(commerce_cli(*cli, "analytics", "revenue", "--chart", str(revenue)))
    succeeded(commerce_cli(*cli, "analytics", "orders", "--chart", str(orders)))

    assert f"chart written to {revenue}" in shown
    assert "Per day" in shown  # the table is still printed
    drawn = ET.parse(revenue).getroot()
    (chart,) = drawn.findall("s:svg", NS)
    assert chart.get("id") == "revenue-vnd"
    assert len(chart.findall(".//s:circle", NS)) == 30  # one a day of the default 30 days
    by_status = ET.parse(orders).getroot().find("s:svg[@id='orders-by-status']", NS)
    assert by_status is not None
    assert [g.get("data-label") for g in by_status.findall(".//s:g[@class='bar']", NS)] == [
        "paid"]


def test_with_json_the_output_stays_one_json_document(tmp_path: Path) -> None:
    cli = shop_with_orders(tmp_path)
    funnel = tmp_path / "funnel.svg"

    shown = succeeded(commerce_cli(*cli, "analytics", "funnel", "--json", "--chart",
                                   str(funnel)))

    assert shown.lstrip().startswith("{")
    assert shown.rstrip().endswith("}")
    assert ET.parse(funnel).getroot().find(".//s:svg[@id='funnel']", NS) is not None


def test_the_dashboard_is_written_as_a_page_that_needs_nothing_else(tmp_path: Path) -> None:
    cli = shop_with_orders(tmp_path)
    page = tmp_path / "dashboard.html"

    succeeded(commerce_cli(*cli, "analytics", "dashboard", "--out", str(page)))

    html = page.read_text()
    assert html.startswith("<!doctype html>")
    assert len(re.findall(r"<svg\b", html)) >= 6
    assert "<script" not in html
    # three shirts at 450,000 VND, captured
    assert re.search(r'data-figure="revenue-vnd".*?class="value">1,350,000 VND<', html)


def test_a_chart_that_cannot_be_written_is_refused_in_one_line(tmp_path: Path) -> None:
    cli = shop_with_orders(tmp_path)

    result = commerce_cli(*cli, "analytics", "revenue", "--chart",
                          str(tmp_path / "missing" / "revenue.svg"))

    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: cannot write the chart to ")
    assert "Traceback" not in result.output
