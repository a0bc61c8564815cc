"""Reading events into facts: each event type analytics knows has the fields it expects (its
own schema: analytics never imports another context's classes), checked before anything is
kept. A payload that misses one or holds the wrong kind of value raises `MalformedEvent`
(fail closed); personal data is minimised on the way in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from attrs import frozen

from commerce_core.analytics.errors import MalformedEvent
from commerce_core.analytics.model import Fact
from commerce_core.analytics.privacy import Pseudonyms, hash_user_agent, mask_ip
from commerce_core.shared.events import EventEnvelope

STR, OPT_STR, MONEY, OPT_MONEY, INT, TIME = "str", "str?", "money", "money?", "int", "time"

Fields = dict[str, Any]
Extract = Callable[[Mapping[str, Any]], Fields]


@frozen
class Reading:
    """How one event type becomes a fact: the fields it must carry, by kind, and which of them
    the fact keeps."""

    fields: Mapping[str, str]
    extract: Extract
    version: int = 1


def _money(payload: Mapping[str, Any], name: str) -> Fields:
    value = payload.get(name)
    if value is None:
        return {}
    return {"amount": value["amount"], "currency": value["currency"]}


def _order(p: Mapping[str, Any]) -> Fields:
    return {"subject_id": p["order_id"], "order_id": p["order_id"]}


def _status(status: str) -> Extract:
    return lambda p: {**_order(p), "status": status}


READINGS: dict[str, Reading] = {
    "order.created": Reading(
        {"order_id": STR, "customer_id": OPT_STR, "status": STR, "total": MONEY},
        lambda p: {**_order(p), "customer_id": p.get("customer_id"), "status": p["status"],
                   **_money(p, "total")}),
    "order.status_changed": Reading(
        {"order_id": STR, "customer_id": OPT_STR, "new_status": STR},
        lambda p: {**_order(p), "customer_id": p.get("customer_id"),
                   "status": p["new_status"]}),
    "order.confirmed": Reading({"order_id": STR, "total": MONEY}, _status("confirmed")),
    "order.paid": Reading({"order_id": STR, "total": MONEY}, _status("paid")),
    "order.cancelled": Reading({"order_id": STR, "reason": STR},
                               lambda p: {**_status("cancelled")(p), "reason": p["reason"]}),
    "payment.captured": Reading(
        {"payment_id": STR, "order_id": STR, "amount": MONEY, "total_captured": OPT_MONEY},
        lambda p: {"subject_id": p["payment_id"], "order_id": p["order_id"],
                   **_money(p, "amount"),
                   # The running total names the capture step: the same step under a second
                   # event id is the same money.
                   "dedupe_key": "capture:{}:{}".format(
                       p["payment_id"], (p.get("total_captured") or p["amount"])["amount"])}),
    "payment.refunded": Reading(
        {"payment_id": STR, "order_id": STR, "amount": MONEY, "refund_id": STR},
        lambda p: {"subject_id": p["payment_id"], "order_id": p["order_id"],
                   **_money(p, "amount"), "dedupe_key": f"refund:{p['refund_id']}"}),
    "shipping.shipment_created": Reading(
        {"shipment_id": STR, "order_id": STR, "carrier": STR, "status": STR},
        lambda p: {"subject_id": p["shipment_id"], "order_id": p["order_id"],
                   "carrier": p["carrier"], "status": p["status"]}),
    "shipping.shipment_status_changed": Reading(
        {"shipment_id": STR, "order_id": STR, "new_status": STR, "reason": STR},
        lambda p: {"subject_id": p["shipment_id"], "order_id": p["order_id"],
                   "status": p["new_status"], "reason": p["reason"] or None}),
    "shipping.shipment_delivered": Reading(
        {"shipment_id": STR, "order_id": STR},
        lambda p: {"subject_id": p["shipment_id"], "order_id": p["order_id"],
                   "status": "delivered"}),
    "shipping.delivery_failed": Reading(
        {"shipment_id": STR, "order_id": STR},
        lambda p: {"subject_id": p["shipment_id"], "order_id": p["order_id"],
                   "status": "delivery_failed"}),
    "fulfillment.status_changed": Reading(
        {"fulfillment_id": STR, "order_id": STR, "new_status": STR},
        lambda p: {"subject_id": p["fulfillment_id"], "order_id": p["order_id"],
                   "status": p["new_status"]}),
    "fulfillment.sla_breached": Reading(
        {"fulfillment_id": STR, "order_id": STR, "status": STR},
        lambda p: {"subject_id": p["fulfillment_id"], "order_id": p["order_id"],
                   "status": p["status"]}),
    "returns.return_requested": Reading(
        {"return_id": STR, "order_id": STR, "customer_id": OPT_STR, "reason": STR},
        lambda p: {"subject_id": p["return_id"], "order_id": p["order_id"],
                   "customer_id": p.get("customer_id"), "status": "requested",
                   "reason": p["reason"]}),
    "returns.return_approved": Reading(
        {"return_id": STR, "order_id": STR},
        lambda p: {"subject_id": p["return_id"], "order_id": p["order_id"],
                   "status": "approved"}),
    "returns.return_rejected": Reading(
        {"return_id": STR, "order_id": STR},
        lambda p: {"subject_id": p["return_id"], "order_id": p["order_id"],
                   "status": "rejected"}),
    "returns.return_completed": Reading(
        {"return_id": STR, "order_id": STR, "refund_amount": MONEY},
        lambda p: {"subject_id": p["return_id"], "order_id": p["order_id"],
                   "status": "completed", **_money(p, "refund_amount")}),
    "cart.created": Reading(
        {"cart_id": STR, "customer_id": OPT_STR},
        lambda p: {"subject_id": p["cart_id"], "session_key": p["cart_id"],
                   "customer_id": p.get("customer_id")}),
    "cart.item_added": Reading(
        {"cart_id": STR, "product_id": STR, "quantity": INT},
        lambda p: {"subject_id": p["cart_id"], "session_key": p["cart_id"],
                   "product_id": p["product_id"], "quantity": p["quantity"]}),
    "cart.checkout_started": Reading(
        {"cart_id": STR},
        lambda p: {"subject_id": p["cart_id"], "session_key": p["cart_id"]}),
    "cart.converted": Reading(
        {"cart_id": STR, "order_id": STR, "customer_id": OPT_STR, "cart_total": MONEY},
        lambda p: {"subject_id": p["cart_id"], "session_key": p["cart_id"],
                   "order_id": p["order_id"], "customer_id": p.get("customer_id"),
                   **_money(p, "cart_total")}),
    "customer.created": Reading(
        {"customer_id": STR},
        lambda p: {"subject_id": "", "customer_id": p["customer_id"],
                   "reason": p.get("registration_source") or None}),
}

# Present in some sources (a storefront's page events); kept only in minimised form.
_CLIENT_FIELDS = {"ip": mask_ip, "client_ip": mask_ip}


def known_types() -> list[str]:
    return sorted(READINGS)


def _kind_error(kind: str, value: Any) -> str | None:
    if kind in (OPT_STR, OPT_MONEY) and value is None:
        return None
    if kind in (STR, OPT_STR):
        return None if isinstance(value, str) else "a string"
    if kind == INT:
        return None if isinstance(value, int) and not isinstance(value, bool) else "an integer"
    if kind == TIME:
        try:
            at = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            at = None
        return None if at is not None and at.tzinfo is not None else "a time with its zone"
    if kind in (MONEY, OPT_MONEY):
        ok = (isinstance(value, Mapping) and isinstance(value.get("amount"), int)
              and not isinstance(value.get("amount"), bool)
              and isinstance(value.get("currency"), str) and len(value["currency"]) == 3
              and value["currency"].isalpha() and value["currency"].isupper())
        return None if ok else "an amount (integer minor units and an ISO 4217 currency)"
    raise AssertionError(f"unknown field kind {kind}")


def check(envelope: EventEnvelope) -> Reading:
    """The reading of this event, once its payload has every field it needs, of its kind."""
    reading = READINGS.get(envelope.type)
    if reading is None:
        raise MalformedEvent(f"analytics does not read {envelope.type} events",
                             event_type=envelope.type)
    if envelope.version != reading.version:
        raise MalformedEvent(f"{envelope.type} version {envelope.version} is not understood "
                             f"(analytics reads version {reading.version})",
                             event_type=envelope.type, version=envelope.version)
    if envelope.occurred_at.tzinfo is None:
        raise MalformedEvent(f"{envelope.type} {envelope.id} has no timezone on occurred_at",
                             event_type=envelope.type)
    payload = envelope.payload
    if not isinstance(payload, Mapping):
        raise MalformedEvent(f"{envelope.type} {envelope.id} has no payload object",
                             event_type=envelope.type)
    problems = []
    for name, kind in reading.fields.items():
        if name not in payload:
            if kind not in (OPT_STR, OPT_MONEY):
                problems.append(f"{name} is missing")
            continue
        wanted = _kind_error(kind, payload[name])
        if wanted is not None:
            problems.append(f"{name} must be {wanted}")
    for name in _CLIENT_FIELDS.keys() | {"user_agent"}:
        if name in payload and not isinstance(payload[name], str):
            problems.append(f"{name} must be a string")
    if problems:
        raise MalformedEvent(f"{envelope.type} {envelope.id}: " + "; ".join(problems),
                             event_type=envelope.type, problems=problems)
    return reading


def to_fact(envelope: EventEnvelope, pseudonyms: Pseudonyms, recorded_at: datetime) -> Fact:
    """The fact an event becomes, or `MalformedEvent`."""
    reading = check(envelope)
    payload = envelope.payload
    fields = reading.extract(payload)
    customer_id = fields.pop("customer_id", None)
    ip = next((mask_ip(payload[n]) for n in _CLIENT_FIELDS if n in payload), None)
    agent = payload.get("user_agent")
    return Fact(
        event_id=envelope.id, event_type=envelope.type, occurred_at=envelope.occurred_at,
        recorded_at=recorded_at, dedupe_key=fields.pop("dedupe_key", f"event:{envelope.id}"),
        customer_key=pseudonyms.of(customer_id), client_ip=ip or None,
        user_agent_hash=hash_user_agent(agent) if agent else None, **fields)
