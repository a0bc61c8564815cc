"""`commerce webhooks` on a SQLite shop: create (the secret printed once), list, show,
send-due to a local receiver that checks the signature, deliveries, replay, disable, enable,
rotate-secret, delete; a loopback target refused in one line unless the setting allows it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import Result

from commerce_core import Commerce
from commerce_core.catalog.commands import VariantSpec
from commerce_core.shared.money import Money
from entrypoints.cli.main import app
from entrypoints.container import make_container
from entrypoints.settings import Settings
from tests.e2e.test_cli import refused, runner, succeeded

ALLOW = {"COMMERCE_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true"}


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[Any, bytes]]]]:
    got: list[tuple[Any, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            got.append((self.headers, self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks", got
    finally:
        server.shutdown()
        server.server_close()


def cli(url: str, *args: str, env: dict[str, str] | None = None) -> Result:
    return runner.invoke(app, ["--database-url", url, *args],
                         env={"COLUMNS": "200", **(env or {})})


def signed_by(secret: str, headers: Any, body: bytes) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    mac = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return f"v1,{mac}" in headers["webhook-signature"].split()


def test_operator_manages_a_subscription_and_its_deliveries(
        tmp_path: Path, receiver: tuple[str, list[tuple[Any, bytes]]]) -> None:
    target, got = receiver
    url = f"sqlite:///{tmp_path / 'shop.db'}"

    refused(cli(url, "webhooks", "create", target, "-e", "catalog.*"),
            "webhooks.target_refused")
    made = succeeded(cli(url, "webhooks", "create", target, "-e", "catalog.product_created",
                         "--description", "ERP", env=ALLOW))
    secret = re.search(r"secret: (whsec_\S+)", made)
    sub_id = re.search(r"subscription (\S+) created", made)
    assert secret is not None
    assert sub_id is not None
    commerce: Commerce = make_container(Settings(database_url=url)).commerce()
    commerce.catalog.create_product("Shirt", "shirt", [VariantSpec("S-1", Money(5, "VND"))])

    listed = succeeded(cli(url, "webhooks", "list"))
    shown = succeeded(cli(url, "webhooks", "show", sub_id[1]))
    sent = succeeded(cli(url, "webhooks", "send-due", env=ALLOW))
    log = succeeded(cli(url, "webhooks", "deliveries", sub_id[1], "--attempts"))

    assert sub_id[1] in listed
    assert "catalog.product_created" in shown
    assert "status active" in shown
    assert "whsec_" not in listed + shown + log
    assert "1 sent, 0 to retry, 0 failed" in sent
    assert "succeeded" in log
    assert "attempt 1" in log
    assert "204" in log
    ((headers, body),) = got
    assert signed_by(secret[1], headers, body)

    (delivery,) = commerce.webhooks.deliveries(sub_id[1])
    one = succeeded(cli(url, "webhooks", "replay", "--delivery", delivery.id))
    ranged = succeeded(cli(url, "webhooks", "replay", "--subscription", sub_id[1],
                           "--from", "2000-01-01T00:00:00", "--to", "2100-01-01T00:00:00"))
    assert f"(replay of {delivery.id})" in one
    assert "1 deliveries enqueued" in ranged
    succeeded(cli(url, "webhooks", "send-due", env=ALLOW))
    assert len(got) == 3

    rotated = succeeded(cli(url, "webhooks", "rotate-secret", sub_id[1]))
    assert "whsec_" in rotated
    assert secret[1] not in rotated
    assert "disabled" in succeeded(cli(url, "webhooks", "disable", sub_id[1]))
    refused(cli(url, "webhooks", "replay", "--delivery", delivery.id),
            "webhooks.subscription_inactive")
    assert "active" in succeeded(cli(url, "webhooks", "enable", sub_id[1]))
    assert "deleted" in succeeded(cli(url, "webhooks", "delete", sub_id[1]))
    refused(cli(url, "webhooks", "show", "nope"), "webhooks.subscription_not_found")
    refused(cli(url, "webhooks", "deliveries", sub_id[1], "--status", "lost"),
            "webhooks.invalid")
