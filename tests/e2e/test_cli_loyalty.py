"""`commerce loyalty` on a SQLite shop: a customer's account and history, an audited
adjustment (once per reference, never below zero), the tier table, a campaign created, listed
and ended, and the jobs; bad input refused in one line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import Result

from commerce_core import Commerce
from entrypoints.cli.main import app
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import refused, runner, succeeded


def cli(url: str, *args: str) -> Result:
    return runner.invoke(app, ["--database-url", url, *args], env={"COLUMNS": "200"})


def test_operator_reads_and_adjusts_an_account_and_runs_the_jobs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    customer = commerce.customers.register("lan@example.vn", "Lan", "Nguyen")

    shown = succeeded(cli(url, "loyalty", "account", customer.id))
    added = succeeded(cli(url, "loyalty", "adjust", customer.id, "250", "--reason",
                          "late delivery", "--reference", "T-1"))
    again = succeeded(cli(url, "loyalty", "adjust", customer.id, "250", "--reason",
                          "late delivery", "--reference", "T-1"))
    taken = succeeded(cli(url, "loyalty", "adjust", "--reason", "abuse", "--reference", "T-2",
                          "--", customer.id, "-1000"))
    history = succeeded(cli(url, "loyalty", "history", customer.id))

    assert "balance 500 points" in shown
    assert "next tier silver: 5000000 VND to go (0 %)" in shown
    assert "balance 750" in added
    assert "balance 750" in again
    assert "balance 0; 250 recorded as debt" in taken
    assert "welcome_bonus" in history
    assert "late delivery" in history
    assert commerce.loyalty.account(customer.id).debt == 250
    refused(cli(url, "loyalty", "adjust", customer.id, "0", "--reason", "x", "--reference",
                "T-3"), "loyalty.invalid")
    refused(cli(url, "loyalty", "account", "nobody"), "loyalty.account_not_found")


def test_operator_manages_campaigns_and_tiers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shop.db'}"

    tiers = succeeded(cli(url, "loyalty", "tiers"))
    made = succeeded(cli(url, "loyalty", "campaigns", "create", "Tet double points",
                         "--from", "2026-01-01T00:00:00", "--until", "2026-02-28T00:00:00",
                         "--multiplier", "200", "--tier", "gold", "--budget", "100000"))
    campaign_id = made.split("campaign ")[1].split()[0]
    listed = succeeded(cli(url, "loyalty", "campaigns", "list"))
    ended = succeeded(cli(url, "loyalty", "campaigns", "end", campaign_id))
    released = succeeded(cli(url, "loyalty", "release"))
    expired = succeeded(cli(url, "loyalty", "expire"))
    retiered = succeeded(cli(url, "loyalty", "retier"))

    assert "platinum" in tiers
    assert "x1.5" in tiers
    assert "Tet double points" in listed
    assert "x2" in listed
    assert f"campaign {campaign_id} ended" in ended
    assert "0 earnings released" in released
    assert "0 lots expired" in expired
    assert "0 accounts checked" in retiered
    refused(cli(url, "loyalty", "campaigns", "end", campaign_id), "loyalty.campaign_closed")
    refused(cli(url, "loyalty", "campaigns", "create", "Backwards", "--from",
                "2026-03-01T00:00:00", "--until", "2026-02-01T00:00:00", "--bonus", "10"),
            "loyalty.invalid")
