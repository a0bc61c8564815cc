"""Test-wide fixtures: service URLs for integration tests, and the rule that CI never skips them.

PostgreSQL and Redis tests read `COMMERCE_TEST_POSTGRES_URL` / `COMMERCE_TEST_REDIS_URL`. Without
them those tests skip with a clear reason, unless `COMMERCE_TEST_REQUIRE_SERVICES=1` (CI sets it),
in which case a missing server fails the run instead of silently skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

POSTGRES_URL = os.environ.get("COMMERCE_TEST_POSTGRES_URL", "")
REDIS_URL = os.environ.get("COMMERCE_TEST_REDIS_URL", "")
REQUIRE_SERVICES = os.environ.get("COMMERCE_TEST_REQUIRE_SERVICES") == "1"
SERVICE_MARKERS = ("postgres", "redis")


def _unavailable(what: str, variable: str) -> None:
    reason = f"{what} tests need {variable} (a server URL); none given"
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason}, but COMMERCE_TEST_REQUIRE_SERVICES=1 requires them")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def ledger_books_balance() -> Iterator[None]:
    """Every store or shop a test registered (`tests.ledger_support.books`) ends the test with
    balanced books: debits equal credits, counters agree with legs, holds and lots."""
    from tests.ledger_support import assert_balanced, books

    books.take()
    yield
    for uow in books.take():
        assert_balanced(uow)


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    if not POSTGRES_URL:
        _unavailable("PostgreSQL", "COMMERCE_TEST_POSTGRES_URL")
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh, empty schema dropped after the test."""
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_server_url else "?"
    try:
        yield f"{postgres_server_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    if not REDIS_URL:
        _unavailable("Redis", "COMMERCE_TEST_REDIS_URL")
    return REDIS_URL


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use a service fixture carry its marker, so `-m postgres` selects them."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "postgres_url" in fixtures or "postgres_server_url" in fixtures:
            item.add_marker(pytest.mark.postgres)
        if "redis_url" in fixtures:
            item.add_marker(pytest.mark.redis)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if (
        REQUIRE_SERVICES
        and report.skipped
        and any(item.get_closest_marker(m) for m in SERVICE_MARKERS)
    ):
        report.outcome = "failed"
        report.longrepr = f"a service test CI must run was skipped: {report.longrepr}"


CLI_OPERATOR_TOKEN = "cli-operator-token"


@pytest.fixture(autouse=True)
def cli_runs_as_the_operator(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: Any) -> None:
    """Commands run in local operator mode (the CLI's token is the operator token) unless a
    test says otherwise; no test reads a token file of the machine it runs on."""
    monkeypatch.setenv("COMMERCE_OPERATOR_TOKEN", CLI_OPERATOR_TOKEN)
    monkeypatch.setenv("COMMERCE_TOKEN", CLI_OPERATOR_TOKEN)
    monkeypatch.setenv("COMMERCE_TOKEN_FILE",
                       str(tmp_path_factory.getbasetemp() / "no-token-file"))
