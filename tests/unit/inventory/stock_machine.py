"""A hypothesis state machine driving random stock operations against a shop, checking after
every step that the counters, the reservations and the ledger agree.

Subclass it with `make_commerce` returning a fresh shop on the adapter under test.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from commerce_core import Commerce, Money, VariantSpec
from commerce_core.inventory.errors import (
    ExtensionRefused,
    InsufficientStock,
    InvalidStockChange,
    InvalidTransferStep,
    MoreThanReserved,
    ReservationNotActive,
    StockBelowReserved,
)
from commerce_core.inventory.model import LIVE
from tests.shop import clock_of

SKUS = ("TEA-A", "TEA-B")
CODES = ("W1", "W2")
# Refusals the rules expect; anything else is a bug.
EXPECTED = (InsufficientStock, ReservationNotActive, InvalidStockChange, StockBelowReserved,
            ExtensionRefused, InvalidTransferStep, MoreThanReserved)


def tolerate(action: Callable[..., object], *args: object) -> None:
    with contextlib.suppress(*EXPECTED):
        action(*args)


class StockMachine(RuleBasedStateMachine):
    reservations = Bundle("reservations")
    transfers = Bundle("transfers")

    def make_commerce(self) -> Commerce:
        raise NotImplementedError

    def __init__(self) -> None:
        super().__init__()
        self.commerce = self.make_commerce()
        inventory = self.commerce.inventory
        for code in CODES:
            inventory.create_warehouse(code)
        for n, sku in enumerate(SKUS):
            self.commerce.catalog.create_product(
                sku.title(), sku.lower(), [VariantSpec(sku, Money(10_000 + n, "VND"))],
                publish=True)
        inventory.set_stock("TEA-A", "W1", 5)
        inventory.set_stock("TEA-A", "W2", 3)
        inventory.set_stock("TEA-B", "W1", 4)
        self.references = 0

    # -- reservations ---------------------------------------------------------------------------
    @rule(target=reservations, sku=st.sampled_from(SKUS), quantity=st.integers(1, 7),
          method=st.sampled_from(["card", "e_wallet", "cod"]))
    def reserve(self, sku: str, quantity: int, method: str) -> list[str]:
        self.references += 1
        try:
            (ids,) = self.commerce.inventory.reserve(f"ref-{self.references}",
                                                     [(sku, quantity)], payment_method=method)
        except InsufficientStock:
            return []
        return ids

    @rule(held=reservations)
    def confirm(self, held: list[str]) -> None:
        for reservation_id in held:
            tolerate(self.commerce.inventory.confirm, reservation_id, "order-x")

    @rule(held=reservations, quantity=st.integers(1, 4))
    def fulfil(self, held: list[str], quantity: int) -> None:
        for reservation_id in held:
            tolerate(self.commerce.inventory.fulfil, reservation_id, quantity)

    @rule(held=consumes(reservations))
    def release(self, held: list[str]) -> None:
        for reservation_id in held:
            tolerate(self.commerce.inventory.release, reservation_id)

    @rule(held=reservations, minutes=st.integers(1, 90))
    def extend(self, held: list[str], minutes: int) -> None:
        now = clock_of(self.commerce).now()
        for reservation_id in held:
            tolerate(self.commerce.inventory.extend, reservation_id,
                     now + timedelta(minutes=minutes))

    @rule(minutes=st.integers(0, 40))
    def time_passes_and_reservations_expire(self, minutes: int) -> None:
        clock_of(self.commerce).advance(timedelta(minutes=minutes))
        self.commerce.inventory.expire_reservations()

    # -- on hand --------------------------------------------------------------------------------
    @rule(sku=st.sampled_from(SKUS), code=st.sampled_from(CODES),
          change=st.integers(-6, 6).filter(bool))
    def adjust(self, sku: str, code: str, change: int) -> None:
        inventory = self.commerce.inventory
        try:
            adjustment = inventory.request_adjustment(sku, code, change)
        except EXPECTED:
            return
        tolerate(lambda: inventory.approve_adjustment(adjustment))
        tolerate(lambda: inventory.approve_adjustment(adjustment))

    @rule(sku=st.sampled_from(SKUS), code=st.sampled_from(CODES), quantity=st.integers(1, 5),
          batch=st.sampled_from([None, "LOT-1", "LOT-2"]))
    def receive(self, sku: str, code: str, quantity: int, batch: str | None) -> None:
        expiry = clock_of(self.commerce).now().date() + timedelta(days=30)
        self.commerce.inventory.receive(sku, code, quantity, batch_number=batch,
                                        expiry_date=expiry if batch else None)

    @rule(sku=st.sampled_from(SKUS), code=st.sampled_from(CODES), quantity=st.integers(1, 3))
    def damage(self, sku: str, code: str, quantity: int) -> None:
        tolerate(lambda: self.commerce.inventory.damage(sku, code, quantity))

    # -- transfers ------------------------------------------------------------------------------
    @rule(target=transfers, sku=st.sampled_from(SKUS), quantity=st.integers(1, 4),
          direction=st.booleans())
    def request_transfer(self, sku: str, quantity: int, direction: bool) -> str:
        source, target = CODES if direction else tuple(reversed(CODES))
        try:
            return self.commerce.inventory.request_transfer(sku, source, target, quantity)
        except InsufficientStock:
            return ""

    @rule(transfer=transfers, step=st.sampled_from(["ship", "receive", "cancel"]))
    def move_transfer(self, transfer: str, step: str) -> None:
        if transfer:
            tolerate(lambda: getattr(self.commerce.inventory, f"{step}_transfer")(transfer))

    # -- invariants -----------------------------------------------------------------------------
    @invariant()
    def counters_stay_within_bounds(self) -> None:
        for level in self.commerce.inventory.levels():
            assert 0 <= level.reserved <= level.on_hand, level
            assert level.available >= 0, level

    @invariant()
    def the_ledger_sums_to_the_counters(self) -> None:
        drift = [b for b in self.commerce.inventory.audit() if b.drift]
        assert drift == [], drift

    @invariant()
    def reserved_is_what_live_reservations_hold(self) -> None:
        held: Counter[tuple[str, str]] = Counter()
        for reservation in self.commerce.inventory.reservations(limit=100_000):
            if reservation.status in LIVE:
                held[(reservation.sku, reservation.warehouse_id)] += reservation.unfulfilled
        for level in self.commerce.inventory.levels():
            assert level.reserved == held[(level.sku, level.warehouse_id)], level

    def teardown(self) -> None:
        try:
            assert self.commerce.inventory.reconcile() == [], "reconciliation found drift"
        finally:
            self.close()

    def close(self) -> None:
        """Release what the adapter holds (engines and pools)."""
