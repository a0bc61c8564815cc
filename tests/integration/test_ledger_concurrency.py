"""One balance, a hundred concurrent redemptions: the ledger never spends more than there is, on
PostgreSQL (guarded updates under row locks) and on SQLite (one writer at a time)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest

from adapters import sql
from adapters.memory import ScriptedPaymentGateway
from adapters.sql import SqlUnitOfWorkFactory
from commerce_core.ledger import services as ledger
from commerce_core.ledger.errors import InsufficientValue
from commerce_core.ledger.model import Hold, Posting
from commerce_core.ledger.ports import AccountKind
from commerce_core.shared.clock import SystemClock
from commerce_core.shared.errors import CommerceError
from commerce_core.shared.ids import Uuid7Generator
from tests.integration.test_sql_concurrency import all_at_once
from tests.ledger_support import assert_balanced

REDEMPTIONS = 100
BALANCE = 1_000


@pytest.fixture(params=["postgres", "sqlite"])
def uow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlUnitOfWorkFactory]:
    url = (str(request.getfixturevalue("postgres_url")) if request.param == "postgres"
           else f"sqlite:///{tmp_path}/ledger.db")
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=SystemClock(),
                       ids=Uuid7Generator(), pool_size=20)
    factory = ports.uow
    assert isinstance(factory, SqlUnitOfWorkFactory)
    try:
        yield factory
        assert_balanced(factory)
    finally:
        factory.dispose()


def funded_card(uow: SqlUnitOfWorkFactory) -> str:
    with uow() as u:
        account = ledger.open_account(u, AccountKind.GIFT_CARD, "card-1", "VND")
        ledger.credit(u, account.id, BALANCE, source="issue", source_id="card-1")
        u.commit()
    return account.id


def redeem(uow: SqlUnitOfWorkFactory, account_id: str, n: int) -> Posting | Hold:
    with uow() as u:
        # Every third shopper holds (a checkout), the others spend at once.
        done: Posting | Hold = (
            ledger.hold(u, account_id, 30, reference=f"chk-{n}") if n % 3 == 0
            else ledger.debit(u, account_id, 30, source="order", source_id=f"o-{n}"))
        u.commit()
    return done


def test_concurrent_redemptions_never_spend_more_than_the_balance(
    uow: SqlUnitOfWorkFactory,
) -> None:
    account_id = funded_card(uow)
    calls: list[Callable[[], Posting | Hold]] = [
        partial(redeem, uow, account_id, n) for n in range(REDEMPTIONS)]

    outcomes = all_at_once(calls)

    granted = [o for o in outcomes if not isinstance(o, CommerceError)]
    refused = [o for o in outcomes if isinstance(o, CommerceError)]
    with uow() as u:
        account = ledger.balance(u, account_id)
    assert len(granted) == BALANCE // 30, refused[:3]
    assert all(isinstance(o, InsufficientValue) for o in refused), refused[:3]
    assert account.balance - account.held == BALANCE - 30 * len(granted) == 10
    assert account.held == 30 * sum(isinstance(o, Hold) for o in granted)
