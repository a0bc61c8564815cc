"""`commerce.notifications`: enqueueing, the sender, the admin's views and retries, provider
callbacks and recipients' preferences, as plain methods."""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from commerce_core.notification.commands import (
    RecordDeliveryStatus,
    RequestNotification,
    RetryNotification,
    SendDueNotifications,
    UpdatePreferences,
)
from commerce_core.notification.errors import InvalidNotification
from commerce_core.notification.handlers import preferences_of
from commerce_core.notification.model import Notification, Preferences, channel_of
from commerce_core.notification.model import Status as NotificationStatus
from commerce_core.notification.ports import NotificationUnitOfWork
from commerce_core.notification.queries import SendReport
from commerce_core.shared.bus import Handle
from commerce_core.shared.uow import UnitOfWorkFactory


class NotificationsApi:
    def __init__(self, handle: Handle,
                 read: UnitOfWorkFactory[NotificationUnitOfWork]) -> None:
        self._handle, self._read = handle, read

    def request(self, recipient_id: str, channel: str, template_id: str,
                data: Mapping[str, str] | None = None, *, category: str = "transactional",
                correlation_id: str | None = None, locale: str | None = None,
                address: str | None = None, send_at: datetime | None = None,
                expires_at: datetime | None = None,
                secret_data: Mapping[str, str] | None = None) -> Notification:
        """`secret_data`: variables sealed at rest and rendered only when sending."""
        result: Notification = self._handle(RequestNotification(
            recipient_id, channel, template_id, dict(data or {}), category, correlation_id,
            locale, address, send_at, expires_at, dict(secret_data or {})))
        return result

    def send_due(self, limit: int = 50) -> SendReport:
        result: SendReport = self._handle(SendDueNotifications(limit))
        return result

    def retry(self, notification_id: str) -> Notification:
        result: Notification = self._handle(RetryNotification(notification_id))
        return result

    def record_delivery(self, provider: str, provider_message_id: str,
                        status: str) -> Notification | None:
        result: Notification | None = self._handle(
            RecordDeliveryStatus(provider, provider_message_id, status))
        return result

    def get(self, notification_id: str) -> Notification:
        with self._read() as uow:
            return uow.notifications.get(notification_id)

    def list(self, *, status: str | None = None, channel: str | None = None,
             recipient_id: str | None = None, limit: int = 50,
             offset: int = 0) -> builtins.list[Notification]:
        """Newest first."""
        try:
            wanted = NotificationStatus(status) if status else None
        except ValueError:
            raise InvalidNotification(f"unknown status {status!r}", status=status) from None
        with self._read() as uow:
            return uow.notifications.list(
                status=wanted, channel=channel_of(channel) if channel else None,
                recipient_id=recipient_id, limit=limit, offset=offset)

    def preferences(self, recipient_id: str) -> Preferences:
        """The recipient's preferences (the defaults when none were stored)."""
        with self._read() as uow:
            return preferences_of(uow, recipient_id)

    def update_preferences(self, recipient_id: str, **changes: Any) -> Preferences:
        result: Preferences = self._handle(UpdatePreferences(recipient_id, changes))
        return result
