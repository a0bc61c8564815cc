"""Tax rule administration commands."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Final

from attrs import frozen

# A tax type as given (case-insensitive; kept upper-case): VAT, GST, IMPORT_DUTY. Entry points
# state it in their schemas; every such name is one the core accepts.
TAX_TYPE_FORMAT: Final = r"^[A-Za-z][A-Za-z0-9_]{0,31}$"


@frozen
class CreateTaxRule:
    name: str
    country_code: str
    tax_type: str
    rate: Decimal  # percent, up to 4 decimals
    region: str | None = None
    postcode: str | None = None
    tax_classes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    customer_group_id: str | None = None
    is_compound: bool = False
    is_inclusive: bool = False
    applies_to_shipping: bool = False
    priority: int = 0
    effective_from: datetime | None = None
    effective_to: datetime | None = None


@frozen
class ChangeTaxRate:
    rule_id: str
    rate: Decimal


@frozen
class DeactivateTaxRule:
    rule_id: str
