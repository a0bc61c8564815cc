"""An address in the customer's book, the hierarchy's names for its ward, and the checks of
what a shopper writes."""

from __future__ import annotations

import re
from datetime import datetime

from attrs import frozen

from commerce_core.customer.commands import AddressFields
from commerce_core.customer.errors import InvalidAddress, InvalidCustomer

ADDRESS_KINDS = ("shipping", "billing")
ADDRESS_LABELS = ("home", "office", "other")


def normalise_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    cleaned = value.strip().replace(" ", "")
    if not re.fullmatch(r"\+?[0-9]{8,15}", cleaned):
        raise InvalidCustomer(f"{value!r} is not a phone number", field="phone")
    return cleaned


@frozen
class Address:
    """A postal address; `location_id` is its ward, and `ward`, `district` and `province` are
    the names the location hierarchy gave at the time (kept so an order printed later reads the
    same). `district` is None in a two-level hierarchy (Vietnam since 2025)."""

    id: str
    kind: str
    label: str
    first_name: str
    last_name: str
    phone: str
    line1: str
    line2: str | None
    location_id: str
    ward: str
    district: str | None
    province: str
    country_code: str
    postal_code: str | None
    company: str | None
    is_default: bool
    is_verified: bool
    created_at: datetime

    def formatted(self, country_name: str | None = None) -> str:
        """Vietnamese order: street, ward, district, province, country."""
        parts = [self.line1, self.line2, self.ward, self.district, self.province,
                 country_name or self.country_code]
        return ", ".join(p for p in parts if p)


def check_address(data: AddressFields) -> AddressFields:
    """The address trimmed, or `InvalidAddress` naming the first field that is wrong."""

    def req(value: str, name: str) -> str:
        cleaned = value.strip()
        if not cleaned or len(cleaned) > 200:
            raise InvalidAddress(f"{name} is required (at most 200 characters)", field=name)
        return cleaned

    try:
        phone = normalise_phone(data.phone)
    except InvalidCustomer as error:
        raise InvalidAddress(error.message, field="phone") from None
    if phone is None:
        raise InvalidAddress("phone is required", field="phone")
    if data.kind not in ADDRESS_KINDS or data.label not in ADDRESS_LABELS:
        raise InvalidAddress(f"kind is one of {', '.join(ADDRESS_KINDS)}, label one of "
                             f"{', '.join(ADDRESS_LABELS)}", field="kind")
    return AddressFields(
        req(data.first_name, "first_name"), req(data.last_name, "last_name"), phone,
        req(data.line1, "line1"), req(data.location_id, "location_id"),
        (data.line2 or "").strip() or None, data.kind, data.label,
        (data.postal_code or "").strip() or None, (data.company or "").strip() or None,
    )


@frozen
class Place:
    """The names of an address's ward and its parents, as the hierarchy resolved them."""

    ward: str
    district: str | None
    province: str
    country_code: str
