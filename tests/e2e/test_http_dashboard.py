"""`GET /admin/analytics/dashboard` over HTTP: who may see it, the page's promises (no script,
nothing loaded from elsewhere, a strict content security policy), its period and its charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from entrypoints.http import create_app
from tests.dashboard_support import DashboardShop, bearer, dashboard_shop
from tests.e2e.conftest import assert_problem, settings

URL = "/admin/analytics/dashboard"
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


@pytest.fixture
def shop() -> DashboardShop:
    return dashboard_shop()


@pytest.fixture
def client(shop: DashboardShop) -> Iterator[TestClient]:
    with TestClient(create_app(shop.commerce, settings())) as client:
        yield client


def charts(html: str) -> dict[str, ET.Element]:
    found = {}
    for svg in SVG.findall(html):
        root = ET.fromstring(svg)
        found[root.get("id", "")] = root
    return found


def test_staff_with_analytics_read_see_the_page_others_are_refused(
        client: TestClient, shop: DashboardShop) -> None:
    assert client.get(URL, headers=bearer(shop.viewer)).status_code == 200
    assert_problem(client.get(URL), 401, "auth.unauthenticated")
    assert_problem(client.get(URL, headers=bearer(shop.agent)), 403, "auth.forbidden")


def test_the_page_is_self_contained_html_under_a_strict_policy(
        client: TestClient, shop: DashboardShop) -> None:
    response = client.get(URL, headers=bearer(shop.viewer))

    policy = response.headers["content-security-policy"]
    html = response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in policy
    assert "script-src" not in policy
    assert "unsafe-inline" not in policy
    assert response.headers["cache-control"] == "no-store"
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


def test_the_default_period_is_the_thirty_days_up_to_today(
        client: TestClient, shop: DashboardShop) -> None:
    html = client.get(URL, headers=bearer(shop.viewer)).text

    assert 'name="from" value="2026-11-04"' in html
    assert 'name="to" value="2026-12-03"' in html


def test_from_alone_shows_thirty_days_from_it(client: TestClient, shop: DashboardShop) -> None:
    html = client.get(URL, params={"from": "2027-01-01"}, headers=bearer(shop.viewer)).text

    assert 'name="to" value="2027-01-30"' in html


def test_the_charts_show_the_days_orders_and_revenue_asked_for(
        client: TestClient, shop: DashboardShop) -> None:
    html = client.get(URL, params={"from": "2026-12-01", "to": "2026-12-03"},
                      headers=bearer(shop.viewer)).text

    found = charts(html)
    ns = {"s": "http://www.w3.org/2000/svg"}
    orders = found["orders-per-day"].findall(".//s:circle/s:title", ns)
    revenue = found["revenue-vnd"].findall(".//s:circle/s:title", ns)
    statuses = [g.get("data-label") for g in
                found["orders-by-status"].findall(".//s:g[@class='bar']", ns)]
    assert [t.text for t in orders] == ["orders, 2026-12-01: 2", "orders, 2026-12-02: 1",
                                        "orders, 2026-12-03: 1"]
    assert [t.text for t in revenue] == ["VND, 2026-12-01: 2,589,000 VND",
                                         "VND, 2026-12-02: 350,000 VND",
                                         "VND, 2026-12-03: 0 VND"]
    assert statuses == ["delivered", "cancelled", "paid"]


def test_a_period_ending_before_it_starts_is_refused(
        client: TestClient, shop: DashboardShop) -> None:
    response = client.get(URL, params={"from": "2026-12-03", "to": "2026-12-01"},
                          headers=bearer(shop.viewer))

    assert_problem(response, 422, "analytics.invalid_period")


@pytest.mark.parametrize("query", [{"from": "2026-13-01"}, {"to": "yesterday"}, {"to": "0"},
                                   {"from": "2026-02-30"}, {"from": "0001-01-01"},
                                   {"to": "9999-12-31"},
                                   {"from": "2024-01-01", "to": "2026-12-01"}])
def test_a_bad_or_too_long_period_is_refused(client: TestClient, shop: DashboardShop,
                                             query: dict[str, str]) -> None:
    response = client.get(URL, params=query, headers=bearer(shop.viewer))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
