"""`commerce fraud`: the review queue, approve and reject, and an order's explanation, on a
SQLite shop; and COMMERCE_FRAUD_* settings that make no sense refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import Result

from commerce_core import Commerce
from commerce_core.checkout.queries import PlacedOrder
from entrypoints.cli.main import app
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, refused, runner, stock_rows, succeeded

# A first order of an email scores 50 here: it goes to review.
STRICT = "new_customer=50"


@pytest.fixture
def seeded_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    succeeded(commerce_cli("--database-url", url, "seed"))
    return url


def placed(url: str, email: str) -> PlacedOrder:
    commerce: Commerce = make_container(Settings(database_url=url, fraud_weights=STRICT)).commerce()
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    return commerce.checkout.place_order(cart_id, email=email)


def test_operator_reviews_approves_rejects_and_explains(seeded_url: str) -> None:
    cli = ("--database-url", seeded_url)
    first = placed(seeded_url, "lan@example.vn")
    second = placed(seeded_url, "minh@example.vn")

    queue = succeeded(commerce_cli(*cli, "fraud", "review", "list"))
    explained = succeeded(commerce_cli(*cli, "fraud", "explain", first.order_number))
    held = commerce_cli(*cli, "orders", "capture", first.order_id)
    approved = succeeded(commerce_cli(*cli, "fraud", "review", "approve", first.order_number,
                                      "--by", "lan", "--note", "regular"))
    captured = succeeded(commerce_cli(*cli, "orders", "capture", first.order_id))
    rejected = succeeded(commerce_cli(*cli, "fraud", "review", "reject", second.order_id))
    stock = succeeded(commerce_cli(*cli, "stock", "show", "LINEN-SHIRT-M"))
    empty = succeeded(commerce_cli(*cli, "fraud", "review", "list"))

    assert first.order_number in queue
    assert second.order_number in queue
    assert "new_customer +50" in queue
    assert f"order {first.order_number}: score 50/100: review (review pending)" in explained
    assert " +50 new_customer: first order of this email" in explained
    assert " n/a anonymous_ip: no client IP given" in explained
    refused(held, "fraud.capture_held")
    assert f"order {first.order_number} approved" in approved
    assert "the order is paid" in captured
    assert f"order {second.order_number} rejected; the order is cancelled" in rejected
    # The paid order's unit stays reserved until it is picked; the rejected one's came back.
    assert stock_rows(stock, "LINEN-SHIRT-M")[0][-2:] == ["1", "29"]
    assert empty.strip() == "no orders waiting for a review"


def test_deciding_an_order_twice_the_other_way_is_one_line(seeded_url: str) -> None:
    cli = ("--database-url", seeded_url)
    order = placed(seeded_url, "lan@example.vn")
    succeeded(commerce_cli(*cli, "fraud", "review", "reject", order.order_number))

    refused(commerce_cli(*cli, "fraud", "review", "approve", order.order_number),
            "fraud.not_under_review")


def with_env(url: str, **env: str) -> Result:
    return runner.invoke(app, ["--database-url", url, "fraud", "review", "list"],
                         env={"COLUMNS": "200", **env})


@pytest.mark.parametrize("env", [
    {"COMMERCE_FRAUD_WEIGHTS": "velocity=lots"},
    {"COMMERCE_FRAUD_SIGNALS": "telepathy"},
    {"COMMERCE_FRAUD_BLOCKED_IPS": "not-a-network"},
    {"COMMERCE_FRAUD_REVIEW_FROM": "80"},
])
def test_fraud_settings_that_make_no_sense_are_refused_in_one_line(
    seeded_url: str, env: dict[str, str],
) -> None:
    refused(with_env(seeded_url, **env), "commerce.invalid_input")
