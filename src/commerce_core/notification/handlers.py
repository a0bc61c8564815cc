"""Notification use cases: enqueueing (in the caller's transaction, with its outbox rows),
sending what is due (the worker), manual retries, provider callbacks and preferences."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from attrs import field, frozen

from commerce_core.notification.commands import (
    RecordDeliveryStatus,
    RequestNotification,
    RetryNotification,
    SendDueNotifications,
    UpdatePreferences,
)
from commerce_core.notification.errors import DeliveryFailed, InvalidNotification
from commerce_core.notification.model import (
    LOCALES,
    SEALED_PLACEHOLDER,
    Category,
    Channel,
    Notification,
    Preferences,
    RetryPolicy,
    Status,
    category_of,
    channel_of,
)
from commerce_core.notification.ports import (
    NotificationUnitOfWork,
    Notifier,
    OutgoingMessage,
    Recipient,
    RecipientDirectory,
    Sealer,
    SendReceipt,
    TemplateRenderer,
)
from commerce_core.notification.queries import SendReport
from commerce_core.shared.clock import Clock
from commerce_core.shared.errors import CommerceError, ConcurrencyConflict
from commerce_core.shared.ids import IdGenerator
from commerce_core.shared.uow import UnitOfWorkFactory

log = logging.getLogger("commerce.notification")

# A message taken by a sender that never reported back (it crashed) is tried again after this.
SENDING_LEASE = timedelta(minutes=10)


class NoDirectory:
    """Knows nothing beyond what the order says (the default until customers are stored)."""

    def recipient(self, recipient_id: str) -> Recipient | None:
        return None


def preferences_of(uow: NotificationUnitOfWork, recipient_id: str) -> Preferences:
    return uow.notification_preferences.find(recipient_id) or Preferences(recipient_id)


@frozen
class Request:
    correlation_id: str
    recipient: Recipient
    channel: Channel
    category: Category
    template_id: str
    data: Mapping[str, str]
    source_event_id: str | None = None
    source_event_type: str | None = None
    send_at: datetime | None = None
    expires_at: datetime | None = None
    secret_data: Mapping[str, str] = field(factory=dict, repr=False)


class Enqueuer:
    """Creates a notification inside the caller's unit of work: rendered now (a missing
    variable fails the request, not the send), opted-out ones recorded as cancelled, marketing
    in quiet hours scheduled for the window's end; transactional ones are never delayed.
    Only the channels the shop has a provider for are offered. Secret variables are checked
    against the template with a placeholder and stored sealed; the sender renders them."""

    def __init__(self, renderer: TemplateRenderer, clock: Clock, ids: IdGenerator,
                 channels: frozenset[Channel], sealer: Sealer | None = None) -> None:
        self._renderer, self._clock, self._ids = renderer, clock, ids
        self.channels = channels
        self._sealer = sealer

    def enqueue(self, uow: NotificationUnitOfWork, request: Request) -> Notification:
        existing = uow.notifications.by_correlation(request.correlation_id)
        if existing is not None:
            return existing
        if request.channel not in self.channels:
            raise InvalidNotification(f"no {request.channel.value} provider is configured",
                                      channel=request.channel.value)
        recipient = request.recipient
        stored = uow.notification_preferences.find(recipient.recipient_id)
        preferences = stored or Preferences(recipient.recipient_id)
        locale = recipient.locale or preferences.locale
        if locale not in LOCALES:
            raise InvalidNotification(f"unsupported locale {locale!r}", locale=locale)
        sealed: str | None = None
        shown = dict(request.data)
        if request.secret_data:
            if self._sealer is None:
                raise InvalidNotification("secret variables need a sealer, and none is "
                                          "configured", template_id=request.template_id)
            shown.update(dict.fromkeys(request.secret_data, SEALED_PLACEHOLDER))
            sealed = self._sealer.seal(json.dumps(dict(request.secret_data), sort_keys=True))
        rendered = self._renderer.render(request.template_id, request.channel, locale, shown)
        now = self._clock.now()
        send_at = max(request.send_at or now, now)
        opted_out = not preferences.allows(request.channel, request.category)
        if request.category is Category.MARKETING and not opted_out:
            send_at = preferences.quiet_until(send_at) or send_at
        address = None if request.channel is Channel.PUSH else recipient.address(request.channel)
        notification = Notification.create(
            notification_id=self._ids.new_id(), correlation_id=request.correlation_id,
            recipient_id=recipient.recipient_id, channel=request.channel,
            category=request.category, template_id=request.template_id, locale=locale,
            data=dict(request.data), address=address, subject=rendered.subject,
            text=rendered.text, html=rendered.html, send_at=send_at,
            expires_at=request.expires_at, source_event_id=request.source_event_id,
            source_event_type=request.source_event_type, now=now, opted_out=opted_out,
            sealed_data=sealed,
        )
        uow.notifications.add(notification)
        return notification


class RequestNotificationHandler:
    def __init__(self, uow: UnitOfWorkFactory[NotificationUnitOfWork], enqueuer: Enqueuer,
                 directory: RecipientDirectory, ids: IdGenerator) -> None:
        self._uow, self._enqueuer, self._directory, self._ids = uow, enqueuer, directory, ids

    def __call__(self, cmd: RequestNotification) -> Notification:
        channel, category = channel_of(cmd.channel), category_of(cmd.category)
        known = self._directory.recipient(cmd.recipient_id) or Recipient(cmd.recipient_id)
        recipient = Recipient(
            cmd.recipient_id,
            email=cmd.address if channel is Channel.EMAIL and cmd.address else known.email,
            phone=cmd.address if channel is Channel.SMS and cmd.address else known.phone,
            device_token=known.device_token, locale=cmd.locale or known.locale,
        )
        if channel is not Channel.PUSH and not recipient.address(channel):
            raise InvalidNotification(
                f"no {channel.value} address known for {cmd.recipient_id}",
                recipient_id=cmd.recipient_id, channel=channel.value)
        correlation_id = cmd.correlation_id or self._ids.new_id()
        request = Request(correlation_id, recipient, channel, category, cmd.template_id,
                          cmd.data, send_at=cmd.send_at, expires_at=cmd.expires_at,
                          secret_data=dict(cmd.secret_data))
        try:
            with self._uow() as uow:
                notification = self._enqueuer.enqueue(uow, request)
                uow.commit()
        except ConcurrencyConflict:
            # The same correlation id committed concurrently: that one is the notification.
            with self._uow() as uow:
                found = uow.notifications.by_correlation(correlation_id)
            if found is None:
                raise
            return found
        return notification


@frozen
class _Claimed:
    notification: Notification
    started_at: datetime


class SendDueHandler:
    """Claims what is due in one short transaction (locked rows skipped by other senders),
    calls the providers outside any transaction, then records each outcome in its own."""

    def __init__(self, uow: UnitOfWorkFactory[NotificationUnitOfWork],
                 notifiers: Mapping[Channel, Notifier], directory: RecipientDirectory,
                 clock: Clock, rng: random.Random, policy: RetryPolicy,
                 renderer: TemplateRenderer | None = None, sealer: Sealer | None = None) -> None:
        self._uow, self._notifiers, self._directory = uow, notifiers, directory
        self._clock, self._rng, self._policy = clock, rng, policy
        self._renderer, self._sealer = renderer, sealer

    def __call__(self, cmd: SendDueNotifications) -> SendReport:
        counts = {"sent": 0, "retrying": 0, "failed": 0, "cancelled": 0, "deferred": 0}
        for claimed in self._claim(cmd.limit, counts):
            outcome = self._send(claimed)
            counts[outcome] += 1
        return SendReport(**counts)

    def _claim(self, limit: int, counts: dict[str, int]) -> list[_Claimed]:
        now = self._clock.now()
        taken: list[_Claimed] = []
        # Marketing claimed in this run counts towards the daily cap before it is sent.
        claimed_now: dict[tuple[str, Channel], int] = {}
        with self._uow() as uow:
            for notification in uow.notifications.claim_due(now, limit, now - SENDING_LEASE):
                if notification.status is Status.SENDING:
                    # Its sender never reported back: count the attempt as a transient failure.
                    notification.record_failure(
                        notification.provider or "", "interrupted", "no outcome recorded",
                        permanent=False, started_at=notification.updated_at, now=now,
                        policy=self._policy, rng=self._rng)
                    counts[_outcome(notification)] += 1
                    continue
                if notification.expired(now):
                    notification.expire(now)
                    counts["failed"] += 1
                    continue
                preferences = preferences_of(uow, notification.recipient_id)
                if not preferences.allows(notification.channel, notification.category):
                    notification.cancel("opted_out", now=now)
                    counts["cancelled"] += 1
                    continue
                if notification.category is Category.MARKETING:
                    key = (notification.recipient_id, notification.channel)
                    later = preferences.quiet_until(now)
                    if later is None and uow.notifications.sent_since(
                            notification.recipient_id, notification.channel,
                            Category.MARKETING, preferences.day_start(now),
                    ) + claimed_now.get(key, 0) >= preferences.max_per_day:
                        later = preferences.next_day(now)
                    if later is not None:
                        notification.defer(later, now=now)
                        counts["deferred"] += 1
                        continue
                    claimed_now[key] = claimed_now.get(key, 0) + 1
                notification.start_sending(now)
                taken.append(_Claimed(notification, now))
            uow.commit()
        return taken

    def _send(self, claimed: _Claimed) -> str:
        notification = claimed.notification
        notifier = self._notifiers.get(notification.channel)
        provider = notifier.provider if notifier is not None else "none"
        receipt: SendReceipt | None = None
        failure: DeliveryFailed | None = None
        address = notification.address
        if notification.channel is Channel.PUSH:
            known = self._directory.recipient(notification.recipient_id)
            address = known.device_token if known else None
        if notifier is None:
            failure = DeliveryFailed(f"no {notification.channel.value} provider configured",
                                     permanent=True, error_code="unsupported_channel")
        elif not address:
            failure = DeliveryFailed("no address for the recipient", permanent=True,
                                     error_code="bad_recipient")
        else:
            try:
                message = self._message(notification, address)
                receipt = notifier.send(message)
            except DeliveryFailed as exc:
                failure = exc
            except Exception as exc:  # a misbehaving adapter must not lose the attempt
                log.exception("notifier %s raised", provider)
                failure = DeliveryFailed(f"{type(exc).__name__}", permanent=False,
                                         error_code="provider_error")
        now = self._clock.now()
        with self._uow() as uow:
            stored = uow.notifications.get(notification.id)
            if receipt is not None:
                stored.record_sent(receipt.provider, receipt.provider_message_id,
                                   receipt.response, started_at=claimed.started_at, now=now)
            else:
                assert failure is not None
                stored.record_failure(provider, failure.error_code, failure.message[:500],
                                      permanent=failure.permanent,
                                      started_at=claimed.started_at, now=now,
                                      policy=self._policy, rng=self._rng)
            uow.commit()
        return _outcome(stored)


    def _message(self, notification: Notification, address: str) -> OutgoingMessage:
        """The message as stored, or, when it carries sealed variables, rendered again now
        with them (the only moment they exist in clear, in memory)."""
        subject, text, html = notification.subject, notification.text, notification.html
        if notification.sealed_data:
            if self._sealer is None or self._renderer is None:
                raise DeliveryFailed("sealed content and no sealer or renderer to open it",
                                     permanent=True, error_code="sealed_unreadable")
            try:
                secret = json.loads(self._sealer.open(notification.sealed_data))
                rendered = self._renderer.render(
                    notification.template_id, notification.channel, notification.locale,
                    {**notification.data, **secret})
            except (ValueError, CommerceError) as exc:  # a changed key, a broken template
                raise DeliveryFailed(f"sealed content unreadable ({type(exc).__name__})",
                                     permanent=True, error_code="sealed_unreadable") from None
            subject, text, html = rendered.subject, rendered.text, rendered.html
        return OutgoingMessage(notification.id, notification.channel, address, subject, text,
                               html, dict(notification.data))


def _outcome(notification: Notification) -> str:
    """What an attempt left: sent, waiting for its retry, or failed."""
    if notification.status is Status.SENT:
        return "sent"
    return "retrying" if notification.status is Status.PENDING else "failed"


class RetryNotificationHandler:
    def __init__(self, uow: UnitOfWorkFactory[NotificationUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: RetryNotification) -> Notification:
        with self._uow() as uow:
            notification = uow.notifications.get(cmd.notification_id)
            notification.retry(self._clock.now())
            uow.commit()
        return notification


class RecordDeliveryStatusHandler:
    """Unknown message ids are ignored (a callback for a message of another system, or one
    replayed long after): providers retry callbacks that are not acknowledged."""

    def __init__(self, uow: UnitOfWorkFactory[NotificationUnitOfWork], clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    def __call__(self, cmd: RecordDeliveryStatus) -> Notification | None:
        with self._uow() as uow:
            notification = uow.notifications.by_provider_message(cmd.provider,
                                                                 cmd.provider_message_id)
            if notification is None:
                return None
            if notification.record_callback(cmd.status, now=self._clock.now()):
                uow.commit()
        return notification


class UpdatePreferencesHandler:
    def __init__(self, uow: UnitOfWorkFactory[NotificationUnitOfWork]) -> None:
        self._uow = uow

    def __call__(self, cmd: UpdatePreferences) -> Preferences:
        with self._uow() as uow:
            stored = uow.notification_preferences.find(cmd.recipient_id)
            preferences = stored or Preferences(cmd.recipient_id)
            preferences.update(dict(cmd.changes))
            if stored is None:
                uow.notification_preferences.add(preferences)
            uow.commit()
        return preferences
