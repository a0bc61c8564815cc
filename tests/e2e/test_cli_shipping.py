"""`commerce shipping` as staff drive it on SQLite: hand a ready fulfillment to the carrier, list
and show its shipment, save its label as a PDF, track it, cancel it before pickup.

The fake carrier keeps its bookings in memory, so the test shares one fake between the shop it
prepares and the CLI's runs (every run builds its carriers through the container)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import adapters.sql
from adapters.carriers.registry import CarrierRegistry
from adapters.memory import FrozenClock, ScriptedPaymentGateway, SequentialIds
from entrypoints import container
from tests.e2e.test_cli import commerce_cli, database_url, refused, succeeded
from tests.shop import SHIRT
from tests.unit.shipping.support import order, ready, shipping_shop

__all__ = ["database_url"]  # a fixture used by name below


def test_create_list_label_track_and_cancel(database_url: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    commerce, carrier = shipping_shop(adapters.sql.bundle(
        database_url, gateway=ScriptedPaymentGateway(), clock=FrozenClock(),
        ids=SequentialIds()))

    def the_same_fake(*args: Any, **kwargs: Any) -> CarrierRegistry:
        return CarrierRegistry([carrier])

    monkeypatch.setattr(container, "build_carriers", the_same_fake)
    order_id = order(commerce, (SHIRT, 1))
    fulfillment_id = ready(commerce, order_id)
    cli = ("--database-url", database_url, "shipping")

    created = succeeded(commerce_cli(*cli, "create", fulfillment_id))
    (shipment,) = commerce.shipping.for_order(order_id)
    tn = shipment.tracking_number
    assert isinstance(tn, str)
    listed = succeeded(commerce_cli(*cli, "list", "--status", "booked"))
    pdf = tmp_path / "label.pdf"
    saved = succeeded(commerce_cli(*cli, "label", order_id, "--out", str(pdf)))
    tracked = succeeded(commerce_cli(*cli, "track", tn))
    cancelled = succeeded(commerce_cli(*cli, "cancel", shipment.id))
    again = refused(commerce_cli(*cli, "label", "no-such-order", "--out", str(pdf)),
                    "shipping.shipment_not_found")

    assert tn in created
    assert "booked" in created
    assert shipment.id in listed
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "saved to" in saved
    assert f"{tn} (fake): booked" in tracked
    assert "is cancelled" in cancelled
    assert "no-such-order" in again
    assert commerce.shipping.get(shipment.id).status.value == "cancelled"
