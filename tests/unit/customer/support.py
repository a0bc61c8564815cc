"""A shop on memory adapters with the shipped Vietnamese location sample loaded."""

from __future__ import annotations

import attrs

from adapters.locations import load_directory, sample_path
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds, bundle
from commerce_core import Commerce
from commerce_core.customer.commands import AddressFields

WARD = "vn-hcm-ben-thanh"
OTHER_WARD = "vn-hn-hoan-kiem"


def customer_shop() -> Commerce:
    ports = bundle(gateway=ScriptedPaymentGateway(), clock=FrozenClock(), ids=SequentialIds())
    return Commerce(attrs.evolve(ports, locations=load_directory(sample_path())))


def home(line1: str = "12 Lê Lợi", location_id: str = WARD) -> AddressFields:
    return AddressFields("Lan", "Nguyễn", "0901 234 567", line1, location_id)
