"""The price engine: `price_cart` (pure) and `explain`."""

from commerce_core.pricing.engine.breakdown import (
    Adjustment,
    AdjustmentKind,
    AppliedOffer,
    InvalidCoupon,
    LineBreakdown,
    PriceBreakdown,
    PriceSource,
    PricingInconsistency,
    PricingWarning,
    ShippingBreakdown,
    TaxStatus,
    Totals,
)
from commerce_core.pricing.engine.calculate import price_cart
from commerce_core.pricing.engine.explain import explain, unexplained
from commerce_core.pricing.engine.inputs import (
    CartLineInput,
    CustomerContext,
    PriceCatalogue,
    PricingContext,
    PricingInput,
    PricingStage,
    ShippingSelection,
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
    "PriceCatalogue",
    "PriceSource",
    "PricingContext",
    "PricingInconsistency",
    "PricingInput",
    "PricingStage",
    "PricingWarning",
    "ShippingBreakdown",
    "ShippingSelection",
    "TaxStatus",
    "Totals",
    "explain",
    "price_cart",
    "unexplained",
]
