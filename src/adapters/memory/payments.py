"""A payment gateway whose outcomes a test (or a demo) scripts: approve, decline, time out, fail.

It keeps the money ledger a real provider would, so tests can assert that no authorization is
left holding a shopper's funds: every authorization is `held`, `captured`, `voided` or
`refunded`, and every call is idempotent on its key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from enum import StrEnum

import attrs

from commerce_core.payment.errors import GatewayTimeout, GatewayUnavailable, InvalidWebhook
from commerce_core.payment.ports import AuthorizationRequest, GatewayResult, WebhookEvent
from commerce_core.shared.money import Money


class Outcome(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    TIMEOUT = "timeout"  # no answer, nothing done
    TIMEOUT_AFTER_AUTHORIZE = "timeout_after_authorize"  # authorized, but the answer was lost
    ERROR = "error"  # the provider answered with an error, nothing done
    REDIRECT = "redirect"  # pending: the shopper pays on the provider's page (`pay`)


@attrs.define
class Authorization:
    reference: str
    key: str
    amount: Money
    # awaiting (the shopper's page) → held | declined | voided; held → captured | voided |
    # capturing (captured in parts; → captured by the final part or a void of the rest);
    # captured → refunded (once all is back)
    state: str = "held"
    captured: Money | None = None
    refunded: int = 0  # minor units given back so far, over one or more refunds


class ScriptedPaymentGateway:
    """The fake `PaymentGateway`. Unscripted calls use `default` (approve). `name` tells fakes
    apart behind a router (one stands for Stripe, another for PayPal)."""

    name = "fake"
    multiple_captures = True

    def __init__(
        self,
        outcomes: Iterable[Outcome | str] = (),
        *,
        default: Outcome = Outcome.APPROVE,
        webhook_secret: str = "fake-webhook-secret",
        name: str = "fake",
    ) -> None:
        self.name = name
        self._script: deque[Outcome] = deque(Outcome(o) for o in outcomes)
        self.default = default
        self._secret = webhook_secret.encode()
        self._lock = threading.Lock()
        self.authorizations: dict[str, Authorization] = {}  # by idempotency key
        self._results: dict[str, GatewayResult] = {}  # idempotent replies by key
        self.calls: list[tuple[str, str]] = []  # (operation, idempotency key)
        self._capture_script: deque[Outcome] = deque()

    def script_captures(self, *outcomes: Outcome | str) -> None:
        """How the next captures go: `timeout` (no answer; with `timeout_after_authorize` the
        money was taken but the answer lost), `error`, `decline`, `approve`."""
        with self._lock:
            self._capture_script.extend(Outcome(o) for o in outcomes)

    def script(self, *outcomes: Outcome | str) -> None:
        with self._lock:
            self._script.extend(Outcome(o) for o in outcomes)

    def _next(self) -> Outcome:
        return self._script.popleft() if self._script else self.default

    def authorize(self, request: AuthorizationRequest) -> GatewayResult:
        with self._lock:
            self.calls.append(("authorize", request.idempotency_key))
            if request.idempotency_key in self._results:
                return self._results[request.idempotency_key]
            outcome = self._next()
            if outcome is Outcome.TIMEOUT:
                raise GatewayTimeout("the fake gateway did not answer in time")
            if outcome is Outcome.ERROR:
                raise GatewayUnavailable("the fake gateway answered 503")
            if outcome is Outcome.DECLINE:
                result = GatewayResult(approved=False, decline_code="card_declined",
                                       message="Your card was declined.")
            elif outcome is Outcome.REDIRECT:
                reference = "pay_" + hashlib.sha256(
                    request.idempotency_key.encode()).hexdigest()[:16]
                self.authorizations[request.idempotency_key] = Authorization(
                    reference, request.idempotency_key, request.amount, state="awaiting")
                result = GatewayResult(approved=False, reference=reference, pending=True,
                                       redirect_url=f"https://pay.fake.test/{reference}")
            else:
                reference = "auth_" + hashlib.sha256(
                    request.idempotency_key.encode()).hexdigest()[:16]
                self.authorizations[request.idempotency_key] = Authorization(
                    reference, request.idempotency_key, request.amount
                )
                result = GatewayResult(approved=True, reference=reference)
            self._results[request.idempotency_key] = result
            if outcome is Outcome.TIMEOUT_AFTER_AUTHORIZE:
                raise GatewayTimeout("the fake gateway authorized but the answer was lost")
            return result

    # -- the provider's page, for redirect attempts ----------------------------------------------
    def _attempt(self, reference: str) -> Authorization:
        for authorization in self.authorizations.values():
            if authorization.reference == reference:
                return authorization
        raise GatewayUnavailable(f"unknown payment attempt {reference}")

    def pay(self, reference: str, *, approve: bool = True) -> bool:
        """The shopper pays (or is declined) on the page of attempt `reference`; False when
        the attempt no longer takes payment (voided, already settled)."""
        with self._lock:
            attempt = self._attempt(reference)
            if attempt.state != "awaiting":
                return False
            attempt.state = "held" if approve else "declined"
            return True

    def complete(self, reference: str, idempotency_key: str) -> GatewayResult:
        """How the attempt ended: held (approved), still awaiting the shopper (pending),
        declined or cancelled."""
        with self._lock:
            self.calls.append(("complete", idempotency_key))
            attempt = self._attempt(reference)
            if attempt.state == "awaiting":
                return GatewayResult(approved=False, reference=reference, pending=True)
            if attempt.state in ("held", "captured", "refunded"):
                return GatewayResult(approved=True, reference=reference)
            return GatewayResult(approved=False, reference=reference,
                                 decline_code="payment_" + attempt.state)

    def webhook(self, reference: str, kind: str, event_id: str | None = None) -> tuple[
            dict[str, str], bytes]:
        """A signed notification of attempt `reference` (headers, body), as the provider
        would send it."""
        body = json.dumps({"id": event_id or f"evt_{reference}_{kind}", "kind": kind,
                           "reference": reference}).encode()
        return {"X-Fake-Signature": self.sign(body), "Content-Type": "application/json"}, body

    def _by_reference(self, reference: str, amount: Money, expected: str) -> Authorization:
        for authorization in self.authorizations.values():
            if authorization.reference == reference:
                return authorization
        if reference.startswith("auth_"):
            # Made by this fake in another process (`commerce serve` authorized, the CLI
            # captures): like a real provider, the reference is enough to find it.
            authorization = Authorization(reference, reference, amount, state=expected)
            self.authorizations[reference] = authorization
            return authorization
        raise GatewayUnavailable(f"unknown authorization {reference}")

    def capture(self, reference: str, amount: Money, idempotency_key: str, *,
                final: bool = True) -> GatewayResult:
        with self._lock:
            self.calls.append(("capture", idempotency_key))
            if idempotency_key in self._results:
                return self._results[idempotency_key]
            outcome = self._capture_script.popleft() if self._capture_script else None
            if outcome is Outcome.TIMEOUT:
                raise GatewayTimeout("the fake gateway did not answer the capture in time")
            if outcome is Outcome.ERROR:
                raise GatewayUnavailable("the fake gateway answered 503 to the capture")
            authorization = self._by_reference(reference, amount, "held")
            taken = authorization.captured.amount if authorization.captured else 0
            if outcome is Outcome.DECLINE:
                result = GatewayResult(approved=False, decline_code="capture_declined")
            elif (authorization.state not in ("held", "capturing")
                  or taken + amount.amount > authorization.amount.amount):
                result = GatewayResult(approved=False, decline_code="capture_not_allowed")
            else:
                authorization.captured = Money(taken + amount.amount, amount.currency)
                authorization.state = "captured" if final else "capturing"
                result = GatewayResult(approved=True, reference=f"cap_{idempotency_key}")
            self._results[idempotency_key] = result
            if outcome is Outcome.TIMEOUT_AFTER_AUTHORIZE:
                raise GatewayTimeout("the fake gateway captured but the answer was lost")
            return result

    def void(self, authorization_key: str) -> None:
        with self._lock:
            self.calls.append(("void", authorization_key))
            authorization = self.authorizations.get(authorization_key)
            if authorization is not None and authorization.state in ("held", "awaiting"):
                authorization.state = "voided"
            elif authorization is not None and authorization.state == "capturing":
                authorization.state = "captured"  # the rest of a hold captured in parts

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> GatewayResult:
        with self._lock:
            self.calls.append(("refund", idempotency_key))
            if idempotency_key in self._results:
                return self._results[idempotency_key]
            authorization = self._by_reference(reference, amount, "captured")
            taken = (authorization.captured or authorization.amount).amount
            if (authorization.state not in ("captured", "capturing")
                    or authorization.refunded + amount.amount > taken):
                result = GatewayResult(approved=False, decline_code="nothing_to_refund")
            else:
                authorization.refunded += amount.amount
                if authorization.refunded == taken:
                    authorization.state = "refunded"
                result = GatewayResult(approved=True, reference=f"re_{idempotency_key}")
            self._results[idempotency_key] = result
            return result

    def held(self) -> list[Authorization]:
        """Authorizations still holding funds (neither captured nor voided)."""
        with self._lock:
            return [a for a in self.authorizations.values() if a.state == "held"]

    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Webhooks signed with HMAC-SHA256 of the body in `X-Fake-Signature`."""
        signature = {k.lower(): v for k, v in headers.items()}.get("x-fake-signature", "")
        if not hmac.compare_digest(signature, self.sign(body)):
            raise InvalidWebhook("webhook signature does not verify")
        try:
            data = json.loads(body)
            amount = data.get("amount")
            return WebhookEvent(
                gateway=self.name, event_id=str(data["id"]), kind=str(data["kind"]),
                reference=str(data["reference"]),
                amount=Money(int(amount["amount"]), str(amount["currency"])) if amount else None,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidWebhook(f"malformed webhook: {exc}") from exc
