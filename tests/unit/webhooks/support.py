"""A shop with webhooks over the memory adapters, a scripted sender and a real sealer; and a
signature check written from the Standard Webhooks recipe, apart from the code under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from collections.abc import Mapping

import attrs

from adapters import memory
from adapters.identity import FernetSealer
from adapters.memory import FrozenClock, SequentialIds
from adapters.memory.webhooks import RecordingSender
from commerce_core.app import Commerce
from commerce_core.catalog.commands import VariantSpec
from commerce_core.shared.money import Money
from commerce_core.webhooks.ports import RetryPolicy, WebhookPorts, WebhookSender


@attrs.define
class Shop:
    commerce: Commerce
    clock: FrozenClock
    sender: RecordingSender


def commerce_with(sender: WebhookSender, clock: FrozenClock,
                  policy: RetryPolicy | None = None) -> Commerce:
    ports = attrs.evolve(
        memory.bundle(clock=clock, ids=SequentialIds()),
        webhooks=WebhookPorts(sender, FernetSealer(FernetSealer.generate_key()),
                              policy or RetryPolicy(), random.Random(7)))
    return Commerce(ports)


def shop(sender: RecordingSender | None = None, *, policy: RetryPolicy | None = None) -> Shop:
    clock, sender = FrozenClock(), sender or RecordingSender()
    return Shop(commerce_with(sender, clock, policy), clock, sender)


def add_product(commerce: Commerce, slug: str = "shirt") -> str:
    """Records `catalog.product_created` and `catalog.product_published`."""
    return commerce.catalog.create_product(
        slug.title(), slug, [VariantSpec(f"{slug.upper()}-1", Money(100_000, "VND"))],
        publish=True)


def signature_matches(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """The receiver's check: HMAC-SHA256 of `id.timestamp.body` keyed with the base64 part
    of the `whsec_` secret; one of the space-separated `v1,` entries must match."""
    key = base64.b64decode(secret[len("whsec_"):])
    signed = (headers["webhook-id"] + "." + headers["webhook-timestamp"] + ".").encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(version == "v1" and hmac.compare_digest(value, expected)
               for version, _, value in (entry.partition(",")
                                         for entry in headers["webhook-signature"].split(" ")))
