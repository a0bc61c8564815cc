"""Card numbers posted in free-text fields are refused and reach neither the database nor the
logs (PCI DSS SAQ A: the shop never holds card data). A search for one is answered but not
recorded in the search log."""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from adapters.memory import FrozenClock, ScriptedPaymentGateway
from commerce_core.app import Commerce
from commerce_core.shared.cards import luhn
from commerce_core.shared.ids import Uuid7Generator
from entrypoints.http import create_app
from entrypoints.settings import Settings
from tests.e2e.conftest import (
    ADMIN,
    OPERATOR_TOKEN,
    Api,
    Seeded,
    assert_problem,
    seed_shop,
)
from tests.e2e.tokens import shopper_client


def _card(prefix: str) -> str:
    body = prefix + "0" * (15 - len(prefix))
    return body + next(d for d in "0123456789" if luhn(body + d))


VISA, MASTERCARD = _card("4916"), _card("5312")
SPACED = " ".join(VISA[i:i + 4] for i in range(0, 16, 4))
DASHED = "-".join(MASTERCARD[i:i + 4] for i in range(0, 16, 4))


def _posts(shirt_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """(method, path, body) with a card number in a free-text field of each context."""
    variant = {"sku": "CARD-TEE", "price": {"amount": 1000, "currency": "VND"}}
    return [
        ("POST", "/admin/products", {"name": f"Tee {SPACED}", "slug": "card-tee",
                                     "variants": [variant]}),
        ("POST", "/admin/products", {"name": "Tee", "slug": "card-tee", "variants": [variant],
                                     "description": f"gift card {DASHED}"}),
        ("PATCH", f"/admin/products/{shirt_id}", {"description": f"pay {VISA}"}),
        ("POST", "/admin/categories", {"slug": "cards", "name": f"Cards {MASTERCARD}"}),
        ("POST", "/admin/warehouses", {"code": "HN", "name": f"Ha Noi {SPACED}"}),
        ("POST", "/admin/adjustments", {"sku": "LINEN-SHIRT-M", "warehouse": "HCM",
                                        "quantity_change": 1, "reason": "found",
                                        "notes": f"customer card {VISA}"}),
        ("POST", "/admin/promotions", {"name": f"Promo {DASHED}", "kind": "percentage",
                                       "percent": "10"}),
    ]


@pytest.fixture
def shop(tmp_path: Path) -> tuple[Api, Path, Seeded]:
    from adapters import sql

    path = tmp_path / "shop.db"
    url = f"sqlite:///{path}"
    commerce = Commerce(sql.bundle(url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
                                   ids=Uuid7Generator()))
    seeded = seed_shop(commerce)
    app = create_app(commerce, Settings(database_url=url, operator_token=OPERATOR_TOKEN))
    return Api(shopper_client(app), commerce), path, seeded


def _stored_text(path: Path) -> str:
    """Every text value of every table, digits only where separators stood between digits."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        values = [str(v) for t in tables for row in db.execute(f'SELECT * FROM "{t}"')
                  for v in row if v is not None]
    return re.sub(r"(?<=\d)[ -](?=\d)", "", "\n".join(values))


def test_card_numbers_in_free_text_are_refused_and_never_stored_or_logged(
    shop: tuple[Api, Path, Seeded], caplog: pytest.LogCaptureFixture,
) -> None:
    api, path, seeded = shop
    shirt_id = seeded.product_ids["linen-shirt"]
    caplog.set_level(logging.DEBUG)
    description = api.commerce.catalog.get(shirt_id).description
    before = _stored_text(path)

    for method, url, body in _posts(shirt_id):
        response = api.client.request(method, url, json=body, headers=ADMIN)
        problem = assert_problem(response, 422, "commerce.card_number_refused")
        for number in (VISA, MASTERCARD, SPACED, DASHED):
            assert number not in response.text, f"{method} {url} echoed the number"
        assert problem["field"]

    searched = api.client.get("/search", params={"q": f"gift {SPACED}"})
    assert searched.status_code == 200, searched.text
    assert searched.json()["query_id"] is None, "the search answers but is not logged"

    stored = _stored_text(path)
    assert stored == before, "a refused request changed what is stored"
    assert api.client.get("/search", params={"q": "gift"}).json()["query_id"], "others are"
    assert VISA not in stored
    assert MASTERCARD not in stored
    logged = re.sub(r"(?<=\d)[ -](?=\d)", "", caplog.text + "".join(
        str(r.args) for r in caplog.records))
    assert VISA not in logged
    assert MASTERCARD not in logged
    assert api.commerce.catalog.get(shirt_id).description == description
