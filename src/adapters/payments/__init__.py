"""Payment provider adapters: Stripe, PayPal, VNPay and MoMo behind the `PaymentGateway` port,
and cash on delivery and bank transfer, which no provider moves.

Each adapter takes an injected `httpx.Client`, its base URL, its credentials and a clock, so
tests drive it through `httpx.MockTransport` and nothing reads the wall clock or the
environment. Only provider references and tokens pass through here: card data never does.
"""

from __future__ import annotations

from adapters.payments.errors import UnsupportedCurrency
from adapters.payments.momo import MomoCredentials, MomoGateway
from adapters.payments.offline import BankTransferGateway, CashOnDeliveryGateway
from adapters.payments.paypal import PayPalCredentials, PayPalGateway
from adapters.payments.stripe import StripeGateway
from adapters.payments.vnpay import VnpayCredentials, VnpayGateway

__all__ = [
    "BankTransferGateway",
    "CashOnDeliveryGateway",
    "MomoCredentials",
    "MomoGateway",
    "PayPalCredentials",
    "PayPalGateway",
    "StripeGateway",
    "UnsupportedCurrency",
    "VnpayCredentials",
    "VnpayGateway",
]
