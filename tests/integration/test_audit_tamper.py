"""The audit log on real PostgreSQL: concurrent appends never fork the chain, and editing,
forging or deleting rows with SQL makes `commerce audit verify` fail naming the row."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from adapters.sql.outbox import SqlOutbox
from commerce_core import Commerce
from commerce_core.audit.context import AuditContext, acting
from commerce_core.audit.model import Actor, AuditRecord
from commerce_core.shared.principal import Principal
from entrypoints.cli.main import app
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.shop import SimulatedCrash

ALICE = AuditContext(Principal(kind="staff", subject="alice", roles=frozenset({"ops"})),
                     ip="198.51.100.4", request_id="req-7")
runner = CliRunner()


@pytest.fixture
def commerce(postgres_url: str) -> Iterator[Commerce]:
    container = make_container(Settings(database_url=postgres_url))
    yield container.commerce()
    container.shutdown_resources()


@pytest.fixture
def audited(commerce: Commerce) -> list[str]:
    """Five warehouses created by staff: five entries; their ids in sequence order."""
    with acting(ALICE):
        for code in ("HCM", "HN", "DN", "CT", "HP"):
            commerce.inventory.create_warehouse(code, code)
    return [e.id for e in reversed(commerce.audit.search())]


def tamper(url: str, *statements: str) -> None:
    """What someone with the table owner's rights does: the append-only triggers off first."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
            for statement in statements:
                connection.execute(sa.text(statement))
            connection.execute(sa.text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
    finally:
        engine.dispose()


def verify(url: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, "audit", "verify"],
                           env={"COLUMNS": "200"})
    return result.exit_code, result.stderr if result.exit_code else result.stdout


def test_an_untouched_chain_verifies(postgres_url: str, audited: list[str]) -> None:
    code, output = verify(postgres_url)

    assert code == 0, output
    assert "intact: 5 entries" in output


def test_an_edited_payload_is_named(postgres_url: str, audited: list[str]) -> None:
    tamper(postgres_url, "UPDATE audit_entries SET after = "
                         "replace(after, '\"HN\"', '\"XX\"') WHERE sequence = 2")

    code, output = verify(postgres_url)

    assert code == 1
    assert f"entry 2 ({audited[1]}): edited" in output


def test_a_forged_row_is_named(postgres_url: str, audited: list[str]) -> None:
    tamper(postgres_url, "INSERT INTO audit_entries SELECT 'forged-1', 6, occurred_at, "
                         "actor_kind, 'mallory', actor_roles, 'payment.refund_payment', "
                         "entity_type, entity_id, before, after, severity, ip, session_id, "
                         "request_id, hash, hash FROM audit_entries WHERE sequence = 5")

    code, output = verify(postgres_url)

    assert code == 1
    assert "entry 6 (forged-1)" in output


@pytest.mark.parametrize(("sequence", "expected"), [(3, "entry 3: removed"),
                                                    (5, "entry 5 ({}): removed")])
def test_a_deleted_row_is_named(postgres_url: str, audited: list[str], sequence: int,
                                expected: str) -> None:
    tamper(postgres_url, f"DELETE FROM audit_entries WHERE sequence = {sequence}")

    code, output = verify(postgres_url)

    assert code == 1
    assert expected.format(audited[sequence - 1]) in output


def test_the_database_refuses_updates_and_deletes_of_entries(
    postgres_url: str, audited: list[str]
) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        for statement in ("UPDATE audit_entries SET actor_id = 'x'",
                          "DELETE FROM audit_entries", "DELETE FROM audit_head"):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
                c.execute(sa.text(statement))
    finally:
        engine.dispose()


def test_concurrent_appends_never_fork_the_chain(commerce: Commerce) -> None:
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def appender(n: int) -> None:
        start.wait()
        try:
            for i in range(10):
                commerce.audit.append(AuditRecord(
                    "auth.login_failed", Actor("anonymous"), commerce.ports.clock.now(),
                    entity_type="account", entity_id=f"user-{n}-{i}"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=appender, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    report = commerce.audit.verify()
    assert report.intact, report.broken
    assert report.checked == 80
    assert report.head.sequence == 80


def test_an_entry_and_its_change_commit_or_fail_together(
    commerce: Commerce, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(self: SqlOutbox, envelopes: object) -> None:
        raise SimulatedCrash

    with acting(ALICE):
        commerce.inventory.create_warehouse("HCM", "Ho Chi Minh City")
        with monkeypatch.context() as patch:
            patch.setattr(SqlOutbox, "add", crash)
            with pytest.raises(SimulatedCrash):
                commerce.inventory.create_warehouse("HN", "Ha Noi")

    assert [w.code for w in commerce.inventory.warehouses()] == ["HCM"]
    assert [e.record.after["command"]["code"] for e in commerce.audit.search()] == ["HCM"]
    assert commerce.audit.verify().intact
