"""`/admin/analytics/...`: each report as JSON for staff holding `analytics.read`, refused to
others, and a bad period refused as a problem."""

from __future__ import annotations

from collections.abc import Iterator

import attrs
import pytest
from fastapi.testclient import TestClient

from adapters import memory
from adapters.memory import FrozenClock, SequentialIds
from commerce_core.app import Commerce
from commerce_core.identity.roles import BUILT_IN_ROLES
from commerce_core.shared.principal import Principal
from entrypoints.http import create_app
from tests.e2e.conftest import assert_problem, settings
from tests.e2e.test_http_authorization import TestBearers, bearer
from tests.unit.analytics.support import DAY1, Events, analytics_ports

REPORTS = ("overview", "revenue", "orders", "funnel", "fulfilment", "shipping", "returns",
           "cohorts", "rfm")
DAYS = {"from": "2026-03-01", "to": "2026-03-03"}


def staff(role: str) -> Principal:
    return Principal(kind="staff", subject=f"u-{role}", permissions=BUILT_IN_ROLES[role],
                     roles=frozenset({role}))


@pytest.fixture
def client() -> Iterator[TestClient]:
    ports = attrs.evolve(memory.bundle(clock=FrozenClock(DAY1), ids=SequentialIds()),
                         analytics=analytics_ports())
    commerce = Commerce(ports)
    e = Events()
    commerce.analytics.record([e.order_created("o1", DAY1),
                               e.captured("p1", "o1", 1_000_000, DAY1),
                               e.captured("p2", "o2", 500_000, DAY1),
                               e.refunded("p1", "o1", 200_000, DAY1)])
    principals = {"analyst": staff("ANALYTICS_VIEWER"), "cs": staff("CS_AGENT")}
    app = create_app(commerce, settings(), authenticators=[TestBearers(principals)])
    with TestClient(app) as test_client:
        yield test_client


def test_an_analytics_viewer_reads_every_report_as_json(client: TestClient) -> None:
    answers = {name: client.get(f"/admin/analytics/{name}", params=DAYS,
                                headers=bearer("analyst")) for name in REPORTS}

    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(REPORTS, 200)
    (revenue,) = answers["revenue"].json()["totals"]
    assert (revenue["net"], revenue["aov"]) == (1_300_000, 650_000)
    assert answers["overview"].json()["orders"] == 1
    assert answers["funnel"].json()["conversion"] == {"numerator": 0, "denominator": 0,
                                                      "percent": None}


def test_staff_without_analytics_read_are_refused(client: TestClient) -> None:
    answer = client.get("/admin/analytics/overview", headers=bearer("cs"))

    assert_problem(answer, 403, "auth.forbidden")


def test_a_period_ending_before_it_starts_is_a_problem(client: TestClient) -> None:
    answer = client.get("/admin/analytics/revenue", params={"from": "2026-03-05",
                                                           "to": "2026-03-01"},
                        headers=bearer("analyst"))

    assert_problem(answer, 422, "analytics.invalid_period")


@pytest.mark.parametrize("day", ["0", "1700000000", "2026-3-01", "2026-02-30"])
def test_a_day_not_written_yyyy_mm_dd_is_refused(client: TestClient, day: str) -> None:
    answer = client.get("/admin/analytics/revenue", params={"to": day},
                        headers=bearer("analyst"))

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
