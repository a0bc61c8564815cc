"""Stored value an order is paid with (gift cards, store credit, loyalty points), beside the
card payment for the rest: each tender names the ledger account it holds value on, and what
of it went back with refunds.

A tender is held in the checkout's first transaction, captured when the order is confirmed
and released by the checkout's compensation; a return or a cancellation restores it, in the
refund order (ADR 0028): points, then gift cards, then store credit, then the card."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime

from attrs import define, field, frozen

from commerce_core.payment.errors import TenderRefused
from commerce_core.shared.events import DomainEvent
from commerce_core.shared.money import Money


class TenderKind(enum.StrEnum):
    POINTS = "points"
    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"


# Stored value goes back before card money, the most restricted value first.
REFUND_ORDER = (TenderKind.POINTS, TenderKind.GIFT_CARD, TenderKind.STORE_CREDIT)


class TenderStatus(enum.StrEnum):
    HELD = "held"
    CAPTURED = "captured"
    RELEASED = "released"


@frozen
class TenderPolicy:
    """The shop's rules for paying with stored value. `point_value`: minor units of the
    order's currency one point is worth (spec loyalty, ambiguity 7); points pay at least
    `min_points` and at most `max_points_share` percent of the order (A2.9). Points given back
    by a refund expire after `restored_points_days`; store credit after `store_credit_days`."""

    point_value: int = 1
    min_points: int = 100
    max_points_share: int = 50
    store_credit_days: int = 365
    restored_points_days: int = 730


@frozen
class TenderRefund:
    """What one refund (a return, or the order's cancellation) gave back of a tender."""

    source_id: str
    units: int
    value: int


@define(eq=False)
class Tender:
    """`units` held on `account_id` (points, or minor units of a card or credit), worth
    `value` minor units of `currency` toward the order."""

    id: str
    order_id: str
    checkout_id: str
    kind: TenderKind
    account_id: str
    units: int
    value: int
    currency: str
    status: TenderStatus
    created_at: datetime
    updated_at: datetime
    refunds: list[TenderRefund] = field(factory=list)
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @property
    def hold_reference(self) -> str:
        return self.checkout_id

    @property
    def money(self) -> Money:
        return Money(self.value, self.currency)

    @property
    def refunded_units(self) -> int:
        return sum(r.units for r in self.refunds)

    @property
    def refunded_value(self) -> int:
        return sum(r.value for r in self.refunds)

    def refund_of(self, source_id: str) -> TenderRefund | None:
        return next((r for r in self.refunds if r.source_id == source_id), None)

    def captured(self, *, now: datetime) -> None:
        if self.status is TenderStatus.HELD:
            self.status, self.updated_at = TenderStatus.CAPTURED, now

    def released(self, *, now: datetime) -> None:
        if self.status is TenderStatus.HELD:
            self.status, self.updated_at = TenderStatus.RELEASED, now

    def share(self, wanted: int) -> TenderRefund:
        """At most `wanted` minor units of what is left of this tender, in whole units: the
        units of a points tender are worth `value / units` each, so a share that is not a
        whole number of points leaves the rest to the next source."""
        left_value = self.value - self.refunded_value
        left_units = self.units - self.refunded_units
        if wanted >= left_value:
            return TenderRefund("", left_units, left_value)
        per_unit = self.value // self.units
        units = wanted // per_unit
        return TenderRefund("", units, units * per_unit)

    def refunded(self, source_id: str, units: int, value: int, *, now: datetime) -> None:
        if self.refund_of(source_id) is None and (units or value):
            self.refunds.append(TenderRefund(source_id, units, value))
            self.updated_at = now


def check_points(points: int, order_total: Money, policy: TenderPolicy) -> int:
    """The points rules at checkout: at least `min_points`, worth at most the share of the
    order; returns their value in minor units."""
    if points < policy.min_points:
        raise TenderRefused(f"at least {policy.min_points} points are needed to pay with "
                            f"points, not {points}", minimum=policy.min_points,
                            requested=points)
    value = points * policy.point_value
    ceiling = order_total.amount * policy.max_points_share // 100
    if value > ceiling:
        raise TenderRefused(
            f"points may pay at most {policy.max_points_share}% of the order "
            f"({ceiling} {order_total.currency}); {points} points are worth {value}",
            maximum_value=ceiling, requested_value=value)
    return value


def in_refund_order(tenders: Sequence[Tender]) -> list[Tender]:
    return sorted(tenders, key=lambda t: (REFUND_ORDER.index(t.kind), t.created_at, t.id))
