"""The consumer example in docs/webhooks.md verifies what the shop sends, and nothing else."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.memory import FrozenClock
from adapters.memory.webhooks import RecordingSender
from tests.unit.webhooks.support import add_product, commerce_with

PAGE = (Path(__file__).resolve().parents[3] / "docs" / "webhooks.md").read_text()


def example() -> Callable[..., bool]:
    section = PAGE.split("### Verifying a signature", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.S)
    assert snippet is not None
    namespace: dict[str, Any] = {}
    exec(compile(snippet.group(1), "docs/webhooks.md", "exec"), namespace)
    verify: Callable[..., bool] = namespace["verify"]
    return verify


def test_the_documented_check_accepts_the_shops_webhooks_and_refuses_altered_ones() -> None:
    verify = example()
    sender, clock = RecordingSender(), FrozenClock(datetime.now(UTC))
    commerce = commerce_with(sender, clock)
    secret = commerce.webhooks.create("https://erp.example/h", ["catalog.product_created"]).secret
    other = commerce.webhooks.create("https://erp.example/o", ["order.*"]).secret
    add_product(commerce)
    commerce.webhooks.send_due()
    (sent,) = sender.sent
    headers = dict(sent.headers)

    assert verify(secret, headers, sent.body)
    assert not verify(secret, headers, sent.body + b" ")
    assert not verify(other, headers, sent.body)
    assert not verify(secret, {**headers, "webhook-id": "forged"}, sent.body)
    old = str(int((clock.now() - timedelta(minutes=10)).timestamp()))
    assert not verify(secret, {**headers, "webhook-timestamp": old}, sent.body)
