"""Outbound webhooks: the httpx sender with its target policy (SSRF protection).

    from adapters import webhooks
    from adapters.identity import FernetSealer

    ports = attrs.evolve(ports, webhooks=webhooks.kit(FernetSealer(key)))
"""

from __future__ import annotations

import random

from adapters.webhooks.http import HttpWebhookSender
from adapters.webhooks.targets import TargetPolicy, forbidden
from commerce_core.webhooks.ports import RetryPolicy, SecretSealer, WebhookPorts

__all__ = ["HttpWebhookSender", "TargetPolicy", "forbidden", "kit"]


def kit(sealer: SecretSealer, *, allow_private: bool = False, connect_timeout: float = 5.0,
        read_timeout: float = 15.0, policy: RetryPolicy | None = None,
        rng: random.Random | None = None, refresh_seconds: float = 30.0,
        batch: int = 50) -> WebhookPorts:
    """Webhook ports over HTTP; `sealer` keeps the signing secrets (identity's Fernet sealer
    with the shop's sealing key, for instance)."""
    sender = HttpWebhookSender(policy=TargetPolicy(allow_private=allow_private),
                               connect_timeout=connect_timeout, read_timeout=read_timeout)
    return WebhookPorts(sender, sealer, policy or RetryPolicy(), rng, refresh_seconds, batch)
