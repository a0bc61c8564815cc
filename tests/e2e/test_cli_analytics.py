"""`commerce analytics` on a SQLite shop: the reports as tables and as JSON, the rollup run,
and an event analytics cannot read, visible in `commerce events dlq` in embedded mode."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
from typer.testing import Result

from commerce_core import Commerce
from entrypoints.cli.main import app
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import refused, runner, succeeded
from tests.unit.analytics.support import ANALYTICS, DAY1, Events

DAYS = ("--from", "2026-03-01", "--to", "2026-03-03")


def cli(url: str, *args: str) -> Result:
    return runner.invoke(app, ["--database-url", url, *args], env={"COLUMNS": "200"})


def test_operator_reads_the_reports_and_the_dead_letter_of_a_malformed_event(
        tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    succeeded(cli(url, "db", "upgrade"))
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    e = Events()
    commerce.analytics.record([e.order_created("o1", DAY1), e.captured("p1", "o1", 1_000_000, DAY1),
                               e.refunded("p1", "o1", 200_000, DAY1)])
    malformed = attrs.evolve(e.captured("p2", "o2", 5, DAY1), payload={"payment_id": "p2"})
    assert commerce.bus.deliver(malformed, only=ANALYTICS) == {}

    table = succeeded(cli(url, "analytics", "revenue", *DAYS))
    as_json = json.loads(succeeded(cli(url, "analytics", "revenue", *DAYS, "--json")))
    overview = succeeded(cli(url, "analytics", "overview", *DAYS))
    letters = succeeded(cli(url, "events", "dlq", "list"))
    (letter,) = commerce.analytics.dead_letters()
    shown = succeeded(cli(url, "events", "dlq", "show", letter.id))

    assert "1,000,000 VND" in table
    assert "800,000 VND" in table
    assert as_json["totals"] == [{"currency": "VND", "captured": 1_000_000,
                                  "refunded": 200_000, "net": 800_000, "paid_orders": 1,
                                  "aov": 800_000}]
    assert "Dead letters" in overview
    assert "analytics.record_event" in letters
    assert malformed.id in letters
    assert "amount is missing" in shown
    refused(cli(url, "events", "dlq", "replay", letter.id), "analytics.malformed_event")
    for report in ("orders", "funnel", "fulfilment", "shipping", "returns", "cohorts", "rfm"):
        succeeded(cli(url, "analytics", report, *DAYS))
    assert "reconciliation alerts" in succeeded(cli(url, "analytics", "rollup"))


def test_a_period_ending_before_it_starts_is_refused_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    succeeded(cli(url, "db", "upgrade"))

    refused(cli(url, "analytics", "overview", "--from", "2026-03-05", "--to", "2026-03-01"),
            "analytics.invalid_period")
