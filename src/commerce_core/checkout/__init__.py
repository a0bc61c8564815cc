"""Checkout: the saga that turns a cart into a confirmed order, with compensation per step."""

from commerce_core.checkout.commands import PlaceOrder, RecoverCheckouts
from commerce_core.checkout.errors import (
    CheckoutFailed,
    CheckoutInProgress,
    CheckoutNotPossible,
    IdempotencyKeyReused,
)
from commerce_core.checkout.handlers import PlacedOrder
from commerce_core.checkout.model import CheckoutSaga, SagaStatus, Step

__all__ = [
    "CheckoutFailed",
    "CheckoutInProgress",
    "CheckoutNotPossible",
    "CheckoutSaga",
    "IdempotencyKeyReused",
    "PlaceOrder",
    "PlacedOrder",
    "RecoverCheckouts",
    "SagaStatus",
    "Step",
]
