"""The dashboard in a real browser: the HTTP app served by uvicorn, headless Chromium signed in
as staff. The charts must be there and drawn, the page must run no script and load nothing
else, and the period form must work without script. A screenshot is kept for a person to look
at (its path is printed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from entrypoints.http import create_app
from tests.browser_support import Visit
from tests.dashboard_support import DashboardShop, bearer, dashboard_shop
from tests.e2e.conftest import settings
from tests.sse_support import serving

PATH = "/admin/analytics/dashboard"


@pytest.fixture(scope="module")
def shop() -> DashboardShop:
    return dashboard_shop()


@pytest.fixture(scope="module")
def base_url(shop: DashboardShop) -> Iterator[str]:
    with serving(create_app(shop.commerce, settings())) as url:
        yield url


def test_the_dashboard_draws_its_charts_in_chromium(
        browser: Any, base_url: str, shop: DashboardShop, tmp_path: Path) -> None:
    with Visit(browser, bearer(shop.viewer)) as visit:
        response = visit.page.goto(f"{base_url}{PATH}?from=2026-12-01&to=2026-12-03")
        shot = tmp_path / "dashboard.png"
        visit.page.screenshot(path=str(shot), full_page=True)
        print(f"dashboard screenshot: {shot}")

        assert response is not None
        assert response.status == 200
        assert visit.page.title() == "Analytics dashboard, 2026-12-01 to 2026-12-03"
        assert visit.count("svg.chart") == 8  # 2 sparklines, 6 charts
        assert visit.count("svg.chart-line") == 2
        assert visit.count("#revenue-vnd path.line") == 1
        assert visit.count("#revenue-vnd circle.point") == 3
        assert visit.count("#orders-per-day circle.point") == 3
        assert visit.count("#orders-by-status g.bar rect") == 3
        assert visit.count("#returns-by-reason g.bar rect") == 2
        assert visit.count("#shipments-by-carrier g.empty") == 1
        box = visit.page.locator("#revenue-vnd path.line").bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert visit.page.locator("[data-figure=orders] .value").inner_text() == "4"
        assert visit.console_errors == []
        assert visit.page_errors == []
        assert visit.failed == []
        assert visit.requests == [f"{base_url}{PATH}?from=2026-12-01&to=2026-12-03"]
        assert shot.stat().st_size > 10_000


def test_the_period_form_reloads_the_page_without_script(
        browser: Any, base_url: str, shop: DashboardShop) -> None:
    with Visit(browser, bearer(shop.viewer), javascript=False) as visit:
        visit.page.goto(f"{base_url}{PATH}?from=2026-12-01&to=2026-12-03")

        visit.page.fill("input[name=from]", "2026-12-02")
        visit.page.fill("input[name=to]", "2026-12-02")
        with visit.page.expect_navigation():
            visit.page.click("form.range button")

        assert visit.page.url.endswith(f"{PATH}?from=2026-12-02&to=2026-12-02")
        assert visit.count("#orders-per-day circle.point") == 1
        assert visit.page.locator("[data-figure=orders] .value").inner_text() == "1"
        assert visit.console_errors == []


def test_without_a_token_the_browser_gets_the_refusal_not_the_figures(
        browser: Any, base_url: str) -> None:
    with Visit(browser) as visit:
        response = visit.page.goto(f"{base_url}{PATH}")

        assert response is not None
        assert response.status == 401
        assert visit.count("svg") == 0
