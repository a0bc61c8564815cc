"""The acceptance journey over HTTP against a SQLite file, through the SQL adapter."""

from __future__ import annotations

from pathlib import Path

from adapters.memory import FrozenClock, ScriptedPaymentGateway
from commerce_core.app import Commerce
from commerce_core.shared.ids import Uuid7Generator
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import OPERATOR_TOKEN, Api, first_order_journey, seed_shop
from tests.e2e.tokens import shopper_client


def test_the_journey_works_against_a_sqlite_file(tmp_path: Path) -> None:
    # Imported here, not at the top, so a missing adapter fails this test alone rather than
    # the collection of the whole suite.
    from adapters import sql

    url = f"sqlite:///{tmp_path / 'shop.db'}"
    ports = sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                       ids=Uuid7Generator())
    commerce = Commerce(ports)
    seed_shop(commerce)

    app = create_app(commerce, Settings(database_url=url, operator_token=OPERATOR_TOKEN))
    with shopper_client(app) as client:
        first_order_journey(Api(client, commerce))
