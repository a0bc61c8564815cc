"""Facts about the shop's shipping methods (their configuration)."""

from __future__ import annotations

from datetime import datetime

from attrs import frozen

from commerce_core.shared.events import DomainEvent


@frozen
class ShippingMethodCreated(DomainEvent):
    type = "shipping.method_created"
    method_id: str
    code: str
    name: str
    method_type: str
    enabled: bool
    occurred_at: datetime


@frozen
class ShippingMethodChanged(DomainEvent):
    """The method's configuration changed: `enabled` as it stands after the change."""

    type = "shipping.method_changed"
    method_id: str
    code: str
    enabled: bool
    occurred_at: datetime
