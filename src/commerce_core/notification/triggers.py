"""The business events that notify the order's customer (spec §5 trigger matrix, for the
events the shop publishes today). The recipient is always the order's customer, read from the
order in the reaction's transaction, never the staff member who caused the event. Each channel
of an event is one notification, its correlation id derived from the event id, so an event
delivered again creates nothing new (the inbox stops it first, the unique correlation id
second).

"Order shipped" is one message per order and channel, whatever announces it: its correlation id
is derived from the order, not the event. When the order has shipments, the carrier's pickup
(`shipping.shipment_status_changed` to `picked_up`) is the truth and the warehouse's hand-over
(`fulfillment.status_changed` to `shipped`) sends nothing; an order no carrier ships (no
shipment) is announced at the hand-over. Should both arrive anyway (the hand-over handled
before its shipment was drafted), the second finds the first's correlation id and adds
nothing."""

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

DataOf = Callable[[dict[str, Any], NotificationUnitOfWork], dict[str, str]]


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
    the recipient an address on (push and SMS need a device token or a phone number).
    `subject` names what the messages are about (by default the event itself: one message
    per event and channel); `applies` may decline an event in the reaction's transaction."""

    def __init__(self, event_type: str, template_id: str, channels: tuple[Channel, ...],
                 data: DataOf, enqueuer: Enqueuer, directory: CustomerDirectory,
                 wants: Callable[[dict[str, Any]], bool] = lambda payload: True,
                 *, subject: Callable[[EventEnvelope], str] = lambda envelope: envelope.id,
                 applies: Callable[[dict[str, Any], NotificationUnitOfWork], bool]
                 = lambda payload, uow: True) -> None:
        self.name = f"notification.{template_id}_on_{event_type.replace('.', '_')}"
        self.event_type = event_type
        self._template, self._channels, self._data = template_id, channels, data
        self._enqueuer, self._directory, self._wants = enqueuer, directory, wants
        self._subject, self._applies = subject, applies

    def wants(self, envelope: EventEnvelope) -> bool:
        return self._wants(envelope.payload)

    def __call__(self, envelope: EventEnvelope, uow: NotificationUnitOfWork) -> None:
        payload = envelope.payload
        if not self._wants(payload) or not self._applies(payload, uow):
            return
        recipient = recipient_for_order(uow, self._directory, str(payload["order_id"]))
        data = self._data(payload, uow)
        subject = self._subject(envelope)
        for channel in self._channels:
            if channel not in self._enqueuer.channels or not recipient.address(channel):
                continue
            self._enqueuer.enqueue(uow, Request(
                f"{subject}:{channel.value}:{self._template}", recipient, channel,
                Category.TRANSACTIONAL, self._template, data,
                source_event_id=envelope.id, source_event_type=envelope.type,
            ))


def _order_number(payload: dict[str, Any], uow: NotificationUnitOfWork) -> str:
    if payload.get("order_number"):
        return str(payload["order_number"])
    return str(uow.orders.get(str(payload["order_id"])).number)


def _tracking(tracking_number: str | None) -> dict[str, str]:
    """The carrier's tracking number and the shop's public page for it (anyone holding the
    number may read it: no names, addresses or amounts); both empty when there is none."""
    tn = tracking_number or ""
    return {"tracking_number": tn, "tracking_path": f"/track/{tn}" if tn else ""}


def _shipment_tracking(payload: dict[str, Any], uow: NotificationUnitOfWork) -> dict[str, str]:
    if payload.get("tracking_number"):
        return _tracking(str(payload["tracking_number"]))
    return _tracking(uow.shipments.get(str(payload["shipment_id"])).tracking_number)


def _order(payload: dict[str, Any], uow: NotificationUnitOfWork) -> dict[str, str]:
    return {"order_number": _order_number(payload, uow), "total": _money(payload["total"])}


def _payment(payload: dict[str, Any], uow: NotificationUnitOfWork) -> dict[str, str]:
    return {"order_id": str(payload["order_id"]), "amount": _money(payload["amount"])}


def _handed_over(payload: dict[str, Any], uow: NotificationUnitOfWork) -> dict[str, str]:
    return {"order_number": _order_number(payload, uow), **_tracking(None)}


def _shipment(payload: dict[str, Any], uow: NotificationUnitOfWork) -> dict[str, str]:
    return {"order_number": _order_number(payload, uow), **_shipment_tracking(payload, uow)}


def _delivery_failed(payload: dict[str, Any], uow: NotificationUnitOfWork) -> dict[str, str]:
    # The carrier's reason is its own wording and may name people or places: not repeated.
    return {**_shipment(payload, uow), "attempt": str(payload["attempt"])}


def _return_approved(payload: dict[str, Any], uow: NotificationUnitOfWork) -> dict[str, str]:
    return {"order_number": _order_number(payload, uow),
            "label_url": str(payload.get("label_url") or ""),
            **_tracking(payload.get("tracking_number"))}


def _return_rejected(payload: dict[str, Any], uow: NotificationUnitOfWork) -> dict[str, str]:
    return {"order_number": _order_number(payload, uow), "reason": str(payload["reason"])}


def _order_shipped_once(envelope: EventEnvelope) -> str:
    return f"order:{envelope.payload['order_id']}:shipped"


def _no_carrier_shipment(payload: dict[str, Any], uow: NotificationUnitOfWork) -> bool:
    return all(s.status.value == "cancelled"
               for s in uow.shipments.for_order(str(payload["order_id"])))


def _status(*statuses: str) -> Callable[[dict[str, Any]], bool]:
    return lambda payload: payload.get("new_status") in statuses


E, S, P = Channel.EMAIL, Channel.SMS, Channel.PUSH


def triggers(enqueuer: Enqueuer, directory: CustomerDirectory) -> list[Subscriber]:
    made = [
        Trigger("order.confirmed", "order_confirmed", (E, P), _order, enqueuer, directory),
        Trigger("payment.captured", "payment_captured", (E,), _payment, enqueuer, directory),
        Trigger("fulfillment.status_changed", "order_shipped", (E, S, P), _handed_over,
                enqueuer, directory, _status("shipped"), subject=_order_shipped_once,
                applies=_no_carrier_shipment),
        Trigger("shipping.shipment_status_changed", "order_shipped", (E, S, P), _shipment,
                enqueuer, directory, _status("picked_up"), subject=_order_shipped_once),
        Trigger("shipping.shipment_status_changed", "out_for_delivery", (P, S), _shipment,
                enqueuer, directory, _status("out_for_delivery")),
        Trigger("shipping.shipment_delivered", "order_delivered", (P, E), _shipment,
                enqueuer, directory),
        Trigger("shipping.delivery_failed", "delivery_failed", (S, P), _delivery_failed,
                enqueuer, directory),
        Trigger("payment.refunded", "refund_processed", (E, P), _payment, enqueuer,
                directory),
        Trigger("returns.return_approved", "return_approved", (E, P), _return_approved,
                enqueuer, directory),
        Trigger("returns.return_rejected", "return_rejected", (E,), _return_rejected,
                enqueuer, directory),
    ]
    return [Subscriber.of(t) for t in made]
