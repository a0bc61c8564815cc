"""Payment: payments of orders and the `PaymentGateway` port every provider implements."""

from commerce_core.payment.commands import CapturePayment
from commerce_core.payment.errors import GatewayTimeout, GatewayUnavailable, PaymentDeclined
from commerce_core.payment.model import Payment, PaymentStatus
from commerce_core.payment.ports import (
    AuthorizationRequest,
    GatewayResult,
    PaymentGateway,
    WebhookEvent,
)

__all__ = [
    "AuthorizationRequest",
    "CapturePayment",
    "GatewayResult",
    "GatewayTimeout",
    "GatewayUnavailable",
    "Payment",
    "PaymentDeclined",
    "PaymentGateway",
    "PaymentStatus",
    "WebhookEvent",
]
