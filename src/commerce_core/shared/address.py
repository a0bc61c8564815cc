"""A postal address as it travels with an order, a shipment or a return.

Names are the ones the location hierarchy gave when the shopper chose them (so a label printed
later reads the same); the codes are what carriers route by (GHN wants a ward code and a district
id). `district` and `district_code` are None in a two-level hierarchy (Vietnam since 2025).
"""

from __future__ import annotations

import re
from typing import Any

from attrs import asdict, field, frozen

from commerce_core.shared.errors import InvalidInput

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PHONE = re.compile(r"^\+?[0-9]{8,15}$")


class InvalidAddress(InvalidInput):
    code = "address.invalid"


def _required(value: str) -> str:
    return value.strip()


def _upper(value: str) -> str:
    return value.strip().upper()


@frozen
class PostalAddress:
    name: str = field(converter=_required)
    phone: str = field(converter=_required)
    line1: str = field(converter=_required)
    province: str = field(converter=_required)
    country_code: str = field(converter=_upper)
    ward: str | None = None
    district: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    company: str | None = None
    email: str | None = None
    ward_code: str | None = None
    district_code: str | None = None
    province_code: str | None = None

    def __attrs_post_init__(self) -> None:
        for name in ("name", "phone", "line1", "province"):
            if not getattr(self, name):
                raise InvalidAddress(f"the address needs a {name}", field=name)
        if not _COUNTRY.match(self.country_code):
            raise InvalidAddress(f"{self.country_code!r} is not an ISO 3166 alpha-2 code",
                                   field="country_code")
        if not _PHONE.match(self.phone.replace(" ", "")):
            raise InvalidAddress(f"{self.phone!r} is not a phone number", field="phone")

    def formatted(self) -> str:
        """Vietnamese order: street, ward, district, province, country."""
        parts = (self.line1, self.line2, self.ward, self.district, self.province,
                 self.country_code)
        return ", ".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PostalAddress:
        return cls(**data)
