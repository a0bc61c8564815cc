"""`GET /metrics`: Prometheus text with request counts and latency by route template, and
checkout outcomes; for operators only; one registry per app."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from commerce_core.app import Commerce
from entrypoints.http import create_app
from tests.e2e.conftest import ADMIN, Api, assert_problem, settings
from tests.e2e.tokens import shopper_client


def _sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition, with exactly these labels."""
    for line in text.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if found == labels:
            return float(match.group(3))
    raise AssertionError(f"no sample {name}{labels} in:\n{text}")


def test_a_checkout_shows_in_the_route_histogram_and_the_outcomes(api: Api) -> None:
    cart_id = api.filled_cart(("LINEN-SHIRT-M", 1))
    placed = api.place_order(cart_id, key="metrics-1")
    assert placed.status_code == 201, placed.text
    refused = api.place_order(api.new_cart(), key="metrics-2")  # an empty cart
    assert refused.status_code == 409

    response = api.client.get("/metrics", headers=ADMIN)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    route = {"route": "/orders", "method": "POST", "status": "201"}
    assert _sample(text, "commerce_http_requests_total", **route) == 1
    assert _sample(text, "commerce_http_request_duration_seconds_count", **route) == 1
    assert _sample(text, "commerce_http_request_duration_seconds_bucket", **route, le="+Inf") == 1
    # The route template, never the raw path with its ids.
    assert _sample(text, "commerce_http_requests_total", route="/carts/{cart_id}/items",
                   method="POST", status="201") == 1
    assert cart_id not in text
    assert _sample(text, "commerce_checkouts_total", outcome="confirmed") == 1
    assert _sample(text, "commerce_checkouts_total", outcome=refused.json()["code"]) == 1


def test_unmatched_paths_share_one_series(api: Api) -> None:
    for n in range(3):
        api.client.get(f"/no-such-thing-{n}")

    text = api.client.get("/metrics", headers=ADMIN).text

    assert _sample(text, "commerce_http_requests_total", route="(unmatched)", method="GET",
                   status="404") == 3
    assert "no-such-thing" not in text


def test_metrics_need_the_metrics_read_permission(client: TestClient) -> None:
    assert_problem(client.get("/metrics"), 401, "auth.unauthenticated")
    document = client.get("/openapi.json").json()
    assert document["paths"]["/metrics"]["get"]["security"] == [{"bearer": []}]
    assert document["paths"]["/metrics"]["get"]["x-permission"] == "metrics.read"


def test_each_app_counts_its_own_requests(commerce: Commerce) -> None:
    first = shopper_client(create_app(commerce, settings()))
    second = shopper_client(create_app(commerce, settings()))

    first.get("/health/live")
    first.get("/health/live")
    second.get("/health/live")

    live = {"route": "/health/live", "method": "GET", "status": "200"}
    assert _sample(first.get("/metrics", headers=ADMIN).text,
                   "commerce_http_requests_total", **live) == 2
    assert _sample(second.get("/metrics", headers=ADMIN).text,
                   "commerce_http_requests_total", **live) == 1
