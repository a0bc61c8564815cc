"""Webhooks' handlers and its subscriber, built from what the composition root gives it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.events import event_types
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory
from commerce_core.webhooks.commands import (
    CreateSubscription,
    DeleteSubscription,
    DisableSubscription,
    EnableSubscription,
    ReplayDelivery,
    ReplayRange,
    RotateSecret,
    SendDueWebhooks,
    UpdateSubscription,
)
from commerce_core.webhooks.errors import WebhooksUnavailable
from commerce_core.webhooks.handlers import (
    CreateSubscriptionHandler,
    DeleteHandler,
    DisableHandler,
    EnableHandler,
    EnqueueDeliveries,
    ReplayDeliveryHandler,
    ReplayRangeHandler,
    RotateSecretHandler,
    SendDueHandler,
    UpdateSubscriptionHandler,
    WebhookContext,
)
from commerce_core.webhooks.ports import WebhookPorts, WebhooksUnitOfWork
from commerce_core.webhooks.routing import SubscribedTypes

COMMANDS = (CreateSubscription, UpdateSubscription, RotateSecret, EnableSubscription,
            DisableSubscription, DeleteSubscription, SendDueWebhooks, ReplayDelivery,
            ReplayRange)


def _unavailable(cmd: Any) -> Any:
    raise WebhooksUnavailable("webhooks are not configured: build the ports with "
                              "webhooks=adapters.webhooks.kit(...)")


class WebhooksWiring:
    """Without `WebhookPorts` the context is off: no subscriber, and every command refused."""

    def __init__(self, uow: UnitOfWorkFactory[WebhooksUnitOfWork], clock: Clock,
                 ids: IdGenerator, ports: WebhookPorts | None) -> None:
        self._context = None if ports is None else WebhookContext(
            uow, clock, ids, ports,
            SubscribedTypes(clock, timedelta(seconds=ports.refresh_seconds)))

    def handlers(self) -> Handlers:
        c = self._context
        if c is None:
            return dict.fromkeys(COMMANDS, _unavailable)
        return {
            CreateSubscription: CreateSubscriptionHandler(c),
            UpdateSubscription: UpdateSubscriptionHandler(c),
            RotateSecret: RotateSecretHandler(c),
            EnableSubscription: EnableHandler(c),
            DisableSubscription: DisableHandler(c),
            DeleteSubscription: DeleteHandler(c),
            SendDueWebhooks: SendDueHandler(c),
            ReplayDelivery: ReplayDeliveryHandler(c),
            ReplayRange: ReplayRangeHandler(c),
        }

    def subscribers(self) -> list[Subscriber]:
        """One subscriber name over every event type the core defines (one inbox key, one
        consumer group in service mode)."""
        c = self._context
        if c is None:
            return []
        enqueue = EnqueueDeliveries(c)
        return [Subscriber(enqueue.name, event_type, enqueue, c.routes.wants)
                for event_type in sorted(event_types())]
