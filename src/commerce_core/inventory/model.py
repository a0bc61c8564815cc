"""Warehouses, stock levels and reservations.

Stock counters (on hand, reserved) per (SKU, warehouse) are never loaded, changed and saved:
every change is one conditional update in the `StockLevels` port, so two buyers can never both
take the last unit. A `Reservation` is an aggregate whose state machine (spec A3) decides when the
counters move; its optimistic version makes each transition happen once even when a release races
with expiry.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from attrs import define, field, frozen

from commerce_core.inventory.errors import (
    ExtensionRefused,
    InvalidStockChange,
    MoreThanReserved,
    ReservationNotActive,
)
from commerce_core.inventory.events import (
    ReservationConfirmed,
    ReservationExpired,
    ReservationExtended,
    ReservationLeaked,
    ReservationReleased,
    StockCommitted,
    StockReserved,
)
from commerce_core.inventory.warehouses import Distributor, Warehouse
from commerce_core.shared.events import DomainEvent

__all__ = [
    "LIVE",
    "Distributor",
    "Reservation",
    "ReservationPolicy",
    "ReservationStatus",
    "StockLevel",
    "Warehouse",
]


@frozen
class StockLevel:
    sku: str
    warehouse_id: str
    on_hand: int
    reserved: int

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class ReservationStatus(StrEnum):
    ACTIVE = "active"
    CONFIRMED = "confirmed"
    FULFILLED = "fulfilled"
    RELEASED = "released"
    EXPIRED = "expired"


LIVE = frozenset({ReservationStatus.ACTIVE, ReservationStatus.CONFIRMED})


# Names the spec and gateways use for the same payment method (spec A2.4 lists both spellings).
METHOD_ALIASES = {
    "cash_on_delivery": "cod",
    "credit_card": "card",
    "ewallet": "e_wallet",
}


@frozen
class ReservationPolicy:
    """How long a reservation holds stock before payment, by payment method (spec A2.4), and
    how far it may be extended: to at most `max_extension_factor` x its TTL from creation."""

    ttl_by_method: dict[str, timedelta] = field(
        factory=lambda: {
            "cod": timedelta(hours=24),
            "bank_transfer": timedelta(hours=4),
            "card": timedelta(minutes=30),
            "e_wallet": timedelta(minutes=15),
            "installment": timedelta(hours=2),
        }
    )
    default_ttl: timedelta = timedelta(minutes=30)
    max_extension_factor: int = 2

    def ttl(self, payment_method: str | None) -> timedelta:
        method = (payment_method or "").strip().lower()
        return self.ttl_by_method.get(METHOD_ALIASES.get(method, method), self.default_ttl)


@define(eq=False)
class Reservation:
    id: str
    sku: str
    warehouse_id: str
    quantity: int
    fulfilled: int
    status: ReservationStatus
    reference: str
    order_id: str | None
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)
    ttl: timedelta | None = None  # as first granted; None on rows older than the ledger
    payment_method: str | None = None
    customer_id: str | None = None
    reference_type: str = "checkout"  # checkout, order, transfer, return
    confirmed_at: datetime | None = None
    fulfilled_at: datetime | None = None
    released_at: datetime | None = None
    release_reason: str | None = None
    leak_reported_at: datetime | None = None

    @classmethod
    def hold(
        cls,
        *,
        reservation_id: str,
        sku: str,
        warehouse_id: str,
        quantity: int,
        reference: str,
        expires_at: datetime,
        now: datetime,
        reference_type: str = "checkout",
        payment_method: str | None = None,
        customer_id: str | None = None,
    ) -> Reservation:
        """A reservation for stock the caller has just taken from `available`."""
        if quantity < 1:
            raise InvalidStockChange("a reservation holds at least one unit", quantity=quantity)
        if expires_at <= now:
            raise InvalidStockChange("a reservation must expire in the future",
                                     expires_at=expires_at.isoformat())
        reservation = cls(
            reservation_id, sku, warehouse_id, quantity, 0, ReservationStatus.ACTIVE,
            reference, None, expires_at, now, now, ttl=expires_at - now,
            payment_method=payment_method, customer_id=customer_id,
            reference_type=reference_type,
        )
        reservation.events.append(
            StockReserved(reservation_id, sku, warehouse_id, quantity, reference, expires_at, now,
                          payment_method, customer_id)
        )
        return reservation

    @property
    def unfulfilled(self) -> int:
        return self.quantity - self.fulfilled

    @property
    def original_ttl(self) -> timedelta:
        return self.ttl if self.ttl is not None else self.expires_at - self.created_at

    def extend(self, expires_at: datetime, *, now: datetime, factor: int = 2) -> None:
        """Hold the stock longer. Only an active reservation that has not run out, only to a
        later time in the future, and never past `factor` x its TTL counted from creation
        (spec A2.5; ambiguity 7 read as a cap on the total lifetime)."""
        if self.status is not ReservationStatus.ACTIVE or self.expires_at <= now:
            raise ReservationNotActive(
                f"reservation {self.id} is {self.status} and cannot be extended",
                reservation_id=self.id, status=self.status.value,
            )
        if expires_at == self.expires_at:
            return
        limit = self.created_at + self.original_ttl * factor
        if expires_at <= now or expires_at < self.expires_at:
            raise ExtensionRefused(
                "an extension moves the expiry later, into the future",
                reservation_id=self.id, expires_at=self.expires_at.isoformat(),
            )
        if expires_at > limit:
            raise ExtensionRefused(
                f"a reservation lives at most {factor}x its time to live; "
                f"it can be extended to {limit.isoformat()} at the latest",
                reservation_id=self.id, latest=limit.isoformat(),
            )
        previous, self.expires_at, self.updated_at = self.expires_at, expires_at, now
        self.events.append(
            ReservationExtended(self.id, self.sku, self.warehouse_id, previous, expires_at, now)
        )

    def report_leak(self, *, now: datetime) -> bool:
        """Flag an active reservation older than 24 h, once; returns whether it was flagged."""
        if self.status is not ReservationStatus.ACTIVE or self.leak_reported_at is not None:
            return False
        self.leak_reported_at = now
        self.events.append(
            ReservationLeaked(self.id, self.sku, self.warehouse_id, self.quantity,
                              self.reference, self.created_at, now)
        )
        return True

    def confirm(self, order_id: str | None, *, now: datetime) -> None:
        """An owner now has the stock: it stays reserved with no expiry until fulfilled. The
        owner is an order, or None for a reservation a transfer holds.

        Only an active reservation that has not run out can be confirmed; confirming it again
        for the same owner changes nothing.
        """
        if self.status is ReservationStatus.CONFIRMED and self.order_id == order_id:
            return
        if self.status is not ReservationStatus.ACTIVE or self.expires_at <= now:
            raise ReservationNotActive(
                f"reservation {self.id} is {self.status} and cannot be confirmed",
                reservation_id=self.id, status=self.status.value,
            )
        self.status = ReservationStatus.CONFIRMED
        self.order_id = order_id
        self.updated_at = self.confirmed_at = now
        self.events.append(
            ReservationConfirmed(self.id, self.sku, self.warehouse_id, self.quantity, order_id, now)
        )

    def release(self, reason: str, *, now: datetime) -> int:
        """Give back the unfulfilled units; returns how many the counters must release.

        Releasing a released or expired reservation is a no-op returning 0 (spec ambiguity 4:
        idempotent success); a fully fulfilled one cannot be released.
        """
        if self.status in (ReservationStatus.RELEASED, ReservationStatus.EXPIRED):
            return 0
        if self.status is ReservationStatus.FULFILLED:
            raise ReservationNotActive(
                f"reservation {self.id} is fulfilled; return the goods instead",
                reservation_id=self.id, status=self.status.value,
            )
        units = self.unfulfilled
        self.status = ReservationStatus.RELEASED
        self.updated_at = self.released_at = now
        self.release_reason = reason
        self.events.append(
            ReservationReleased(self.id, self.sku, self.warehouse_id, units, reason,
                                self.reference, self.order_id, now)
        )
        return units

    def expire(self, *, now: datetime) -> int:
        """Time ran out before an order confirmed it; returns the units to release (0: not due)."""
        if self.status is not ReservationStatus.ACTIVE or self.expires_at > now:
            return 0
        self.status = ReservationStatus.EXPIRED
        self.updated_at = self.released_at = now
        self.events.append(
            ReservationExpired(self.id, self.sku, self.warehouse_id, self.quantity,
                               self.reference, self.order_id, self.expires_at, now)
        )
        return self.quantity

    def fulfil(self, quantity: int, *, now: datetime) -> None:
        """Units leave the warehouse for the order that confirmed this reservation."""
        if self.status is not ReservationStatus.CONFIRMED:
            raise ReservationNotActive(
                f"reservation {self.id} is {self.status}; only confirmed stock can be fulfilled",
                reservation_id=self.id, status=self.status.value,
            )
        if quantity < 1:
            raise InvalidStockChange("fulfil at least one unit", quantity=quantity)
        if quantity > self.unfulfilled:
            raise MoreThanReserved(
                f"can fulfil 1 to {self.unfulfilled} units", quantity=quantity,
                unfulfilled=self.unfulfilled,
            )
        self.fulfilled += quantity
        if self.fulfilled == self.quantity:
            self.status = ReservationStatus.FULFILLED
            self.fulfilled_at = now
        self.updated_at = now
        self.events.append(
            StockCommitted(self.id, self.sku, self.warehouse_id, quantity, self.order_id, now)
        )
