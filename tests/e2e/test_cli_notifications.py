"""`commerce notifications`: list, show, send-due and retry on a SQLite shop whose emails go
to a local SMTP server; bad references refused in one line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import Result

from commerce_core import Commerce
from entrypoints.cli.main import app
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import commerce_cli, refused, runner, succeeded
from tests.smtp_server import RecordingHandler, smtp_server


@pytest.fixture
def mail() -> Iterator[tuple[int, RecordingHandler]]:
    with smtp_server() as server:
        yield server


def cli(url: str, port: int, *args: str) -> Result:
    env = {"COLUMNS": "200", "COMMERCE_NOTIFY_EMAIL": "smtp", "COMMERCE_SMTP_HOST": "127.0.0.1",
           "COMMERCE_SMTP_PORT": str(port), "COMMERCE_SMTP_SENDER": "shop@example.vn"}
    return runner.invoke(app, ["--database-url", url, *args], env=env)


def test_operator_lists_sends_shows_and_retries(tmp_path: Path,
                                                mail: tuple[int, RecordingHandler]) -> None:
    port, server = mail
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    succeeded(commerce_cli("--database-url", url, "seed"))
    settings = Settings(database_url=url, notify_email="smtp", smtp_host="127.0.0.1",
                        smtp_port=port)
    commerce: Commerce = make_container(settings).commerce()
    cart_id = commerce.cart.create("VND")
    commerce.cart.add_item(cart_id, "LINEN-SHIRT-M", 1)
    commerce.checkout.place_order(cart_id, email="lan@example.vn")
    (notification,) = commerce.notifications.list()

    listed = succeeded(cli(url, port, "notifications", "list", "--status", "pending"))
    sent = succeeded(cli(url, port, "notifications", "send-due"))
    shown = succeeded(cli(url, port, "notifications", "show", notification.id))

    assert notification.id in listed
    assert "order_confirmed" in listed
    assert "1 sent, 0 to retry, 0 failed" in sent
    assert "attempt 1 via smtp" in shown
    assert "status sent" in shown
    assert [str(m["To"]) for m in server.messages] == ["lan@example.vn"]
    refused(cli(url, port, "notifications", "retry", notification.id),
            "notification.not_retryable")
    refused(cli(url, port, "notifications", "show", "nope"), "notification.not_found")
    refused(cli(url, port, "notifications", "list", "--status", "lost"),
            "notification.invalid")
