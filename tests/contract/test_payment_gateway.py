"""The `PaymentGateway` contract, run against the scripted fake and against every provider
adapter talking to its provider double (see `payment_doubles`).

What every gateway honours (the port's docstring): a decline is a result; a timeout raises
`GatewayTimeout`, an error, a rate limit or an unreachable provider `GatewayUnavailable`; each
call is idempotent on its key and moves money once; `void` is a no-op when nothing is held;
amounts leave in the provider's units; `parse_webhook` translates what verifies and refuses
the forged, the tampered and the stale with `InvalidWebhook`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.payments import UnsupportedCurrency
from commerce_core.payment.errors import GatewayTimeout, GatewayUnavailable, InvalidWebhook
from commerce_core.payment.ports import GatewayResult
from commerce_core.shared.errors import ServiceUnavailable
from commerce_core.shared.money import Money
from tests.contract.payment_doubles import HARNESSES, Harness, HttpHarness

FAILURES = [
    pytest.param("timeout", GatewayTimeout, id="timeout"),
    pytest.param("5xx", GatewayUnavailable, id="5xx"),
    pytest.param("429", GatewayUnavailable, id="rate-limited"),
    pytest.param("unreachable", GatewayUnavailable, id="unreachable"),
]


@pytest.fixture(params=list(HARNESSES))
def harness(request: pytest.FixtureRequest) -> Harness:
    return HARNESSES[request.param]()


def only(applies: Callable[[type[Harness]], bool]) -> pytest.MarkDecorator:
    """Run a test on the gateways a rule of the contract applies to (a protocol without the
    feature has nothing to test), rather than skipping it on the others."""
    names = [name for name, make in HARNESSES.items()
             if isinstance(make, type) and applies(make)]
    assert names, "a contract test that applies to no gateway"
    return pytest.mark.parametrize("harness", names, indirect=True)


def _authorized(harness: Harness, key: str = "order-1:authorize") -> tuple[str, Money]:
    request = harness.request(key)
    result = harness.obtain(request)
    assert result.approved, result
    assert result.reference
    return result.reference, request.amount


def _captured(harness: Harness) -> tuple[str, Money]:
    reference, amount = _authorized(harness)
    assert harness.gateway.capture(reference, amount, "order-1:capture").approved
    return reference, amount


# -- outcomes -------------------------------------------------------------------------------


def test_an_authorization_is_held_captured_and_refunded(harness: Harness) -> None:
    reference, amount = _authorized(harness)
    assert harness.held() == (1 if harness.holds else 0)

    captured = harness.gateway.capture(reference, amount, "order-1:capture")
    refunded = harness.gateway.refund(reference, amount, "order-1:refund")

    assert captured.approved
    assert refunded.approved
    assert harness.held() == 0


def test_a_decline_is_a_result_not_an_exception(harness: Harness) -> None:
    harness.decline_next()

    result = harness.obtain(harness.request("order-1:authorize"))

    assert not result.approved
    assert not result.pending
    assert result.decline_code
    assert harness.held() == 0


@pytest.mark.parametrize(("failure", "error"), FAILURES)
def test_failures_to_authorize_raise(harness: Harness, failure: str,
                                     error: type[ServiceUnavailable]) -> None:
    harness.fail_next(failure)

    with pytest.raises(error):
        harness.obtain(harness.request("order-1:authorize"))


@pytest.mark.parametrize(("harness", "operation"), [
    (name, operation) for name, make in HARNESSES.items() for operation in ("capture", "refund")
    if isinstance(make, type) and issubclass(make, HttpHarness) and operation in make.mutating
], indirect=["harness"])
@pytest.mark.parametrize(("failure", "error"), FAILURES)
def test_failures_to_capture_or_refund_raise_and_a_retry_moves_money_once(
        harness: Harness, operation: str, failure: str,
        error: type[ServiceUnavailable]) -> None:
    reference, amount = _captured(harness) if operation == "refund" else _authorized(harness)
    call = getattr(harness.gateway, operation)
    harness.fail_next(failure, mutation=True)

    with pytest.raises(error):
        call(reference, amount, f"order-1:{operation}:x")
    retried: GatewayResult = call(reference, amount, f"order-1:{operation}:x")

    assert retried.approved
    assert harness.applied(operation) == [harness.provider_key(f"order-1:{operation}:x",
                                                               operation)]


# -- idempotency ----------------------------------------------------------------------------


def test_authorize_twice_with_one_key_is_one_authorization(harness: Harness) -> None:
    request = harness.request("order-1:authorize")

    first = harness.gateway.authorize(request)
    again = harness.gateway.authorize(request)

    assert first == again
    expected = [harness.provider_key(request.idempotency_key, "authorize")]
    assert harness.applied("authorize") == (expected if harness.authorize_reaches_provider
                                            else [])


def test_authorize_again_from_another_process_is_the_same_attempt(harness: Harness) -> None:
    request = harness.request("order-1:authorize")

    first = harness.gateway.authorize(request)
    again = harness.twin().authorize(request)

    assert (again.approved, again.reference, again.pending) == (
        first.approved, first.reference, first.pending)
    assert len(harness.applied("authorize")) == (1 if harness.authorize_reaches_provider else 0)


@only(lambda h: h.authorize_reaches_provider)
def test_an_authorization_whose_answer_was_lost_is_not_made_twice(harness: Harness) -> None:
    request = harness.request("order-1:authorize")
    harness.fail_next("lost", mutation=True)

    with pytest.raises(GatewayTimeout):
        harness.gateway.authorize(request)
    again = harness.gateway.authorize(request)

    assert again.reference is not None
    assert (again.approved or again.pending)
    assert harness.applied("authorize") == [harness.provider_key(request.idempotency_key,
                                                                 "authorize")]


@only(lambda h: issubclass(h, HttpHarness) and "capture" in h.mutating)
def test_a_capture_whose_answer_was_lost_is_not_made_twice(harness: Harness) -> None:
    reference, amount = _authorized(harness)
    harness.fail_next("lost", mutation=True)

    with pytest.raises(GatewayTimeout):
        harness.gateway.capture(reference, amount, "order-1:capture")
    again = harness.twin().capture(reference, amount, "order-1:capture")

    assert again.approved
    assert harness.applied("capture") == [harness.provider_key("order-1:capture", "capture")]


@pytest.mark.parametrize("operation", ["capture", "refund"])
def test_capture_and_refund_twice_with_one_key_move_money_once(harness: Harness,
                                                                operation: str) -> None:
    reference, amount = _captured(harness) if operation == "refund" else _authorized(harness)
    key = f"order-1:{operation}:again"
    call = getattr(harness.gateway, operation)

    first, again = call(reference, amount, key), call(reference, amount, key)

    assert first == again
    assert first.approved
    if operation in harness.mutating:
        assert harness.applied(operation) == [harness.provider_key(key, operation)]


# -- void -----------------------------------------------------------------------------------


def test_void_releases_the_authorization_once(harness: Harness) -> None:
    _authorized(harness)

    harness.gateway.void("order-1:authorize")
    harness.gateway.void("order-1:authorize")

    assert harness.held() == 0
    assert len(harness.applied("void")) == (1 if harness.holds else 0)


@only(lambda h: h.void_across_processes)
def test_void_releases_an_authorization_made_by_another_process(harness: Harness) -> None:
    _authorized(harness)

    harness.twin().void("order-1:authorize")

    assert harness.held() == 0


def test_void_without_an_authorization_is_a_no_op(harness: Harness) -> None:
    harness.gateway.void("never-authorized")

    assert harness.applied("void") == []
    if isinstance(harness, HttpHarness):
        assert [r for r in harness.double.requests if harness.double.is_mutation(r)] == []


def test_void_after_a_decline_is_a_no_op(harness: Harness) -> None:
    harness.decline_next()
    harness.obtain(harness.request("order-1:authorize"))

    harness.gateway.void("order-1:authorize")

    assert harness.held() == 0


# -- amounts --------------------------------------------------------------------------------


def test_amounts_go_out_in_the_providers_units(harness: Harness) -> None:
    harness.obtain(harness.request("order-1:authorize"))

    assert harness.wire_amount() == harness.wire


@only(lambda h: h.unsupported is not None)
def test_a_currency_the_provider_refuses_fails_before_any_request(harness: Harness) -> None:
    request = harness.request("order-1:authorize", currency=harness.unsupported)

    with pytest.raises(UnsupportedCurrency):
        harness.gateway.authorize(request)
    assert isinstance(harness, HttpHarness)
    assert harness.double.requests == []


# -- webhooks -------------------------------------------------------------------------------


def test_a_signed_webhook_is_translated(harness: Harness) -> None:
    headers, body = harness.webhook("ref-1")

    event = harness.gateway.parse_webhook(headers, body)

    assert (event.gateway, event.kind, event.reference, event.amount) == (
        harness.gateway.name, "captured", "ref-1", Money(199_000, "VND"))
    assert event.event_id


def test_a_webhook_delivered_twice_names_one_event(harness: Harness) -> None:
    headers, body = harness.webhook("ref-1")

    first = harness.gateway.parse_webhook(headers, body)
    again = harness.gateway.parse_webhook(headers, body)

    assert first.event_id == again.event_id


def test_a_forged_webhook_is_refused(harness: Harness) -> None:
    headers, body = harness.webhook("ref-1", forged=True)

    with pytest.raises(InvalidWebhook):
        harness.gateway.parse_webhook(headers, body)


def test_a_tampered_webhook_is_refused(harness: Harness) -> None:
    headers, body = harness.webhook("ref-1")

    with pytest.raises(InvalidWebhook):
        harness.gateway.parse_webhook(headers, body.replace(b"199", b"299", 1))


def test_an_unsigned_webhook_is_refused(harness: Harness) -> None:
    headers, body = harness.unsigned(*harness.webhook("ref-1"))

    with pytest.raises(InvalidWebhook):
        harness.gateway.parse_webhook(headers, body)


@only(lambda h: h.stale_webhooks)
def test_a_stale_webhook_is_refused(harness: Harness) -> None:
    headers, body = harness.webhook("ref-1", stale=True)

    with pytest.raises(InvalidWebhook):
        harness.gateway.parse_webhook(headers, body)


# -- secrets --------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["5xx", "timeout"])
def test_errors_and_reprs_carry_no_secret(harness: Harness, failure: str) -> None:
    harness.fail_next(failure)

    with pytest.raises(ServiceUnavailable) as raised:
        harness.obtain(harness.request("order-1:authorize"))

    shown = f"{raised.value} {raised.value.details} {harness.gateway!r}"
    assert not [secret for secret in harness.secrets if secret in shown]
