"""Pricing's published read language: what the engine is given to price a cart, the
explained breakdown it answers with, and its rendering as text."""

from commerce_core.pricing.engine import (
    Adjustment,
    AdjustmentKind,
    AppliedOffer,
    CartLineInput,
    CustomerContext,
    InvalidCoupon,
    LineBreakdown,
    PriceBreakdown,
    PricingContext,
    PricingInput,
    PricingStage,
    PricingWarning,
    ShippingBreakdown,
    ShippingSelection,
    TaxStatus,
    Totals,
    explain,
)

__all__ = [
    "Adjustment",
    "AdjustmentKind",
    "AppliedOffer",
    "CartLineInput",
    "CustomerContext",
    "InvalidCoupon",
    "LineBreakdown",
    "PriceBreakdown",
    "PricingContext",
    "PricingInput",
    "PricingStage",
    "PricingWarning",
    "ShippingBreakdown",
    "ShippingSelection",
    "TaxStatus",
    "Totals",
    "explain",
]
