"""What payment providers and the shopper's browser send back about a payment that waited for
the shopper (spec payment §4, external-apis): notifications, VNPay's IPN, and the return from the
provider's page.

None of these routes takes a bearer token (they are declared `PUBLIC`): a provider's signature is
what authenticates a notification, checked before anything is read from it (an invalid one answers
400 and changes nothing). Every notification, valid or about a payment we do not know, is
acknowledged as its provider expects, since a refusal only makes the provider send it again and
again; applying it is idempotent (by the provider's event id and by the checkout's state), so
duplicates and out-of-order deliveries change nothing. The shopper's return is a signal to ask the
provider: its query parameters are verified where they are signed, but the outcome always comes
from the provider (`SettlePayment` with kind "pending"), never from the browser.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from adapters.payments import MomoGateway, VnpayGateway
from adapters.payments.vnpay import IpnOrder
from commerce_core.app import Commerce
from commerce_core.payment.errors import GatewayUnavailable, InvalidWebhook
from commerce_core.payment.model import PaymentStatus
from commerce_core.payment.ports import PaymentGateway, WebhookEvent
from entrypoints.http.access import PUBLIC
from entrypoints.http.dependencies import CommerceDep
from entrypoints.http.problems import HttpProblem

router = APIRouter(tags=["payment signals"])

# Where each provider's return names the attempt, for those whose return is not signed.
_RETURN_REFERENCE = {"paypal": "token", "stripe": "payment_intent"}


def _gateway(commerce: Commerce, provider: str) -> PaymentGateway:
    try:
        return commerce.gateways.gateway(provider)
    except GatewayUnavailable:  # no gateway of that name is enabled
        raise HttpProblem(404, "payment.unknown_provider",
                          f"No payment provider {provider!r} is configured.") from None


def _invalid(error: InvalidWebhook) -> HttpProblem:
    return HttpProblem(400, error.code, error.message)


@router.post("/webhooks/payments/{provider}",
             summary="A provider's signed notification (Stripe, PayPal, MoMo IPN, the fake)",
             dependencies=[PUBLIC])
async def notification(provider: str, request: Request, commerce: CommerceDep) -> Response:
    gateway = _gateway(commerce, provider)
    body = await request.body()
    try:
        event = gateway.parse_webhook(dict(request.headers), body)
    except InvalidWebhook as error:
        raise _invalid(error) from None
    outcome = _apply(commerce, event)
    if isinstance(gateway, MomoGateway):
        return Response(status_code=204)  # MoMo wants nothing else
    return _json({"received": True, "outcome": outcome})


@router.get("/webhooks/payments/vnpay/ipn", summary="VNPay's IPN (signed query string)",
            dependencies=[PUBLIC])
def vnpay_ipn(request: Request, commerce: CommerceDep) -> Response:
    gateway = _gateway(commerce, "vnpay")
    assert isinstance(gateway, VnpayGateway)

    def find_order(reference: str) -> IpnOrder | None:
        payment = commerce.payments.by_reference(gateway.name, reference)
        if payment is None:
            return None
        # An expired payment still takes its IPN: a sale made past the deadline is refunded.
        return IpnOrder(payment.amount, payment.status in (PaymentStatus.REQUIRES_ACTION,
                                                           PaymentStatus.EXPIRED))

    def record(event: WebhookEvent) -> None:
        _apply(commerce, event)

    return _json(gateway.answer_ipn(request.url.query, find_order, record))


@router.get("/payments/{provider}/return",
            summary="The shopper comes back from the provider's page; the provider is asked",
            dependencies=[PUBLIC])
def shopper_return(provider: str, request: Request, commerce: CommerceDep) -> Response:
    gateway = _gateway(commerce, provider)
    query = request.url.query
    try:
        if isinstance(gateway, VnpayGateway):
            reference = gateway.read_return(query).reference
        elif isinstance(gateway, MomoGateway):
            reference = gateway.read_redirect(query).reference
        else:  # PayPal, Stripe and the fake name the attempt; the provider is asked anyway
            name = _RETURN_REFERENCE.get(gateway.name, "reference")
            reference = request.query_params.get(name, "")
            if not reference:
                raise InvalidWebhook(f"the return names no payment ({name} is missing)")
    except InvalidWebhook as error:
        raise _invalid(error) from None
    outcome = commerce.checkout.settle_payment(gateway.name, reference)
    payment = commerce.payments.by_reference(gateway.name, reference)
    if payment is None:
        raise HttpProblem(404, "payment.not_found", "No payment has this reference.")
    order = commerce.orders.get(payment.order_id)
    return _json({"order_id": order.id, "order_status": order.status,
                  "payment_status": payment.status.value, "outcome": outcome})


def _apply(commerce: Commerce, event: WebhookEvent) -> str:
    if event.kind == "disputed":
        # A chargeback of a settled payment: recorded on the payment (once per dispute), not a
        # signal for the checkout.
        found = commerce.payments.record_dispute(
            event.gateway, event.reference, event.dispute_id or event.event_id,
            amount=event.amount, reason=event.reason or "")
        return "disputed" if found is not None else "unknown"
    return commerce.checkout.settle_payment(event.gateway, event.reference, event.kind,
                                            event_id=event.event_id).value


def _json(content: dict[str, Any]) -> Response:
    return JSONResponse(content)
