"""Identity on PostgreSQL: the database decides races (one email, one rotation), and no
password, token, TOTP secret or recovery code is stored or logged in clear."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from adapters import sql
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from adapters.memory.identity import RecordingTokenDelivery
from commerce_core.app import Commerce
from commerce_core.identity.errors import EmailTaken, InvalidToken
from commerce_core.identity.queries import TokenPair
from tests.identity_support import PASSWORD, code_at, with_identity


@pytest.fixture
def shop(postgres_url: str) -> Iterator[tuple[Commerce, FrozenClock]]:
    clock = FrozenClock()
    ports = sql.bundle(postgres_url, gateway=ScriptedPaymentGateway(), clock=clock,
                       ids=SequentialIds(), pool_size=4)
    factory = ports.uow
    assert isinstance(factory, sql.SqlUnitOfWorkFactory)
    try:
        yield Commerce(with_identity(ports, delivery=RecordingTokenDelivery())), clock
    finally:
        factory.dispose()


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Runs the calls at once; each result or the error it raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_concurrent_registrations_of_one_email_one_wins(
        shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 9."""
    commerce, _ = shop
    for attempt in range(5):
        email = f"race{attempt}@example.com"
        results = race(*[functools.partial(commerce.identity.register, email, PASSWORD)] * 2)
        won = [r for r in results if not isinstance(r, Exception)]
        lost = [r for r in results if isinstance(r, Exception)]
        assert len(won) == 1, results
        assert len(lost) == 1, results
        assert isinstance(lost[0], EmailTaken), results
        assert lost[0].code == "identity.email_taken"


def test_two_concurrent_rotations_of_one_token_yield_one_pair(
        shop: tuple[Commerce, FrozenClock]) -> None:
    """Scenario 2, concurrently; the loser is refused without ending the winner's session."""
    commerce, _ = shop
    commerce.identity.register("lan@example.com", PASSWORD)
    for _ in range(5):
        token = commerce.identity.login("lan@example.com", PASSWORD).tokens.refresh_token
        results = race(*[functools.partial(commerce.identity.refresh, token)] * 2)
        pairs = [r for r in results if isinstance(r, TokenPair)]
        assert len(pairs) == 1, results
        assert isinstance(next(r for r in results if not isinstance(r, TokenPair)),
                          InvalidToken)
        assert commerce.identity.refresh(pairs[0].refresh_token).access_token


def test_no_secret_reaches_storage_or_logs_in_clear(
        shop: tuple[Commerce, FrozenClock], postgres_url: str,
        caplog: pytest.LogCaptureFixture) -> None:
    commerce, clock = shop
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = [PASSWORD]
    commerce.identity.register("lan@example.com", PASSWORD)
    login = commerce.identity.login("lan@example.com", PASSWORD)
    pair = commerce.identity.refresh(login.tokens.refresh_token)
    secrets += [login.tokens.access_token, login.tokens.refresh_token, pair.access_token,
                pair.refresh_token, login.tokens.refresh_token.partition(".")[2]]

    user = commerce.identity.create_staff_user("an", "an@shop.test", PASSWORD,
                                               roles=("SUPER_ADMIN",))
    staff = commerce.identity.login("an", PASSWORD, staff=True)
    enrolment = commerce.identity.enroll_mfa(user.id)
    code = code_at(enrolment.secret, clock.now())
    confirmed = commerce.identity.confirm_mfa(user.id, staff.tokens.session_id, code)
    secrets += [enrolment.secret, staff.tokens.access_token, staff.tokens.refresh_token,
                confirmed.tokens.access_token, confirmed.tokens.refresh_token,
                *confirmed.recovery_codes]
    with pytest.raises(Exception):  # noqa: B017 - any refusal; the logs are the point
        commerce.identity.login("an", "Wrong-Password-1", staff=True)

    engine = sql.create_engine(postgres_url, pool_size=1)
    stored: list[str] = []
    try:
        with engine.connect() as connection:
            for table in sa.inspect(connection).get_table_names():
                for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                    stored.append(" ".join(str(value) for value in row))
    finally:
        engine.dispose()
    everything = "\n".join(stored)
    assert "an@shop.test" in everything  # the scan reads the identity tables
    logged = "\n".join(f"{r.getMessage()} {r.args!r} {r.__dict__!r}" for r in caplog.records)
    for secret in secrets:
        assert secret not in everything, secret
        assert secret not in logged, secret
