"""Rate quotes as shoppers and operators read them."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.address import PostalAddress
from commerce_core.shared.money import Money


@frozen
class RateOption:
    """One issued quote: choose it by `quote_id` before `expires_at`."""

    quote_id: str
    method_code: str
    name: str
    amount: Money
    is_free: bool
    source: str  # rate, live, cached, last_known, fallback
    expires_at: datetime
    carrier: str | None = None
    service: str | None = None
    estimated_days_min: int | None = None
    estimated_days_max: int | None = None
    cheapest: bool = False
    fastest: bool = False
    selected: bool = False


@frozen
class RateQuotes:
    """Every option offered for one cart and address, cheapest first (then fastest);
    `skipped` names the methods that could not be priced (a carrier down without fallback)."""

    cart_id: str
    destination: PostalAddress
    options: tuple[RateOption, ...]
    skipped: tuple[str, ...] = ()
