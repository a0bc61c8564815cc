"""The numbers fulfillment works by (spec B2.4, B2.7-B2.10), and the COD split."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import timedelta

from attrs import field, frozen

from commerce_core.shared.money import Money, total


@frozen
class FulfillmentPolicy:
    """The numbers of spec B2.7-B2.10, as settings an embedder may change."""

    qc_value_threshold: Money = field(factory=lambda: Money(2_000_000, "VND"))
    qc_sample_percent: int = 10
    insurance_threshold: Money = field(factory=lambda: Money(1_000_000, "VND"))
    weight_tolerance_percent: int = 5
    max_package_grams: int = 30_000
    max_package_cm: tuple[int, int, int] = (100, 60, 60)
    sla_standard: timedelta = timedelta(hours=24)
    sla_express: timedelta = timedelta(hours=2)
    sla_bulk: timedelta = timedelta(hours=48)
    bulk_items: int = 10
    auto_complete_after: timedelta = timedelta(days=7)
    picklist_ttl: timedelta = timedelta(hours=24)

    def qc_required(self, fulfillment_id: str, order_value: Money) -> bool:
        """Above the value threshold always; otherwise a fixed sample of fulfillments, chosen
        by their id so the decision is the same every time it is asked."""
        threshold = self.qc_value_threshold
        if order_value.currency == threshold.currency and order_value > threshold:
            return True
        digest = int(hashlib.sha256(fulfillment_id.encode()).hexdigest(), 16)
        return digest % 100 < self.qc_sample_percent

    def insured(self, value: Money) -> bool:
        threshold = self.insurance_threshold
        return value.currency == threshold.currency and value > threshold


def split_cod(amount: Money, weights: Sequence[int]) -> list[Money]:
    """COD to collect per warehouse, pro rata by line value (spec B2.4): each part rounded
    down, the last absorbing the remainder; all-zero weights put everything on the first."""
    whole = sum(weights)
    if whole == 0:
        return [amount] + [Money.zero(amount.currency)] * (len(weights) - 1)
    parts = [Money(amount.amount * w // whole, amount.currency) for w in weights[:-1]]
    return [*parts, amount - total(parts, amount.currency)]
