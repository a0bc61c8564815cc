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

from commerce_core.inventory.errors import InvalidStockChange, ReservationNotActive
from commerce_core.inventory.events import (
    ReservationConfirmed,
    ReservationExpired,
    ReservationReleased,
    StockCommitted,
    StockReserved,
    WarehouseCreated,
)
from commerce_core.shared.events import DomainEvent


@define(eq=False)
class Warehouse:
    id: str
    code: str
    name: str
    is_default: bool
    active: bool
    created_at: datetime
    version: int = 0
    events: list[DomainEvent] = field(factory=list, repr=False)

    @classmethod
    def create(
        cls, *, warehouse_id: str, code: str, name: str, is_default: bool, now: datetime
    ) -> Warehouse:
        code = code.strip().upper()
        if not code:
            raise InvalidStockChange("a warehouse needs a code")
        warehouse = cls(warehouse_id, code, name.strip() or code, is_default, True, now)
        warehouse.events.append(
            WarehouseCreated(warehouse_id, code, warehouse.name, is_default, now)
        )
        return warehouse


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


@frozen
class ReservationPolicy:
    """How long a reservation holds stock before payment, by payment method (spec A2.4)."""

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

    def ttl(self, payment_method: str | None) -> timedelta:
        return self.ttl_by_method.get(payment_method or "", self.default_ttl)


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
    ) -> Reservation:
        """A reservation for stock the caller has just taken from `available`."""
        if quantity < 1:
            raise InvalidStockChange("a reservation holds at least one unit", quantity=quantity)
        reservation = cls(
            reservation_id, sku, warehouse_id, quantity, 0, ReservationStatus.ACTIVE,
            reference, None, expires_at, now, now,
        )
        reservation.events.append(
            StockReserved(reservation_id, sku, warehouse_id, quantity, reference, expires_at, now)
        )
        return reservation

    @property
    def unfulfilled(self) -> int:
        return self.quantity - self.fulfilled

    def confirm(self, order_id: str, *, now: datetime) -> None:
        """An order now owns the stock: it stays reserved with no expiry until fulfilled.

        Only an active reservation that has not run out can be confirmed; confirming it again
        for the same order changes nothing.
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
        self.updated_at = now
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
        self.updated_at = now
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
        self.updated_at = now
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
        if not 1 <= quantity <= self.unfulfilled:
            raise InvalidStockChange(
                f"can fulfil 1 to {self.unfulfilled} units", quantity=quantity,
                unfulfilled=self.unfulfilled,
            )
        self.fulfilled += quantity
        if self.fulfilled == self.quantity:
            self.status = ReservationStatus.FULFILLED
        self.updated_at = now
        self.events.append(
            StockCommitted(self.id, self.sku, self.warehouse_id, quantity, self.order_id, now)
        )
