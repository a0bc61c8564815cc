"""Fulfillment: what each warehouse ships of a paid order, picked in batches along the bins,
packed into checked packages, and handed to a carrier (spec part B)."""

from commerce_core.fulfillment.commands import (
    CancelFulfillment,
    CompletePicklist,
    ConfirmPacked,
    ConfirmPicked,
    GeneratePicklist,
    MarkReadyToShip,
    ShipFulfillment,
    StartPacking,
)
from commerce_core.fulfillment.errors import (
    FulfillmentNotFound,
    InvalidTransition,
    QcRequired,
    RepackRequired,
    ShippingUnavailable,
)
from commerce_core.fulfillment.model import (
    Fulfillment,
    FulfillmentPolicy,
    FulfillmentStatus,
    PackageItem,
    PackageSpec,
)
from commerce_core.fulfillment.picklists import Picklist, PicklistStatus

__all__ = [
    "CancelFulfillment",
    "CompletePicklist",
    "ConfirmPacked",
    "ConfirmPicked",
    "Fulfillment",
    "FulfillmentNotFound",
    "FulfillmentPolicy",
    "FulfillmentStatus",
    "GeneratePicklist",
    "InvalidTransition",
    "MarkReadyToShip",
    "PackageItem",
    "PackageSpec",
    "Picklist",
    "PicklistStatus",
    "QcRequired",
    "RepackRequired",
    "ShipFulfillment",
    "ShippingUnavailable",
    "StartPacking",
]
