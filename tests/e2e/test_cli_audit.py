"""`commerce audit`: what operators change from the terminal is audited as them, listed with
filters, and the chain verifies; a limit out of bounds is a usage error."""

from __future__ import annotations

import csv
import getpass
import io
import json
from pathlib import Path

from tests.e2e.test_cli import commerce_cli, succeeded


def test_terminal_changes_are_audited_listed_and_verified(tmp_path: Path) -> None:
    cli = ("--database-url", f"sqlite:///{tmp_path / 'shop.db'}")
    succeeded(commerce_cli(*cli, "warehouses", "add", "HCM", "--name", "Ho Chi Minh City"))
    succeeded(commerce_cli(*cli, "warehouses", "add", "HN", "--name", "Ha Noi"))

    table = succeeded(commerce_cli(*cli, "audit", "list"))
    lines = succeeded(commerce_cli(*cli, "audit", "list", "--json", "--limit", "1",
                                   "--action", "inventory.create_warehouse"))
    verified = succeeded(commerce_cli(*cli, "audit", "verify"))

    assert table.count("inventory.create_warehouse") == 2
    [entry] = [json.loads(line) for line in lines.splitlines()]
    assert entry["actor_id"] == f"cli:{getpass.getuser()}"
    assert entry["after"]["command"]["code"] == "HN"
    assert entry["sequence"] == 2
    assert "audit chain intact: 2 entries" in verified


def test_the_log_exports_as_csv(tmp_path: Path) -> None:
    cli = ("--database-url", f"sqlite:///{tmp_path / 'shop.db'}")
    succeeded(commerce_cli(*cli, "warehouses", "add", "DN", "--name", "Da Nang, \"centre\""))

    exported = succeeded(commerce_cli(*cli, "audit", "list", "--csv"))

    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert row["action"] == "inventory.create_warehouse"
    assert json.loads(row["after"])["command"]["name"] == 'Da Nang, "centre"'


def test_an_empty_log_lists_nothing_and_verifies(tmp_path: Path) -> None:
    cli = ("--database-url", f"sqlite:///{tmp_path / 'shop.db'}")

    assert "no audit entries" in succeeded(commerce_cli(*cli, "audit", "list"))
    assert "intact: 0 entries" in succeeded(commerce_cli(*cli, "audit", "verify"))


def test_a_limit_out_of_bounds_is_refused(tmp_path: Path) -> None:
    result = commerce_cli("--database-url", f"sqlite:///{tmp_path / 'shop.db'}",
                          "audit", "list", "--limit", "0")

    assert result.exit_code == 2
