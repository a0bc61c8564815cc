"""Notification's handlers and triggers, built from what the composition root gives it."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

from commerce_core.notification.commands import (
    RecordDeliveryStatus,
    RequestNotification,
    RetryNotification,
    SendDueNotifications,
    UpdatePreferences,
)
from commerce_core.notification.errors import InvalidNotification
from commerce_core.notification.handlers import (
    Enqueuer,
    RecordDeliveryStatusHandler,
    RequestNotificationHandler,
    RetryNotificationHandler,
    SendDueHandler,
    UpdatePreferencesHandler,
)
from commerce_core.notification.model import Channel, Notification, RetryPolicy
from commerce_core.notification.ports import (
    NotificationUnitOfWork,
    Notifier,
    RecipientDirectory,
    Sealer,
    TemplateRenderer,
)
from commerce_core.notification.recipients import CustomerDirectory
from commerce_core.notification.triggers import triggers
from commerce_core.shared.bus import Handlers, Subscriber
from commerce_core.shared.clock import Clock
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory


def _refuse(cmd: RequestNotification) -> Notification:
    raise InvalidNotification("notifications are not configured in this shop")


class NotificationWiring:
    """Without a renderer the context is off: no triggers, and a request is refused (an
    embedding shop that sends its own messages); stored messages can still be read, sent
    and retried."""

    def __init__(self, uow: UnitOfWorkFactory[NotificationUnitOfWork], clock: Clock,
                 ids: IdGenerator, renderer: TemplateRenderer | None,
                 notifiers: Mapping[Channel, Notifier], directory: RecipientDirectory | None,
                 *, rng: random.Random | None = None,
                 policy: RetryPolicy | None = None, sealer: Sealer | None = None) -> None:
        self._uow, self._clock, self._ids = uow, clock, ids
        self._renderer, self._notifiers = renderer, dict(notifiers)
        # Customers' own contact details first, the shop's directory for the rest.
        self._directory = CustomerDirectory(uow, directory)
        self._rng = rng or random.Random()
        self._policy = policy or RetryPolicy()
        self._sealer = sealer

    def handlers(self) -> Handlers:
        request: Callable[[RequestNotification], Notification] = _refuse
        if self._renderer is not None:
            request = RequestNotificationHandler(self._uow, self._enqueuer(self._renderer),
                                                 self._directory, self._ids)
        return {
            RequestNotification: request,
            SendDueNotifications: SendDueHandler(self._uow, self._notifiers, self._directory,
                                                 self._clock, self._rng, self._policy,
                                                 self._renderer, self._sealer),
            RetryNotification: RetryNotificationHandler(self._uow, self._clock),
            RecordDeliveryStatus: RecordDeliveryStatusHandler(self._uow, self._clock),
            UpdatePreferences: UpdatePreferencesHandler(self._uow),
        }

    def subscribers(self) -> list[Subscriber]:
        if self._renderer is None:
            return []
        return triggers(self._enqueuer(self._renderer), self._directory)

    def _enqueuer(self, renderer: TemplateRenderer) -> Enqueuer:
        return Enqueuer(renderer, self._clock, self._ids, frozenset(self._notifiers),
                        self._sealer)
