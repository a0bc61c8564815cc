"""Search from the command line, on a seeded SQLite shop."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.test_cli import commerce_cli, succeeded


@pytest.fixture
def cli(tmp_path: Path) -> tuple[str, ...]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    succeeded(commerce_cli("--database-url", url, "seed"))
    return ("--database-url", url)


def test_an_operator_reindexes_searches_and_reads_the_report(cli: tuple[str, ...]) -> None:
    reindexed = succeeded(commerce_cli(*cli, "search", "reindex", "--batch-size", "2"))
    found = succeeded(commerce_cli(*cli, "search", "linen", "shirt"))
    report = succeeded(commerce_cli(*cli, "search", "report"))

    assert "products indexed" in reindexed
    assert "Linen shirt" in found
    assert "1 found" in found
    assert "searches 0" in report
