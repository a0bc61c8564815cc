"""The business events that notify the order's customer (spec §5 trigger matrix, for the
events the shop publishes today). The recipient is always the order's customer, read from the
order in the reaction's transaction, never the staff member who caused the event. Each channel
of an event is one notification, its correlation id derived from the event id, so an event
delivered again creates nothing new (the inbox stops it first, the unique correlation id
second)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commerce_core.notification.handlers import Enqueuer, Request
from commerce_core.notification.model import Category, Channel
from commerce_core.notification.ports import NotificationUnitOfWork, Recipient
from commerce_core.notification.recipients import CustomerDirectory
from commerce_core.shared.bus import Subscriber
from commerce_core.shared.events import EventEnvelope
from commerce_core.shared.money import Money

DataOf = Callable[[dict[str, Any]], dict[str, str]]


def _money(value: Any) -> str:
    return str(Money(int(value["amount"]), str(value["currency"])))


def recipient_for_order(uow: NotificationUnitOfWork, directory: CustomerDirectory,
                        order_id: str) -> Recipient:
    """The order's customer (or, for a guest, its email) with what the directory adds (the
    customer's phone and language, a device token); the email the order was placed with wins
    over the directory's."""
    order = uow.orders.get(order_id)
    recipient_id = order.customer_id or f"email:{(order.email or order.id).lower()}"
    known = directory.within(uow, recipient_id) or Recipient(recipient_id)
    return Recipient(recipient_id, email=order.email or known.email, phone=known.phone,
                     device_token=known.device_token, locale=known.locale)


class Trigger:
    """One event type → one template on some channels: those the shop has a provider for and
    the recipient an address on (push and SMS need a device token or a phone number)."""

    def __init__(self, event_type: str, template_id: str, channels: tuple[Channel, ...],
                 data: DataOf, enqueuer: Enqueuer, directory: CustomerDirectory,
                 wants: Callable[[dict[str, Any]], bool] = lambda payload: True) -> None:
        self.name = f"notification.{template_id}_on_{event_type.replace('.', '_')}"
        self.event_type = event_type
        self._template, self._channels, self._data = template_id, channels, data
        self._enqueuer, self._directory, self._wants = enqueuer, directory, wants

    def wants(self, envelope: EventEnvelope) -> bool:
        return self._wants(envelope.payload)

    def __call__(self, envelope: EventEnvelope, uow: NotificationUnitOfWork) -> None:
        payload = envelope.payload
        recipient = recipient_for_order(uow, self._directory, str(payload["order_id"]))
        data = self._data(payload)
        for channel in self._channels:
            if channel not in self._enqueuer.channels or not recipient.address(channel):
                continue
            self._enqueuer.enqueue(uow, Request(
                f"{envelope.id}:{channel.value}:{self._template}", recipient, channel,
                Category.TRANSACTIONAL, self._template, data,
                source_event_id=envelope.id, source_event_type=envelope.type,
            ))


def _order(payload: dict[str, Any]) -> dict[str, str]:
    return {"order_number": str(payload.get("order_number") or payload["order_id"]),
            "total": _money(payload["total"])}


def _payment(payload: dict[str, Any]) -> dict[str, str]:
    return {"order_id": str(payload["order_id"]), "amount": _money(payload["amount"])}


def _shipment(payload: dict[str, Any]) -> dict[str, str]:
    return {"order_number": str(payload["order_number"]),
            "fulfillment_number": str(payload["fulfillment_number"])}


E, S, P = Channel.EMAIL, Channel.SMS, Channel.PUSH


def triggers(enqueuer: Enqueuer, directory: CustomerDirectory) -> list[Subscriber]:
    made = [
        Trigger("order.confirmed", "order_confirmed", (E, P), _order, enqueuer, directory),
        Trigger("payment.captured", "payment_captured", (E,), _payment, enqueuer, directory),
        Trigger("fulfillment.status_changed", "order_shipped", (E, S, P), _shipment, enqueuer,
                directory, wants=lambda payload: payload.get("new_status") == "shipped"),
        Trigger("payment.refunded", "refund_processed", (E,), _payment, enqueuer, directory),
    ]
    return [Subscriber.of(t) for t in made]
