"""Rate policies read from settings, and the route keys casing tricks cannot split."""

from __future__ import annotations

import pytest

from commerce_core.shared.errors import InvalidInput
from commerce_core.shared.ratelimit import RatePolicy, parse_routes, route_key


@pytest.mark.parametrize(("text", "limit", "period", "burst"), [
    ("10/min", 10, 60, 0),
    ("5/hour", 5, 3600, 0),
    ("100/min burst 20", 100, 60, 20),
    ("20/15min", 20, 900, 0),
    ("3/s,burst=6", 3, 1, 6),
    ("120 / minutes", 120, 60, 0),
])
def test_a_policy_reads_count_period_and_burst(text: str, limit: int, period: int,
                                               burst: int) -> None:
    policy = RatePolicy.parse("p", text)

    assert (policy.limit, policy.period_seconds, policy.burst) == (limit, period, burst)


@pytest.mark.parametrize("text", ["", "ten/min", "10/fortnight", "0/min", "10/min burst"])
def test_a_policy_that_makes_no_sense_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="rate limit login"):
        RatePolicy.parse("login", text)


def test_the_burst_defaults_to_the_limit() -> None:
    assert RatePolicy.parse("login", "10/min").capacity == 10
    assert RatePolicy.parse("api", "100/min burst 20").capacity == 20


@pytest.mark.parametrize("path", ["/orders", "/Orders", "/ORDERS/", "//orders", "/orders//"])
def test_route_keys_ignore_casing_and_stray_slashes(path: str) -> None:
    assert route_key("post", path) == "POST /orders"


def test_route_overrides_are_keyed_by_the_normalised_route() -> None:
    routes = parse_routes("post /Orders/=10/min; GET /search = 120/min burst 30")

    assert sorted(routes) == ["GET /search", "POST /orders"]
    assert routes["GET /search"].capacity == 30


@pytest.mark.parametrize("text", ["/orders=10/min", "POST orders=10/min", "POST /orders"])
def test_a_route_override_that_makes_no_sense_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_routes(text)
